/*
 * hvm_ioreq: a device model in a PV domain for the HVM guest d1
 * (tests/hvm/ioreq.S), through Xen's ioreq server interface: dm_op creates
 * a server on d1, XENMEM_acquire_resource gives its ioreq page's machine
 * frame, mmu_update (MMU_PT_UPDATE_NO_TRANSLATE, foreigndom d1) maps it,
 * EVTCHNOP_bind_interdomain binds the port in slot 0, then the device
 * model serves port I/O on 0x510-0x51f until d1 powers off. First every
 * refusal of every dm_op sub-op and of acquire_resource (Xen's codes).
 * Command line:
 *   want=ok (default)   serve every request; d1 must power off (its checks
 *                       passed) and the recorded writes must be the guest's;
 *   want=garbage        answer the 3rd request with state 7: d1 killed;
 *   want=backwards      set the 3rd request's state back to NONE unanswered: d1 killed;
 *   want=destroy_server destroy the server instead of answering the 3rd: d1 killed;
 *   want=remote_shutdown power d1 off (dm_op 16) instead of answering the 3rd;
 *   want=destroy_target leave the 3rd unanswered and destroy d1 (domctl):
 *                       its server, page and ports go; every frame returns;
 *   want=die            (an unprivileged device model, config dm=) crash itself
 *                       with the 3rd request unanswered: the HVM domain is
 *                       killed; role=watch (the privileged domain) sees both end;
 *   target=N            the HVM domain to serve (default 1);
 *   role=unpriv         (an unprivileged PV domain) dm_op and
 *                       acquire_resource on d1 refused -EPERM, dm_op on a
 *                       PV domain -EINVAL.
 * Along the way (want=ok) it misbehaves harmlessly: a response written
 * before any request, an extra notification after answers, junk in the
 * fields it does not own and data for writes; none may change what d1 sees.
 */
#include "multidom.h"
#include "pt.h"
#include <tandem/hvm/dm_op.h>
#include <tandem/hvm/ioreq.h>
#include <tandem/memory.h>
#include <tandem/sched.h>

const char test_title[] = "a device model for an HVM domain through ioreq servers";

static domid_t HVM = 1;         /* the HVM domain served (target=) */
#define F(p)    (0xa500005aU | ((uint32_t)(p) << 8))
#define P(f, r) (0x5c000000U | ((uint32_t)(f) << 8) | (r))    /* config register r of function f */
#define FN      XEN_DMOP_PCI_SBDF(0, 0, 3, 0)                  /* the function it claims: 00:03.0 */
#define M(o)    (0x3c00005aU | ((uint32_t)(o) << 8))           /* MMIO page offset o */
#define MMIO    0xe0000000UL                                    /* the page it claims (no RAM there) */

static volatile unsigned long events;
static struct ioreq *slot;
static uint64_t page_mfn;
static uint32_t lport;
static uint16_t sid;
static struct { uint32_t port, size, data; } writes[16];
static unsigned int nr_writes, nr_requests;
static uint32_t loopback;

static void on_event(uint32_t port)
{
    (void)port;
    events++;
}

static long dm_op_buf(domid_t d, unsigned int nr, const struct xen_dm_op_buf *b)
{
    return HYPERVISOR_dm_op(d, nr, b);
}

static long dm_op(domid_t d, struct xen_dm_op *op, size_t size)
{
    struct xen_dm_op_buf b = { (uint64_t)op, size };
    return dm_op_buf(d, 1, &b);
}

static long create(domid_t d, uint8_t buf, uint16_t *id)
{
    struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };
    long rc;

    op.u.create_ioreq_server.handle_bufioreq = buf;
    rc = dm_op(d, &op, sizeof(op));
    if (!rc && id)
        *id = op.u.create_ioreq_server.id;
    return rc;
}

static long simple(uint32_t cmd, uint16_t id, uint8_t arg, uint8_t pad)
{
    struct xen_dm_op op = { .op = cmd };

    if (cmd == XEN_DMOP_set_ioreq_server_state) {
        op.u.set_ioreq_server_state = (struct xen_dm_op_set_ioreq_server_state){ id, arg, pad };
    } else {
        op.u.destroy_ioreq_server.id = id;
        op.u.destroy_ioreq_server.pad = pad;
    }
    return dm_op(HVM, &op, sizeof(op));
}

static long range(uint32_t cmd, uint16_t id, uint32_t type, uint64_t a, uint64_t b, uint16_t pad)
{
    struct xen_dm_op op = { .op = cmd };

    op.u.map_io_range_to_ioreq_server = (struct xen_dm_op_ioreq_server_range){ id, pad, type, a, b };
    return dm_op(HVM, &op, sizeof(op));
}

