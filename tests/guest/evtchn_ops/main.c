/*
 * evtchn_ops: event_channel_op state changes and refusals as Xen's
 * xen/common/event_channel.c gives them to an unprivileged domU, once on
 * the 2-level ABI and once more on the FIFO one (the answers are the same:
 * ports beyond 4095 do not exist until a FIFO domain allocates them; no
 * shared_info mapping or event array needed). A domain that does not exist
 * is -ESRCH (looked up before any permission check).
 */
#include "test.h"
#include <tandem/event_channel.h>

const char test_title[] = "event channel operations and their refusals";

static long op(unsigned int cmd, void *arg) { return HC2(event_channel_op, cmd, arg); }

static struct evtchn_status st;
static uint32_t status(uint32_t port, const char *what)
{
    st = (struct evtchn_status){ .dom = DOMID_SELF, .port = port };
    CHECK_RC(op(EVTCHNOP_status, &st), 0, what);
    return st.status;
}

static void want_status(uint32_t port, uint32_t want, const char *what)
{
    uint32_t got = status(port, what);
    if (got != want)
        test_fail("%s: port %u status %u, want %u", what, port, got, want);
}

static long close_port(uint32_t port) { struct evtchn_close c = { port }; return op(EVTCHNOP_close, &c); }
static long send_port(uint32_t port) { struct evtchn_send s = { port }; return op(EVTCHNOP_send, &s); }

