/*
 * pv.grant_*: what grant tables cost, against the PTE updates they are an
 * alternative to. The kernel grants a frame X to itself (a domain may map
 * its own grants, as in Xen) and times, per operation:
 *   pv.grant_map_unmap     GNTTABOP_map_grant_ref (host_map, writable) of X
 *                          at a VA, then unmap_grant_ref of it: 2 hypercalls;
 *   pv.grant_map_unmap_32  32 maps in one call, 32 unmaps in one call, per
 *                          page (iters = calls x 32);
 *   pv.grant_mmu_update    one mmu_update of a PTE (between X and Y), the
 *                          figure a map or an unmap compares with;
 *   pv.grant_uvm           one update_va_mapping of a PTE (between X and Y,
 *                          UVMF_INVLPG);
 *   pv.grant_copy_4k       GNTTABOP_copy of 4096 bytes from the grant of X
 *                          into own frame Y;
 *   pv.guest_memcpy_4k     memcpy of 4096 bytes between X and Y mapped in the
 *                          guest (what a copy saves the guest, or costs it).
 * The VAs belong to an L1 the kernel pins and hooks into a free slot of its
 * boot L2, as pv.pt_update does. The loops are C (a hypercall dwarfs the
 * loop's own few instructions; the null loop is subtracted as elsewhere).
 */
#include "bench.h"
#include <tandem/grant_table.h>

#define VIRT_BASE 0xffffffff80000000UL
#define PTE_FLAGS 0x67UL        /* present, RW, user, accessed, dirty */
#define PDE_FLAGS 0x27UL
#define ADDR_MASK 0x000ffffffffff000UL
#define BATCH 32

static uint64_t l1_mfn, x, y, table_mfn, base;     /* base: VA of the benchmark L1's entry 0 */
static domid_t self;
static volatile struct grant_entry_v1 *gtab;
static struct gnttab_map_grant_ref mops[BATCH];
static struct gnttab_unmap_grant_ref uops[BATCH];

static const uint64_t *table(uint64_t entry)
{
    return (const uint64_t *)(VIRT_BASE + (mfn_to_pfn((entry & ADDR_MASK) >> 12) << 12));
}

static uint64_t va_of(unsigned int i) { return base + i * 4096UL; }

static void set_pte(unsigned int i, uint64_t mfn)
{
    struct mmu_update u = { .ptr = ((l1_mfn << 12) + i * 8) | MMU_NORMAL_PT_UPDATE, .val = (mfn << 12) | PTE_FLAGS };
    long rc;

    if ((rc = HC4(mmu_update, &u, 1, 0, DOMID_SELF)))
        bench_error("mmu_update of entry %u: %ld", i, rc);
}

static void setup(void)
{
    const uint64_t *l4 = (const uint64_t *)start_info->pt_base, *l3, *l2;
    uint64_t nr = start_info->nr_pages, l2_maddr;
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    struct mmuext_op pin = { .cmd = MMUEXT_PIN_L1_TABLE };
    struct mmu_update hook;
    unsigned int slot = 0;
    long rc;

    l3 = table(l4[(VIRT_BASE >> 39) & 511]);
    l2 = table(l3[(VIRT_BASE >> 30) & 511]);
    while (slot < 512 && (l2[slot] & 1))
        slot++;
    if (slot >= 512 || nr < (uint64_t)slot * 512 + 3)
        bench_error("no free L2 slot or no frames beyond the boot region");
    l1_mfn = pfn_to_mfn(nr - 1);
    x = pfn_to_mfn(nr - 2);
    y = pfn_to_mfn(nr - 3);
    pin.arg1.mfn = l1_mfn;
    if ((rc = HC4(mmuext_op, &pin, 1, 0, DOMID_SELF)))
        bench_error("PIN_L1_TABLE: %ld", rc);
    l2_maddr = (pfn_to_mfn(((uint64_t)l2 - VIRT_BASE) >> 12) << 12) + slot * 8;
    hook = (struct mmu_update){ .ptr = l2_maddr | MMU_NORMAL_PT_UPDATE, .val = (l1_mfn << 12) | PDE_FLAGS };
    if ((rc = HC4(mmu_update, &hook, 1, 0, DOMID_SELF)))
        bench_error("hook the L1: %ld", rc);
    base = VIRT_BASE + slot * (2UL << 20);

    st.frame_list = (uint64_t)&table_mfn;
    if (HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1) || st.status != GNTST_okay)
        bench_error("setup_table: status %d", st.status);
    set_pte(0, table_mfn);              /* entry 0: the grant table */
    gtab = (volatile struct grant_entry_v1 *)va_of(0);
    set_pte(100, x);                    /* 100, 101: X and Y for memcpy */
    set_pte(101, y);
    /* Our domain id: the one a map of our own grant (ref 8 of X) works for. */
    for (self = 0; self < 64; self++) {
        struct gnttab_map_grant_ref m = { .host_addr = va_of(1), .flags = GNTMAP_host_map, .ref = 8, .dom = self };
        struct gnttab_unmap_grant_ref u = { .host_addr = va_of(1) };
        gtab[8] = (struct grant_entry_v1){ GTF_permit_access, self, (uint32_t)x };
        HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
        if (m.status == GNTST_okay) {
            u.handle = m.handle;
            HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
            break;
        }
    }
    if (self == 64)
        bench_error("no domain id maps our own grant");
    for (unsigned int i = 0; i < BATCH; i++)
        mops[i] = (struct gnttab_map_grant_ref){ .host_addr = va_of(1 + i), .flags = GNTMAP_host_map, .ref = 8,
                                                 .dom = self };
}

