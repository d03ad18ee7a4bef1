/*
 * What the domain builder relies on after pv_layout_compute succeeds, checked
 * the way the builder uses it: every address it writes and every page it maps
 * must index the p2m below nr_pages, and no L4 slot it fills is Xen's.
 */
#ifndef TANDEM_FUZZ_LAYOUT_CHECK_H
#define TANDEM_FUZZ_LAYOUT_CHECK_H

#include "fuzz.h"
#include "libelf.h"
#include "domain_layout.h"
#include "tandem/xen.h"

static inline void fuzz_check_va(const struct pv_layout *l, uint64_t nr_pages, uint64_t va,
                                 uint64_t len)
{
    FUZZ_CHECK(pv_layout_contains(l, va, len));
    if (len)
        FUZZ_CHECK(pv_layout_pfn(l, va + len - 1) < nr_pages);
}

static inline void fuzz_check_layout(const struct pv_layout *l, const struct elf_pv_info *info,
                                     uint64_t initrd_len, uint64_t nr_pages)
{
    uint64_t s = l->virt_base, e = l->v_end;

    FUZZ_CHECK(s < e);
    FUZZ_CHECK(l->nr_boot_pages == (e - s) >> 12 && l->nr_boot_pages <= nr_pages);
    /* Canonical, one half only, clear of Xen's range: L4 slots 256-271 untouched. */
    FUZZ_CHECK(e <= 0x0000800000000000ULL || s >= 0xFFFF800000000000ULL);
    FUZZ_CHECK(e <= HYPERVISOR_VIRT_START || s >= HYPERVISOR_VIRT_END);
    for (uint64_t va = s; ; va += 1ULL << 39) {
        unsigned slot = (va >> 39) & 511;
        FUZZ_CHECK(slot < 256 || slot > 271);
        if ((va >> 39) == ((e - 1) >> 39))
            break;
    }
    for (unsigned i = 0; i < info->nr_segs; i++)
        fuzz_check_va(l, nr_pages, info->segs[i].va, info->segs[i].memsz);
    fuzz_check_va(l, nr_pages, info->entry, 1);
    if (info->hypercall_page != ELF_UNSET)
        fuzz_check_va(l, nr_pages, info->hypercall_page, 4096);
    fuzz_check_va(l, nr_pages, l->initrd_va, initrd_len);
    fuzz_check_va(l, nr_pages, l->p2m_va, nr_pages * 8);
    fuzz_check_va(l, nr_pages, l->si_va, 4096);
    fuzz_check_va(l, nr_pages, l->store_va, 4096);
    fuzz_check_va(l, nr_pages, l->console_va, 4096);
    fuzz_check_va(l, nr_pages, l->pt_va, l->nr_pt * 4096);
    fuzz_check_va(l, nr_pages, l->stack_va, 4096);
    /* In order, not overlapping (the builder writes each one once). */
    FUZZ_CHECK(info->virt_kend <= l->initrd_va && l->initrd_va + initrd_len <= l->p2m_va);
    FUZZ_CHECK(l->p2m_va + nr_pages * 8 <= l->si_va && l->si_va + 3 * 4096 == l->pt_va);
    FUZZ_CHECK(l->pt_va + l->nr_pt * 4096 == l->stack_va);
    /* Enough table frames to map the whole region. */
    FUZZ_CHECK(l->nr_pt >= 1 + l->nr_l3 + l->nr_l2 + l->nr_l1);
    FUZZ_CHECK(l->nr_l1 == ((e - 1) >> 21) - (s >> 21) + 1);
}

#endif
