/* The Multiboot v1 shim: turns the loader's information into struct boot_info. */
#include "lib.h"
#include "bootinfo.h"
#include "cmdline.h"

#define MB_BOOTLOADER_MAGIC 0x2BADB002
#define MBI_MEMORY  (1U << 0)
#define MBI_CMDLINE (1U << 2)
#define MBI_MODS    (1U << 3)
#define MBI_MMAP    (1U << 6)

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4];
    uint32_t mmap_length, mmap_addr;
} __packed;

struct mb_module { uint32_t start, end, cmdline, pad; } __packed;
struct mb_mmap { uint32_t size; uint64_t addr, len; uint32_t type; } __packed;

static struct boot_info mb_bi;
extern char __image_start[], __image_end[];

struct boot_info *multiboot_to_bootinfo(uint32_t magic, uint32_t mbi_pa)
{
    const struct mb_info *mbi = (const struct mb_info *)(uintptr_t)mbi_pa;
    struct boot_info *bi = &mb_bi;

    bi->magic = BOOT_INFO_MAGIC;
    bi->boot_path = BOOT_PATH_MULTIBOOT;
    bi->image_phys = 0x200000;
    bi->image_len = __image_end - __image_start;
    if (magic != MB_BOOTLOADER_MAGIC)
        return bi;      /* hv_main reports the empty memory map */
    if (mbi->flags & MBI_CMDLINE)
        /* QEMU and GRUB put the image name first. */
        strlcpy(bi->cmdline, cmdline_skip_first_word((const char *)(uintptr_t)mbi->cmdline),
                sizeof(bi->cmdline));
    if (mbi->flags & MBI_MMAP) {
        uint64_t p = mbi->mmap_addr, end = p + mbi->mmap_length;
        while (p < end && bi->nr_mem < BI_MAX_MEM_REGIONS) {
            const struct mb_mmap *e = (const struct mb_mmap *)(uintptr_t)p;
            bi->mem[bi->nr_mem++] = (struct bi_mem_region){ e->addr, e->len,
                e->type >= 1 && e->type <= 5 ? e->type : BI_MEM_RESERVED, 0 };
            p += e->size + 4;
        }
    } else if (mbi->flags & MBI_MEMORY) {
        bi->mem[0] = (struct bi_mem_region){ 0, (uint64_t)mbi->mem_lower << 10, BI_MEM_USABLE, 0 };
        bi->mem[1] = (struct bi_mem_region){ 0x100000, (uint64_t)mbi->mem_upper << 10, BI_MEM_USABLE, 0 };
        bi->nr_mem = 2;
    }
    if (mbi->flags & MBI_MODS) {
        const struct mb_module *m = (const struct mb_module *)(uintptr_t)mbi->mods_addr;
        for (uint32_t i = 0; i < mbi->mods_count && i < BI_MAX_MODULES; i++) {
            bi->modules[i].start = m[i].start;
            bi->modules[i].len = m[i].end - m[i].start;
            if (m[i].cmdline)
                strlcpy(bi->modules[i].cmdline, (const char *)(uintptr_t)m[i].cmdline,
                        sizeof(bi->modules[i].cmdline));
            bi->nr_modules++;
        }
    }
    return bi;
}
