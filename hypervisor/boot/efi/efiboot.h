/*
 * Internal interfaces of tandem.efi, the UEFI loader that places the Tandem
 * core, gathers its boot_info and enters it (docs/boot-uefi.md).
 * Everything here runs with boot services active unless a comment says so.
 */
#ifndef TANDEM_EFIBOOT_H
#define TANDEM_EFIBOOT_H

#include <efi.h>
#include <efilib.h>
#include "bootinfo.h"

/*
 * OS-defined memory type for what the core keeps forever (its image, the
 * entry page tables, boot_info, the entry stack and GDT): memmap_convert()
 * reports it as BI_MEM_RESERVED. Modules use EfiLoaderData (usable): the core
 * protects them through the module list.
 */
#define TANDEM_MEM_TYPE     ((EFI_MEMORY_TYPE)0x80000000u)
#define LOW_4G_LIMIT        0xFFFFFFFFull      /* highest byte a "low" allocation may use */
#define SZ_2M               0x200000ull
#define SZ_1G               0x40000000ull
#define SZ_4G               0x100000000ull
#define ALIGN_UP(x, a)      (((x) + (a) - 1) & ~((UINT64)(a) - 1))

/* Where the core image went (elfload.c). */
struct core_image {
    EFI_PHYSICAL_ADDRESS phys;   /* 2 MiB aligned, below 4 GiB */
    UINT64 len;                  /* image_end - image_start, bss included */
    UINT64 entry64;              /* virtual address of hv_entry64 */
};

/* The final UEFI memory map and its buffers (memmap.c). */
struct efi_memmap {
    EFI_MEMORY_DESCRIPTOR *buf;
    UINTN cap;                   /* bytes in buf */
    UINTN size;                  /* bytes used by the last GetMemoryMap */
    UINTN key;
    UINTN desc_size;
    UINT32 desc_ver;
    struct bi_mem_region *scratch;   /* one slot per descriptor that fits in buf */
    UINTN scratch_cap;
};

/*
 * efi_main.c. Allocates whole pages below 4 GiB of the given type, aligned to
 * `align` (a power of two >= 4 KiB), and returns the first byte in *out. Does
 * not clear the memory.
 */
EFI_STATUS efi_alloc_low(UINT64 bytes, EFI_MEMORY_TYPE type, UINT64 align,
                         EFI_PHYSICAL_ADDRESS *out);

/* Copies at most cap-1 bytes of the ASCII string src, always NUL-terminated. */
void ascii_copy(char *dst, const char *src, UINTN cap);

/*
 * elfload.c. Validates the embedded tandem.elf, copies its PT_LOAD segments at
 * or above HV_IMAGE_VA into a fresh 2 MiB-aligned TANDEM_MEM_TYPE region with
 * the rest (bss) zeroed, and describes it in *ci. Prints why on failure.
 */
EFI_STATUS core_load(struct core_image *ci);

/*
 * modules.c. Loads opt/tandem/mod0, mod1, ... from fw_cfg into bi->modules
 * (EfiLoaderData below 4 GiB), stopping at the first missing name, and sets
 * bi->nr_modules (0 when fw_cfg is absent or holds none). An error means a
 * module exists but could not be loaded.
 */
EFI_STATUS modules_from_fwcfg(struct boot_info *bi);

/*
 * esp.c. Reads boot.lst from the directory tandem.efi was loaded from and
 * loads each module it names. A "tandem ARGS" line sets bi->cmdline only if
 * bi->cmdline is empty. EFI_NOT_FOUND when there is no boot.lst.
 */
EFI_STATUS esp_load(EFI_HANDLE image, struct boot_info *bi);

/*
 * memmap.c. memmap_prepare() sizes and allocates the buffers for the final
 * map; nothing may be allocated after the final map is read, so call it last.
 * memmap_exit() reads the final map and calls ExitBootServices (retrying when
 * the map changed); on success boot services are gone. memmap_convert() turns
 * the final map into bi->mem (no boot services needed).
 */
EFI_STATUS memmap_prepare(struct efi_memmap *mm);
EFI_STATUS memmap_exit(EFI_HANDLE image, struct efi_memmap *mm);
void memmap_convert(const struct efi_memmap *mm, struct boot_info *bi);

/*
 * paging.c. Builds the entry page tables (identity 0..ident_top with 2 MiB
 * pages, HV_IMAGE_VA.. -> ci->phys with 4 KiB pages, all writable and
 * executable) in TANDEM_MEM_TYPE memory; returns the PML4 address in *cr3.
 * ident_top must be a multiple of 1 GiB.
 */
EFI_STATUS paging_build(const struct core_image *ci, UINT64 ident_top, UINT64 *cr3);

/*
 * handoff.S. Boot services must be gone. Disables interrupts, sets EFER.NXE
 * and CR0.WP, loads cr3, switches to stack_top, loads the 3-entry GDT at gdt
 * (0x08 code64, 0x10 data) and an empty IDT, and jumps to entry with rdi = bi.
 * Its own code must be identity-mapped by cr3.
 */
void handoff(UINT64 cr3, UINT64 stack_top, UINT64 entry, struct boot_info *bi,
             UINT64 gdt) __attribute__((noreturn));

#endif
