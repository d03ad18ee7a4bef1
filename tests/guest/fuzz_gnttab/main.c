/*
 * Hostile: a seeded grant-table fuzzer. The domain grants to itself (and
 * to others) and, from a fixed seed, makes 20,000 grant_table_op calls
 * with random sub-ops, refs (in and beyond the table), domains, map flags,
 * addresses (scratch slots, hypervisor, non-canonical, unaligned), handles
 * (live, stale, random), copy sides, offsets and lengths, while it
 * rewrites its own entries (grant, revoke, readonly, transfer, garbage)
 * under the mappings. Frames granted or copied are spare frames of its
 * own, its table frames, a pinned L1 and a frame that is not its own, so
 * it never damages its own image. Also transfer, swap_grant_ref,
 * get_status_frames, cache_flush and (rarely) dump_table with random
 * arguments, cmd bits 12+, and its own grant PTEs zapped behind the grant
 * layer's back (implicit unmaps). At the end every live handle is
 * unmapped and no entry may still show GTF_reading/GTF_writing; the
 * hypervisor must survive and the audit must be clean. At least 0.5% of
 * the calls must map. "seed=N", "rounds=N" explore further (make fuzz).
 */
#include "pt.h"
#include "testarg.h"
#include <tandem/grant_table.h>

const char test_title[] = "grant fuzz: grant tables survive hostile use";

#define NREFS    64
#define NSLOTS   16
#define SLOT0    100
#define NPOOL    8
#define MAXH     512

static uint64_t state = 0x2545f4914f6cdd1dULL;
static uint64_t rnd(void) { return xorshift64(&state); }

static domid_t self;
static volatile struct grant_entry_v1 *table;
static uint64_t frames_tab[2], pool[NPOOL], l1, unowned;
static struct { grant_handle_t h; uint64_t va; } live[MAXH];
static unsigned int nlive, mapped;

static uint64_t pick_frame(void)
{
    switch (rnd() % 6) {
    case 0: return frames_tab[rnd() % 2];
    case 1: return l1;
    case 2: return unowned;
    case 3: return rnd() % 2 ? 0 : 0xffffffffU;
    default: return pool[rnd() % NPOOL];
    }
}

static domid_t pick_dom(void)
{
    static const domid_t d[] = { 0, 1, 2, 7, 999, DOMID_SELF, 0x7ff2 };

    return rnd() % 2 ? self : d[rnd() % (sizeof(d) / sizeof(d[0]))];
}

static grant_ref_t pick_ref(void)
{
    switch (rnd() % 8) {
    case 0: return 1024 + rnd() % 8;        /* beyond a 2-frame table */
    case 1: return (grant_ref_t)rnd();
    default: return rnd() % NREFS;
    }
}

static uint64_t pick_va(void)
{
    static const uint64_t hostile[] = { 0, 0xffff800000000000ULL, 0x0000800000000000ULL,
                                        0xffff830000001000ULL, 0xfffffffffffff000ULL };

    switch (rnd() % 10) {
    case 0: return hostile[rnd() % 5];
    case 1: return (uint64_t)pt_slot_va(SLOT0 + rnd() % NSLOTS) + 1 + rnd() % 4095;
    default: return (uint64_t)pt_slot_va(SLOT0 + rnd() % NSLOTS);
    }
}

static void regrant(void)
{
    static const uint16_t fl[] = { GTF_permit_access, GTF_permit_access | GTF_readonly, GTF_accept_transfer,
                                   GTF_invalid, GTF_transitive, GTF_permit_access | GTF_sub_page,
                                   GTF_permit_access | GTF_PCD };
    unsigned int r = rnd() % NREFS;

    table[r].domid = rnd() % 4 ? self : pick_dom();
    table[r].frame = (uint32_t)pick_frame();
    table[r].flags = fl[rnd() % (sizeof(fl) / sizeof(fl[0]))];
}

static void do_map(unsigned int n)
{
    struct gnttab_map_grant_ref op[4];
    static const uint32_t fl[] = { GNTMAP_host_map, GNTMAP_host_map | GNTMAP_readonly, 0, GNTMAP_device_map,
                                   GNTMAP_host_map | GNTMAP_contains_pte, GNTMAP_host_map | GNTMAP_application_map };

    for (unsigned int i = 0; i < n; i++)
        op[i] = (struct gnttab_map_grant_ref){ .host_addr = pick_va(), .ref = pick_ref(), .dom = pick_dom(),
                                               .flags = rnd() % 3 ? fl[rnd() % 2] : fl[rnd() % 6] };
    if (HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, op, n))
        test_fail("map batch: the call failed");
    for (unsigned int i = 0; i < n; i++)
        if (op[i].status == GNTST_okay) {
            mapped++;
            if (nlive < MAXH)
                live[nlive++] = (typeof(live[0])){ op[i].handle, op[i].host_addr };
            else
                test_fail("more than %u live handles", MAXH);
        }
}