static long info(uint16_t id, uint16_t flags)
{
    struct xen_dm_op op = { .op = XEN_DMOP_get_ioreq_server_info };

    op.u.get_ioreq_server_info.id = id;
    op.u.get_ioreq_server_info.flags = flags;
    return dm_op(HVM, &op, sizeof(op));
}

static long acquire(domid_t d, uint16_t type, uint32_t id, uint64_t frame, uint32_t nr, uint64_t *list,
                    uint32_t *nr_out)
{
    struct xen_mem_acquire_resource r = { .domid = d, .type = type, .id = id, .nr_frames = nr,
                                          .frame = frame, .frame_list = (uint64_t)list };
    long rc = HYPERVISOR_memory_op(XENMEM_acquire_resource, &r);

    if (nr_out)
        *nr_out = r.nr_frames;
    return rc;
}

/* Every refusal of the buffers and the sub-ops, in Xen's order of checks. */
static void refusals(void)
{
    struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };
    struct xen_dm_op_buf b[3] = { { (uint64_t)&op, sizeof(op) }, { 0, 0 }, { 0, 0 } };
    uint16_t ids[8];
    uint64_t mfn = 0;
    uint32_t n = 0;

    expect_rc(dm_op(0x7fe0, &op, sizeof(op)), -XEN_ESRCH, "dm_op on an unknown domain");
    expect_rc(dm_op(DOMID_SELF, &op, sizeof(op)), -XEN_ESRCH, "dm_op on DOMID_SELF (not resolved)");
    expect_rc(dm_op(0, &op, sizeof(op)), -XEN_EPERM, "dm_op on itself");
    expect_rc(dm_op_buf(HVM, 3, b), -XEN_E2BIG, "dm_op with 3 buffers");
    expect_rc(dm_op_buf(HVM, 0, b), -XEN_EFAULT, "dm_op with no buffer");
    expect_rc(HYPERVISOR_dm_op(HVM, 1, (const void *)0x1000), -XEN_EFAULT, "dm_op with an unmapped buffer list");
    b[0].size = 4;
    expect_rc(dm_op_buf(HVM, 1, b), -XEN_EFAULT, "dm_op buffer shorter than the header");
    b[0].size = 8 + 4;
    expect_rc(dm_op_buf(HVM, 1, b), -XEN_EFAULT, "dm_op buffer shorter than create's member");
    b[0] = (struct xen_dm_op_buf){ 0x1000, sizeof(op) };
    expect_rc(dm_op_buf(HVM, 1, b), -XEN_EFAULT, "dm_op buffer unmapped");
    op.op = 99;
    expect_rc(dm_op(HVM, &op, sizeof(op)), -XEN_EOPNOTSUPP, "dm_op 99");
    op.op = 7;
    expect_rc(dm_op(HVM, &op, sizeof(op)), -XEN_EOPNOTSUPP, "dm_op 7 (track_dirty_vram: not here)");
    op.op = XEN_DMOP_nr_vcpus;
    op.u.nr_vcpus.vcpus = 99;
    expect_rc(dm_op(HVM, &op, sizeof(op)), 0, "nr_vcpus");
    if (op.u.nr_vcpus.vcpus != 1)
        test_fail("nr_vcpus: %u, want 1", op.u.nr_vcpus.vcpus);
    b[0] = (struct xen_dm_op_buf){ (uint64_t)&op, 8 + 3 };
    expect_rc(dm_op_buf(HVM, 1, b), -XEN_EFAULT, "nr_vcpus, buffer 3 bytes short of its member");
    b[0] = (struct xen_dm_op_buf){ (uint64_t)&op, sizeof(op) };
    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_create_ioreq_server;
    op.pad = 1;
    expect_rc(dm_op(HVM, &op, sizeof(op)), -XEN_EINVAL, "dm_op with pad set");
    op.pad = 0;
    op.u.create_ioreq_server.pad[1] = 1;
    expect_rc(dm_op(HVM, &op, sizeof(op)), -XEN_EINVAL, "create with pad set");
    expect_rc(create(HVM, HVM_IOREQSRV_BUFIOREQ_ATOMIC + 1, NULL), -XEN_EINVAL, "create, bufioreq 3");
    expect_rc(create(HVM, HVM_IOREQSRV_BUFIOREQ_LEGACY, NULL), -XEN_EOPNOTSUPP, "create, buffered ioreqs");

    /* Eight servers, not nine; all but the first destroyed again. */
    for (unsigned int i = 0; i < 8; i++)
        expect_rc(create(HVM, 0, &ids[i]), 0, "create server %u", i);
    expect_rc(create(HVM, 0, NULL), -XEN_ENOSPC, "a ninth server");
    for (unsigned int i = 1; i < 8; i++)
        expect_rc(simple(XEN_DMOP_destroy_ioreq_server, ids[i], 0, 0), 0, "destroy server %u", ids[i]);
    sid = ids[0];

    expect_rc(info(ids[1], XEN_DMOP_no_gfns), -XEN_ENOENT, "info of a destroyed server");
    expect_rc(info(200, XEN_DMOP_no_gfns), -XEN_ENOENT, "info of server 200");
    expect_rc(info(sid, 0), -XEN_EOPNOTSUPP, "info asking for guest frames");
    expect_rc(info(sid, 2), -XEN_EINVAL, "info with an unknown flag");
    expect_rc(info(sid, XEN_DMOP_no_gfns), 0, "info");

    expect_rc(range(XEN_DMOP_map_io_range_to_ioreq_server, 200, 0, 0x510, 0x51f, 0), -XEN_ENOENT, "map, server 200");
    expect_rc(range(XEN_DMOP_map_io_range_to_ioreq_server, sid, 0, 0x51f, 0x510, 0), -XEN_EINVAL, "map, inverted");
    expect_rc(range(XEN_DMOP_map_io_range_to_ioreq_server, sid, 3, 0x510, 0x51f, 0), -XEN_EINVAL, "map, type 3");
    expect_rc(range(XEN_DMOP_map_io_range_to_ioreq_server, sid, 0, 0x510, 0x51f, 1), -XEN_EINVAL, "map, pad");
    expect_rc(range(XEN_DMOP_map_io_range_to_ioreq_server, sid, 0, 0x510, 0x51f, 0), 0, "map 0x510-0x51f");
    expect_rc(range(XEN_DMOP_map_io_range_to_ioreq_server, sid, 0, 0x518, 0x520, 0), -XEN_EEXIST, "map, overlapping end");
    expect_rc(range(XEN_DMOP_map_io_range_to_ioreq_server, sid, 0, 0x500, 0x510, 0), -XEN_EEXIST, "map, overlapping start");
    expect_rc(range(XEN_DMOP_map_io_range_to_ioreq_server, sid, 1, 0x510, 0x51f, 0), 0, "map the same numbers as MMIO");
    expect_rc(range(XEN_DMOP_unmap_io_range_from_ioreq_server, sid, 1, 0x510, 0x51f, 0), 0, "unmap MMIO");
    expect_rc(range(XEN_DMOP_unmap_io_range_from_ioreq_server, sid, 1, 0x510, 0x51f, 0), -XEN_ENOENT, "unmap MMIO twice");
    expect_rc(range(XEN_DMOP_unmap_io_range_from_ioreq_server, sid, 0, 0x50f, 0x511, 0), -XEN_ENOENT, "unmap, partly claimed");
    expect_rc(range(XEN_DMOP_unmap_io_range_from_ioreq_server, sid, 0, 0x511, 0x510, 0), -XEN_EINVAL, "unmap, inverted");
    expect_rc(range(XEN_DMOP_unmap_io_range_from_ioreq_server, 200, 0, 0x510, 0x51f, 0), -XEN_ENOENT, "unmap, server 200");
    expect_rc(range(XEN_DMOP_map_io_range_to_ioreq_server, sid, XEN_DMOP_IO_RANGE_PCI, FN, FN, 0), 0,
              "map PCI function 00:03.0");
    expect_rc(range(XEN_DMOP_map_io_range_to_ioreq_server, sid, XEN_DMOP_IO_RANGE_MEMORY, MMIO, MMIO + 0xfff, 0), 0,
              "map MMIO 0xe0000000-0xe0000fff");
    /* Split and join again: unmap the middle, map it back. */
    expect_rc(range(XEN_DMOP_unmap_io_range_from_ioreq_server, sid, 0, 0x514, 0x515, 0), 0, "unmap the middle");
    expect_rc(range(XEN_DMOP_map_io_range_to_ioreq_server, sid, 0, 0x514, 0x515, 0), 0, "map the middle back");

    expect_rc(simple(XEN_DMOP_set_ioreq_server_state, 200, 1, 0), -XEN_ENOENT, "enable server 200");
    expect_rc(simple(XEN_DMOP_set_ioreq_server_state, sid, 1, 1), -XEN_EINVAL, "enable, pad");
    expect_rc(simple(XEN_DMOP_destroy_ioreq_server, 200, 0, 0), -XEN_ENOENT, "destroy server 200");
    expect_rc(simple(XEN_DMOP_destroy_ioreq_server, sid, 0, 1), -XEN_EINVAL, "destroy, pad");

    expect_rc(acquire(0x7fe0, 0, sid, 1, 1, &mfn, NULL), -XEN_ESRCH, "acquire of an unknown domain");
    expect_rc(acquire(0, 0, sid, 1, 1, &mfn, NULL), -XEN_EPERM, "acquire of itself");
    expect_rc(acquire(HVM, XENMEM_resource_grant_table, 0, 0, 1, &mfn, NULL), -XEN_EOPNOTSUPP, "acquire grant table");
    expect_rc(acquire(HVM, 0, sid, 0, 0, NULL, &n), 0, "acquire: size query");
    if (n != 2)
        test_fail("acquire size query: %u frames, want 2", n);
    expect_rc(acquire(HVM, 0, sid, 0, 1, NULL, NULL), -XEN_EINVAL, "acquire: no list but frames");
    expect_rc(acquire(HVM, 0, sid, 0, 1, &mfn, NULL), -XEN_ENOENT, "acquire the buffered page");
    expect_rc(acquire(HVM, 0, sid, 1, 2, &mfn, NULL), -XEN_EINVAL, "acquire beyond the resource");
    expect_rc(acquire(HVM, 0, sid, 2, 1, &mfn, NULL), -XEN_EINVAL, "acquire frame 2");
    expect_rc(acquire(HVM, 0, 200, 1, 1, &mfn, NULL), -XEN_ENOENT, "acquire of server 200");
    expect_rc(acquire(HVM, 0, sid, 1, 1, (uint64_t *)0x1000, NULL), -XEN_EFAULT, "acquire into an unmapped list");
    printk("dm: every refusal as Xen's\n");
}

