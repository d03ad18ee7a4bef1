/*
 * The PV domain builder: allocates the domain's frames, loads the kernel and
 * initrd and writes the boot structures where domain_layout.c placed them
 * (bootstrap page tables mapped read-only). Every guest VA written here lies
 * in the laid-out region, so every p2m index is below nr_pages.
 */
#include "lib.h"
#include "domain_build.h"
#include "domain.h"
#include "libelf.h"
#include "domain_layout.h"
#include "mm.h"
#include "evtchn.h"
#include "grant_table.h"
#include "fault_inject.h"
#include <tandem/xen.h>
#include <tandem/errno.h>

struct builder {
    struct domain *d;
    const struct pv_layout *l;
    uint64_t *p2m;              /* hypervisor copy, pfn -> mfn */
};

static void *pfn_ptr(struct builder *b, uint64_t pfn)
{
    return mfn_to_virt(b->p2m[pfn]);
}

static void *va_ptr(struct builder *b, uint64_t va)
{
    BUG_ON(!pv_layout_contains(b->l, va, 1));   /* pv_layout_compute's guarantee */
    return (char *)pfn_ptr(b, pv_layout_pfn(b->l, va)) + (va & ~PAGE_MASK);
}

/* Copy len bytes to guest VA, page by page (frames are not contiguous). */
static void copy_to_dom(struct builder *b, uint64_t va, const void *src, size_t len)
{
    const char *s = src;

    while (len) {
        size_t n = MIN(len, PAGE_SIZE - (va & ~PAGE_MASK));
        memcpy(va_ptr(b, va), s, n);
        va += n, s += n, len -= n;
    }
}

static void build_page_tables(struct builder *b)
{
    const struct pv_layout *l = b->l;
    uint64_t pt_pfn = (l->pt_va - l->virt_base) >> PAGE_SHIFT;
    uint64_t next_l3 = pt_pfn + 1, next_l2 = next_l3 + l->nr_l3, next_l1 = next_l2 + l->nr_l2;
    uint64_t upper = _PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY | _PAGE_USER;
    uint64_t *l4 = pfn_ptr(b, pt_pfn);

    init_guest_l4_slots(l4);
    for (uint64_t va = l->virt_base; va < l->v_end; va += PAGE_SIZE) {
        uint64_t pfn = (va - l->virt_base) >> PAGE_SHIFT, *l3, *l2, *l1, flags;
        if (!(l4[L4_INDEX(va)] & _PAGE_PRESENT))
            l4[L4_INDEX(va)] = (b->p2m[next_l3++] << PAGE_SHIFT) | upper;
        l3 = mfn_to_virt((l4[L4_INDEX(va)] & PADDR_MASK) >> PAGE_SHIFT);
        if (!(l3[L3_INDEX(va)] & _PAGE_PRESENT))
            l3[L3_INDEX(va)] = (b->p2m[next_l2++] << PAGE_SHIFT) | upper;
        l2 = mfn_to_virt((l3[L3_INDEX(va)] & PADDR_MASK) >> PAGE_SHIFT);
        if (!(l2[L2_INDEX(va)] & _PAGE_PRESENT))
            l2[L2_INDEX(va)] = (b->p2m[next_l1++] << PAGE_SHIFT) | upper;
        l1 = mfn_to_virt((l2[L2_INDEX(va)] & PADDR_MASK) >> PAGE_SHIFT);
        flags = _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_USER;
        if (pfn < pt_pfn || pfn >= pt_pfn + l->nr_pt)
            flags |= _PAGE_RW | _PAGE_DIRTY;        /* page tables stay read-only */
        l1[L1_INDEX(va)] = (b->p2m[pfn] << PAGE_SHIFT) | flags;
    }
}

static void write_hypercall_page(struct builder *b, uint64_t va)
{
    uint8_t *p = va_ptr(b, va);

    memset(p, 0xcc, PAGE_SIZE);
    for (unsigned int n = 0; n < HYPERCALL_PAGE_SIZE / HYPERCALL_STUB_SIZE; n++) {
        uint8_t *s = p + n * HYPERCALL_STUB_SIZE;
        if (n == __HYPERVISOR_iret) {
            /* push %rcx; push %r11; push %rax; mov $n,%eax; syscall */
            memcpy(s, "\x51\x41\x53\x50\xb8", 5);
            memcpy(s + 5, &n, 4);
            memcpy(s + 9, "\x0f\x05", 2);
            continue;
        }
        /* push %rcx; push %r11; mov $n,%eax; syscall; pop %r11; pop %rcx; ret */
        memcpy(s, "\x51\x41\x53\xb8", 4);
        memcpy(s + 4, &n, 4);
        memcpy(s + 8, "\x0f\x05\x41\x5b\x59\xc3", 6);
    }
}

