/*
 * pv.page_fault: demand-zero page faults in the bundled guest kernel, per
 * page. The driver (user.S, `pf`) grows its heap with sbrk (nothing is
 * mapped yet) and touches one byte per page: each touch is a #PF in guest
 * user mode, bounced by Tandem to the kernel's #PF handler on the process's
 * kernel stack, which allocates a zeroed page and maps it with one
 * mmu_update (creating the L1 with its first fault in each 2 MiB), then
 * returns with iret and the touch is retried. The overhead is the same
 * loop over the pages once mapped. iters pages in all (default 16384 =
 * 64 MiB without iters=), in rounds of at most 16 MiB given back with
 * sbrk between rounds (untimed), so a 64 MiB domain can fault in 64 MiB.
 * The kernel is set to map one page per fault (native.page_fault maps one
 * too); only=pv.page_fault_around16 measures its default, 16 pages per
 * fault in one mmu_update, still per page.
 */
#include "procbench.h"

enum { ONE, AROUND16 };
const char *const scenario_names[] = { "pv.page_fault", "pv.page_fault_around16" };

static bool has_iters(void)
{
    for (const char *c = (const char *)start_info->cmd_line; *c; c++)
        if ((c == (const char *)start_info->cmd_line || c[-1] == ' ') && !strncmp(c, "iters=", 6))
            return true;
    return false;
}

void bench_main(uint64_t n)
{
    unsigned int s = !bench_want("pv.-") && bench_want("pv.page_fault_around16") ? AROUND16 : ONE;

    if (!bench_want(scenario_names[s]))
        return;
    if (!has_iters())
        n = 16384;
    mm_fault_around = s == ONE ? 1 : 16;
    bench_report(scenario_names[s], run_program("pf", s, n, 0, 0));
    mm_fault_around = 16;
}