/* Map the ioreq page of server sid (and show that only d1's foreign mapping takes it). */
static bool map_page(void)
{
    uint64_t mfn = 0;
    int s = pt_alloc_slot();

    expect_rc(acquire(HVM, 0, sid, XENMEM_resource_ioreq_server_frame_ioreq(0), 1, &mfn, NULL), 0, "acquire");
    if (!mfn || s < 0) {
        test_fail("no ioreq frame (mfn %#lx) or no slot", (unsigned long)mfn);
        return false;
    }
    expect_rc(mmu_update_fd(pt_maddr(pt_scratch_l1, s) | MMU_PT_UPDATE_NO_TRANSLATE, (mfn << 12) | L1_FLAGS_RW,
                            DOMID_SELF, NULL), -XEN_EBUSY, "map the ioreq page as our own frame");
    expect_rc(mmu_update_fd(pt_maddr(pt_scratch_l1, s) | MMU_PT_UPDATE_NO_TRANSLATE, (mfn << 12) | L1_FLAGS_RW,
                            HVM, NULL), 0, "map the ioreq page, foreigndom d1");
    slot = (struct ioreq *)pt_slot_va((unsigned int)s);
    page_mfn = mfn;
    printk("dm: ioreq page mfn %#lx mapped, slot 0 port %u\n", (unsigned long)mfn, slot->vp_eport);
    return true;
}