static void fill_start_info(struct builder *b, const struct dom_build_args *a,
                            const struct elf_pv_info *info)
{
    struct domain *d = b->d;
    const struct pv_layout *l = b->l;
    struct start_info *si = va_ptr(b, l->si_va);

    strlcpy(si->magic, XEN_START_INFO_MAGIC, sizeof(si->magic));
    si->nr_pages = d->arch.pv.nr_pfns;
    si->shared_info = d->shared_info_mfn << PAGE_SHIFT;
    si->flags = d->is_privileged ? SIF_PRIVILEGED : 0;
    si->store_mfn = d->store_mfn;
    si->store_evtchn = d->store_port;
    si->console.domU.mfn = d->console_mfn;
    si->console.domU.evtchn = d->console_port;
    si->pt_base = l->pt_va;
    si->nr_pt_frames = l->nr_pt;
    si->mfn_list = l->p2m_va;
    si->mod_start = a->initrd_len ? l->initrd_va : 0;
    si->mod_len = a->initrd_len;
    strlcpy(si->cmd_line, a->cmdline ? a->cmdline : "", sizeof(si->cmd_line));
    (void)info;
}

/*
 * What Xen's toolstack does for a domain whose store another domain serves
 * (libxl's store port, xc_dom_gnttab_seed): its store port unbound for the
 * store domain, grant refs 0 and 1 granted to it, d paused until the store
 * domain has introduced it and unpauses it. Steps 8-10 of pv_build_domain;
 * what they take belongs to d (its teardown closes the port, frees the
 * table); they run before the L4 pin, whose references a later failure
 * would leave behind (the vCPU does not hold them yet).
 */
static int link_store(struct builder *b, domid_t store, char *err, size_t errlen)
{
    struct domain *d = b->d;
    int port, rc;

    if ((port = fault_inject("build", 8, d->domain_id) ? -XEN_ENOSPC :
                evtchn_alloc_unbound_port(d, store)) < 0) {
        snprintf(err, errlen, "no event channel for the store");
        return port;
    }
    d->store_port = port;                   /* start_info.store_evtchn */
    if ((rc = fault_inject("build", 9, d->domain_id) ? -XEN_ENOMEM :
              gnttab_seed_entry(d, GNTTAB_RESERVED_CONSOLE, store, d->console_mfn,
                                GTF_permit_access)) ||
        (rc = fault_inject("build", 10, d->domain_id) ? -XEN_ENOMEM :
              gnttab_seed_entry(d, GNTTAB_RESERVED_XENSTORE, store, d->store_mfn,
                                GTF_permit_access))) {
        snprintf(err, errlen, "cannot grant the console and store rings to d%u (%d)", store, rc);
        return rc;
    }
    d->store_waiting = true;
    domain_pause(d);
    return 0;
}

/*
 * Steps that take something (fail_step=build:N, fault_inject.h): 1 the p2m
 * copy, 2 the domain's frames (fails half-way), 3 and 4 the console and
 * store ring references, 5 the console port, 6 the L4 pin, 7 CR3's L4
 * reference; with a store domain (link_store, run between steps 5 and 6,
 * numbered after the older steps) 8 the store port, 9 and 10 grant refs 0
 * and 1. One exit path: the p2m copy is the
 * builder's own; everything else taken belongs to the domain, which the
 * caller shuts down (domain_destroy releases it through the reference counts).
 */
