/*
 * fault_upcall_stack: an event upcall due on the way back from a hypercall
 * made with rsp pointing at unmapped memory (SYSCALL itself does not touch
 * the stack). The upcall's bounce frame cannot be written: the domain is
 * crashed, and a crashed domain must never run again (Xen's
 * create_bounce_frame failure ends in asm_domain_crash_synchronous, which
 * does not return to the guest). If the guest ran on, its next instruction
 * would print the RESUMED marker through a stack-less console_io call.
 * (If the hypervisor's timer interrupt happens to be due when the crashed
 * vCPU is resumed, the vCPU is descheduled before its first instruction and
 * the bug goes unseen: the test can pass by luck while the bug exists, it
 * cannot fail once it is fixed.)
 */
#include "upcall.h"

const char test_title[] = "event upcall onto an unmapped kernel stack";

static const char msg[] = "fault_upcall_stack: RESUMED after the crash\n";

void test_main(void)
{
    uint32_t p;

    evt_map_shared_info();
    CHECK_RC(evt_register_callback(), 0, "register the event callback");
    CHECK_RC(evt_bind_ipi(&p), 0, "bind_ipi");
    CHECK_RC(evt_unmask(p), 0, "unmask it");
    CHECK_RC(evt_send(p), 0, "send (events masked: stays pending)");
    if (!evt_vcpu->evtchn_upcall_pending)
        test_error("no upcall pending");
    printk("fault_upcall_stack: about to fault\n");
    /* Re-arm the hypervisor's slice timer now (any timer call does), so that its
     * interrupt does not preempt the crashed vCPU before it could run on. */
    HC1(set_timer_op, 0);
    __asm__ __volatile__(
        "mov $0x2000, %%rsp\n\t"
        "mov $17, %%eax\n\txor %%edi, %%edi\n\txor %%esi, %%esi\n\t"     /* xen_version */
        "movb $0, (%[mask])\n\t"            /* events on: the upcall is due */
        "syscall\n\t"
        "mov $18, %%eax\n\txor %%edi, %%edi\n\tmov %[len], %%esi\n\tlea %[msg], %%rdx\n\tsyscall\n"
        "1:\tjmp 1b"
        :: [mask] "r"(&evt_vcpu->evtchn_upcall_mask), [len] "i"(sizeof(msg) - 1), [msg] "m"(msg)
        : "rax", "rcx", "rdx", "rsi", "rdi", "r11", "memory");
}
