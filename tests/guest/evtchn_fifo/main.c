/*
 * evtchn_fifo: the FIFO event channel ABI as Xen's event_fifo.c gives it,
 * two domains on FIFO (fifo.cfg, hv-args audit).
 *   role=main (d1, two vCPUs): the three sub-ops' refusals in Xen's order
 *     and their success; a port bound and raised under 2-level carried
 *     over; the event word bits and the link/ready protocol (HEAD, LINK,
 *     ready, upcall_pending); a higher priority consumed first, FIFO order
 *     within one; a masked port linked by EVTCHNOP_unmask; a closed port
 *     still LINKED not reused; more than 4096 ports; an event raised before
 *     its word had a page linked once the page comes; SCHEDOP_poll on FIFO
 *     ports; vCPU 1's own control block; the event array filled to its
 *     128 pages by both vCPUs at once; interdomain events with d2.
 *   Hostile (main): control block and array frames cannot be pinned as
 *     page tables while given, table frames are refused, and given frames
 *     handed back with decrease_reservation are still written safely;
 *     EVTCHNOP_reset goes back to 2-level and releases every frame (the
 *     audit at each domain's end counts the hypervisor's references).
 *   role=peer (d2): FIFO too; binds main's offer, sends, waits by poll.
 */
#include "fifo.h"
#include "multidom.h"
#include <tandem/vcpu.h>
#include <tandem/sched.h>

const char test_title[] = "FIFO event channels: init_control, expand_array, set_priority, queues, priorities";

#define MAIN 1
#define PEER 2
#define W(b) FIFO_WORD(EVTCHN_FIFO_##b)

static long evop(unsigned int cmd, void *arg) { return HC2(event_channel_op, cmd, arg); }

static long bind_ipi(uint32_t vcpu, uint32_t *port)
{
    struct evtchn_bind_ipi b = { .vcpu = vcpu };
    long rc = evop(EVTCHNOP_bind_ipi, &b);

    *port = rc ? 0 : b.port;
    return rc;
}

static long evtchn_status_of(uint32_t port)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };
    long rc = evop(EVTCHNOP_status, &st);

    return rc ? rc : (long)st.status;
}

static long poll1(uint32_t port, uint64_t timeout)
{
    uint32_t ports[1] = { port };
    struct sched_poll p = { .ports = (uint64_t)ports, .nr_ports = 1, .timeout = timeout };

    return HC2(sched_op, SCHEDOP_poll, &p);
}

static long init_control_raw(uint64_t gfn, uint32_t offset, uint32_t vcpu)
{
    struct evtchn_init_control ic = { .control_gfn = gfn, .offset = offset, .vcpu = vcpu };

    return evop(EVTCHNOP_init_control, &ic);
}

static long decrease(uint64_t mfn)
{
    struct xen_memory_reservation r = { .extent_start = (uint64_t)&mfn, .nr_extents = 1, .domid = DOMID_SELF };

    return memop(XENMEM_decrease_reservation, &r);
}

/* Consume vCPU v's queues and compare with want[0..n). */
static void want_consumed(unsigned int v, const uint32_t *want, unsigned int n, const char *what)
{
    uint32_t got[8];
    unsigned int k = fifo_consume(v, got, 8);

    if (k != n)
        test_fail("%s: %u events consumed, want %u (first %u)", what, k, n, k ? got[0] : 0);
    for (unsigned int i = 0; i < k && i < n; i++)
        if (got[i] != want[i])
            test_fail("%s: event %u is port %u, want port %u", what, i, got[i], want[i]);
}

/* The sub-ops before init_control, then init_control's refusals (Xen's order), then its success. */
static uint32_t carried;