/* d1's own memory by guest frame (a normal foreign update of an HVM domain is translated): its code. */
static void map_guest_memory(void)
{
    int s = pt_alloc_slot();
    const volatile uint8_t *code;

    expect_rc(mmu_update_fd(pt_maddr(pt_scratch_l1, s), (0x100UL << 12) | L1_FLAGS_RO, HVM, NULL), 0,
              "map d1's gfn 0x100 (its code)");
    code = pt_slot_va((unsigned int)s);
    if (code[0] != 0xbc)        /* mov $stack_top, %esp: tests/hvm/ioreq.S's first instruction */
        test_fail("d1's gfn 0x100 starts with %#x, not its code (0xbc)", code[0]);
    expect_rc(pt_unmap((unsigned int)s), 0, "unmap d1's gfn 0x100");
    expect_rc(mmu_update_fd(pt_maddr(pt_scratch_l1, s), (4096UL << 12) | L1_FLAGS_RO, HVM, NULL), -XEN_EINVAL,
              "map d1's gfn 4096 (beyond its 16 MiB)");
    pt_free_slot((unsigned int)s);
    printk("dm: d1's memory mapped by guest frame\n");
}

static void unmap_page(void)
{
    unsigned int s = (unsigned int)(((uint64_t)slot - pt_scratch_base()) >> 12);

    expect_rc(pt_unmap(s), 0, "unmap the ioreq page");
    pt_free_slot(s);
}

