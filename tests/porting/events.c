/*
 * A porter's second kernel, written only against the public headers
 * (hypercall-abi/include/tandem/) and docs/porting.md, linked with the
 * guide's own head.S and hello.ld: no libguest, no tests/lib. It follows
 * the guide's "Events" steps: map shared_info, bind VIRQ_TIMER, see Xen's
 * default 100 Hz tick arrive (the guide's step 3), stop it, power off; and
 * the guide's entry-stub example (stub.S, from "Entry stubs: the contract")
 * takes a #UD, calls C with rsp 16-byte aligned and returns by iret.
 */
#include <stdint.h>
#include <tandem/xen.h>
#include <tandem/event_channel.h>
#include <tandem/vcpu.h>
#include <tandem/sched.h>
#include <tandem/version.h>
#include <tandem/errno.h>

extern char hypercall_page[];

static long hypercall3(unsigned nr, unsigned long a1, unsigned long a2, unsigned long a3)
{
    register unsigned long rdi asm("rdi") = a1, rsi asm("rsi") = a2, rdx asm("rdx") = a3;
    long ret;

    asm volatile("call *%[stub]"
                 : "=a"(ret), "+r"(rdi), "+r"(rsi), "+r"(rdx)
                 : [stub] "r"(hypercall_page + 32 * nr)
                 : "rcx", "r8", "r9", "r10", "r11", "memory");
    return ret;
}

static void print(const char *s)
{
    unsigned long n = 0;

    while (s[n])
        n++;
    hypercall3(__HYPERVISOR_console_io, CONSOLEIO_write, n, (unsigned long)s);
}

static int failed;

/* What stub.S's trap_common leaves at rsp when it calls trap_c. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error, rip, cs, rflags, rsp, ss;
};

extern char ud_entry[], gp_entry[];
static volatile unsigned int traps_seen, trap_vector, trap_aligned;

void trap_c(struct trap_frame *f);
void trap_c(struct trap_frame *f)
{
    traps_seen++;
    trap_vector = (unsigned int)f->vector;
    trap_aligned = !((uint64_t)f & 15);
    if (f->vector == 6)
        f->rip += 2;            /* past the ud2 */
}

static void check(int ok, const char *what)
{
    print(ok ? "ok: " : "FAILURE: ");
    print(what);
    print("\n");
    failed |= !ok;
}

/* A page of the image, in the boot region: shared_info is mapped over it. */
static char shared_page[4096] __attribute__((aligned(4096)));

static int port_pending(volatile struct shared_info *si, uint32_t port)
{
    return (si->evtchn_pending[port / 64] >> (port % 64)) & 1;
}

static void power_off(unsigned int reason)
{
    struct sched_shutdown sd = { .reason = reason };

    for (;;)
        hypercall3(__HYPERVISOR_sched_op, SCHEDOP_shutdown, (unsigned long)&sd, 0);
}

void main(struct start_info *si)
{
    volatile struct shared_info *shared = (volatile struct shared_info *)shared_page;
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    unsigned long spins;
    long rc;

    print("porting/events: the guide's Events steps, public headers only\n");
    check(hypercall3(__HYPERVISOR_xen_version, XENVER_version, 0, 0) == 0x40013, "xen_version is 4.19");
    rc = hypercall3(__HYPERVISOR_update_va_mapping, (unsigned long)shared_page, si->shared_info | 0x67,
                    UVMF_INVLPG);
    check(rc == 0, "update_va_mapping maps shared_info over a page of the image");
    if (rc)
        power_off(SHUTDOWN_crash);
    for (unsigned int w = 0; w < 64; w++)
        shared->evtchn_mask[w] = ~0ULL;     /* step 2: mask every port; events stay masked */
    rc = hypercall3(__HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, (unsigned long)&bv, 0);
    check(rc == 0 && bv.port > 0, "EVTCHNOP_bind_virq(VIRQ_TIMER) gives a port");
    /* Step 3: no timer armed, yet the default tick makes the port pending while we run. */
    for (spins = 0; !port_pending(shared, bv.port) && spins < 4000000000UL; spins++)
        asm volatile("pause" ::: "memory");
    check(port_pending(shared, bv.port), "the default 100 Hz tick raised VIRQ_TIMER with no timer armed");
    check(hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_stop_periodic_timer, 0, 0) == 0,
          "VCPUOP_stop_periodic_timer returns 0, as Linux expects");
    check(hypercall3(__HYPERVISOR_vcpu_op, VCPUOP_stop_periodic_timer, 4095, 0) == -XEN_ENOENT,
          "VCPUOP_stop_periodic_timer on a vCPU that does not exist: -ENOENT");
    /* The guide's entry stubs: #UD goes through ud_entry, trap_common, trap_c and iret. */
    {
        struct trap_info traps[3] = {
            { .vector = 6, .cs = FLAT_KERNEL_CS, .address = (uint64_t)ud_entry },
            { .vector = 13, .cs = FLAT_KERNEL_CS, .address = (uint64_t)gp_entry },
            { 0 },
        };
        check(hypercall3(__HYPERVISOR_set_trap_table, (unsigned long)traps, 0, 0) == 0, "set_trap_table");
        asm volatile("ud2" ::: "memory");
        check(traps_seen == 1 && trap_vector == 6, "the guide's ud_entry stub took the #UD and returned past it");
        check(trap_aligned, "trap_common called C with rsp 16-byte aligned");
    }
    print(failed ? "Test result: FAILURE\n" : "Test result: SUCCESS\n");
    power_off(SHUTDOWN_poweroff);
}