static void phase_init(void)
{
    uint64_t tbl = pt_scratch_l1, foreign = pt_unowned_mfn(pt_max_page - 1), spare = pt_free_mfn();
    uint8_t bits = 0;

    CHECK_RC(fifo_expand_gfn(spare), -XEN_EOPNOTSUPP, "expand_array before init_control");
    CHECK_RC(bind_ipi(0, &carried), 0, "bind_ipi under 2-level");
    CHECK_RC(fifo_set_priority(carried, 3), -XEN_ENOSYS, "set_priority under 2-level");
    CHECK_RC(fifo_set_priority(EVTCHN_2L_NR_CHANNELS, 3), -XEN_EINVAL, "set_priority(4096) under 2-level");
    CHECK_RC(md_send(carried), 0, "send under 2-level");       /* pending in shared_info */

    CHECK_RC(init_control_raw(spare, 0, 2), -XEN_ENOENT, "init_control vCPU 2 (the domain has 2)");
    CHECK_RC(init_control_raw(spare, 0, 0xffffffff), -XEN_ENOENT, "init_control vCPU 0xffffffff");
    CHECK_RC(init_control_raw(spare, 4096 - 72 + 8, 0), -XEN_EINVAL, "init_control offset 4032 (crosses the frame)");
    CHECK_RC(init_control_raw(spare, 0xfffffff8, 0), -XEN_EINVAL, "init_control offset 0xfffffff8");
    CHECK_RC(init_control_raw(spare, 4, 0), -XEN_EINVAL, "init_control offset 4 (not 8-byte aligned)");
    CHECK_RC(init_control_raw(spare, 0xfffffff8, 9), -XEN_ENOENT, "init_control bad vCPU and offset: vCPU first");
    CHECK_RC(init_control_raw(foreign, 0, 0), -XEN_EINVAL, "init_control on a frame not ours");
    CHECK_RC(init_control_raw(1ULL << 40, 0, 0), -XEN_EINVAL, "init_control on a frame beyond RAM");
    CHECK_RC(init_control_raw(tbl, 0, 0), -XEN_EINVAL, "init_control on our L1 page table");
    CHECK_RC(fifo_set_priority(carried, 3), -XEN_ENOSYS, "set_priority after refused init_controls (still 2-level)");

    CHECK_RC(fifo_init(0, 4096 - 72, &bits), 0, "init_control vCPU 0 at offset 4024 (the last that fits)");
    if (bits != EVTCHN_FIFO_LINK_BITS)
        test_fail("init_control: link_bits %u, want %u", bits, EVTCHN_FIFO_LINK_BITS);
    CHECK_RC(init_control_raw(spare, 0, 0), -XEN_EINVAL, "init_control vCPU 0 again (initialised)");
    CHECK_RC(fifo_set_priority(carried, 16), -XEN_EINVAL, "set_priority 16 once on FIFO");
}

/* The control block frame cannot become a page table while given (the hypervisor's type reference). */
static void phase_frames_held(void)
{
    uint64_t cb = fifo_vcpu[0].cb_mfn;
    uint64_t *va;

    pt_unmap_va((uint8_t *)fifo_vcpu[0].cb - (4096 - 72));
    if (!mmuext1(MMUEXT_PIN_L1_TABLE, cb, 0))
        test_fail("the control block frame was pinned as an L1 table");
    va = pt_map_rw(cb);
    fifo_vcpu[0].cb = (struct evtchn_fifo_control_block *)((uint8_t *)va + 4096 - 72);

    CHECK_RC(fifo_expand_gfn(pt_unowned_mfn(pt_max_page - 1)), -XEN_EINVAL, "expand_array with a frame not ours");
    CHECK_RC(fifo_expand_gfn(pt_scratch_l1), -XEN_EINVAL, "expand_array with our L1 page table");
    CHECK_RC(fifo_expand_gfn(~0ULL), -XEN_EINVAL, "expand_array with frame ~0");
}