static unsigned int state_of(void)
{
    return __atomic_load_n((volatile uint8_t *)slot + 30, __ATOMIC_ACQUIRE) & 0xf;
}

static void set_state(unsigned int st)
{
    uint8_t *b = (uint8_t *)slot + 30;
    __atomic_store_n(b, (uint8_t)((*b & ~0xf) | st), __ATOMIC_RELEASE);
}

/* port: an I/O port, 0x10000 | register for a config cycle of FN, 0x20000 | offset for MMIO. */
static uint32_t answer(uint32_t port, uint32_t size)
{
    uint32_t v = port >= 0x20000 ? M(port & 0xfff) : port >= 0x10000 ? P(FN, port & 0xfff) :
                 port == 0x518 ? loopback :
                 port == 0x51c ? nr_writes : F(port);

    return size == 4 ? v : v & ((1U << (size * 8)) - 1);
}

/*
 * A string request (the guest's REP INS/OUTS, data_is_ptr): count elements
 * between the port and d1's memory at data (df: downwards), which the
 * hypervisor keeps inside one page. Recorded (check_strings); each element
 * as the single accesses are (answer, writes).
 */
static struct { uint32_t port, size, count; bool in, df; } strs[8];
static unsigned int nr_strs;

static void serve_string(void)
{
    uint32_t port = (uint32_t)slot->addr, size = slot->size, count = slot->count;
    bool in = slot->dir == IOREQ_READ, df = slot->df;
    uint64_t gpa = slot->data, lo = df ? gpa - (uint64_t)(count - 1) * size : gpa;
    uint8_t *page;
    int s;

    if (slot->type != IOREQ_TYPE_PIO || port < 0x510 || port + size > 0x520 || (size != 1 && size != 2 && size != 4) ||
        !count || count * size > 4096 || (df && (uint64_t)(count - 1) * size > gpa) ||
        lo >> 12 != (lo + (uint64_t)count * size - 1) >> 12) {
        test_fail("string request %u: type %u port %#x size %u count %u df %u gpa %#lx (not one page's run)",
                  nr_requests, slot->type, port, size, count, df, (unsigned long)gpa);
        return;
    }
    if (nr_strs < ARRAY_SIZE(strs))
        strs[nr_strs] = (typeof(strs[0])){ port, size, count, in, df };
    nr_strs++;
    if ((s = pt_alloc_slot()) < 0) {
        test_fail("no scratch slot");
        return;
    }
    expect_rc(mmu_update_fd(pt_maddr(pt_scratch_l1, s), (lo & ~0xfffULL) | L1_FLAGS_RW, HVM, NULL), 0,
              "map d1's gfn %#lx for a string request", (unsigned long)(lo >> 12));
    page = pt_slot_va((unsigned int)s);
    for (uint32_t i = 0; i < count; i++) {
        uint8_t *e = page + ((gpa & 0xfff) + (df ? -(int64_t)i : (int64_t)i) * size);
        uint32_t v = 0;
        if (in) {
            v = answer(port, size);
            memcpy(e, &v, size);
        } else {
            memcpy(&v, e, size);
            if (nr_writes < ARRAY_SIZE(writes))
                writes[nr_writes] = (typeof(writes[0])){ port, size, v };
            nr_writes++;
            if (port == 0x518)
                loopback = v;
        }
    }
    expect_rc(pt_unmap((unsigned int)s), 0, "unmap d1's gfn");
    pt_free_slot((unsigned int)s);
}

