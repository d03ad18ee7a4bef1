/*
 * mmu_batch512: one mmu_update of 512 requests (a whole L1 at once, the
 * way Linux batches), with `done` == 512: first 512 plain writes tagging
 * 512 fresh frames, then 512 L1 updates in a fresh L1 mapping them, then a
 * read of every tag through the new mappings, then 512 updates unmapping
 * them. Also a batch of 512 stopping at a bad request in the middle:
 * `done` is the index of the bad one and the ones before it are applied.
 */
#include "pt.h"

const char test_title[] = "mmu_update: a batch of 512 updates";

static struct mmu_update req[512];
static uint64_t frames[512];

void test_main(void)
{
    uint64_t l1, base, v;
    unsigned int done, l2s;

    if (!pt_init())
        return;
    l1 = pt_free_mfn();
    l2s = pt_scratch_l2_slot + 1;
    base = VIRT_BASE + ((uint64_t)l2s << 21);
    for (unsigned int i = 0; i < 512; i++)
        frames[i] = pt_free_mfn();
    expect_rc(mmu_update1(pt_maddr(pt_l2, l2s), (l1 << 12) | LX_FLAGS), 0, "link a fresh L1");

    for (unsigned int i = 0; i < 512; i++)
        req[i] = (struct mmu_update){ pt_maddr(frames[i], i & 511), 0x7a60000000000000UL | i };
    done = 0;
    expect_rc(HC5(mmu_update, (unsigned long)req, 512, (unsigned long)&done, DOMID_SELF, 0), 0,
              "512 plain writes");
    expect_rc(done, 512, "done after 512 plain writes");

    for (unsigned int i = 0; i < 512; i++)
        req[i] = (struct mmu_update){ pt_maddr(l1, i), (frames[i] << 12) | (i & 1 ? L1_FLAGS_RW : L1_FLAGS_RO) };
    done = 0;
    expect_rc(HC5(mmu_update, (unsigned long)req, 512, (unsigned long)&done, DOMID_SELF, 0), 0,
              "512 L1 updates");
    expect_rc(done, 512, "done after 512 L1 updates");
    for (unsigned int i = 0; i < 512; i++) {
        volatile uint64_t *p = (volatile uint64_t *)(base + i * 4096UL) + i;
        if (!probe_read(p, &v) || v != (0x7a60000000000000UL | i)) {
            test_fail("page %u: read %#lx through the batch mapping", i, (unsigned long)v);
            break;
        }
        if ((i & 1) != probe_write(p, v)) {
            test_fail("page %u: writability does not match the requested RW=%u", i, i & 1);
            break;
        }
    }

    /* A batch stopping at request 300 (an unowned frame): 0-299 applied. */
    for (unsigned int i = 0; i < 512; i++)
        req[i] = (struct mmu_update){ pt_maddr(l1, i), 0 };
    req[300].val = (pt_unowned_mfn(pt_max_page / 2) << 12) | L1_FLAGS_RO;
    done = 0;
    if (HC5(mmu_update, (unsigned long)req, 512, (unsigned long)&done, DOMID_SELF, 0) == 0)
        test_fail("a batch with a bad request in the middle succeeded");
    expect_rc(done, 300, "done for a batch refused at request 300");
    if (pt_read_entry(l1, 299) || !pt_read_entry(l1, 300) || !pt_read_entry(l1, 511))
        test_fail("requests before 300 not applied, or 300+ applied");
    done = 0;
    expect_rc(HC5(mmu_update, (unsigned long)&req[301], 211, (unsigned long)&done, DOMID_SELF, 0), 0,
              "the rest after the bad one");
    expect_rc(done, 211, "done for the rest");
    expect_rc(mmu_update1(pt_maddr(l1, 300), 0), 0, "entry 300");
    expect_rc(mmuext1(MMUEXT_TLB_FLUSH_LOCAL, 0, 0), 0, "flush");
    if (probe_read((void *)base, &v))
        test_fail("unmapped page still readable");
    expect_rc(mmu_update1(pt_maddr(pt_l2, l2s), 0), 0, "unlink the L1");
    test_success();
}
