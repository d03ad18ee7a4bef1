/*
 * pv.pt_update_single and pv.pt_update_batched: changing live L1 entries
 * through mmu_update, one request per hypercall or 512 per hypercall
 * (figures per PTE). The entries belong to an L1 the kernel pins
 * (MMUEXT_PIN_L1_TABLE) and hooks into a free slot of its boot L2, mapping a
 * virtual range nothing touches, so no TLB flush is asked for. Each request
 * switches an entry between two data frames X and Y (Tandem drops a
 * reference on one and takes one on the other: its full path, not the
 * same-value shortcut). Compared with native.pt_write (a PTE store + invlpg).
 */
#include "bench.h"

#define VIRT_BASE 0xffffffff80000000UL
#define PTE_FLAGS 0x67UL        /* present, RW, user, accessed, dirty */
#define PDE_FLAGS 0x27UL        /* present, RW, user, accessed */
#define ADDR_MASK 0x000ffffffffff000UL

uint64_t loop_pt_single(uint64_t n, struct mmu_update *reqs, uint64_t *cursor);
uint64_t loop_pt_batched(uint64_t n, struct mmu_update *reqs);
uint64_t pt_loop_rc;

static struct mmu_update reqs[1024];
static uint64_t cursor;

/* A table of the boot page tables, by machine frame: mapped at VIRT_BASE + pfn * 4 KiB. */
static const uint64_t *table(uint64_t entry)
{
    return (const uint64_t *)(VIRT_BASE + (mfn_to_pfn((entry & ADDR_MASK) >> 12) << 12));
}

static void setup(void)
{
    const uint64_t *l4 = (const uint64_t *)start_info->pt_base, *l3, *l2;
    uint64_t nr = start_info->nr_pages, l1_mfn, x, y, l2_maddr;
    unsigned int slot, used = 0;
    struct mmuext_op pin = { .cmd = MMUEXT_PIN_L1_TABLE };
    struct mmu_update hook;
    long rc;

    l3 = table(l4[(VIRT_BASE >> 39) & 511]);
    l2 = table(l3[(VIRT_BASE >> 30) & 511]);
    while (used < 512 && (l2[used] & 1))
        used++;
    slot = used;                                /* first free 2 MiB slot after the boot region */
    if (slot >= 512 || nr < (uint64_t)used * 512 + 3)
        bench_error("no free L2 slot or no frames beyond the boot region (%u slots, %lu pages)",
                    used, (unsigned long)nr);
    /* The last three pfns lie beyond the boot region: allocated, zeroed, mapped nowhere. */
    l1_mfn = pfn_to_mfn(nr - 1);
    x = pfn_to_mfn(nr - 2);
    y = pfn_to_mfn(nr - 3);
    pin.arg1.mfn = l1_mfn;
    if ((rc = HC4(mmuext_op, &pin, 1, 0, DOMID_SELF)))
        bench_error("mmuext_op(PIN_L1_TABLE) failed: %ld", rc);
    l2_maddr = (pfn_to_mfn(((uint64_t)l2 - VIRT_BASE) >> 12) << 12) + slot * 8;
    hook = (struct mmu_update){ .ptr = l2_maddr | MMU_NORMAL_PT_UPDATE, .val = (l1_mfn << 12) | PDE_FLAGS };
    if ((rc = HC4(mmu_update, &hook, 1, 0, DOMID_SELF)))
        bench_error("mmu_update(L2 slot %u -> the benchmark L1) failed: %ld", slot, rc);
    for (unsigned int i = 0; i < 1024; i++)
        reqs[i] = (struct mmu_update){
            .ptr = ((l1_mfn << 12) + (i % 512) * 8) | MMU_NORMAL_PT_UPDATE,
            .val = ((i < 512 ? x : y) << 12) | PTE_FLAGS,
        };
}

static void check(const char *what)
{
    if (pt_loop_rc)
        bench_error("%s: mmu_update failed (%ld)", what, (long)pt_loop_rc);
}

void kernel_main(struct start_info *si)
{
    uint64_t n = bench_init(), batches = (n + 511) / 512;
    bool single = bench_want("pv.pt_update_single"), batched = bench_want("pv.pt_update_batched");

    if (single || batched)
        setup();
    if (single) {
        /* Warm-up: 1024 requests, every entry mapped X then Y, so each timed one changes it. */
        struct bench_result r = { .iters = n, .ops = 1024 + n };
        loop_pt_single(1024, reqs, &cursor);
        check("warm-up");
        r.total = loop_pt_single(n, reqs, &cursor);
        r.overhead = loop_null(n);
        check("timed loop");
        bench_report("pv.pt_update_single", &r);
    }
    if (batched) {
        /* Per PTE: iters = batches * 512; the null loop runs once per batch. */
        struct bench_result r = { .iters = batches * 512, .ops = (2 + batches) * 512 };
        loop_pt_batched(2, reqs);
        check("warm-up");
        r.total = loop_pt_batched(batches, reqs);
        r.overhead = loop_null(batches);
        check("timed loop");
        bench_report("pv.pt_update_batched", &r);
    }
    bench_done();
}
