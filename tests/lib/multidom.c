/* Helpers for test kernels run as several domains (see multidom.h). */
#include "multidom.h"
#include <tandem/callback.h>
#include <tandem/vcpu.h>

#define MD_PORTS 256

static uint8_t md_shared_info_page[4096] __attribute__((aligned(4096)));
static md_handler_t md_handlers[MD_PORTS];
static struct vcpu_info *md_vcpu;

void md_upcall(void);

/* Event callback: Xen's bounce frame rcx, r11, rip, cs, rflags, rsp, ss; back through iret. */
__asm__(
    ".pushsection .text, \"ax\"\n\t"
    ".globl md_upcall_entry\n"
    "md_upcall_entry:\n\t"
    "pop %rcx\n\tpop %r11\n\t"
    "push %rax\n\tpush %rcx\n\tpush %rdx\n\tpush %rsi\n\tpush %rdi\n\t"
    "push %r8\n\tpush %r9\n\tpush %r10\n\tpush %r11\n\tpush %rbp\n\t"
    "mov %rsp, %rbp\n\t"
    "and $-16, %rsp\n\t"
    "cld\n\t"
    "call md_upcall\n\t"
    "mov %rbp, %rsp\n\t"
    "pop %rbp\n\tpop %r11\n\tpop %r10\n\tpop %r9\n\tpop %r8\n\t"
    "pop %rdi\n\tpop %rsi\n\tpop %rdx\n\tpop %rcx\n\tpop %rax\n\t"
    "pushq $0\n\t"
    "jmp " HYPERCALL_STUB_ASM(iret) "\n\t"
    ".popsection");
extern const char md_upcall_entry[];

/* The 2-level scan: clear each pending, unmasked port, then run its handler. */
static void md_dispatch(unsigned int port, void *ctx)
{
    (void)ctx;
    if (port < MD_PORTS && md_handlers[port])
        md_handlers[port](port);
}

void md_upcall(void)
{
    struct shared_info *s = shared_info;

    evtchn_scan(s, (struct vcpu_info *)md_vcpu, md_dispatch, NULL);
}

const char *md_arg(const char *key, const char *def, char *buf, size_t size)
{
    const char *cl = start_info->cmd_line;
    size_t klen = strlen(key), n = 0;

    for (const char *p = cl; *p; p++) {
        if ((p != cl && p[-1] != ' ') || strncmp(p, key, klen) || p[klen] != '=')
            continue;
        for (p += klen + 1; *p && *p != ' ' && n + 1 < size; p++)
            buf[n++] = *p;
        buf[n] = 0;
        return buf;
    }
    for (; def && def[n] && n + 1 < size; n++)
        buf[n] = def[n];
    buf[n] = 0;
    return buf;
}

unsigned long md_arg_ul(const char *key, unsigned long def)
{
    char v[32];

    return md_arg(key, "", v, sizeof(v))[0] ? strtoul(v, NULL, 0) : def;
}

bool md_arg_is(const char *key, const char *value)
{
    char v[64];

    return !strcmp(md_arg(key, "", v, sizeof(v)), value);
}

static void md_timer(uint32_t port)
{
    (void)port;         /* only wakes the vCPU */
}

void md_init(void)
{
    struct callback_register cb = { .type = CALLBACKTYPE_event, .address = (uint64_t)md_upcall_entry };
    uint64_t va = (uint64_t)md_shared_info_page;
    uint32_t port;

    if (HC3(update_va_mapping, va, start_info->shared_info | 0x67, UVMF_INVLPG)) {
        test_error("cannot map shared_info");
        shutdown(SHUTDOWN_crash);
    }
    shared_info = (struct shared_info *)va;
    md_vcpu = &shared_info->vcpu_info[0];
    md_vcpu->evtchn_upcall_mask = 1;
    for (unsigned int i = 0; i < 64; i++)
        shared_info->evtchn_mask[i] = ~0UL;
    if (HC2(callback_op, CALLBACKOP_register, &cb) || md_bind_virq(VIRQ_TIMER, &port)) {
        test_error("cannot set up events");
        shutdown(SHUTDOWN_crash);
    }
    md_bind(port, md_timer);
}

void md_events_on(void)
{
    md_vcpu->evtchn_upcall_mask = 0;
    barrier();
    if (md_vcpu->evtchn_upcall_pending)
        HC2(xen_version, 0, 0);         /* any hypercall delivers it */
}

void md_events_off(void)
{
    md_vcpu->evtchn_upcall_mask = 1;
    barrier();
}

uint64_t md_now(void)
{
    return pvclock_read_ns(&md_vcpu->time);
}

