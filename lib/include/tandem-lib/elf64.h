/*
 * libtandem (lib/): the ELF64 definitions Tandem reads, once for the
 * hypervisor's PV loader (libelf.c), the UEFI loader (elfload.c, placing the
 * core) and the guest kernel's exec(). On-disk layouts, little endian; an
 * image may be unaligned, so untrusted input is read with memcpy.
 * Field and constant names are the System V ABI's (as in <elf.h>).
 */
#ifndef TANDEM_LIB_ELF64_H
#define TANDEM_LIB_ELF64_H

#include <stdint.h>

struct elf64_ehdr {
    uint8_t  e_ident[16];
    uint16_t e_type, e_machine;
    uint32_t e_version;
    uint64_t e_entry, e_phoff, e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
};

struct elf64_phdr {
    uint32_t p_type, p_flags;
    uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
};

struct elf64_nhdr {
    uint32_t n_namesz, n_descsz, n_type;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");
_Static_assert(sizeof(struct elf64_nhdr) == 12, "ELF note header is 12 bytes");

/* e_ident */
#define EI_CLASS        4
#define EI_DATA         5
#define ELFCLASS64      2
#define ELFDATA2LSB     1
#define EV_CURRENT      1
/* e_type, e_machine */
#define ET_EXEC         2
#define EM_X86_64       62
/* p_type, p_flags */
#define PT_LOAD         1
#define PT_NOTE         4
#define PF_X            1
#define PF_W            2
#define PF_R            4
/* e_phnum escape: the real count is in section 0 (refused by Tandem) */
#define PN_XNUM         0xffff

#endif
