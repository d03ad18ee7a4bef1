/*
 * The TLB-flush clock (Xen's tlbflush_clock, per-CPU tlbflush_time and
 * page->tlbflush_timestamp, xen/arch/x86/flushtlb.c): lets a frame that
 * may still be cached in some TLB be flushed before it is reused, and only
 * on the CPUs that have not flushed since it was last used.
 *
 * Every local flush ticks the clock before it flushes and records the new
 * value as the CPU's last flush. A frame is stamped with the clock when a
 * use that could leave it cached ends (its type count drops to 0, it is
 * freed). CPU c may still hold a translation of the frame, or walk it as a
 * table, if tlbflush_time[c] <= stamp: its last flush started before the
 * use ended. Stamp 0 means "never cached". The clock is 64 bits wide, so it
 * never wraps (Xen's 32-bit clock needs a flush-everything at wrap time).
 */
#include "lib.h"
#include "mm.h"
#include "processor.h"
#include "cpu.h"
#include "domain.h"

static uint64_t tlbflush_clock __pv_fast_data = 1;
static uint64_t tlbflush_time[NR_CPUS] __pv_fast_data;
/* CPUs that may cache guest translations: CPU 0; an AP sets its bit before it runs a guest. */
static uint64_t tlbflush_cpus = 1;

uint64_t tlbflush_current_time(void)
{
    return __atomic_load_n(&tlbflush_clock, __ATOMIC_SEQ_CST);
}

void flush_tlb_local(void)
{
    uint64_t t = __atomic_add_fetch(&tlbflush_clock, 1, __ATOMIC_SEQ_CST);

    write_cr3(read_cr3());
    __atomic_store_n(&tlbflush_time[this_cpu()->cpu_id], t, __ATOMIC_SEQ_CST);
}

uint64_t tlbflush_filter(uint64_t stamp)
{
    uint64_t mask = 0;

    if (!stamp)
        return 0;
    for (unsigned int c = 0; c < NR_CPUS; c++)
        if ((tlbflush_cpus >> c & 1) && tlbflush_time[c] <= stamp)
            mask |= 1ULL << c;
    return mask;
}

void flush_tlb_mask(uint64_t mask)
{
    unsigned int me = this_cpu()->cpu_id;

    if (mask & (1ULL << me))
        flush_tlb_local();
    /* No other CPU runs guests yet: with SMP, an IPI asking each one to flush goes here. */
    BUG_ON(mask & ~(1ULL << me));
}

void tlbflush_if_cached(uint64_t stamp)
{
    uint64_t mask = tlbflush_filter(stamp);

    if (mask) {
        flush_tlb_mask(mask);
        if (current)
            current->domain->ctr.reuse_flushes++;
    }
}