bool md_block_until(volatile unsigned long *counter, unsigned long want, uint64_t deadline)
{
    for (;;) {
        md_events_off();
        if (*counter >= want) {
            md_events_on();
            return true;
        }
        if (md_now() >= deadline) {
            md_events_on();
            return false;
        }
        HC1(set_timer_op, deadline);
        HC2(sched_op, SCHEDOP_block, 0);    /* events on; an upcall on the way back */
    }
}

void md_sleep_ns(uint64_t ns)
{
    static volatile unsigned long never;

    md_block_until(&never, 1, md_now() + ns);
}

static long evop(unsigned int cmd, void *arg)
{
    return HC2(event_channel_op, cmd, arg);
}

void md_bind(uint32_t port, md_handler_t h)
{
    struct evtchn_unmask u = { port };

    if (port < MD_PORTS)
        md_handlers[port] = h;
    evop(EVTCHNOP_unmask, &u);
}

long md_alloc_unbound(domid_t remote, uint32_t *port)
{
    struct evtchn_alloc_unbound a = { .dom = DOMID_SELF, .remote_dom = remote };
    long rc = evop(EVTCHNOP_alloc_unbound, &a);

    *port = a.port;
    return rc;
}

long md_bind_interdomain(domid_t remote, uint32_t remote_port, uint32_t *port)
{
    struct evtchn_bind_interdomain b = { .remote_dom = remote, .remote_port = remote_port };
    long rc = evop(EVTCHNOP_bind_interdomain, &b);

    *port = b.local_port;
    return rc;
}

long md_bind_virq(uint32_t virq, uint32_t *port)
{
    struct evtchn_bind_virq b = { .virq = virq, .vcpu = 0 };
    long rc = evop(EVTCHNOP_bind_virq, &b);

    *port = b.port;
    return rc;
}

long md_send(uint32_t port)
{
    struct evtchn_send s = { port };

    return evop(EVTCHNOP_send, &s);
}

long md_close(uint32_t port)
{
    struct evtchn_close c = { port };

    return evop(EVTCHNOP_close, &c);
}

long md_status(domid_t dom, uint32_t port, domid_t *far_dom, uint32_t *far_port)
{
    struct evtchn_status st = { .dom = dom, .port = port };
    long rc = evop(EVTCHNOP_status, &st);

    if (rc)
        return rc;
    *far_dom = st.status == EVTCHNSTAT_unbound ? st.u.unbound.dom : st.u.interdomain.dom;
    *far_port = st.status == EVTCHNSTAT_interdomain ? st.u.interdomain.port : 0;
    return st.status;
}

bool md_pending(uint32_t port)
{
    return (__atomic_load_n(&shared_info->evtchn_pending[port / 64], __ATOMIC_SEQ_CST) >> (port % 64)) & 1;
}

void md_clear_pending(uint32_t port)
{
    __atomic_fetch_and(&shared_info->evtchn_pending[port / 64], ~(1UL << (port % 64)), __ATOMIC_SEQ_CST);
}

long md_domctl(uint32_t cmd, domid_t domid, struct tandem_domctl *op)
{
    *op = (struct tandem_domctl){ .cmd = cmd, .interface_version = TANDEM_DOMCTL_INTERFACE_VERSION,
                                  .domid = domid };
    return HC1(tandem_domctl, op);
}

long md_dominfo(domid_t domid, struct tandem_domctl_getdomaininfo *info)
{
    struct tandem_domctl op;
    long rc = md_domctl(TANDEM_DOMCTL_getdomaininfo, domid, &op);

    if (rc)
        return rc;
    if (op.u.getdomaininfo.domid != domid)
        return -XEN_ESRCH;
    *info = op.u.getdomaininfo;
    return 0;
}

long md_storeinfo(domid_t domid, struct tandem_domctl_getstoreinfo *info)
{
    struct tandem_domctl op;
    long rc = md_domctl(TANDEM_DOMCTL_getstoreinfo, domid, &op);

    if (!rc)
        *info = op.u.getstoreinfo;
    return rc;
}

long md_getdevice(domid_t domid, uint32_t index, struct tandem_domctl_getdevice *dev)
{
    struct tandem_domctl op = { .cmd = TANDEM_DOMCTL_getdevice,
                                .interface_version = TANDEM_DOMCTL_INTERFACE_VERSION, .domid = domid };
    long rc;

    op.u.getdevice.index = index;
    if (!(rc = HC1(tandem_domctl, &op)))
        *dev = op.u.getdevice;
    return rc;
}
