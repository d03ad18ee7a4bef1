/*
 * gnttab_maptrack (hostile): the maptrack has a limit per mapping domain
 * (Xen's default of 1024 frames; 128 Tandem handles each: 131,072), and
 * batches run element by element. A batch of 32 maps at 32 addresses and
 * its unmap batch; then the domain maps its own grants (4 refs of one
 * page, read-only, at one address) in batches of 512 until the maptrack
 * is full: the next map is GNTST_no_space, and nothing else changed. Each
 * handle is then unmapped (all but the live PTE's answer general_error:
 * the PTE went with the first); a second pass is bad_handle throughout.
 * "max_maptrack=N max_frames=M" give the configuration's limits
 * (gnttab_limits). The audit must be clean.
 */
#include "pt.h"
#include "testarg.h"
#include <tandem/grant_table.h>

const char test_title[] = "hostile: maptrack limit and grant batches";

#define LIMIT_MAX  (1024 * 128)
#define BATCH  512

static struct gnttab_map_grant_ref mops[BATCH];
static struct gnttab_unmap_grant_ref uops[BATCH];
static grant_handle_t handles[LIMIT_MAX];
static unsigned int LIMIT;

static uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static domid_t self_id(volatile struct grant_entry_v1 *t, uint64_t page, void *va)
{
    for (domid_t d = 0; d < 64; d++) {
        struct gnttab_map_grant_ref op = { .host_addr = (uint64_t)va, .flags = GNTMAP_host_map | GNTMAP_readonly,
                                           .ref = 13, .dom = d };
        struct gnttab_unmap_grant_ref u = { .host_addr = (uint64_t)va };
        t[13] = (struct grant_entry_v1){ GTF_permit_access, d, (uint32_t)page };
        HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);
        if (op.status == GNTST_okay) {
            u.handle = op.handle;
            HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
            t[13].flags = 0;
            return d;
        }
    }
    return 0xffff;
}

