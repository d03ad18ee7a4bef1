/*
 * struct boot_info: the one thing both boot shims (UEFI, Multiboot) hand the
 * core. Everything in it is physical, below 4 GiB or identity-mapped by the
 * shim, and must stay intact until hv_main() has copied it.
 * Kept free of hypervisor headers so the EFI loader can include it.
 */
#ifndef TANDEM_BOOTINFO_H
#define TANDEM_BOOTINFO_H

#include <stdint.h>

#define BOOT_INFO_MAGIC      0x54414e44454d4249ULL /* "TANDEMBI" */
#define BI_MAX_MEM_REGIONS   128
#define BI_MAX_MODULES       16
#define BI_CMDLINE_LEN       1024
#define BI_MOD_CMDLINE_LEN   1024

/* Region types (E820 numbering, so the Multiboot map copies straight in). */
enum bi_mem_type {
    BI_MEM_USABLE   = 1,
    BI_MEM_RESERVED = 2,
    BI_MEM_ACPI     = 3,    /* ACPI reclaimable */
    BI_MEM_NVS      = 4,
    BI_MEM_BAD      = 5,
};

struct bi_mem_region {
    uint64_t base;
    uint64_t len;
    uint32_t type;          /* enum bi_mem_type */
    uint32_t pad;
};

struct bi_module {
    uint64_t start;         /* physical address, page aligned */
    uint64_t len;           /* bytes */
    char     cmdline[BI_MOD_CMDLINE_LEN];  /* "name args..." as the loader gave it */
};

struct boot_info {
    uint64_t magic;                 /* BOOT_INFO_MAGIC */
    uint32_t boot_path;             /* BOOT_PATH_* */
    uint32_t nr_mem;
    uint32_t nr_modules;
    uint32_t pad;
    uint64_t image_phys;            /* physical address where the core image starts */
    uint64_t image_len;             /* bytes from image_phys covered by the image (incl. bss) */
    uint64_t acpi_rsdp;             /* physical address of the RSDP, 0 if unknown */
    char     cmdline[BI_CMDLINE_LEN];   /* hypervisor command line (ASCII) */
    struct bi_mem_region mem[BI_MAX_MEM_REGIONS];
    struct bi_module modules[BI_MAX_MODULES];
};

#define BOOT_PATH_MULTIBOOT 1
#define BOOT_PATH_UEFI      2

/*
 * The core image (tandem.elf, an ELF64) starts its high part with this header
 * at the lowest loaded virtual address, HV_IMAGE_VA. A loader that places the
 * image itself (the EFI loader) reads it to find the 64-bit entry point.
 */
#define HV_IMAGE_MAGIC  0x564849444e4154ULL   /* "TANDHIV" */
#define HV_IMAGE_VA     0xFFFF82D080200000ULL  /* link address of the high image */
#define HV_VIRT_BASE    0xFFFF82D080000000ULL  /* HV_IMAGE_VA - 2 MiB */

struct hv_image_header {
    uint64_t magic;         /* HV_IMAGE_MAGIC */
    uint64_t entry64;       /* VA of hv_entry64(struct boot_info *bi) */
    uint64_t image_start;   /* VA of the first byte (== HV_IMAGE_VA) */
    uint64_t image_end;     /* VA past the last byte, bss included */
};

/*
 * Entry contract for hv_entry64 (both shims):
 *  - long mode, CPL 0, interrupts off, CR0.WP and EFER.NXE set;
 *  - CR3 maps [image_phys, image_phys + image_len) at HV_IMAGE_VA..., and
 *    identity-maps at least the first 4 GiB (boot_info, memory map, modules);
 *  - rdi = physical (== identity) address of struct boot_info;
 *  - any stack with 4 KiB room; the core switches to its own at once.
 */

#endif