static void do_unmap(void)
{
    struct gnttab_unmap_grant_ref op = { 0 };
    unsigned int k = nlive ? rnd() % nlive : 0;

    if (nlive && rnd() % 4) {
        op.handle = live[k].h;
        op.host_addr = rnd() % 8 ? live[k].va : pick_va();
    } else {
        op.handle = rnd() % 3 ? (grant_handle_t)(rnd() % 1024) : (grant_handle_t)rnd();
        op.host_addr = pick_va();
    }
    if (rnd() % 16 == 0)
        op.dev_bus_addr = rnd();
    if (HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1))
        test_fail("unmap: the call failed");
    /*
     * Released: okay, or general_error when the PTE had changed under it
     * (not for a wrong address; a wrong dev_bus_addr is bad_dev_addr).
     */
    if (nlive && op.handle == live[k].h &&
        (op.status == GNTST_okay ||
         (op.status == GNTST_general_error && (op.host_addr == live[k].va || !op.host_addr))))
        live[k] = live[--nlive];
}

static void copy_side(struct gnttab_copy_ptr *p, bool gref)
{
    if (gref) {
        p->u.ref = pick_ref();
        p->domid = pick_dom();
    } else {
        p->u.gmfn = pick_frame();
        p->domid = rnd() % 4 ? DOMID_SELF : pick_dom();
    }
    p->offset = rnd() % 2 ? rnd() % 4096 : (uint16_t)rnd();
}

static void do_copy(void)
{
    struct gnttab_copy op = { 0 };

    op.flags = rnd() % 4;
    if (rnd() % 8 == 0)
        op.flags = (uint16_t)rnd();
    copy_side(&op.source, op.flags & GNTCOPY_source_gref);
    copy_side(&op.dest, op.flags & GNTCOPY_dest_gref);
    op.len = rnd() % 2 ? rnd() % 512 : (uint16_t)rnd();
    /* A copy into our own table frames may rewrite entries: that is part of the game. */
    if (HYPERVISOR_grant_table_op(GNTTABOP_copy, &op, 1))
        test_fail("copy: the call failed");
}

static uint64_t sfl[8];

static void do_misc(void)
{
    struct gnttab_query_size qs = { .dom = pick_dom() };
    struct gnttab_set_version sv = { .version = rnd() % 4 };
    struct gnttab_get_version gv = { .dom = pick_dom() };

    struct gnttab_transfer tr[2];
    struct gnttab_swap_grant_ref sw[3];
    struct gnttab_get_status_frames sf = { .nr_frames = rnd() % 3, .dom = pick_dom(), .frame_list = (uint64_t)sfl };
    struct gnttab_cache_flush cf[2];
    struct gnttab_dump_table dt = { .dom = pick_dom() };
    unsigned int n = 1 + rnd() % 2;

    switch (rnd() % 10) {
    case 0: HYPERVISOR_grant_table_op(GNTTABOP_query_size, &qs, 1); break;
    case 1: HYPERVISOR_grant_table_op(GNTTABOP_set_version, &sv, 1); break;
    case 2: HYPERVISOR_grant_table_op(GNTTABOP_get_version, &gv, 1); break;
    case 3:
        for (unsigned int i = 0; i < 2; i++)
            tr[i] = (struct gnttab_transfer){ .mfn = pick_frame(), .domid = pick_dom(), .ref = pick_ref() };
        HYPERVISOR_grant_table_op(GNTTABOP_transfer, tr, n);
        break;
    case 4:
        for (unsigned int i = 0; i < 3; i++)
            sw[i] = (struct gnttab_swap_grant_ref){ .ref_a = pick_ref(), .ref_b = pick_ref() };
        HYPERVISOR_grant_table_op(GNTTABOP_swap_grant_ref, sw, 1 + rnd() % 3);
        break;
    case 5: HYPERVISOR_grant_table_op(GNTTABOP_get_status_frames, &sf, 1 + (rnd() % 8 == 0)); break;
    case 6:
        for (unsigned int i = 0; i < 2; i++) {
            cf[i] = (struct gnttab_cache_flush){ .offset = (uint16_t)(rnd() % 2 ? rnd() % 4096 : rnd()),
                                                 .length = (uint16_t)(rnd() % 2 ? rnd() % 4097 : rnd()),
                                                 .op = (uint32_t)(rnd() % 4 ? rnd() % 4 : rnd()) };
            cf[i].a.dev_bus_addr = rnd() % 4 ? pick_frame() << 12 | (rnd() % 4096) : rnd();
        }
        HYPERVISOR_grant_table_op(GNTTABOP_cache_flush | (rnd() % 8 ? 0 : (unsigned int)(rnd() % 4096) << 12), cf, n);
        break;
    case 7:
        if (rnd() % 256 == 0)       /* rare: it logs the whole table */
            HYPERVISOR_grant_table_op(GNTTABOP_dump_table, &dt, 1);
        break;
    case 8:
        /* A PTE a grant may have written, zapped behind the grant layer (implicit unmap). */
        pt_unmap(SLOT0 + rnd() % NSLOTS);
        break;
    default: HYPERVISOR_grant_table_op((unsigned int)(rnd() % 16) | (rnd() % 8 ? 0 : 1U << 12), &qs,
                                       (unsigned int)(rnd() % 3)); break;
    }
}

