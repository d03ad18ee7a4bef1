/* Event channels and time for the test kernels (see upcall.h). */
#include "upcall.h"
#include <tandem/callback.h>

volatile struct upcall_record upcalls;
struct vcpu_info *volatile evt_vcpu;

static uint8_t shared_info_page[4096] __attribute__((aligned(4096)));

void upcall_dispatch(uint64_t *iret);

void (*volatile upcall_hook)(void);

/*
 * Event callback: Xen's bounce frame without an error code (rcx, r11, rip,
 * cs, rflags, rsp, ss). Pop rcx/r11, save the other caller-saved
 * registers, call upcall_dispatch(&rip), restore, return with iret.
 */
__asm__(
    ".pushsection .text, \"ax\"\n\t"
    ".globl upcall_entry\n"
    "upcall_entry:\n\t"
    "pop %rcx\n\tpop %r11\n\t"
    "push %rax\n\tpush %rcx\n\tpush %rdx\n\tpush %rsi\n\tpush %rdi\n\t"
    "push %r8\n\tpush %r9\n\tpush %r10\n\tpush %r11\n\tpush %rbp\n\t"
    "lea 80(%rsp), %rdi\n\t"
    "mov %rsp, %rbp\n\t"
    "and $-16, %rsp\n\t"
    "cld\n\t"
    "call upcall_dispatch\n\t"
    "mov %rbp, %rsp\n\t"
    "pop %rbp\n\tpop %r11\n\tpop %r10\n\tpop %r9\n\tpop %r8\n\t"
    "pop %rdi\n\tpop %rsi\n\tpop %rdx\n\tpop %rcx\n\tpop %rax\n\t"
    "pushq $0\n\t"                  /* iret flags */
    "jmp " HYPERCALL_STUB_ASM(iret) "\n\t"
    ".popsection");
extern const char upcall_entry[];

static void count_port(unsigned int port, void *ctx)
{
    (void)ctx;
    if (port < EVT_TRACKED_PORTS)
        upcalls.port_hits[port]++;
}

void upcall_dispatch(uint64_t *iret)
{
    struct vcpu_info *vi = evt_vcpu;
    struct shared_info *s = shared_info;
    bool found = false;

    upcalls.count++;
    upcalls.rip = iret[0];
    upcalls.cs = iret[1];
    upcalls.rflags = iret[2];
    upcalls.rsp = iret[3];
    upcalls.mask_on_entry = vi->evtchn_upcall_mask;
    found = evtchn_scan(s, vi, count_port, NULL) != 0;
    if (!found)
        upcalls.empty++;
    if (upcall_hook)
        upcall_hook();
}

void evt_map_shared_info(void)
{
    uint64_t va = (uint64_t)shared_info_page;
    long rc = HC3(update_va_mapping, va, start_info->shared_info | 0x67, UVMF_INVLPG);

    if (rc) {
        test_error("cannot map shared_info (%ld)", rc);
        shutdown(SHUTDOWN_crash);
    }
    shared_info = (struct shared_info *)va;
    evt_vcpu = &shared_info->vcpu_info[0];
    for (unsigned int i = 0; i < 64; i++)
        shared_info->evtchn_mask[i] = ~0UL;
}

long evt_register_callback(void)
{
    struct callback_register r = { .type = CALLBACKTYPE_event, .address = (uint64_t)upcall_entry };

    return HC2(callback_op, CALLBACKOP_register, &r);
}

void evt_events_on(void)
{
    evt_vcpu->evtchn_upcall_mask = 0;
    barrier();
    if (evt_vcpu->evtchn_upcall_pending)
        HC2(xen_version, 0, 0);
}

void evt_events_off(void)
{
    evt_vcpu->evtchn_upcall_mask = 1;
    barrier();
}

static long evtchn_op(unsigned int cmd, void *arg) { return HC2(event_channel_op, cmd, arg); }

long evt_bind_ipi(uint32_t *port)
{
    struct evtchn_bind_ipi b = { .vcpu = 0 };
    long rc = evtchn_op(EVTCHNOP_bind_ipi, &b);

    *port = rc ? 0 : b.port;
    return rc;
}

long evt_bind_virq(uint32_t virq, uint32_t *port)
{
    struct evtchn_bind_virq b = { .virq = virq, .vcpu = 0 };
    long rc = evtchn_op(EVTCHNOP_bind_virq, &b);

    *port = rc ? 0 : b.port;
    return rc;
}

long evt_send(uint32_t port) { struct evtchn_send s = { port }; return evtchn_op(EVTCHNOP_send, &s); }
long evt_unmask(uint32_t port) { struct evtchn_unmask u = { port }; return evtchn_op(EVTCHNOP_unmask, &u); }
long evt_close(uint32_t port) { struct evtchn_close c = { port }; return evtchn_op(EVTCHNOP_close, &c); }

uint32_t evt_status(uint32_t port, uint32_t *vcpu)
{
    struct evtchn_status st = { .dom = DOMID_SELF, .port = port };

    if (evtchn_op(EVTCHNOP_status, &st))
        return ~0U;
    if (vcpu)
        *vcpu = st.vcpu;
    return st.status;
}

bool evt_pending(uint32_t port)
{
    return (__atomic_load_n(&shared_info->evtchn_pending[port / 64], __ATOMIC_SEQ_CST) >> (port % 64)) & 1;
}

bool evt_masked(uint32_t port)
{
    return (__atomic_load_n(&shared_info->evtchn_mask[port / 64], __ATOMIC_SEQ_CST) >> (port % 64)) & 1;
}

void evt_mask(uint32_t port)
{
    __atomic_fetch_or(&shared_info->evtchn_mask[port / 64], 1UL << (port % 64), __ATOMIC_SEQ_CST);
}

void evt_clear_pending(uint32_t port)
{
    __atomic_fetch_and(&shared_info->evtchn_pending[port / 64], ~(1UL << (port % 64)), __ATOMIC_SEQ_CST);
}

bool evt_sel(uint32_t port)
{
    return (__atomic_load_n(&evt_vcpu->evtchn_pending_sel, __ATOMIC_SEQ_CST) >> (port / 64)) & 1;
}

uint64_t evt_now(void)
{
    return pvclock_read_ns(&evt_vcpu->time);
}

long evt_poll(const uint32_t *ports, uint32_t n, uint64_t timeout)
{
    struct sched_poll p = { .ports = (uint64_t)ports, .nr_ports = n, .timeout = timeout };

    return HC2(sched_op, SCHEDOP_poll, &p);
}

bool evt_wait_port(uint32_t port, uint64_t deadline)
{
    uint32_t ports[1] = { port };

    while (!evt_pending(port) && evt_now() < deadline)
        if (evt_poll(ports, 1, deadline))
            break;
    return evt_pending(port);
}

long evt_block(void)
{
    return HC2(sched_op, SCHEDOP_block, 0);
}