/* One request: true if it was answered (the guest goes on). */
static bool serve(const char *want)
{
    uint32_t port = (uint32_t)slot->addr, size = slot->size, data = (uint32_t)slot->data;
    bool read = slot->dir == IOREQ_READ;

    nr_requests++;
    if (slot->data_is_ptr) {
        serve_string();
        set_state(STATE_IORESP_READY);
        md_send(lport);
        return true;
    }
    if (slot->type == IOREQ_TYPE_PCI_CONFIG && slot->addr >> 32 == FN && (slot->addr & 0xfff) + size <= 0x100)
        port = 0x10000 | (uint32_t)(slot->addr & 0xfff);
    else if (slot->type == IOREQ_TYPE_COPY && slot->addr >= MMIO && slot->addr + size <= MMIO + 0x1000 && size <= 4)
        port = 0x20000 | (uint32_t)(slot->addr - MMIO);
    else if (slot->type != IOREQ_TYPE_PIO || port < 0x510 || port + size > 0x520)
        test_fail("request %u: type %u addr %#lx size %u", nr_requests, slot->type, (unsigned long)slot->addr,
                  size);
    if (slot->count != 1)
        test_fail("request %u: count %u", nr_requests, slot->count);
    if (nr_requests == 3 && strcmp(want, "ok")) {
        printk("dm: misbehaving on request 3 (%s)\n", want);
        if (!strcmp(want, "garbage")) {
            set_state(7);
            md_send(lport);
        } else if (!strcmp(want, "backwards")) {
            set_state(STATE_IOREQ_INPROCESS);       /* allowed */
            set_state(STATE_IOREQ_NONE);            /* backwards, unanswered */
            md_send(lport);
        } else if (!strcmp(want, "remote_shutdown")) {
            struct xen_dm_op op = { .op = XEN_DMOP_remote_shutdown };
            op.u.remote_shutdown.reason = SHUTDOWN_poweroff;
            expect_rc(dm_op(HVM, &op, sizeof(op)), 0, "power d1 off while it waits (remote_shutdown)");
        } else if (!strcmp(want, "die")) {
            struct sched_shutdown sh = { SHUTDOWN_crash };
            printk("dm: dying with request 3 unanswered\n");
            HYPERVISOR_sched_op(SCHEDOP_shutdown, &sh);
        } else if (!strcmp(want, "destroy_server")) {
            int s2 = pt_alloc_slot();
            long rc;
            expect_rc(simple(XEN_DMOP_destroy_ioreq_server, sid, 0, 0), 0, "destroy the server while d1 waits");
            /* Its page is given back (ours still maps it until we unmap): it cannot be mapped again. */
            rc = mmu_update_fd(pt_maddr(pt_scratch_l1, s2) | MMU_PT_UPDATE_NO_TRANSLATE,
                               (page_mfn << 12) | L1_FLAGS_RW, HVM, NULL);
            if (rc != -XEN_EBUSY && rc != -XEN_ESRCH)
                test_fail("mapping the destroyed server's page again: %ld, want -EBUSY (or -ESRCH)", rc);
            pt_free_slot((unsigned int)s2);
        } else {
            struct tandem_domctl op;
            memset(&op, 0, sizeof(op));
            expect_rc(md_domctl(TANDEM_DOMCTL_destroy, HVM, &op), 0, "destroy d1 while it waits");
        }
        return false;
    }
    if (read) {
        slot->data = answer(port, size) | (size < 4 ? 0xee000000ULL : 0);   /* junk above size: cut */
    } else {
        if (nr_writes < ARRAY_SIZE(writes))
            writes[nr_writes] = (typeof(writes[0])){ port, size, data };
        nr_writes++;
        if (port == 0x518)
            loopback = data;
        slot->data = 0xdeaddeadULL;         /* data for a write: ignored */
    }
    slot->size = 99;                        /* fields the hypervisor owns: ignored */
    slot->addr = 0x1234;
    set_state(STATE_IORESP_READY);
    md_send(lport);
    if (nr_requests == 5)
        md_send(lport);                     /* one notification more: a spurious one */
    return true;
}