/* Bits, ready, head, link for a carried-over port, priorities and order. */
static void phase_queues(void)
{
    struct evtchn_fifo_control_block *cb = fifo_vcpu[0].cb;
    struct vcpu_info *vi = &shared_info->vcpu_info[0];
    uint32_t a, b, c, d, e, f, x;

    for (unsigned int i = 0; i < 5; i++)
        CHECK_RC(fifo_expand(), 0, "expand_array");
    /* The port raised under 2-level: pending in its word (which we keep masked), not linked. */
    if ((*fifo_word(carried) & (W(PENDING) | W(MASKED) | W(LINKED))) != (W(PENDING) | W(MASKED)))
        test_fail("carried-over port %u: word %#x, want PENDING|MASKED", carried, *fifo_word(carried));
    if (cb->ready)
        test_fail("ready %#x with only masked events", cb->ready);
    vi->evtchn_upcall_pending = 0;
    CHECK_RC(md_send(carried), 0, "send on the carried-over port (masked: nothing more)");
    {
        struct evtchn_unmask u = { carried };
        CHECK_RC(evop(EVTCHNOP_unmask, &u), 0, "EVTCHNOP_unmask of the carried-over port");
    }
    if (!(*fifo_word(carried) & W(LINKED)) || cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT] != carried ||
        cb->ready != 1U << EVTCHN_FIFO_PRIORITY_DEFAULT || vi->evtchn_upcall_pending != 1)
        test_fail("unmask of a pending port: word %#x head[7] %u ready %#x upcall_pending %u",
                  *fifo_word(carried), cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT], cb->ready,
                  vi->evtchn_upcall_pending);
    want_consumed(0, (uint32_t[]){ carried }, 1, "the carried-over port");

    /* set_priority's refusals now that it exists. */
    CHECK_RC(fifo_set_priority(EVTCHN_FIFO_NR_CHANNELS, 0), -XEN_EINVAL, "set_priority port 131072");
    CHECK_RC(fifo_set_priority(0, 0), -XEN_EACCES, "set_priority port 0 (reserved)");
    CHECK_RC(fifo_set_priority(carried + 100, 0), -XEN_EACCES, "set_priority of a closed port");
    CHECK_RC(fifo_set_priority(carried, 0xffffffff), -XEN_EINVAL, "set_priority 0xffffffff");

    /* Three priorities, raised lowest first: consumed highest first. */
    CHECK_RC(bind_ipi(0, &a) | bind_ipi(0, &b) | bind_ipi(0, &c), 0, "bind three IPI ports");
    CHECK_RC(fifo_set_priority(a, 10), 0, "set_priority 10");
    CHECK_RC(fifo_set_priority(b, EVTCHN_FIFO_PRIORITY_MAX), 0, "set_priority 0");
    CHECK_RC(fifo_set_priority(c, EVTCHN_FIFO_PRIORITY_MIN), 0, "set_priority 15");
    fifo_unmask_direct(a);
    fifo_unmask_direct(b);
    fifo_unmask_direct(c);
    vi->evtchn_upcall_pending = 0;
    CHECK_RC(md_send(c) | md_send(a) | md_send(b), 0, "send on the three");
    if (cb->ready != (1U << 10 | 1U << 0 | 1U << 15) || cb->head[10] != a || cb->head[0] != b || cb->head[15] != c)
        test_fail("three priorities: ready %#x, head[0] %u head[10] %u head[15] %u (want %#x, %u %u %u)",
                  cb->ready, cb->head[0], cb->head[10], cb->head[15], 1U << 10 | 1U << 0 | 1U << 15, b, a, c);
    if (vi->evtchn_upcall_pending != 1)
        test_fail("three priorities: upcall_pending %u", vi->evtchn_upcall_pending);
    want_consumed(0, (uint32_t[]){ b, a, c }, 3, "priorities 0, 10, 15");

    /* One queue keeps order, linked through LINK. */
    CHECK_RC(bind_ipi(0, &d) | bind_ipi(0, &e) | bind_ipi(0, &f), 0, "bind three more");
    fifo_unmask_direct(d);
    fifo_unmask_direct(e);
    fifo_unmask_direct(f);
    CHECK_RC(md_send(e) | md_send(d) | md_send(f), 0, "send e, d, f");
    CHECK_RC(md_send(d), 0, "send d again (already linked)");
    if ((*fifo_word(e) & EVTCHN_FIFO_LINK_MASK) != d || (*fifo_word(d) & EVTCHN_FIFO_LINK_MASK) != f ||
        (*fifo_word(f) & (W(LINKED) | EVTCHN_FIFO_LINK_MASK)) != W(LINKED) || cb->head[7] != e)
        test_fail("queue 7: head %u, words e %#x d %#x f %#x", cb->head[7], *fifo_word(e), *fifo_word(d),
                  *fifo_word(f));
    want_consumed(0, (uint32_t[]){ e, d, f }, 3, "one queue in raise order");

    /* Masked: pending only; EVTCHNOP_unmask links it. */
    fifo_mask(d);
    CHECK_RC(md_send(d), 0, "send on a masked port");
    if ((*fifo_word(d) & (W(PENDING) | W(LINKED))) != W(PENDING) || cb->ready)
        test_fail("masked port raised: word %#x ready %#x", *fifo_word(d), cb->ready);
    {
        struct evtchn_unmask u = { d };
        CHECK_RC(evop(EVTCHNOP_unmask, &u), 0, "EVTCHNOP_unmask");
    }
    want_consumed(0, (uint32_t[]){ d }, 1, "a masked port after EVTCHNOP_unmask");

    /* The console port (the hypervisor serves its far end) is the guest's like any other. */
    {
        uint32_t con = start_info->console.domU.evtchn;
        struct evtchn_unmask u = { con };
        CHECK_RC(fifo_set_priority(con, EVTCHN_FIFO_PRIORITY_DEFAULT), 0, "set_priority on the console port");
        fifo_mask(con);
        CHECK_RC(evop(EVTCHNOP_unmask, &u), 0, "EVTCHNOP_unmask of the console port");
        if (*fifo_word(con) & W(MASKED))
            test_fail("EVTCHNOP_unmask left the console port masked (word %#x)", *fifo_word(con));
        fifo_mask(con);
    }

    /* A new priority applies to the next link: a linked port stays in its queue (Xen's). */
    CHECK_RC(md_send(d), 0, "send d");
    CHECK_RC(fifo_set_priority(d, 3), 0, "set_priority 3 on a linked port");
    if (cb->ready != 1U << 7 || cb->head[7] != d)
        test_fail("re-prioritised linked port: ready %#x head[7] %u", cb->ready, cb->head[7]);
    want_consumed(0, (uint32_t[]){ d }, 1, "the port in its old queue");
    CHECK_RC(md_send(d), 0, "send d at priority 3");
    if (cb->ready != 1U << 3 || cb->head[3] != d)
        test_fail("port at its new priority: ready %#x head[3] %u", cb->ready, cb->head[3]);
    want_consumed(0, (uint32_t[]){ d }, 1, "the port in its new queue");

    /* A closed port still LINKED is not handed out again until the guest unlinks it. */
    CHECK_RC(md_send(e), 0, "send e");
    CHECK_RC(md_close(e), 0, "close e while linked");
    if (*fifo_word(e) & W(PENDING))
        test_fail("close left e pending (word %#x)", *fifo_word(e));
    CHECK_RC(bind_ipi(0, &x), 0, "bind_ipi with e closed but linked");
    if (x == e)
        test_fail("port %u reused while still LINKED", e);
    want_consumed(0, NULL, 0, "a closed port's stale link (not pending)");
    CHECK_RC(md_close(x), 0, "close the other port");
    CHECK_RC(bind_ipi(0, &x), 0, "bind_ipi once e is unlinked");
    if (x != e)
        test_fail("bind_ipi gave port %u, want the unlinked %u", x, e);
}

