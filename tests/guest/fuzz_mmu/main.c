/*
 * Hostile: page-table updates aimed at this domain's own tables (the
 * bootstrap L4/L3/L2/L1s) and frames, with random indices, frames and flag
 * bits, through mmu_update, mmuext_op and update_va_mapping on a scratch
 * window. Only unused frames and table slots that map nothing of ours are
 * aimed at, so the domain survives; the hypervisor must refuse or apply each
 * request consistently, and the frame audit must find every count right.
 */
#include "test.h"

const char test_title[] = "MMU fuzz: hostile updates of our own page tables";

static uint64_t state = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(void)
{
    return xorshift64(&state);
}

/* Frames of pfns above the 4 MiB boot region: ours, unused, safe to clobber. */
static uint64_t own_mfn(void)
{
    return pfn_to_mfn(1024 + rnd() % (start_info->nr_pages - 1024));
}

static uint64_t table_mfn(void)
{
    uint64_t pt_pfn = (start_info->pt_base - 0xffffffff80000000UL) >> 12;

    return pfn_to_mfn(pt_pfn + rnd() % start_info->nr_pt_frames);
}

static uint64_t pte(void)
{
    static const uint64_t flags[] = { 0x1, 0x3, 0x5, 0x7, 0x23, 0x63, 0x67, 0x83, 0x103, 0x18,
                                      1ULL << 63 | 0x3, 0x7ffULL << 52 | 0x3 };
    uint64_t mfn = (rnd() & 3) ? own_mfn() : (rnd() & 1) ? table_mfn() : rnd() % 0x20000;

    return (mfn << 12) | flags[rnd() % ARRAY_SIZE(flags)];
}

void test_main(void)
{
    unsigned long calls = 0, accepted = 0;
    const char *arg = strchr(start_info->cmd_line, '=');

    if (arg && !strncmp(start_info->cmd_line, "seed=", 5))
        state ^= strtoul(arg + 1, NULL, 0) * 0x9e3779b97f4a7c15ULL;
    for (unsigned int i = 0; i < 3000; i++) {
        struct mmu_update u[4];
        struct mmuext_op op;
        uint32_t done;
        long rc;

        switch (rnd() % 3) {
        case 0:
            for (int k = 0; k < 4; k++) {
                /* Entries 256-500 of each table: away from our own image's mappings
                 * (L4[511], L3[510], L2[0-1], L1[0-255]); L4 256-271 are Xen's. */
                u[k].ptr = (((rnd() & 1) ? table_mfn() : own_mfn()) << 12) |
                           ((256 + rnd() % 245) * 8) | (rnd() % 3);
                u[k].val = pte();
            }
            rc = HC4(mmu_update, u, 1 + rnd() % 4, &done, DOMID_SELF);
            break;
        case 1:
            op.cmd = rnd() % 21;
            if (op.cmd == MMUEXT_NEW_BASEPTR || op.cmd == MMUEXT_UNPIN_TABLE)
                op.cmd = MMUEXT_PIN_L1_TABLE + rnd() % 4;
            op.arg1.mfn = (rnd() & 1) ? own_mfn() : table_mfn();
            op.arg2.src_mfn = own_mfn();
            rc = HC4(mmuext_op, &op, 1, &done, DOMID_SELF);
            break;
        default:
            rc = HC3(update_va_mapping, 0x0000100000000000UL + (rnd() % 4096) * 4096, pte(),
                     rnd() % 3);
            break;
        }
        calls++;
        accepted += rc == 0;
    }
    printk("mmu fuzz: %lu calls, %lu accepted; still alive\n", calls, accepted);
    test_success();
}
