/* Grant-table helpers for the test kernels (gnttab.h). */
#include "test.h"
#include "gnttab.h"
#include "pt.h"

long gt_op(unsigned int cmd, void *op, unsigned int n)
{
    return HYPERVISOR_grant_table_op(cmd, op, n);
}

int16_t gt_map(grant_ref_t ref, domid_t dom, void *va, uint32_t flags, grant_handle_t *h)
{
    struct gnttab_map_grant_ref op = { .host_addr = (uint64_t)va, .flags = flags, .ref = ref, .dom = dom };

    if (gt_op(GNTTABOP_map_grant_ref, &op, 1))
        test_fail("map_grant_ref: the call itself failed");
    if (h)
        *h = op.handle;
    return op.status;
}

int16_t gt_unmap(void *va, grant_handle_t h)
{
    struct gnttab_unmap_grant_ref op = { .host_addr = (uint64_t)va, .handle = h };

    if (gt_op(GNTTABOP_unmap_grant_ref, &op, 1))
        test_fail("unmap_grant_ref: the call itself failed");
    return op.status;
}

int16_t gt_copy_from_ref(domid_t dom, grant_ref_t ref, uint64_t mfn, uint16_t len)
{
    struct gnttab_copy op = { .len = len, .flags = GNTCOPY_source_gref };

    op.source.u.ref = ref;
    op.source.domid = dom;
    op.dest.u.gmfn = mfn;
    op.dest.domid = DOMID_SELF;
    if (gt_op(GNTTABOP_copy, &op, 1))
        test_fail("copy: the call itself failed");
    return op.status;
}

void gt_grant(volatile struct grant_entry_v1 *table, grant_ref_t ref, domid_t to, uint64_t mfn, uint16_t flags)
{
    table[ref].domid = to;
    table[ref].frame = (uint32_t)mfn;
    __asm__ __volatile__("" ::: "memory");   /* x86: stores in order; the hypervisor reads flags first */
    table[ref].flags = flags;
}

bool gt_find_self(volatile struct grant_entry_v1 *table, uint64_t page, void *va, domid_t *self)
{
    grant_handle_t h;

    for (domid_t d = 0; d < 64; d++) {
        gt_grant(table, 13, d, page, GTF_permit_access);
        if (gt_map(13, d, va, GNTMAP_host_map | GNTMAP_readonly, &h) == GNTST_okay) {
            *self = d;
            table[13].flags = 0;
            return gt_unmap(va, h) == GNTST_okay;
        }
    }
    table[13].flags = 0;
    return false;
}

volatile struct grant_entry_v1 *gt_own_table(unsigned int slot)
{
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    uint64_t frames[1] = { 0 };

    st.frame_list = (uint64_t)frames;
    if (!expect_rc(gt_op(GNTTABOP_setup_table, &st, 1), 0, "setup_table(1)") ||
        !expect_rc(st.status, GNTST_okay, "setup_table status") ||
        !expect_rc(pt_map(slot, frames[0], L1_FLAGS_RW), 0, "map the grant table frame RW"))
        return NULL;
    return pt_slot_va(slot);
}

bool gt_self_init(volatile struct grant_entry_v1 **table, domid_t *self)
{
    if (!pt_init() || !(*table = gt_own_table(10)))
        return false;
    pt_unmap(9);
    if (!gt_find_self(*table, pt_free_mfn(), pt_slot_va(9), self)) {
        test_fail("no domain id maps our own grant");
        return false;
    }
    printk("we are d%u\n", *self);
    return true;
}

int16_t gt_copy(domid_t sdom, uint64_t src, uint16_t soff, domid_t ddom, uint64_t dst, uint16_t doff, uint16_t len,
                uint16_t flags)
{
    struct gnttab_copy op = { .len = len, .flags = flags };

    op.source.domid = sdom;
    op.dest.domid = ddom;
    if (flags & GNTCOPY_source_gref)
        op.source.u.ref = (grant_ref_t)src;
    else
        op.source.u.gmfn = src;
    if (flags & GNTCOPY_dest_gref)
        op.dest.u.ref = (grant_ref_t)dst;
    else
        op.dest.u.gmfn = dst;
    op.source.offset = soff;
    op.dest.offset = doff;
    if (gt_op(GNTTABOP_copy, &op, 1))
        test_fail("copy: the call itself failed");
    return op.status;
}

int16_t gt_unmap_dev(void *va, uint64_t dev_bus_addr, grant_handle_t h)
{
    struct gnttab_unmap_grant_ref op = { .host_addr = (uint64_t)va, .dev_bus_addr = dev_bus_addr, .handle = h };

    if (gt_op(GNTTABOP_unmap_grant_ref, &op, 1))
        test_fail("unmap_grant_ref: the call itself failed");
    return op.status;
}

int16_t gt_map_dev(grant_ref_t ref, domid_t dom, void *va, uint32_t flags, grant_handle_t *h, uint64_t *bus)
{
    struct gnttab_map_grant_ref op = { .host_addr = (uint64_t)va, .flags = flags, .ref = ref, .dom = dom };

    if (gt_op(GNTTABOP_map_grant_ref, &op, 1))
        test_fail("map_grant_ref: the call itself failed");
    if (h)
        *h = op.handle;
    if (bus)
        *bus = op.dev_bus_addr;
    return op.status;
}