/* Interdomain under FIFO on both ends. */
static void phase_interdomain(void)
{
    uint32_t p;
    uint64_t deadline = md_now() + MD_MS(20000);

    CHECK_RC(md_alloc_unbound(PEER, &p), 0, "alloc_unbound for d2");
    fifo_unmask_direct(p);
    if (!fifo_wait(p, deadline)) {
        test_fail("d2's event never reached port %u", p);
        return;
    }
    want_consumed(0, (uint32_t[]){ p }, 1, "d2's event");
    CHECK_RC(md_send(p), 0, "send to d2");
}

/* Beyond 2-level's 4096 ports, and a port raised before its word has a page. */
static void phase_many_ports(void)
{
    uint32_t p = 0, hi = 0, late = 0;

    while (p < 5200) {
        if (bind_ipi(0, &p)) {
            test_fail("bind_ipi stopped at port %u", p);
            return;
        }
        if (p == 4200)
            hi = p;
    }
    late = p;       /* 5200: no word yet (5 pages hold 0-5119) */
    if (!hi || evtchn_status_of(hi) != EVTCHNSTAT_ipi)
        test_fail("port 4200: status %ld", hi ? evtchn_status_of(hi) : -1L);
    fifo_unmask_direct(hi);
    CHECK_RC(md_send(hi), 0, "send on port 4200");
    CHECK_RC(poll1(hi, md_now() + MD_MS(1000)), 0, "poll on pending port 4200");
    want_consumed(0, (uint32_t[]){ hi }, 1, "port 4200");
    CHECK_RC(poll1(EVTCHN_FIFO_NR_CHANNELS, 0), -XEN_EINVAL, "poll port 131072");
    CHECK_RC(poll1(EVTCHN_FIFO_NR_CHANNELS - 1, md_now() + MD_MS(2)), 0, "poll port 131071 until the timeout");

    CHECK_RC(md_send(late), 0, "send on port 5200 (no word)");
    CHECK_RC(fifo_expand(), 0, "expand_array a sixth page");
    if ((*fifo_word(late) & (W(PENDING) | W(LINKED))) != W(PENDING))
        test_fail("port 5200 after its page came: word %#x, want PENDING (masked)", *fifo_word(late));
    {
        struct evtchn_unmask u = { late };
        CHECK_RC(evop(EVTCHNOP_unmask, &u), 0, "EVTCHNOP_unmask port 5200");
    }
    want_consumed(0, (uint32_t[]){ late }, 1, "port 5200 raised before its page");
}

