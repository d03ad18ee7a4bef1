/*
 * Fuzz target: the domain builder's layout (hypervisor/arch/x86/pv/
 * domain_layout.c) on arbitrary kernel facts, as if elf_pv_parse had been
 * wrong: the input is read as little-endian 64-bit words (virt_base,
 * virt_kstart, virt_kend, entry, hypercall_page, initrd_len, nr_pages,
 * nr_segs, then va/memsz pairs); words near the interesting edges are
 * reached by small bytes mapped through a table.
 */
#include <string.h>
#include "layout_check.h"

static const uint64_t edges[] = {
    0, 0x1000, 0x400000, 0x0000800000000000ULL, 0x00007ffffffff000ULL,
    0xffff800000000000ULL, 0xffff87ffffc00000ULL, 0xffff880000000000ULL,
    0xffffffff80000000ULL, 0xffffffffffc00000ULL, 0xfffffffffffff000ULL, ~0ULL,
    1ULL << 28, (1ULL << 28) + 1, 8192, ELF_UNSET,
};

struct reader { const uint8_t *p; size_t left; };

/* One byte b < 0x40 picks edges[b & 15] plus (b >> 4) pages; else 8 raw bytes follow b. */
static uint64_t next(struct reader *r)
{
    uint64_t v = 0;
    uint8_t b;

    if (!r->left)
        return 0;
    b = *r->p++, r->left--;
    if (b < 0x40)
        return edges[b & 15] + (uint64_t)(b >> 4) * 0x1000;
    if (r->left < 8)
        return b;
    memcpy(&v, r->p, 8);
    r->p += 8, r->left -= 8;
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct reader r = { data, size };
    struct elf_pv_info info;
    struct pv_layout l;
    uint64_t initrd_len, nr_pages;
    char err[160];

    memset(&info, 0, sizeof(info));
    info.virt_base = next(&r);
    info.virt_kstart = next(&r);
    info.virt_kend = next(&r);
    info.entry = next(&r);
    info.hypercall_page = next(&r);
    initrd_len = next(&r);
    nr_pages = next(&r);
    info.nr_segs = (unsigned)(next(&r) % (ELF_MAX_SEGS + 2));
    for (unsigned i = 0; i < ELF_MAX_SEGS; i++) {
        info.segs[i].va = next(&r);
        info.segs[i].memsz = next(&r);
        info.segs[i].filesz = info.segs[i].memsz >> (next(&r) & 63);
    }
    if (pv_layout_compute(&l, &info, initrd_len, nr_pages, err, sizeof(err))) {
        FUZZ_CHECK(err[0] && strlen(err) < sizeof(err));
        return 0;
    }
    fuzz_check_layout(&l, &info, initrd_len, nr_pages);
    return 0;
}
