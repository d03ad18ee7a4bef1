/* Parser and validator for Xen-style PV ELF64 kernel images (pure: no I/O, no allocation). */
#ifndef TANDEM_LIBELF_H
#define TANDEM_LIBELF_H

#include "types.h"

#define ELF_UNSET    (~0ULL)
#define ELF_MAX_SEGS 16

/* One PT_LOAD segment with p_memsz > 0, as the domain builder must place it. */
struct elf_pv_seg {
    uint64_t va;        /* p_paddr - paddr_offset + virt_base (Xen libelf rule) */
    uint64_t file_off;  /* p_offset: bytes [file_off, file_off + filesz) are in the image */
    uint64_t filesz;    /* bytes to copy */
    uint64_t memsz;     /* bytes to map; [filesz, memsz) is zeroed by the builder */
    uint32_t flags;     /* p_flags (PF_X 1, PF_W 2, PF_R 4) */
};

struct elf_pv_info {
    uint64_t entry;             /* ENTRY note, else e_entry */
    uint64_t virt_base;         /* VIRT_BASE note, else 0 */
    uint64_t paddr_offset;      /* PADDR_OFFSET note, else 0 */
    uint64_t hypercall_page;    /* HYPERCALL_PAGE note, else ELF_UNSET */
    uint64_t init_p2m;          /* INIT_P2M note, else ELF_UNSET */
    uint64_t hv_start_low;      /* HV_START_LOW note, else ELF_UNSET */
    bool mod_start_pfn;         /* MOD_START_PFN note present and == 1 */
    char guest_os[32];          /* string notes, "" when absent; */
    char guest_version[32];     /* these four are truncated to fit, */
    char xen_version[32];       /* as Xen does */
    char loader[32];
    char features[128];         /* FEATURES: refused if it does not fit */
    uint64_t virt_kstart;       /* lowest segment VA, rounded down to a page */
    uint64_t virt_kend;         /* highest segment end VA, rounded up to a page */
    unsigned nr_segs;
    struct elf_pv_seg segs[ELF_MAX_SEGS];   /* in program header order */
};

/*
 * Validate `image` (len bytes, any alignment, untrusted) and fill `info`.
 * Returns 0, or -XEN_EINVAL with a one-line message in `err` (always
 * NUL-terminated when errlen > 0; err may be NULL) naming the field, note or
 * segment at fault. Segment numbers in messages are program header indices.
 * `info` is only meaningful on success.
 *
 * Accepted: ELFCLASS64, ELFDATA2LSB, EV_CURRENT, EM_X86_64, ET_EXEC; 1 to
 * ELF_MAX_SEGS PT_LOAD segments with p_memsz > 0 (empty ones are skipped),
 * whose VA ranges are canonical, do not wrap and avoid the hypervisor hole.
 * Xen notes (owner "Xen") are read from every PT_NOTE segment; unknown types
 * and other owners are ignored; a repeated note overrides the earlier one.
 * Xen's rules: XEN_VERSION starts "xen-3.0"; LOADER starts "generic" unless
 * GUEST_OS starts "linux" (prefix matches, as Xen); ENTRY and HYPERCALL_PAGE
 * lie in [virt_kstart, virt_kend), HYPERCALL_PAGE page aligned; VIRT_BASE
 * <= virt_kstart; INIT_P2M (if present) outside [virt_kstart, virt_kend).
 */
int elf_pv_parse(const void *image, size_t len, struct elf_pv_info *info,
                 char *err, size_t errlen);

/* Xen's name of a note type ("ENTRY", "XEN_VERSION", ...), "unknown" if none. */
const char *elf_note_name(unsigned type);

#endif
