/*
 * mmu_preempt_destroy_teardown (hostile): the domain dies while the
 * teardown of its large tree (pt_tree.h) is partway: a timer upcall taken
 * at a preemption point of the unpin powers the domain off, with a dying
 * table in the vCPU's mm_pending (Xen's old_guest_table). Relinquishing
 * the domain finishes it; the audit before destruction and the final
 * frame account must be clean.
 */
#include "pt_tree.h"

const char test_title[] = "hostile: domain destroyed in the middle of a preempted teardown";

void test_main(void)
{
    pt_tree_destroy_midway(true);
}