static void check_writes(void)
{
    static const struct { uint32_t port, size, data; } want[] = {
        { 0x518, 4, 0x12345678 }, { 0x518, 1, 0x99 }, { 0x51a, 2, 0xbeef }, { 0x1000a, 2, 0x4321 },
        { 0x20010, 4, 0x11223344 }, { 0x20014, 4, 0xa1b2c3d4 }, { 0x20018, 2, 0xcafe },
        /* REP OUTSB of "ABCDE" (one string request), then OUTSW of a word straddling two pages (a plain one) */
        { 0x518, 1, 'A' }, { 0x518, 1, 'B' }, { 0x518, 1, 'C' }, { 0x518, 1, 'D' }, { 0x518, 1, 'E' },
        { 0x51a, 2, F(0x516) & 0xffff },
    };
    /* The guest's string instructions (tests/hvm/ioreq.S), one request per run inside a page. */
    static const struct { uint32_t port, size, count; bool in, df; } want_str[] = {
        { 0x516, 2, 8, true, false },   /* REP INSW, 8 words */
        { 0x518, 1, 5, false, false },  /* REP OUTSB, 5 bytes */
        { 0x510, 1, 4, true, true },    /* STD; REP INSB, 4 bytes downwards */
        { 0x516, 2, 3, true, false },   /* REP INSW of 6 words across a page: 3 ... */
        { 0x516, 2, 3, true, false },   /* ... and 3 */
        { 0x514, 4, 1024, true, false },/* REP INSL of 1100 dwords from a page start: a page ... */
        { 0x514, 4, 76, true, false },  /* ... and the rest */
    };

    if (nr_strs != ARRAY_SIZE(want_str)) {
        test_fail("%u string requests, want %u", nr_strs, (unsigned int)ARRAY_SIZE(want_str));
        return;
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(want_str); i++)
        if (strs[i].port != want_str[i].port || strs[i].size != want_str[i].size ||
            strs[i].count != want_str[i].count || strs[i].in != want_str[i].in || strs[i].df != want_str[i].df)
            test_fail("string request %u: port %#x size %u count %u %s df %u, want %#x %u %u %s %u", i,
                      strs[i].port, strs[i].size, strs[i].count, strs[i].in ? "in" : "out", strs[i].df,
                      want_str[i].port, want_str[i].size, want_str[i].count, want_str[i].in ? "in" : "out",
                      want_str[i].df);

    if (nr_writes != ARRAY_SIZE(want)) {
        test_fail("%u writes recorded, want %u", nr_writes, (unsigned int)ARRAY_SIZE(want));
        return;
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(want); i++)
        if (writes[i].port != want[i].port || writes[i].size != want[i].size || writes[i].data != want[i].data)
            test_fail("write %u: port %#x size %u data %#x, want %#x %u %#x", i, writes[i].port,
                      writes[i].size, writes[i].data, want[i].port, want[i].size, want[i].data);
    printk("dm: %u requests served, writes as the guest made them; %u string requests, one per page's run\n",
           nr_requests, nr_strs);
}

/* Serve until d1 ends: 1 if it powered off, -1 if it was killed or destroyed, 0 if gone (unknown). */
static int run(const char *want)
{
    struct tandem_domctl_getdomaininfo i;
    unsigned long seen = 0;

    for (uint64_t deadline = md_now() + MD_MS(60000); md_now() < deadline;) {
        md_block_until(&events, seen + 1, md_now() + MD_MS(20));
        seen = events;
        if (state_of() == STATE_IOREQ_READY && !serve(want))
            seen = events;
        long rc = md_dominfo(HVM, &i);
        if (rc == -XEN_ESRCH || (!rc && (i.flags & (TANDEM_DOMINF_shutdown | TANDEM_DOMINF_dying)))) {
            /* Gone already (torn down right after it stopped): the hypervisor's log says why. */
            int how = rc ? 0 : (i.flags & TANDEM_DOMINF_shutdown) && i.shutdown_reason == SHUTDOWN_poweroff ?
                      1 : -1;
            printk("dm: d1 ended (%s) after %u requests\n",
                   how > 0 ? "powered off" : how < 0 ? "killed or destroyed" : "gone", nr_requests);
            return how;
        }
    }
    test_fail("d1 still running after 60 s (%u requests)", nr_requests);
    return -1;
}

/* Server 0 of HVM belongs to the watcher (d0): every operation on it is refused, -EPERM. */
static void other_emulator(void)
{
    uint64_t mfn;
    long rc;

    for (uint64_t deadline = md_now() + MD_MS(30000);
         (rc = info(0, XEN_DMOP_no_gfns)) == -XEN_ENOENT && md_now() < deadline;)
        md_sleep_ns(MD_MS(10));
    expect_rc(rc, -XEN_EPERM, "info of another emulator's server");
    expect_rc(range(XEN_DMOP_map_io_range_to_ioreq_server, 0, 0, 0x600, 0x60f, 0), -XEN_EPERM,
              "map a range to another emulator's server");
    expect_rc(range(XEN_DMOP_unmap_io_range_from_ioreq_server, 0, 0, 0x600, 0x60f, 0), -XEN_EPERM,
              "unmap from another emulator's server");
    expect_rc(simple(XEN_DMOP_set_ioreq_server_state, 0, 1, 0), -XEN_EPERM, "enable another emulator's server");
    expect_rc(simple(XEN_DMOP_destroy_ioreq_server, 0, 0, 0), -XEN_EPERM, "destroy another emulator's server");
    expect_rc(acquire(HVM, 0, 0, 1, 1, &mfn, NULL), -XEN_EPERM, "acquire another emulator's page");
    printk("dm: another emulator's server refused\n");
}

