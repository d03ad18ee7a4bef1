/* memory_op: a domain's reservation (grow, shrink, populate) and what it may know of memory. */
#include "lib.h"
#include "hypercall.h"
#include "domain.h"
#include "arch_hooks.h"
#include "mm.h"
#include "processor.h"
#include "guest_access.h"
#include "pci.h"
#include <tandem/memory.h>
#include <tandem/errno.h>

static struct domain *target_domain(domid_t id, long *rc)
{
    struct domain *curr = current->domain, *d;

    if (id == DOMID_SELF || id == curr->domain_id)
        return curr;
    if (!(d = get_domain_by_id(id))) {
        *rc = -XEN_ESRCH;
        return NULL;
    }
    if (!curr->is_privileged) {
        *rc = -XEN_EPERM;
        return NULL;
    }
    return d;
}

/*
 * One extent of decrease_reservation: the frame's owner is read from the
 * frame table, so the check is O(1) whatever the domain's size. As Xen's
 * guest_remove_page: the frame leaves the domain now (its pin is dropped);
 * a frame still mapped or holding the hypervisor's ring references is
 * freed only at its last reference. The caller flushes the TLB before the
 * guest runs again (no stale translation may outlive the frame).
 * Dropping the pin (or a partial validation) of a big tree is preemptible:
 * a teardown left partway waits in the vCPU (arch_mm_work_pending), and the caller
 * continues the call, which finishes it first.
 */
static bool decrease_one(struct domain *d, mfn_t x)
{
    struct page_info *pg;

    if (!mfn_valid(x) || (pg = mfn_to_page(x))->owner != d->domain_id ||
        !(pg->flags & PGF_allocated) || (pg->flags & (PGF_zombie | PGF_shared_info | PGF_xenheap)))
        return false;
    if (page_flags_update(pg, PGF_pinned, 0) & PGF_pinned)     /* one CPU drops the pin's references */
        put_page_and_type_preemptible(x);
    return domain_release_page(d, x);
}

/*
 * The largest extent_order the caller may use (Xen's max_order with its
 * x86 defaults): 9 (2 MiB) for a domU, 12 for the driver domain (devices:
 * Xen's ptdom/hwdom order), 20 for a privileged domain (Xen's ctldom
 * order, PAGEALLOC_MAX_ORDER).
 */
static unsigned int max_extent_order(const struct domain *caller)
{
    if (caller->is_privileged)
        return 20;
    if (caller == pci_driver_domain())
        return 12;
    return 9;
}

/*
 * One extent of increase_reservation / populate_physmap: 2^order
 * contiguous frames. populate_physmap gives them the pfns gpfn ...
 * gpfn + 2^order - 1 in the M2P (Xen, non-translated guest); both write
 * the first mfn back, increase_reservation only if it has a list (Xen
 * allows it none).
 */
static bool increase_one(struct domain *d, unsigned int op, uint64_t slot, unsigned int order)
{
    uint64_t x = 0, n = 1UL << order;
    mfn_t m;

    if (op == XENMEM_populate_physmap && (copy_from_guest(&x, slot, 8) || x >= (1UL << 40) - n + 1))
        return false;
    if ((m = alloc_domheap_pages(d, order)) == INVALID_MFN)
        return false;           /* over the limit or out of memory: report what was done */
    if (op == XENMEM_populate_physmap)
        for (uint64_t j = 0; j < n; j++)
            set_gpfn_from_mfn(m + j, x + j);
    if (op == XENMEM_increase_reservation && !slot)
        return true;
    if (copy_to_guest(slot, &m, 8)) {
        for (uint64_t j = 0; j < n; j++)
            domain_release_page(d, m + j);
        return false;
    }
    return true;
}

/*
 * One extent of decrease_reservation: frames x ... x + 2^order - 1, each
 * given back as decrease_one does; the extent counts only if all went (as
 * Xen: the frames before a failing one stay given back, *released says
 * whether any did). A table teardown a frame leaves partway is finished
 * before the next frame of the same extent (the continuation restarts at
 * an extent, never inside one).
 */