/* vCPU 1: its own control block; then the event array filled from both vCPUs at once. */
#define SPARE 130
static struct vcpu_guest_context ctx;
static uint8_t stack1[16384] __attribute__((aligned(16)));
static uint64_t frames[2][SPARE];
static volatile unsigned int go, v1_state;
static volatile unsigned int added[2];
static volatile long last_rc[2];

/* Each vCPU keeps at most one page ahead of the other (for a while: they may share a CPU). */
static void expand_all(unsigned int me)
{
    for (unsigned int i = 0; i < SPARE; i++) {
        long rc;
        for (unsigned int n = 0; added[me] > added[!me] && !last_rc[!me] && n < 1000000; n++)
            __asm__ __volatile__("pause");
        rc = fifo_expand_gfn(frames[me][i]);
        if (rc) {
            last_rc[me] = rc;
            return;
        }
        added[me]++;
    }
}

static volatile event_word_t *volatile hammer_word;
static volatile unsigned int hammer_stop;
static volatile unsigned long hammer_flips;

/* vCPU 1: expand_array, then flip MASKED, LINKED and LINK bits of hammer_word until told to stop. */
static void __attribute__((noreturn, used)) vcpu1_main(void)
{
    v1_state = 1;
    while (!go)
        __asm__ __volatile__("pause");
    expand_all(1);
    v1_state = 2;
    while (!hammer_word && !hammer_stop)
        __asm__ __volatile__("pause");
    for (unsigned long i = 0; !hammer_stop; i++) {
        __atomic_fetch_xor(hammer_word, i % 7 ? W(MASKED) | (i & 0xff) : W(LINKED), __ATOMIC_SEQ_CST);
        hammer_flips++;
    }
    v1_state = 3;
    for (;;)
        HC3(vcpu_op, VCPUOP_down, 1, NULL);
}