/* role=watch (the privileged domain, beside an unprivileged device model): both others end, it does not. */
static void watch(void)
{
    domid_t dm = (domid_t)md_arg_ul("dm", 1);
    struct tandem_domctl_getdomaininfo i;
    bool dm_gone = false, hvm_gone = false;

    /* A server of its own on the HVM domain (never enabled): the device model may not touch it. */
    expect_rc(create(HVM, 0, NULL), 0, "the watcher's server");

    for (uint64_t deadline = md_now() + MD_MS(60000); md_now() < deadline && !(dm_gone && hvm_gone);
         md_sleep_ns(MD_MS(20))) {
        long rc = md_dominfo(dm, &i);
        dm_gone |= rc == -XEN_ESRCH || (!rc && (i.flags & (TANDEM_DOMINF_shutdown | TANDEM_DOMINF_dying)));
        rc = md_dominfo(HVM, &i);
        hvm_gone |= rc == -XEN_ESRCH || (!rc && (i.flags & (TANDEM_DOMINF_shutdown | TANDEM_DOMINF_dying)));
    }
    if (!dm_gone || !hvm_gone) {
        test_fail("after 60 s: device model d%u %s, HVM d%u %s", dm, dm_gone ? "gone" : "running", HVM,
                  hvm_gone ? "gone" : "running");
        return;
    }
    printk("watch: the device model d%u and the HVM domain d%u ended; d0 carries on\n", dm, HVM);
    test_success();
}

static void unprivileged(void)
{
    struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };
    uint64_t mfn;

    expect_rc(dm_op(HVM, &op, sizeof(op)), -XEN_EPERM, "dm_op unprivileged");
    expect_rc(dm_op(0, &op, sizeof(op)), -XEN_EINVAL, "dm_op on a PV domain (before the privilege check)");
    expect_rc(acquire(HVM, 0, 0, 1, 1, &mfn, NULL), -XEN_EPERM, "acquire_resource unprivileged");
    printk("unpriv: refused\n");
    test_success();
}

void test_main(void)
{
    char want[24];
    uint32_t far;
    int off;

    md_init();
    md_events_on();
    HVM = (domid_t)md_arg_ul("target", 1);
    if (md_arg_is("role", "watch")) {
        watch();
        return;
    }
    if (md_arg_is("role", "unpriv")) {
        unprivileged();
        return;
    }
    md_arg("want", "ok", want, sizeof(want));
    if (!pt_init())
        return;
    if (!strcmp(want, "die")) {
        /* An unprivileged device model (dm= on the HVM line): the watcher's server is not ours. */
        other_emulator();
        expect_rc(create(HVM, 0, &sid), 0, "create a server");
        expect_rc(range(XEN_DMOP_map_io_range_to_ioreq_server, sid, 0, 0x510, 0x51f, 0), 0, "map 0x510-0x51f");
    } else {
        refusals();
    }
    if (!map_page())
        return;
    if (strcmp(want, "die"))
        map_guest_memory();
    expect_rc(md_bind_interdomain(HVM, slot->vp_eport, &lport), 0, "bind the port of slot 0");
    expect_rc(md_bind_interdomain(HVM, slot->vp_eport, &far), -XEN_EINVAL, "bind it twice");
    md_bind(lport, on_event);
    if (!strcmp(want, "ok")) {
        set_state(STATE_IORESP_READY);      /* an answer before any request: overwritten */
        md_send(lport);                     /* a notification with nothing pending: ignored */
    }
    expect_rc(simple(XEN_DMOP_set_ioreq_server_state, sid, 1, 0), 0, "enable the server");
    printk("dm: serving d%u (want=%s)\n", HVM, want);
    off = run(want);
    if (!strcmp(want, "ok")) {
        if (off < 0)
            test_fail("d1 did not power off");
        check_writes();
        /* d1 is shut down: its server is still there until its teardown starts (then -ESRCH). */
        long rc = simple(XEN_DMOP_destroy_ioreq_server, sid, 0, 0);
        if (rc && rc != -XEN_ESRCH)
            test_fail("destroy the server after d1 ended: %ld", rc);
    } else if (off > 0 && strcmp(want, "remote_shutdown")) {
        test_fail("d1 powered off although its device model misbehaved");
    }
    unmap_page();
    md_close(lport);
    /* The device model carries on: its own work still goes. */
    expect_rc(dm_op(0x7fe0, NULL, 0), -XEN_ESRCH, "dm_op afterwards");
    test_success();
}
