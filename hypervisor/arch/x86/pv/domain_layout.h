/*
 * The PV domain builder's start-of-day layout, as pure arithmetic (no
 * hardware, no allocation): host unit tests and fuzzers compile it as is.
 */
#ifndef TANDEM_PV_DOMAIN_LAYOUT_H
#define TANDEM_PV_DOMAIN_LAYOUT_H

#include "types.h"

struct elf_pv_info;

/*
 * One contiguous virtual region [virt_base, v_end) where pfn i <-> virt_base +
 * i * 4 KiB: kernel | initrd | p2m list | start_info | xenstore ring | console
 * ring | bootstrap page tables (nr_pt frames: L4, nr_l3 L3s, nr_l2 L2s, nr_l1
 * L1s) | boot stack, padded by 512 KiB and rounded up to 4 MiB.
 */
struct pv_layout {
    uint64_t virt_base, v_end;
    uint64_t initrd_va, p2m_va, si_va, store_va, console_va, pt_va, stack_va;
    uint64_t nr_pt, nr_l3, nr_l2, nr_l1;
    uint64_t nr_boot_pages;     /* (v_end - virt_base) / 4 KiB, <= nr_pages */
};

/* Largest domain the builder lays out: 2^28 pages (1 TiB); keeps nr_pages * 8 small. */
#define PV_LAYOUT_MAX_PAGES (1ULL << 28)

/*
 * Lay out a domain of nr_pages pages for the kernel `info` describes (from
 * elf_pv_parse, but not trusted: every rule is checked again here) and an
 * initrd of initrd_len bytes. Returns 0, or -XEN_EINVAL / -XEN_ENOMEM with a
 * one-line message in err (NUL-terminated when errlen > 0).
 *
 * On success, every guarantee the builder relies on holds, computed without
 * wrapping past 2^64: virt_base < v_end; the whole region is canonical and
 * outside the hypervisor range [HYPERVISOR_VIRT_START, HYPERVISOR_VIRT_END)
 * (so no L4 slot the builder fills is one of Xen's); nr_boot_pages <=
 * nr_pages (so every pfn of the region indexes the p2m in bounds); every
 * segment, ENTRY and HYPERCALL_PAGE lie in [virt_base, initrd_va).
 */
int pv_layout_compute(struct pv_layout *l, const struct elf_pv_info *info,
                      uint64_t initrd_len, uint64_t nr_pages, char *err, size_t errlen);

/* True if [va, va + len) lies inside the laid-out region (overflow-safe). */
static inline bool pv_layout_contains(const struct pv_layout *l, uint64_t va, uint64_t len)
{
    return va >= l->virt_base && va <= l->v_end && len <= l->v_end - va;
}

/* The pfn of `va`; the caller has checked pv_layout_contains(l, va, 1). */
static inline uint64_t pv_layout_pfn(const struct pv_layout *l, uint64_t va)
{
    return (va - l->virt_base) >> PAGE_SHIFT;
}

#endif