static void phase_vcpu1(void)
{
    uint32_t g;
    uint64_t deadline;
    unsigned int before = fifo_pages;

    CHECK_RC(fifo_init(1, 0, NULL), 0, "init_control vCPU 1 at offset 0");
    CHECK_RC(bind_ipi(1, &g), 0, "bind_ipi on vCPU 1");
    fifo_unmask_direct(g);
    CHECK_RC(md_send(g), 0, "send on vCPU 1's port");
    if (fifo_vcpu[1].cb->head[7] != g || fifo_vcpu[1].cb->ready != 1U << 7 || fifo_vcpu[0].cb->ready)
        test_fail("vCPU 1's port: its head %u ready %#x; vCPU 0's ready %#x", fifo_vcpu[1].cb->head[7],
                  fifo_vcpu[1].cb->ready, fifo_vcpu[0].cb->ready);
    want_consumed(1, (uint32_t[]){ g }, 1, "vCPU 1's queue");

    for (unsigned int i = 0; i < SPARE; i++)
        if (!(frames[0][i] = pt_free_mfn()) || !(frames[1][i] = pt_free_mfn()))
            return;
    memset(&ctx, 0, sizeof(ctx));
    ctx.flags = VGCF_in_kernel | VGCF_online;
    ctx.user_regs.rip = (uint64_t)vcpu1_main;
    ctx.user_regs.rsp = (uint64_t)stack1 + sizeof(stack1) - 8;
    ctx.user_regs.rflags = 0x200;
    ctx.kernel_sp = ctx.user_regs.rsp;
    ctx.ctrlreg[3] = pfn_to_mfn((start_info->pt_base - VIRT_BASE) >> 12) << 12;
    CHECK_RC(HC3(vcpu_op, VCPUOP_initialise, 1, &ctx), 0, "VCPUOP_initialise vCPU 1");
    CHECK_RC(HC3(vcpu_op, VCPUOP_up, 1, NULL), 0, "VCPUOP_up vCPU 1");
    deadline = md_now() + MD_MS(10000);
    while (v1_state < 1 && md_now() < deadline)
        poll1(g, md_now() + MD_MS(1));
    go = 1;
    expand_all(0);
    while (v1_state < 2 && md_now() < deadline)
        poll1(g, md_now() + MD_MS(1));
    if (v1_state < 2) {
        test_fail("vCPU 1 did not finish its expand_array calls");
        return;
    }
    if (before + added[0] + added[1] != EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES ||
        last_rc[0] != -XEN_ENOSPC || last_rc[1] != -XEN_ENOSPC)
        test_fail("concurrent expand: %u + %u + %u pages (want %u in all), last rc %ld / %ld (want -ENOSPC)",
                  before, added[0], added[1], EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES, last_rc[0], last_rc[1]);
    CHECK_RC(fifo_expand_gfn(frames[0][SPARE - 1]), -XEN_ENOSPC, "expand_array beyond 128 pages");
    /* A given array page cannot become a page table; one not given can. */
    printk("evtchn_fifo: expand_array from both vCPUs: %u + %u pages\n", added[0], added[1]);
    if (!mmuext1(MMUEXT_PIN_L1_TABLE, added[1] ? frames[1][0] : frames[0][0], 0))
        test_fail("an event-array frame was pinned as an L1 table");
    if (added[0] < SPARE) {
        uint64_t spare = frames[0][added[0]];
        void *va = pt_map_rw(spare);
        memset(va, 0, 4096);
        pt_unmap_va(va);
        CHECK_RC(mmuext1(MMUEXT_PIN_L1_TABLE, spare, 0), 0, "pin an unused frame as L1 (control)");
        CHECK_RC(mmuext1(MMUEXT_UNPIN_TABLE, spare, 0), 0, "unpin it");
    }
}

/*
 * Hostile: the guest changes the word the hypervisor links after (a
 * queue's tail) all the time, from vCPU 1 (between the sends on one CPU;
 * truly at once where vCPUs run on two): MASKED, LINKED and LINK bits.
 * The hypervisor's compare-and-exchange retries are bounded (Xen's 4, BUSY
 * set meanwhile): every send returns, whatever the queue is left as.
 */
static void phase_hammer(void)
{
    struct evtchn_fifo_control_block *cb = fifo_vcpu[0].cb;
    uint32_t a, b;
    uint64_t deadline = md_now() + MD_MS(10000), end = md_now() + MD_MS(200);
    unsigned long n = 0;

    CHECK_RC(bind_ipi(0, &a) | bind_ipi(0, &b), 0, "bind two ports for the hammer");
    *fifo_word(a) = 0;
    *fifo_word(b) = 0;
    hammer_word = fifo_word(a);
    /* Long enough for vCPU 1 to get time slices (it flips the word between our sends). */
    for (; md_now() < end || (!hammer_flips && md_now() < deadline); n++) {
        /* The guest's "consumer": both words and queue 7 emptied by hand. */
        *fifo_word(b) = 0;
        __atomic_store_n(fifo_word(a), 0, __ATOMIC_SEQ_CST);
        cb->head[7] = 0;
        cb->ready = 0;
        CHECK_RC(md_send(a), 0, "hammer: send a");
        CHECK_RC(md_send(b), 0, "hammer: send b (links after a)");
    }
    hammer_stop = 1;
    while (v1_state < 3 && md_now() < deadline)
        poll1(b, md_now() + MD_MS(1));
    printk("evtchn_fifo: %lu links after a word vCPU 1 changed %lu times meanwhile\n", n, hammer_flips);
    if (!hammer_flips)
        test_fail("vCPU 1 never changed the word");
    *fifo_word(a) = W(MASKED);
    *fifo_word(b) = W(MASKED);
    cb->head[7] = 0;
    cb->ready = 0;
    memset(fifo_vcpu[0].head, 0, sizeof(fifo_vcpu[0].head));
}