static void ops_pass(bool fifo)
{
    struct evtchn_alloc_unbound al = { .dom = DOMID_SELF, .remote_dom = DOMID_SELF };
    struct evtchn_bind_interdomain bi = { .remote_dom = DOMID_SELF };
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct evtchn_bind_ipi ip = { .vcpu = 0 };
    struct evtchn_bind_pirq bp = { .pirq = 1 };
    struct evtchn_unmask um = { 4096 };
    struct evtchn_reset rs = { DOMID_SELF };
    static uint8_t junk[64];
    uint32_t a, b, self, t, i, con = start_info->console.domU.evtchn;

    CHECK_RC(op(EVTCHNOP_alloc_unbound, &al), 0, "alloc_unbound(self, self)");
    a = al.port;
    if (a == 0 || a >= 4096)
        test_fail("alloc_unbound gave port %u", a);
    want_status(a, EVTCHNSTAT_unbound, "status of the unbound port");
    self = st.u.unbound.dom;
    if (self == DOMID_SELF)
        test_fail("unbound.dom is DOMID_SELF, want our domain id");

    bi.remote_port = a;
    CHECK_RC(op(EVTCHNOP_bind_interdomain, &bi), 0, "bind_interdomain(self, a)");
    b = bi.local_port;
    if (b == 0 || b == a)
        test_fail("bind_interdomain gave local port %u (remote %u)", b, a);
    want_status(a, EVTCHNSTAT_interdomain, "status of end a");
    if (st.u.interdomain.dom != self || st.u.interdomain.port != b)
        test_fail("end a: peer %u:%u, want %u:%u", st.u.interdomain.dom, st.u.interdomain.port, self, b);
    want_status(b, EVTCHNSTAT_interdomain, "status of end b");
    if (st.u.interdomain.dom != self || st.u.interdomain.port != a)
        test_fail("end b: peer %u:%u, want %u:%u", st.u.interdomain.dom, st.u.interdomain.port, self, a);
    CHECK_RC(op(EVTCHNOP_bind_interdomain, &bi), -XEN_EINVAL, "bind_interdomain to a bound port");
    CHECK_RC(send_port(b), 0, "send on end b");
    CHECK_RC(send_port(a), 0, "send on end a");
    CHECK_RC(close_port(b), 0, "close end b");
    want_status(a, EVTCHNSTAT_unbound, "end a after closing b");
    if (st.u.unbound.dom != self)
        test_fail("end a: unbound.dom %u, want %u", st.u.unbound.dom, self);
    want_status(b, EVTCHNSTAT_closed, "end b after closing it");
    CHECK_RC(send_port(a), 0, "send on an unbound port (dropped)");
    CHECK_RC(close_port(a), 0, "close end a");
    CHECK_RC(close_port(a), -XEN_EINVAL, "close end a again");

    CHECK_RC(op(EVTCHNOP_bind_virq, &bv), 0, "bind_virq(TIMER, vcpu 0)");
    t = bv.port;
    want_status(t, EVTCHNSTAT_virq, "status of the VIRQ port");
    if (st.u.virq != VIRQ_TIMER || st.vcpu != 0)
        test_fail("VIRQ port: virq %u vcpu %u", st.u.virq, st.vcpu);
    CHECK_RC(op(EVTCHNOP_bind_virq, &bv), -XEN_EEXIST, "bind_virq(TIMER) twice");
    bv = (struct evtchn_bind_virq){ .virq = 24 };
    CHECK_RC(op(EVTCHNOP_bind_virq, &bv), -XEN_EINVAL, "bind_virq(24)");
    bv = (struct evtchn_bind_virq){ .virq = VIRQ_DOM_EXC, .vcpu = 1 };
    CHECK_RC(op(EVTCHNOP_bind_virq, &bv), -XEN_EINVAL, "bind_virq(DOM_EXC, vcpu 1): global VIRQs are vcpu 0");
    bv = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 5 };
    CHECK_RC(op(EVTCHNOP_bind_virq, &bv), -XEN_ENOENT, "bind_virq(TIMER, vcpu 5)");

    CHECK_RC(op(EVTCHNOP_bind_ipi, &ip), 0, "bind_ipi(vcpu 0)");
    i = ip.port;
    want_status(i, EVTCHNSTAT_ipi, "status of the IPI port");
    CHECK_RC(send_port(i), 0, "send on the IPI port");
    ip.vcpu = 9;
    CHECK_RC(op(EVTCHNOP_bind_ipi, &ip), -XEN_ENOENT, "bind_ipi(vcpu 9)");

    CHECK_RC(send_port(0), -XEN_EINVAL, "send on port 0");
    CHECK_RC(send_port(100), -XEN_EINVAL, "send on an unused port");
    CHECK_RC(send_port(4096), -XEN_EINVAL, "send on port 4096");
    CHECK_RC(close_port(0), -XEN_EINVAL, "close port 0");
    CHECK_RC(close_port(100), -XEN_EINVAL, "close an unused port");
    CHECK_RC(close_port(4096), -XEN_EINVAL, "close port 4096");
    want_status(0, EVTCHNSTAT_closed, "status of port 0 (reserved: closed)");
    st = (struct evtchn_status){ .dom = DOMID_SELF, .port = 4096 };
    CHECK_RC(op(EVTCHNOP_status, &st), -XEN_EINVAL, "status of port 4096");
    st = (struct evtchn_status){ .dom = 7, .port = 1 };
    CHECK_RC(op(EVTCHNOP_status, &st), -XEN_ESRCH, "status in domain 7 (no such domain)");
    st = (struct evtchn_status){ .dom = 0, .port = 1 };
    CHECK_RC(op(EVTCHNOP_status, &st), -XEN_ESRCH, "status in domain 0 (none in this run)");
    al = (struct evtchn_alloc_unbound){ .dom = 7, .remote_dom = DOMID_SELF };
    CHECK_RC(op(EVTCHNOP_alloc_unbound, &al), -XEN_ESRCH, "alloc_unbound in domain 7 (no such domain)");
    CHECK_RC(op(EVTCHNOP_unmask, &um), -XEN_EINVAL, "unmask port 4096");
    um.port = ~0U;
    CHECK_RC(op(EVTCHNOP_unmask, &um), -XEN_EINVAL, "unmask port 0xffffffff");

    {
        struct evtchn_set_priority sp = { .port = i, .priority = 3 };
        CHECK_RC(op(EVTCHNOP_set_priority, &sp), fifo ? 0 : -XEN_ENOSYS,
                 fifo ? "set_priority on the FIFO ABI" : "set_priority on the 2-level ABI");
    }
    if (con == 0)
        test_fail("start_info has no console event channel");
    else
        want_status(con, EVTCHNSTAT_interdomain, "status of the console port");

    CHECK_RC(op(EVTCHNOP_reset, &rs), 0, "reset(DOMID_SELF)");
    want_status(t, EVTCHNSTAT_closed, "VIRQ port after reset");
    want_status(i, EVTCHNSTAT_closed, "IPI port after reset");
    bv = (struct evtchn_bind_virq){ .virq = VIRQ_TIMER, .vcpu = 0 };
    CHECK_RC(op(EVTCHNOP_bind_virq, &bv), 0, "bind_virq(TIMER) again after reset");

    /* The FIFO sub-ops on a 2-level domain (their success: tests/guest/evtchn_fifo). */
    CHECK_RC(op(EVTCHNOP_expand_array, junk), -XEN_EOPNOTSUPP, "expand_array before init_control");
    {
        struct evtchn_set_priority sp = { .port = bv.port, .priority = 0 };
        CHECK_RC(op(EVTCHNOP_set_priority, &sp), -XEN_ENOSYS, "set_priority (2-level ABI)");
    }
    CHECK_RC(op(EVTCHNOP_bind_pirq, &bp), -XEN_EPERM, "bind_pirq(1) for a domU");
    CHECK_RC(op(14, junk), -XEN_ENOSYS, "unknown event_channel_op 14");
    CHECK_RC(op(EVTCHNOP_status, (void *)0x1000), -XEN_EFAULT, "status from an unmapped address");
    CHECK_RC(op(EVTCHNOP_alloc_unbound, (void *)HYPERVISOR_VIRT_START), -XEN_EFAULT,
             "alloc_unbound from the hypervisor range");
    CHECK_RC(op(EVTCHNOP_bind_virq, (void *)0x1000), -XEN_EFAULT, "bind_virq from an unmapped address");
}

static uint8_t control_page[4096] __attribute__((aligned(4096)));

void test_main(void)
{
    struct evtchn_reset rs = { DOMID_SELF };
    struct evtchn_init_control ic = {
        .control_gfn = pfn_to_mfn(((uint64_t)control_page - 0xffffffff80000000UL) >> 12), .vcpu = 0 };

    printk("evtchn_ops: on the 2-level ABI\n");
    ops_pass(false);
    /* Every port closed (the console's stays), then the FIFO ABI: the same calls, the same answers. */
    CHECK_RC(op(EVTCHNOP_reset, &rs), 0, "reset before switching to FIFO");
    CHECK_RC(op(EVTCHNOP_init_control, &ic), 0, "init_control with a page of ours");
    printk("evtchn_ops: on the FIFO ABI\n");
    ops_pass(true);
    test_success();
}
