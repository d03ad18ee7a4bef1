/*
 * The domain builder's layout arithmetic (Xen's xc_dom_* start-of-day
 * layout). The kernel image is untrusted (libelf.h): every address and size
 * is checked again here, every sum is overflow-checked, and the whole boot
 * region, not just its last byte, must be usable guest address space.
 */
#include "lib.h"
#include "libelf.h"
#include "page.h"
#include "domain_layout.h"
#include <tandem/xen.h>
#include <tandem/errno.h>

#define VA_LOW_END      0x0000800000000000ULL   /* first non-canonical address */
#define VA_HIGH_START   0xFFFF800000000000ULL   /* first canonical upper-half address */
#define STACK_PAD       (512ULL * 1024)
#define REGION_ALIGN    (4ULL << 20)

typedef unsigned long long ull;

__attribute__((format(printf, 4, 5)))
static int layout_fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    va_list ap;

    if (err && errlen) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* *cur += ROUNDUP(bytes, align) unless that wraps past 2^64; align a power of 2. */
static bool layout_advance(uint64_t *cur, uint64_t bytes, uint64_t align)
{
    uint64_t sz;

    if (bytes > UINT64_MAX - (align - 1))
        return false;
    sz = ROUNDUP(bytes, align);
    if (sz > UINT64_MAX - *cur)
        return false;
    *cur += sz;
    return true;
}

/* Number of 2^shift-aligned blocks [s, e) touches; s < e. */
static uint64_t layout_span(uint64_t s, uint64_t e, unsigned int shift)
{
    return ((e - 1) >> shift) - (s >> shift) + 1;
}

/* [s, e) with s < e lies in one canonical half. */
static bool layout_va_canonical(uint64_t s, uint64_t e)
{
    return e <= VA_LOW_END || s >= VA_HIGH_START;
}

/* [s, e) with s < e is clear of the hypervisor range (Xen's L4 slots 256-271). */
static bool layout_va_clear_of_hv(uint64_t s, uint64_t e)
{
    return e <= HYPERVISOR_VIRT_START || s >= HYPERVISOR_VIRT_END;
}

/* The kernel image's own facts, as elf_pv_parse promises them, checked again. */
static int layout_check_kernel(const struct elf_pv_info *info, char *err, size_t errlen)
{
    uint64_t lo = info->virt_base, hi = info->virt_kend;

    if (info->nr_segs == 0 || info->nr_segs > ELF_MAX_SEGS)
        return layout_fail(err, errlen, -XEN_EINVAL, "kernel has %u segments (1 to %u allowed)",
                           info->nr_segs, ELF_MAX_SEGS);
    if (info->virt_kstart < lo)
        return layout_fail(err, errlen, -XEN_EINVAL, "kernel starts below VIRT_BASE");
    if (hi <= info->virt_kstart || (hi & ~PAGE_MASK))
        return layout_fail(err, errlen, -XEN_EINVAL, "kernel range [%#llx, %#llx) is empty or unaligned",
                           (ull)info->virt_kstart, (ull)hi);
    for (unsigned int i = 0; i < info->nr_segs; i++) {
        const struct elf_pv_seg *s = &info->segs[i];
        if (s->va < lo || s->memsz > hi - lo || s->va - lo > hi - lo - s->memsz ||
            s->filesz > s->memsz)
            return layout_fail(err, errlen, -XEN_EINVAL,
                               "segment %u [%#llx, +%#llx) outside the kernel range [%#llx, %#llx)",
                               i, (ull)s->va, (ull)s->memsz, (ull)lo, (ull)hi);
    }
    if (info->entry < info->virt_kstart || info->entry >= hi)
        return layout_fail(err, errlen, -XEN_EINVAL, "entry %#llx outside the kernel range",
                           (ull)info->entry);
    if (info->hypercall_page != ELF_UNSET &&
        (info->hypercall_page < info->virt_kstart || info->hypercall_page >= hi ||
         (info->hypercall_page & ~PAGE_MASK)))
        return layout_fail(err, errlen, -XEN_EINVAL, "hypercall page %#llx outside the kernel range",
                           (ull)info->hypercall_page);
    return 0;
}