static domid_t find_self(void)
{
    uint64_t va = (uint64_t)pt_slot_va(SLOT0);

    for (domid_t d = 0; d < 64; d++) {
        struct gnttab_map_grant_ref op = { .host_addr = va, .flags = GNTMAP_host_map | GNTMAP_readonly,
                                           .ref = 0, .dom = d };
        struct gnttab_unmap_grant_ref u = { .host_addr = va };
        table[0] = (struct grant_entry_v1){ GTF_permit_access, d, (uint32_t)pool[0] };
        HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);
        if (op.status == GNTST_okay) {
            u.handle = op.handle;
            HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &u, 1);
            return d;
        }
    }
    return 0xffff;
}

void test_main(void)
{
    struct gnttab_setup_table st = { .dom = DOMID_SELF, .nr_frames = 2 };
    unsigned long seed = test_arg("seed", 0), rounds = test_arg("rounds", 1), ops = 0;

    if (seed)
        state ^= seed * 0x9e3779b97f4a7c15ULL;
    if (!pt_init())
        return;
    st.frame_list = (uint64_t)frames_tab;
    if (HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1) || st.status != GNTST_okay) {
        test_fail("setup_table: status %d", st.status);
        return;
    }
    expect_rc(pt_map(10, frames_tab[0], L1_FLAGS_RW), 0, "map table frame 0");
    table = pt_slot_va(10);
    for (unsigned int i = 0; i < NPOOL; i++)
        pool[i] = pt_free_mfn();
    l1 = pt_new_table(NULL, NULL, 0);
    expect_rc(mmuext1(MMUEXT_PIN_L1_TABLE, l1, 0), 0, "pin an L1");
    unowned = pt_unowned_mfn(pt_max_page - 1);
    for (unsigned int s = 0; s < NSLOTS; s++)
        pt_unmap(SLOT0 + s);
    if ((self = find_self()) == 0xffff) {
        test_fail("no domain id maps our own grant");
        return;
    }
    for (unsigned int r = 0; r < NREFS; r++)
        regrant();

    for (unsigned long i = 0; i < 20000 * rounds; i++, ops++) {
        switch (rnd() % 10) {
        case 0: case 1: case 2: do_map(1 + (rnd() % 4 == 0 ? rnd() % 4 : 0)); break;
        case 3: case 4: do_unmap(); break;
        case 5: case 6: do_copy(); break;
        case 7: case 8: regrant(); ops--; break;
        default: do_misc(); break;
        }
    }
    /* Every live handle goes; then nothing may show as in use. */
    while (nlive) {
        struct gnttab_unmap_grant_ref op = { .handle = live[--nlive].h };
        HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);
        if (op.status != GNTST_okay && op.status != GNTST_general_error)
            test_fail("final unmap of handle %u: status %d", op.handle, op.status);
    }
    for (unsigned int r = 0; r < NREFS; r++)
        if (table[r].flags & (GTF_reading | GTF_writing))
            test_fail("ref %u still in use after every unmap: flags %#x", r, table[r].flags);
    printk("gnttab fuzz: %lu calls, %u mapped\n", ops, mapped);
    if (mapped < ops / 200)
        test_fail("fewer than 0.5%% of the calls mapped: the fuzzer tests only refusals");
    expect_rc(mmuext1(MMUEXT_UNPIN_TABLE, l1, 0), 0, "unpin the L1");
    test_success();
}
