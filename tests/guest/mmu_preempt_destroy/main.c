/*
 * mmu_preempt_destroy (hostile): the domain dies while its large tree
 * (pt_tree.h) is partially validated. A timer upcall taken at a
 * preemption point of the pin powers the domain off, so the hypervisor
 * tears it down with a table in the partial state (Xen's PGT_partial:
 * relinquish_memory drops the partial references). The audit before
 * destruction and the final frame account must be clean.
 */
#include "pt_tree.h"

const char test_title[] = "hostile: domain destroyed in the middle of a preempted validation";

void test_main(void)
{
    pt_tree_destroy_midway(false);
}