/* The bootstrap tables map the region that contains them: iterate to a fixed point. */
static bool layout_tables(struct pv_layout *l)
{
    for (l->nr_pt = 1;;) {
        uint64_t stack = l->pt_va, end, need;

        if (!layout_advance(&stack, l->nr_pt * PAGE_SIZE, PAGE_SIZE))
            return false;
        end = stack;
        if (!layout_advance(&end, PAGE_SIZE + STACK_PAD, PAGE_SIZE) ||
            end > UINT64_MAX - (REGION_ALIGN - 1))
            return false;
        end = ROUNDUP(end, REGION_ALIGN);
        l->nr_l3 = layout_span(l->virt_base, end, L4_SHIFT);
        l->nr_l2 = layout_span(l->virt_base, end, L3_SHIFT);
        l->nr_l1 = layout_span(l->virt_base, end, L2_SHIFT);
        need = 1 + l->nr_l3 + l->nr_l2 + l->nr_l1;
        l->stack_va = stack;
        l->v_end = end;
        if (need <= l->nr_pt)
            return true;
        l->nr_pt = need;
    }
}

int pv_layout_compute(struct pv_layout *l, const struct elf_pv_info *info,
                      uint64_t initrd_len, uint64_t nr_pages, char *err, size_t errlen)
{
    uint64_t cur;
    int rc;

    if (err && errlen)
        err[0] = '\0';
    memset(l, 0, sizeof(*l));
    if (nr_pages == 0 || nr_pages > PV_LAYOUT_MAX_PAGES)
        return layout_fail(err, errlen, -XEN_EINVAL, "domain of %llu pages: 1 to %llu allowed",
                           (ull)nr_pages, (ull)PV_LAYOUT_MAX_PAGES);
    if ((rc = layout_check_kernel(info, err, errlen)))
        return rc;
    l->virt_base = info->virt_base;
    cur = l->initrd_va = info->virt_kend;
    if (!layout_advance(&cur, initrd_len, PAGE_SIZE) ||
        (l->p2m_va = cur, !layout_advance(&cur, nr_pages * 8, PAGE_SIZE)) ||
        (l->si_va = cur, !layout_advance(&cur, 3 * PAGE_SIZE, PAGE_SIZE)) ||
        (l->pt_va = cur, !layout_tables(l)))
        return layout_fail(err, errlen, -XEN_EINVAL,
                           "boot region from %#llx (kernel end %#llx, initrd %#llx bytes, %llu pages) "
                           "wraps past 2^64",
                           (ull)l->virt_base, (ull)info->virt_kend, (ull)initrd_len, (ull)nr_pages);
    l->store_va = l->si_va + PAGE_SIZE;
    l->console_va = l->si_va + 2 * PAGE_SIZE;
    if (!layout_va_canonical(l->virt_base, l->v_end))
        return layout_fail(err, errlen, -XEN_EINVAL, "boot region %#llx-%#llx is not canonical",
                           (ull)l->virt_base, (ull)l->v_end);
    if (!layout_va_clear_of_hv(l->virt_base, l->v_end))
        return layout_fail(err, errlen, -XEN_EINVAL,
                           "boot region %#llx-%#llx overlaps the hypervisor range %#llx-%#llx",
                           (ull)l->virt_base, (ull)l->v_end, (ull)HYPERVISOR_VIRT_START,
                           (ull)HYPERVISOR_VIRT_END);
    l->nr_boot_pages = (l->v_end - l->virt_base) >> PAGE_SHIFT;
    if (l->nr_boot_pages > nr_pages)
        return layout_fail(err, errlen, -XEN_ENOMEM,
                           "domain memory too small: %llu pages, the image and boot structures need %llu"
                           " (give more: tandem-run --memory SIZE, dom_mem=SIZE, or memory= on its"
                           " configuration line)",
                           (ull)nr_pages, (ull)l->nr_boot_pages);
    return 0;
}
