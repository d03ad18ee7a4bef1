/*
 * Fuzz target: the PV ELF loader (hypervisor/common/libelf.c) on arbitrary
 * images, then, for each image it accepts, the builder's layout for a few
 * memory sizes, checked as the builder would use it.
 */
#include <string.h>
#include "layout_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t pages[] = { 1, 1024, 8192, 1ULL << 18, PV_LAYOUT_MAX_PAGES };
    struct elf_pv_info info;
    struct pv_layout l;
    char err[160];

    if (elf_pv_parse(data, size, &info, err, sizeof(err))) {
        FUZZ_CHECK(err[0] && strlen(err) < sizeof(err));
        return 0;
    }
    /* libelf.h's promises. */
    FUZZ_CHECK(info.nr_segs >= 1 && info.nr_segs <= ELF_MAX_SEGS);
    FUZZ_CHECK(info.virt_base <= info.virt_kstart && info.virt_kstart < info.virt_kend);
    FUZZ_CHECK(info.entry >= info.virt_kstart && info.entry < info.virt_kend);
    for (unsigned i = 0; i < info.nr_segs; i++) {
        const struct elf_pv_seg *s = &info.segs[i];
        FUZZ_CHECK(s->filesz <= s->memsz && s->memsz);
        FUZZ_CHECK(!s->filesz || (s->file_off <= size && s->filesz <= size - s->file_off));
        FUZZ_CHECK(s->va >= info.virt_kstart && s->va + s->memsz <= info.virt_kend);
        FUZZ_CHECK(s->va + s->memsz <= HYPERVISOR_VIRT_START || s->va >= HYPERVISOR_VIRT_END);
    }
    for (unsigned n = 0; n < sizeof(pages) / sizeof(pages[0]); n++)
        for (uint64_t initrd = 0; initrd <= 0x100000; initrd += 0x100000)
            if (!pv_layout_compute(&l, &info, initrd, pages[n], err, sizeof(err)))
                fuzz_check_layout(&l, &info, initrd, pages[n]);
    return 0;
}
