/*
 * Batched page-table updates: mmu_update requests queue in a struct
 * mmu_batch and go to the hypervisor 64 at a time, or inside one multicall
 * with the mmuext ops that must come before or after them (pin, unpin,
 * TLB flush). A refusal is a bug in this kernel: it panics.
 */
#include "mm.h"

void mb_flush(struct mmu_batch *b)
{
    unsigned int done = 0;
    long rc;

    if (!b->n)
        return;
    rc = HYPERVISOR_mmu_update(b->req, b->n, &done, DOMID_SELF);
    if (rc)
        kernel_panic("mmu_update refused request %u of %u (ptr %lx val %lx): %ld", done, b->n,
                     (unsigned long)b->req[done < b->n ? done : 0].ptr,
                     (unsigned long)b->req[done < b->n ? done : 0].val, rc);
    b->n = 0;
}

void mb_add(struct mmu_batch *b, uint64_t ptr, uint64_t val)
{
    if (b->n == MMU_BATCH)
        mb_flush(b);
    b->req[b->n].ptr = ptr | MMU_NORMAL_PT_UPDATE;
    b->req[b->n].val = val;
    b->n++;
}

void mb_multicall(const struct mmuext_op *pre, unsigned npre, struct mmu_batch *b,
                  const struct mmuext_op *post, unsigned npost)
{
    struct multicall_entry mc[3];
    unsigned int done[3] = { 0 }, n = 0;

    memset(mc, 0, sizeof(mc));
    if (npre) {
        mc[n] = (struct multicall_entry){ .op = __HYPERVISOR_mmuext_op,
                                          .args = { (uint64_t)pre, npre, (uint64_t)&done[n], DOMID_SELF } };
        n++;
    }
    if (b->n) {
        mc[n] = (struct multicall_entry){ .op = __HYPERVISOR_mmu_update,
                                          .args = { (uint64_t)b->req, b->n, (uint64_t)&done[n], DOMID_SELF } };
        n++;
    }
    if (npost) {
        mc[n] = (struct multicall_entry){ .op = __HYPERVISOR_mmuext_op,
                                          .args = { (uint64_t)post, npost, (uint64_t)&done[n], DOMID_SELF } };
        n++;
    }
    if (HYPERVISOR_multicall(mc, n))
        kernel_panic("multicall failed");
    for (unsigned i = 0; i < n; i++)
        if (mc[i].result)
            kernel_panic("multicall entry %u (op %lu) failed: %ld after %u done", i,
                         (unsigned long)mc[i].op, (long)mc[i].result, done[i]);
    b->n = 0;
}