static uint64_t map_unmap(uint64_t n)
{
    struct gnttab_map_grant_ref m = mops[0];
    struct gnttab_unmap_grant_ref u = { .host_addr = va_of(1) };
    uint64_t t0 = bench_rdtsc();

    for (uint64_t i = 0; i < n; i++) {
        HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m, 1);
        u.handle = m.handle;
        HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
    }
    t0 = bench_rdtsc() - t0;
    if (m.status != GNTST_okay || u.status != GNTST_okay)
        bench_error("map/unmap: status %d %d", m.status, u.status);
    return t0;
}

static uint64_t map_unmap_batch(uint64_t calls)
{
    uint64_t t0 = bench_rdtsc();

    for (uint64_t c = 0; c < calls; c++) {
        HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, mops, BATCH);
        for (unsigned int i = 0; i < BATCH; i++)
            uops[i] = (struct gnttab_unmap_grant_ref){ .host_addr = mops[i].host_addr, .handle = mops[i].handle };
        HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, uops, BATCH);
    }
    t0 = bench_rdtsc() - t0;
    for (unsigned int i = 0; i < BATCH; i++)
        if (mops[i].status != GNTST_okay || uops[i].status != GNTST_okay)
            bench_error("batch element %u: status %d %d", i, mops[i].status, uops[i].status);
    return t0;
}

static uint64_t pte_loop(uint64_t n, bool uvm)
{
    struct mmu_update u[2] = {
        { .ptr = ((l1_mfn << 12) + 200 * 8) | MMU_NORMAL_PT_UPDATE, .val = (x << 12) | PTE_FLAGS },
        { .ptr = ((l1_mfn << 12) + 200 * 8) | MMU_NORMAL_PT_UPDATE, .val = (y << 12) | PTE_FLAGS },
    };
    long rc = 0;
    uint64_t t0 = bench_rdtsc();

    for (uint64_t i = 0; i < n; i++) {
        if (uvm)
            rc |= HC3(update_va_mapping, va_of(200), u[i & 1].val, UVMF_INVLPG);
        else
            rc |= HC4(mmu_update, &u[i & 1], 1, 0, DOMID_SELF);
    }
    t0 = bench_rdtsc() - t0;
    if (rc)
        bench_error("%s failed", uvm ? "update_va_mapping" : "mmu_update");
    return t0;
}

static uint64_t copy_loop(uint64_t n)
{
    struct gnttab_copy c = { .len = 4096, .flags = GNTCOPY_source_gref };
    uint64_t t0;

    c.source.domid = self;
    c.source.u.ref = 8;
    c.dest.domid = DOMID_SELF;
    c.dest.u.gmfn = y;
    t0 = bench_rdtsc();
    for (uint64_t i = 0; i < n; i++)
        HYPERVISOR_grant_table_op(GNTTABOP_copy, &c, 1);
    t0 = bench_rdtsc() - t0;
    if (c.status != GNTST_okay)
        bench_error("copy: status %d", c.status);
    return t0;
}

static uint64_t memcpy_loop(uint64_t n)
{
    uint64_t t0 = bench_rdtsc();

    for (uint64_t i = 0; i < n; i++) {
        memcpy((void *)va_of(101), (const void *)va_of(100), 4096);
        __asm__ __volatile__("" ::: "memory");
    }
    return bench_rdtsc() - t0;
}

static void run(const char *name, uint64_t iters, uint64_t per_call, uint64_t (*loop)(uint64_t), uint64_t calls)
{
    struct bench_result r = { .iters = iters, .ops = (calls + calls / 10 + 1) * per_call };

    loop(calls / 10 + 1);                       /* warm-up */
    r.total = loop(calls);
    r.overhead = loop_null(calls);
    bench_report(name, &r);
}

static uint64_t mmu_loop(uint64_t n) { return pte_loop(n, false); }
static uint64_t uvm_loop(uint64_t n) { return pte_loop(n, true); }

void kernel_main(struct start_info *si)
{
    uint64_t n = bench_init();

    (void)si;
    setup();
    if (bench_want("pv.grant_map_unmap"))
        run("pv.grant_map_unmap", n, 1, map_unmap, n);
    if (bench_want("pv.grant_map_unmap_32"))
        run("pv.grant_map_unmap_32", ((n + BATCH - 1) / BATCH) * BATCH, BATCH, map_unmap_batch, (n + BATCH - 1) / BATCH);
    if (bench_want("pv.grant_mmu_update"))
        run("pv.grant_mmu_update", n, 1, mmu_loop, n);
    if (bench_want("pv.grant_uvm"))
        run("pv.grant_uvm", n, 1, uvm_loop, n);
    if (bench_want("pv.grant_copy_4k"))
        run("pv.grant_copy_4k", n, 1, copy_loop, n);
    if (bench_want("pv.guest_memcpy_4k"))
        run("pv.guest_memcpy_4k", n, 1, memcpy_loop, n);
    gtab[8].flags = 0;
    bench_done();
}