/* Hostile: give back frames the hypervisor holds, keep raising events into them, then reset. */
static void phase_release_and_reset(void)
{
    uint64_t cb0 = fifo_vcpu[0].cb_mfn, page4 = fifo_page_mfn[4];
    uint32_t p;
    uint8_t bits;
    struct evtchn_reset r = { .dom = DOMID_SELF };

    CHECK_RC(decrease(added[1] > 1 ? frames[1][1] : frames[0][1]), 1, "decrease_reservation of a given event-array frame");
    CHECK_RC(decrease(fifo_vcpu[1].cb_mfn), 1, "decrease_reservation of vCPU 1's control block frame");
    for (uint32_t port = 4100; port < 4110; port++)
        CHECK_RC(md_send(port), 0, "send into ports whose words are in given frames");
    CHECK_RC(evop(EVTCHNOP_reset, &r), 0, "EVTCHNOP_reset(DOMID_SELF)");
    CHECK_RC(fifo_set_priority(1, 0), -XEN_ENOSYS, "set_priority after reset (2-level again)");
    CHECK_RC(fifo_expand_gfn(page4), -XEN_EOPNOTSUPP, "expand_array after reset");
    CHECK_RC(evtchn_status_of(4200), -XEN_EINVAL, "status of port 4200 after reset (2-level range)");
    CHECK_RC(evtchn_status_of(carried), EVTCHNSTAT_closed, "status of a port after reset");
    CHECK_RC(bind_ipi(0, &p), 0, "bind_ipi on 2-level after reset");
    /* The hypervisor's references are gone: the old control block frame may become an L1 now. */
    memset((uint8_t *)fifo_vcpu[0].cb - (4096 - 72), 0, 4096);
    pt_unmap_va((uint8_t *)fifo_vcpu[0].cb - (4096 - 72));
    CHECK_RC(mmuext1(MMUEXT_PIN_L1_TABLE, cb0, 0), 0, "pin the former control block frame as L1");
    CHECK_RC(mmuext1(MMUEXT_UNPIN_TABLE, cb0, 0), 0, "unpin it");
    /* FIFO again, left on for the domain's end (its teardown drops these references). */
    fifo_pages = 0;
    CHECK_RC(fifo_init(0, 64, &bits), 0, "init_control again after reset");
    CHECK_RC(fifo_expand(), 0, "expand_array again after reset");
    CHECK_RC(fifo_set_priority(p, 1), 0, "set_priority on FIFO again");
}

static void role_main(void)
{
    phase_init();
    phase_frames_held();
    phase_queues();
    phase_interdomain();
    phase_many_ports();
    phase_vcpu1();
    phase_hammer();
    phase_release_and_reset();
}

static void role_peer(void)
{
    uint64_t deadline = md_now() + MD_MS(20000);
    uint32_t q = 0;

    CHECK_RC(fifo_init(0, 0, NULL), 0, "peer: init_control");
    CHECK_RC(fifo_expand(), 0, "peer: expand_array");
    /* Main offers its port when it gets there: try its low ports until one binds. */
    while (!q && md_now() < deadline)
        for (uint32_t p = 1; p < 64 && !q; p++)
            if (md_bind_interdomain(MAIN, p, &q))
                q = 0;
    if (!q) {
        test_fail("peer: main never offered a port");
        return;
    }
    /* As Xen: the new port starts pending. */
    if (!(*fifo_word(q) & W(PENDING)))
        test_fail("peer: bound port %u not pending (word %#x)", q, *fifo_word(q));
    __atomic_fetch_and(fifo_word(q), ~W(PENDING), __ATOMIC_SEQ_CST);
    fifo_unmask_direct(q);
    CHECK_RC(md_send(q), 0, "peer: send to main");
    if (!fifo_wait(q, deadline)) {
        test_fail("peer: main's event never came");
        return;
    }
    want_consumed(0, (uint32_t[]){ q }, 1, "peer: main's event");
}

void test_main(void)
{
    md_init();
    if (!pt_init())
        return;
    if (md_arg_is("role", "main"))
        role_main();
    else
        role_peer();
    test_success();
}