void test_main(void)
{
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 1 };
    volatile struct grant_entry_v1 *t;
    uint64_t frame = 0, page, v;
    unsigned int n = 0, okay = 0, gerr = 0, other = 0;
    domid_t self;

    unsigned long maxf = test_arg("max_frames", 64);
    struct gnttab_query_size qs = { .dom = DOMID_SELF };

    /* max_maptrack=N max_frames=M: the configuration's max_maptrack_frames and max_grant_frames. */
    LIMIT = 128 * (unsigned int)test_arg("max_maptrack", 1024);
    if (LIMIT > LIMIT_MAX || LIMIT < 4 || maxf < 1 || maxf > 64) {
        test_error("max_maptrack 1..1024, max_frames 1..64");
        return;
    }
    if (!pt_init())
        return;
    expect_rc(HYPERVISOR_grant_table_op(GNTTABOP_query_size, &qs, 1), 0, "query_size");
    expect_rc(qs.max_nr_frames, (long)maxf, "max_nr_frames");
    st.nr_frames = (uint32_t)maxf + 1;
    st.frame_list = (uint64_t)handles;      /* room enough; overwritten later */
    HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1);
    expect_rc(st.status, GNTST_general_error, "setup_table beyond max_grant_frames");
    st.nr_frames = (uint32_t)maxf;
    HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1);
    expect_rc(st.status, GNTST_okay, "setup_table of max_grant_frames");
    st.nr_frames = 1;
    st.frame_list = (uint64_t)&frame;
    if (HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1) || st.status != GNTST_okay) {
        test_fail("setup_table: status %d", st.status);
        return;
    }
    expect_rc(pt_map(10, frame, L1_FLAGS_RW), 0, "map the table frame");
    t = pt_slot_va(10);
    page = pt_free_mfn();
    for (unsigned int s = 100; s < 132; s++)
        pt_unmap(s);
    pt_unmap(99);
    if ((self = self_id(t, page, pt_slot_va(99))) == 0xffff) {
        test_fail("no domain id maps our own grant");
        return;
    }
    for (unsigned int r = 20; r < 24; r++)
        t[r] = (struct grant_entry_v1){ GTF_permit_access, self, (uint32_t)page };

    /* A batch of 32 at 32 addresses, and its unmap batch. */
    for (unsigned int i = 0; i < 32; i++)
        mops[i] = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)pt_slot_va(100 + i),
                                                 .flags = GNTMAP_host_map, .ref = 20, .dom = self };
    expect_rc(HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, mops, 32), 0, "map batch of 32");
    for (unsigned int i = 0; i < 32; i++) {
        if (mops[i].status != GNTST_okay)
            test_fail("batch map %u: status %d", i, mops[i].status);
        *(volatile uint32_t *)pt_slot_va(100 + i) = i;
        uops[i] = (struct gnttab_unmap_grant_ref){ .host_addr = mops[i].host_addr, .handle = mops[i].handle };
    }
    if (*(volatile uint32_t *)pt_slot_va(100) != 31)
        test_fail("the 32 mappings do not share the frame");
    expect_rc(HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, uops, 32), 0, "unmap batch of 32");
    for (unsigned int i = 0; i < 32; i++) {
        if (uops[i].status != GNTST_okay)
            test_fail("batch unmap %u: status %d", i, uops[i].status);
        if (probe_read(pt_slot_va(100 + i), &v))
            test_fail("slot %u readable after the unmap batch", i);
    }
    if (t[20].flags != GTF_permit_access)
        test_fail("ref 20 after the batches: flags %#x", t[20].flags);

    /* Costs, in TSC ticks (guest instructions under tandem-run --icount). */
    {
        enum { N = 1000 };
        struct gnttab_map_grant_ref m1;
        struct gnttab_unmap_grant_ref u1;
        struct gnttab_copy c = { .len = 4096, .flags = GNTCOPY_source_gref };
        static uint8_t buf[2][4096] __attribute__((aligned(4096)));
        uint64_t t0, one, b32, uvm1, cp, mc, other_mfn = pt_va_to_mfn(buf[1]);

        t0 = rdtsc();
        for (unsigned int i = 0; i < N; i++) {
            m1 = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)pt_slot_va(99), .flags = GNTMAP_host_map,
                                                .ref = 20, .dom = self };
            HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &m1, 1);
            u1 = (struct gnttab_unmap_grant_ref){ .handle = m1.handle };
            HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u1, 1);
            if (m1.status || u1.status)
                test_fail("timed map/unmap %u: %d %d", i, m1.status, u1.status);
        }
        one = (rdtsc() - t0) / N;
        t0 = rdtsc();
        for (unsigned int i = 0; i < N / 10; i++) {
            for (unsigned int j = 0; j < 32; j++)
                mops[j] = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)pt_slot_va(100 + j),
                                                         .flags = GNTMAP_host_map, .ref = 20, .dom = self };
            HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, mops, 32);
            for (unsigned int j = 0; j < 32; j++)
                uops[j] = (struct gnttab_unmap_grant_ref){ .handle = mops[j].handle };
            HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, uops, 32);
        }
        b32 = (rdtsc() - t0) / (N / 10);
        t0 = rdtsc();
        for (unsigned int i = 0; i < N; i++) {
            pt_map(99, page, L1_FLAGS_RW);
            pt_unmap(99);
        }
        uvm1 = (rdtsc() - t0) / N;
        c.source.u.ref = 20;
        c.source.domid = self;
        c.dest.u.gmfn = other_mfn;
        c.dest.domid = DOMID_SELF;
        t0 = rdtsc();
        for (unsigned int i = 0; i < N; i++)
            HYPERVISOR_grant_table_op(GNTTABOP_copy, &c, 1);
        cp = (rdtsc() - t0) / N;
        if (c.status)
            test_fail("timed copy: status %d", c.status);
        t0 = rdtsc();
        for (unsigned int i = 0; i < N; i++) {
            memcpy(buf[1], buf[0], 4096);
            __asm__ __volatile__("" ::: "memory");
        }
        mc = (rdtsc() - t0) / N;
        printk("gnttab cost (TSC ticks): map+unmap 1 page %lu, batch of 32 map + 32 unmap %lu (%lu a page), "
               "update_va_mapping map+unmap %lu; copy 4 KiB %lu, memcpy 4 KiB %lu\n", (unsigned long)one,
               (unsigned long)b32, (unsigned long)(b32 / 32), (unsigned long)uvm1, (unsigned long)cp, (unsigned long)mc);
    }

    /* Fill the maptrack. */
    while (n < LIMIT) {
        unsigned int k = LIMIT - n < BATCH ? LIMIT - n : BATCH;
        for (unsigned int i = 0; i < k; i++)
            mops[i] = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)pt_slot_va(99),
                                                     .flags = GNTMAP_host_map | GNTMAP_readonly,
                                                     .ref = 20 + (n + i) * 4 / LIMIT, .dom = self };
        if (HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, mops, k)) {
            test_fail("map batch at %u: the call failed", n);
            break;
        }
        for (unsigned int i = 0; i < k; i++) {
            if (mops[i].status != GNTST_okay) {
                test_fail("map %u: status %d before the limit", n + i, mops[i].status);
                k = i;
                break;
            }
            handles[n + i] = mops[i].handle;
        }
        n += k;
        if (k < BATCH && n < LIMIT)
            break;
    }
    mops[0] = (struct gnttab_map_grant_ref){ .host_addr = (uint64_t)pt_slot_va(99),
                                             .flags = GNTMAP_host_map | GNTMAP_readonly, .ref = 23, .dom = self };
    HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, mops, 1);
    expect_rc(mops[0].status, GNTST_no_space, "map beyond the maptrack limit");
    if (n == LIMIT && mops[0].status == GNTST_no_space)
        printk("maptrack: %u handles, then no_space (max_maptrack_frames %u)\n", n, LIMIT / 128);

    /* Unmap every handle; then again (all stale). */
    for (unsigned int pass = 0; pass < 2; pass++)
        for (unsigned int b = 0; b < n; b += BATCH) {
            unsigned int k = n - b < BATCH ? n - b : BATCH;
            for (unsigned int i = 0; i < k; i++)
                uops[i] = (struct gnttab_unmap_grant_ref){ .handle = handles[b + i] };
            HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, uops, k);
            for (unsigned int i = 0; i < k; i++) {
                int16_t s = uops[i].status;
                if (pass)
                    other += s != GNTST_bad_handle;
                else if (s == GNTST_okay)
                    okay++;
                else if (s == GNTST_general_error)
                    gerr++;
                else
                    other++;
            }
        }
    printk("unmap: %u okay, %u general_error (PTE already gone), %u unexpected\n", okay, gerr, other);
    if (okay != 1 || gerr != n - 1 || other)
        test_fail("unmapping the full maptrack gave unexpected statuses");
    for (unsigned int r = 20; r < 24; r++)
        if (t[r].flags != GTF_permit_access)
            test_fail("ref %u after all unmaps: flags %#x", r, t[r].flags);
    if (probe_read(pt_slot_va(99), &v))
        test_fail("the mapping address is still readable");
    pt_unmap(10);
    test_success();
}
