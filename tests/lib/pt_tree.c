/* The large page-table tree of the preemption tests: see pt_tree.h. */
#include "pt_tree.h"

static unsigned int idx[512];
static uint64_t ent[512];

bool pt_tree_build(struct pt_tree *t)
{
    unsigned int per_l2 = PT_TREE_L1S / PT_TREE_L2S;

    for (unsigned int i = 0; i < 512; i++)
        idx[i] = i;
    if (!(t->data = pt_free_mfn()))
        return false;
    for (unsigned int i = 0; i < 512; i++)
        ent[i] = (t->data << 12) | L1_FLAGS_RO;
    for (unsigned int k = 0; k < PT_TREE_L1S; k++)
        if (!(t->l1[k] = pt_new_table(idx, ent, 512)))
            return false;
    for (unsigned int j = 0; j < PT_TREE_L2S; j++) {
        for (unsigned int i = 0; i < per_l2; i++)
            ent[i] = (t->l1[j * per_l2 + i] << 12) | LX_FLAGS;
        if (!(t->l2[j] = pt_new_table(idx, ent, per_l2)))
            return false;
    }
    for (unsigned int j = 0; j < PT_TREE_L2S; j++)
        ent[j] = (t->l2[j] << 12) | LX_FLAGS;
    if (!(t->l3 = pt_new_table(idx, ent, PT_TREE_L2S)))
        return false;
    {
        unsigned int i4[2] = { 0, L4_IDX(VIRT_BASE) };
        uint64_t e4[2] = { (t->l3 << 12) | LX_FLAGS, (pt_l3 << 12) | LX_FLAGS };
        if (!(t->l4 = pt_new_table(i4, e4, 2)))
            return false;
    }
    return true;
}