static bool decrease_extent(struct domain *d, mfn_t x, unsigned int order, bool *released)
{
    uint64_t n = 1UL << order;

    if (x + n < x)
        return false;
    for (uint64_t j = 0; j < n; j++) {
        if (!decrease_one(d, x + j))
            return false;
        *released = true;
        if (j + 1 < n && arch_mm_work_pending(current))
            arch_mm_finish_pending(current, false);
    }
    return true;
}

/*
 * Returns the extents done, counted from 0 across continuations: a long
 * call is preempted between extents and continues (Xen's encoding) with
 * the next extent in the command's bits 6 and up. The caller's array is
 * read and written one entry at a time.
 */
static long reservation(unsigned int op, uint64_t start, uint64_t arg)
{
    struct xen_memory_reservation r;
    struct domain *d;
    bool released = false, preempted = false;
    long rc = 0;
    uint64_t i;

    /* A table teardown the last extent left partway is finished first (continued until done). */
    arch_mm_preempt_reset();
    if (arch_mm_finish_pending(current, true))
        return hypercall_continue(__HYPERVISOR_memory_op, op | (start << MEMOP_EXTENT_SHIFT), arg, 0, 0);
    /* As Xen: an unreadable argument, a count too large to continue, an unknown
     * domain or one the caller may not touch is "start_extent extents done",
     * never an error code. */
    if (copy_from_guest(&r, arg, sizeof(r)) || r.nr_extents > (UINT32_MAX >> MEMOP_EXTENT_SHIFT) ||
        start >= r.nr_extents)
        return start;
    if (!(d = target_domain(r.domid, &rc)))
        return start;
    if (d->state != DOM_RUNNING)
        return start;           /* a stopped domain's frames are its teardown's (domain_relinquish_memory) */
    /* As Xen: an order above the caller's limit does nothing (no error either). */
    if (r.extent_order > max_extent_order(current->domain))
        return start;
    for (i = start; i < r.nr_extents; i++) {
        uint64_t slot = r.extent_start + i * 8, x;

        if (i != start && hypercall_preempt_check()) {
            preempted = true;
            break;
        }
        if (op != XENMEM_decrease_reservation) {
            if (!increase_one(d, op, r.extent_start ? slot : 0, r.extent_order))
                break;
            continue;
        }
        if (copy_from_guest(&x, slot, 8) || !decrease_extent(d, x, r.extent_order, &released))
            break;
        if (arch_mm_work_pending(current)) {
            i++;                /* this extent is done; its teardown is not */
            preempted = true;
            break;
        }
    }
    if (released)
        flush_tlb_local();
    if (preempted)
        return hypercall_continue(__HYPERVISOR_memory_op, op | (i << MEMOP_EXTENT_SHIFT), arg, 0, 0);
    return i;
}

/*
 * XENMEM_acquire_resource, in Xen's order of checks: the frames of another
 * domain's resource (arch_acquire_resource), as machine frames for the
 * caller to map (every caller is PV: no p2m of its own to put them in).
 */
static long acquire_resource(struct domain *d, guest_va_t arg)
{
    struct xen_mem_acquire_resource r;
    struct domain *td;
    uint64_t mfns[8];
    unsigned int max;
    long rc;

    if (copy_from_guest(&r, arg, sizeof(r)))
        return -XEN_EFAULT;
    if (r.pad)
        return -XEN_EINVAL;
    if (!(td = get_domain_by_id(r.domid)))
        return -XEN_ESRCH;
    if (td == d || !dm_may_control(d, td))
        return -XEN_EPERM;
    if (r.type != XENMEM_resource_ioreq_server)
        return -XEN_EOPNOTSUPP;
    max = arch_resource_max_frames(td, r.type, r.id);
    if (!r.frame_list) {
        /* A size query. */
        if (r.nr_frames)
            return -XEN_EINVAL;
        r.nr_frames = max;
        return copy_to_guest(arg + offsetof(struct xen_mem_acquire_resource, nr_frames), &r.nr_frames,
                             sizeof(r.nr_frames)) ? -XEN_EFAULT : 0;
    }
    if (r.frame >= max || r.nr_frames > max - r.frame)
        return -XEN_EINVAL;
    if (r.nr_frames > ARRAY_SIZE(mfns))
        return -XEN_E2BIG;
    rc = arch_acquire_resource(td, r.type, r.id, r.frame, r.nr_frames, mfns);
    if (!rc && r.nr_frames && copy_to_guest(r.frame_list, mfns, r.nr_frames * sizeof(mfns[0])))
        rc = -XEN_EFAULT;
    return rc;
}