int pv_build_domain(struct domain *d, const struct dom_build_args *a, char *err, size_t errlen)
{
    struct elf_pv_info info;
    struct pv_layout l;
    struct builder b = { d, &l, NULL };
    uint64_t nr_pages = d->max_pages;
    struct vcpu *v = d->vcpu[0];
    int rc, port;
    mfn_t pt_mfn;

    if ((rc = elf_pv_parse(a->kernel, a->kernel_len, &info, err, errlen)))
        goto out;
    if ((rc = pv_layout_compute(&l, &info, a->initrd_len, nr_pages, err, errlen)))
        goto out;
    b.p2m = fault_inject("build", 1, d->domain_id) ? NULL : xzalloc_bytes(nr_pages * 8);
    if (!b.p2m) {
        snprintf(err, errlen, "out of hypervisor memory for the p2m");
        rc = -XEN_ENOMEM;
        goto out;
    }
    for (uint64_t pfn = 0; pfn < nr_pages; pfn++) {
        mfn_t m = pfn == nr_pages / 2 && fault_inject("build", 2, d->domain_id) ?
                  INVALID_MFN : alloc_domheap_page(d);
        if (m == INVALID_MFN) {
            snprintf(err, errlen, "out of machine memory after %lu of %lu pages",
                     (unsigned long)pfn, (unsigned long)nr_pages);
            rc = -XEN_ENOMEM;
            goto out;
        }
        b.p2m[pfn] = m;
        set_gpfn_from_mfn(m, pfn);
    }
    d->arch.pv.nr_pfns = nr_pages;
    d->arch.pv.p2m_va = l.p2m_va;

    for (unsigned int i = 0; i < info.nr_segs; i++)
        if (info.segs[i].filesz)    /* file_off is only meaningful (inside the image) then */
            copy_to_dom(&b, info.segs[i].va, (const char *)a->kernel + info.segs[i].file_off,
                        info.segs[i].filesz);
    if (a->initrd_len)
        copy_to_dom(&b, l.initrd_va, a->initrd, a->initrd_len);
    copy_to_dom(&b, l.p2m_va, b.p2m, nr_pages * 8);

    /* The hypervisor serves these rings through the direct map: keep them
     * writable-typed (never a page table, never released) for the domain's life.
     * d->*_mfn is set only once its reference is held (domain_relinquish_memory drops it). */
    rc = -XEN_EINVAL;
    if (fault_inject("build", 3, d->domain_id) ||
        get_page_and_type(b.p2m[pv_layout_pfn(&l, l.console_va)], d, PGT_writable_page)) {
        snprintf(err, errlen, "cannot reference the console and store rings");
        goto out;
    }
    d->console_mfn = b.p2m[pv_layout_pfn(&l, l.console_va)];
    if (fault_inject("build", 4, d->domain_id) ||
        get_page_and_type(b.p2m[pv_layout_pfn(&l, l.store_va)], d, PGT_writable_page)) {
        snprintf(err, errlen, "cannot reference the console and store rings");
        goto out;
    }
    d->store_mfn = b.p2m[pv_layout_pfn(&l, l.store_va)];
    if ((port = fault_inject("build", 5, d->domain_id) ? -XEN_ENOSPC :
                evtchn_alloc_xen_port(d, XEN_CONSUMER_CONSOLE)) < 0) {
        snprintf(err, errlen, "no event channel for the console");
        rc = port;
        goto out;
    }
    d->console_port = port;
    d->store_domid = a->store_domid;
    if (a->store_domid != DOMID_INVALID && a->store_domid != d->domain_id &&
        (rc = link_store(&b, a->store_domid, err, errlen)))
        goto out;
    fill_start_info(&b, a, &info);
    build_page_tables(&b);
    if (info.hypercall_page != ELF_UNSET)
        write_hypercall_page(&b, info.hypercall_page);
    /* As the toolstack: pin the L4 (validating the whole tree), then CR3 takes its reference. */
    pt_mfn = b.p2m[pv_layout_pfn(&l, l.pt_va)];
    if ((rc = fault_inject("build", 6, d->domain_id) ? -XEN_EINVAL :
              get_page_and_type(pt_mfn, d, PGT_l4_page_table))) {
        snprintf(err, errlen, "bootstrap page tables failed validation (%d)", rc);
        goto out;
    }
    mfn_to_page(pt_mfn)->flags |= PGF_pinned;     /* the pin holds the first reference */
    if ((rc = fault_inject("build", 7, d->domain_id) ? -XEN_EINVAL :
              get_page_and_type(pt_mfn, d, PGT_l4_page_table))) {
        snprintf(err, errlen, "bootstrap page tables failed validation (%d)", rc);
        goto out;
    }

    memset(&v->regs, 0, sizeof(v->regs));
    v->regs.rip = info.entry;
    v->regs.rsp = l.stack_va + PAGE_SIZE;
    v->regs.rsi = l.si_va;
    v->regs.rflags = X86_EFLAGS_IF | X86_EFLAGS_MBS;
    v->regs.cs = FLAT_KERNEL_CS;
    v->regs.ss = FLAT_KERNEL_SS;
    v->arch.pv.kernel_l4 = pt_mfn;
    v->arch.pv.kernel_sp = v->regs.rsp;
    v->arch.pv.kernel_ss = FLAT_KERNEL_SS;
    v->arch.pv.in_kernel = true;
    v->pause_flags &= ~VPF_down;
    printk("d%u: %s kernel, entry %#lx, %lu pages, boot region %#lx-%#lx, %lu page-table frames%s\n",
           d->domain_id, info.guest_os[0] ? info.guest_os : "PV", (unsigned long)info.entry,
           (unsigned long)nr_pages, (unsigned long)l.virt_base, (unsigned long)l.v_end,
           (unsigned long)l.nr_pt, info.hypercall_page != ELF_UNSET ? ", hypercall page" : "");
    if (d->store_waiting)
        printk("d%u: paused until its store domain d%u introduces it (store port %u, grant refs 0-1)\n",
               d->domain_id, a->store_domid, d->store_port);
    rc = 0;
out:
    xfree(b.p2m);
    return rc;
}
