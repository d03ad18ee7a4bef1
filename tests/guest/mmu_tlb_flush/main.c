/*
 * mmu_tlb_flush: the flush operations. mmu_update never flushes, so after
 * retargeting a mapping the old translation may stay in the TLB until the
 * guest asks: MMUEXT_INVLPG_LOCAL / INVLPG_ALL / INVLPG_MULTI (with a vCPU
 * mask), TLB_FLUSH_LOCAL / TLB_FLUSH_ALL / TLB_FLUSH_MULTI, and
 * update_va_mapping's UVMF_INVLPG / UVMF_TLB_FLUSH (| UVMF_ALL). After
 * each the new translation must be seen. Xen's answers for the odd cases:
 * INVLPG of a non-canonical or hypervisor address is a no-op (0); a MULTI
 * op whose vCPU mask cannot be read is -EINVAL; flush type 3 in
 * update_va_mapping flushes nothing and succeeds; FLUSH_CACHE is -EACCES
 * and FLUSH_CACHE_GLOBAL -EINVAL without cache-flush permission.
 */
#include "pt.h"

const char test_title[] = "TLB_FLUSH_LOCAL/ALL/MULTI, INVLPG_LOCAL/ALL/MULTI, UVMF flush flags";

static uint64_t fa, fb;
static volatile uint64_t *va;
static int slot;

/* Map fa, read it (cached), retarget to fb with a plain mmu_update (no flush). */
static void retarget(void)
{
    uint64_t v;

    expect_rc(pt_map(slot, fa, L1_FLAGS_RW), 0, "map frame a");
    if (!probe_read(va, &v) || v != 0xaaaa)
        test_fail("frame a not seen");
    expect_rc(mmu_update1(pt_maddr(pt_scratch_l1, slot), (fb << 12) | L1_FLAGS_RW), 0, "retarget to frame b");
}

static void sees_b(const char *what)
{
    uint64_t v = 0;

    if (!probe_read(va, &v) || v != 0xbbbb)
        test_fail("after %s: read %#lx, want frame b's 0xbbbb", what, (unsigned long)v);
}

void test_main(void)
{
    uint64_t mask = 1, v;
    volatile uint64_t *p;

    if (!pt_init())
        return;
    fa = pt_free_mfn();
    fb = pt_free_mfn();
    p = pt_map_rw(fa); p[0] = 0xaaaa; pt_unmap_va((void *)p);
    p = pt_map_rw(fb); p[0] = 0xbbbb; pt_unmap_va((void *)p);
    slot = 60;
    va = pt_slot_va(slot);

    retarget();
    if (probe_read(va, &v))
        printk("before any flush the VA reads %s\n", v == 0xaaaa ? "frame a (stale)" : "frame b");
    expect_rc(mmuext1(MMUEXT_INVLPG_LOCAL, (uint64_t)va, 0), 0, "INVLPG_LOCAL");
    sees_b("INVLPG_LOCAL");
    retarget();
    expect_rc(mmuext1(MMUEXT_INVLPG_ALL, (uint64_t)va, 0), 0, "INVLPG_ALL");
    sees_b("INVLPG_ALL");
    retarget();
    expect_rc(mmuext1(MMUEXT_INVLPG_MULTI, (uint64_t)va, (uint64_t)&mask), 0, "INVLPG_MULTI vCPU 0");
    sees_b("INVLPG_MULTI");
    retarget();
    expect_rc(mmuext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0, "TLB_FLUSH_LOCAL");
    sees_b("TLB_FLUSH_LOCAL");
    retarget();
    expect_rc(mmuext1(MMUEXT_TLB_FLUSH_ALL, 0, 0), 0, "TLB_FLUSH_ALL");
    sees_b("TLB_FLUSH_ALL");
    retarget();
    expect_rc(mmuext1(MMUEXT_TLB_FLUSH_MULTI, 0, (uint64_t)&mask), 0, "TLB_FLUSH_MULTI vCPU 0");
    sees_b("TLB_FLUSH_MULTI");

    /* update_va_mapping's own flushes. */
    expect_rc(pt_map(slot, fa, L1_FLAGS_RW), 0, "map a");
    (void)probe_read(va, &v);
    expect_rc(uvm((uint64_t)va, (fb << 12) | L1_FLAGS_RW, UVMF_INVLPG), 0, "uvm INVLPG");
    sees_b("UVMF_INVLPG");
    expect_rc(uvm((uint64_t)va, (fa << 12) | L1_FLAGS_RW, UVMF_TLB_FLUSH), 0, "uvm TLB_FLUSH");
    if (!probe_read(va, &v) || v != 0xaaaa)
        test_fail("after UVMF_TLB_FLUSH: %#lx", (unsigned long)v);
    expect_rc(uvm((uint64_t)va, (fb << 12) | L1_FLAGS_RW, UVMF_INVLPG | UVMF_ALL), 0, "uvm INVLPG|ALL");
    sees_b("UVMF_INVLPG|UVMF_ALL");
    expect_rc(uvm((uint64_t)va, (fa << 12) | L1_FLAGS_RW, UVMF_TLB_FLUSH | UVMF_ALL), 0, "uvm TLB_FLUSH|ALL");
    expect_rc(uvm((uint64_t)va, (fb << 12) | L1_FLAGS_RW, 3), 0, "uvm flush type 3 (no flush, no error)");
    expect_rc(uvm((uint64_t)va, 0, UVMF_INVLPG), 0, "unmap");

    /* Odd arguments. */
    expect_rc(mmuext1(MMUEXT_INVLPG_LOCAL, 0x8000000000000000UL, 0), 0, "INVLPG_LOCAL non-canonical");
    expect_rc(mmuext1(MMUEXT_INVLPG_LOCAL, 0xffff830000000000UL, 0), 0, "INVLPG_LOCAL direct map");
    expect_rc(mmuext1(MMUEXT_INVLPG_ALL, 0xffff800000000000UL, 0), 0, "INVLPG_ALL M2P");
    expect_rc(mmuext1(MMUEXT_TLB_FLUSH_MULTI, 0, 0xffff830000000000UL), -XEN_EINVAL,
              "TLB_FLUSH_MULTI, mask in hypervisor memory");
    expect_rc(mmuext1(MMUEXT_INVLPG_MULTI, (uint64_t)va, (uint64_t)pt_slot_va(61)), -XEN_EINVAL,
              "INVLPG_MULTI, mask unmapped");
    expect_rc(mmuext1(MMUEXT_FLUSH_CACHE, 0, 0), -XEN_EACCES, "FLUSH_CACHE without permission");
    expect_rc(mmuext1(MMUEXT_FLUSH_CACHE_GLOBAL, 0, 0), -XEN_EINVAL, "FLUSH_CACHE_GLOBAL without permission");
    test_success();
}
