/*
 * mmu_machphys_foreign (hostile): MMU_MACHPHYS_UPDATE sets M2P[mfn] for a
 * frame of the page owner. Point it at frames that are not the guest's:
 * hypervisor frames (max_page - 1, the M2P's own frames, mfn 0), a free
 * frame, a frame beyond RAM - to forge ownership of memory or corrupt the
 * M2P other domains read. Xen (do_mmu_update): get_page_from_mfn(mfn,
 * pg_owner) fails -> -EINVAL, the batch stops there (`done` counts the
 * requests before it), and the M2P is unchanged. The guest's own frames
 * can be updated (and are restored).
 */
#include "pt.h"

const char test_title[] = "hostile: MMU_MACHPHYS_UPDATE of frames not ours";

static void attack(uint64_t m, const char *what)
{
    const volatile uint64_t *m2p = (const volatile uint64_t *)MACH2PHYS_VIRT_START;
    uint64_t before = m < pt_max_page ? m2p[m] : 0;

    expect_rc(mmu_update1((m << 12) | MMU_MACHPHYS_UPDATE, 0), -XEN_EINVAL, "MACHPHYS_UPDATE %s := pfn 0", what);
    expect_rc(mmu_update1((m << 12) | MMU_MACHPHYS_UPDATE, 0x1234), -XEN_EINVAL, "MACHPHYS_UPDATE %s := 0x1234",
              what);
    if (m < pt_max_page && m2p[m] != before)
        test_fail("M2P[%#lx] (%s) changed to %#lx", (unsigned long)m, what, (unsigned long)m2p[m]);
}

void test_main(void)
{
    const volatile uint64_t *m2p = (const volatile uint64_t *)MACH2PHYS_VIRT_START;
    uint64_t frames[1], pfn, own, unowned;
    struct mmu_update req[3];
    unsigned int done;

    if (!pt_init())
        return;
    pfn = pt_free_pfn();
    own = pfn_to_mfn(pfn);
    unowned = pt_unowned_mfn(pt_max_page / 2);
    attack(pt_max_page - 1, "max_page - 1 (hypervisor)");
    if (pt_m2p_frames(frames, 1))
        attack(frames[0], "the M2P's first frame");
    attack(0, "mfn 0");
    attack(0x200, "the core image");
    attack(unowned, "a free frame");
    attack(pt_max_page + 3, "beyond RAM");

    /* In a batch: own frame, foreign frame, own frame -> stops at the second. */
    req[0] = (struct mmu_update){ (own << 12) | MMU_MACHPHYS_UPDATE, pfn + 1 };
    req[1] = (struct mmu_update){ (unowned << 12) | MMU_MACHPHYS_UPDATE, pfn };
    req[2] = (struct mmu_update){ (own << 12) | MMU_MACHPHYS_UPDATE, pfn + 2 };
    done = 0;
    expect_rc(HC5(mmu_update, (unsigned long)req, 3, (unsigned long)&done, DOMID_SELF, 0), -XEN_EINVAL,
              "batch own, foreign, own");
    expect_rc(done, 1, "done for own, foreign, own");
    if (m2p[own] != pfn + 1)
        test_fail("first request of the batch not applied (M2P %#lx)", (unsigned long)m2p[own]);
    expect_rc(mmu_update1((own << 12) | MMU_MACHPHYS_UPDATE, pfn), 0, "restore our M2P entry");
    if (m2p[own] != pfn || m2p[unowned] != INVALID_M2P_ENTRY)
        test_fail("M2P not as expected at the end");
    test_success();
}