long do_memory_op(uint64_t cmd, guest_va_t arg)
{
    struct domain *d = current->domain, *td;
    long rc = 0;
    domid_t id;

    switch (cmd & MEMOP_CMD_MASK) {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return reservation(cmd & MEMOP_CMD_MASK, cmd >> MEMOP_EXTENT_SHIFT, arg);
    case XENMEM_maximum_ram_page:
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    case XENMEM_maximum_gpfn:
        if (cmd >> MEMOP_EXTENT_SHIFT)
            return -XEN_EINVAL;     /* as Xen: no start extent for these */
        break;
    }
    switch (cmd) {
    case XENMEM_maximum_ram_page:
        return max_page;
    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation:
    case XENMEM_maximum_gpfn:
        if (copy_from_guest(&id, arg, sizeof(id)))
            return -XEN_EFAULT;
        if (!(td = target_domain(id, &rc)))
            return rc;
        return cmd == XENMEM_current_reservation ? (long)td->tot_pages :
               cmd == XENMEM_maximum_reservation ? (long)td->max_pages :
               /* Xen's domain_get_maximum_gpfn for PV: what the guest published. */
               (long)(td->shared_info->arch.max_pfn ? td->shared_info->arch.max_pfn : 1) - 1;
    case XENMEM_machphys_mapping: {
        /* Xen: the whole M2P area; max_mfn = MACH2PHYS_NR_ENTRIES - 1, max_page - 1 only for
         * the hardware domain. */
        struct xen_machphys_mapping m = { M2P_VIRT_START, M2P_VIRT_START + M2P_VIRT_SIZE,
                                          d->is_privileged ? max_page - 1 : (M2P_VIRT_SIZE >> 3) - 1 };
        return copy_to_guest(arg, &m, sizeof(m)) ? -XEN_EFAULT : 0;
    }
    case XENMEM_machphys_mfn_list: {
        struct xen_machphys_mfn_list l;
        uint32_t n = 0;
        if (copy_from_guest(&l, arg, sizeof(l)))
            return -XEN_EFAULT;
        /* One entry per 2 MiB of M2P: the first frame of each chunk. */
        for (uint64_t off = 0; off < max_page * 8 && n < l.max_extents; off += 1UL << 21, n++) {
            uint64_t mfn = __pa((char *)m2p_table + off) >> PAGE_SHIFT;
            if (copy_to_guest(l.extent_start + n * 8UL, &mfn, 8))
                return -XEN_EFAULT;
        }
        l.nr_extents = n;
        return copy_to_guest(arg, &l, sizeof(l)) ? -XEN_EFAULT : 0;
    }
    case XENMEM_memory_map: {
        /* The domain's pseudo-physical map: one RAM range of its maximum size. */
        struct xen_memory_map mm;
        uint64_t size = d->max_pages << PAGE_SHIFT;
        struct xen_e820_entry e = { 0, 0, (uint32_t)size, (uint32_t)(size >> 32), 1 };
        if (copy_from_guest(&mm, arg, sizeof(mm)))
            return -XEN_EFAULT;
        /* Xen copies min(room, entries): room for none is not an error. */
        if (mm.nr_entries && copy_to_guest(mm.buffer, &e, sizeof(e)))
            return -XEN_EFAULT;
        mm.nr_entries = mm.nr_entries ? 1 : 0;
        return copy_to_guest(arg, &mm, sizeof(mm)) ? -XEN_EFAULT : 0;
    }
    case XENMEM_machine_memory_map:
        return d->is_privileged ? -XEN_ENOSYS : -XEN_EPERM;
    case XENMEM_acquire_resource:
        return acquire_resource(d, arg);
    default:
        return -XEN_ENOSYS;
    }
}
