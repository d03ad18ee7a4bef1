/*
 * A large page-table tree for the preemption tests (mmu_preempt_*): an L4
 * whose slot 0 leads to one L3, PT_TREE_L2S L2s and PT_TREE_L1S L1s, each
 * L1 full (512 read-only mappings of one data frame), so validating the L4
 * checks about PT_TREE_L1S * 512 entries. The L4's VIRT_BASE slot names the
 * boot L3, so the L4 can also be a base pointer.
 */
#ifndef TANDEM_TEST_PT_TREE_H
#define TANDEM_TEST_PT_TREE_H

#include "pt.h"

#define PT_TREE_L1S     600
#define PT_TREE_L2S     4

struct pt_tree {
    uint64_t l4, l3, l2[PT_TREE_L2S], l1[PT_TREE_L1S], data;
};

/* Build the tree from never-mapped frames (ERROR and false on failure). */
bool pt_tree_build(struct pt_tree *t);

/*
 * The body of the mmu_preempt_destroy* tests: time a pin (and unpin) of the
 * tree, then power the domain off from a timer upcall half-way into the pin
 * (teardown false) or into the unpin (true). Does not return.
 */
void pt_tree_destroy_midway(bool teardown);

static inline uint64_t pt_rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#endif
