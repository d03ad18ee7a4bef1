/* Exceptions, interrupts and the way back to the guest. */
#ifndef TANDEM_TRAPS_H
#define TANDEM_TRAPS_H

#include "regs.h"

struct domain;

void do_trap(struct cpu_user_regs *regs);
void do_syscall(struct cpu_user_regs *regs);
/* SYSCALL from 32-bit guest code (MSR_CSTAR): the syscall32 callback, else #UD. */
void do_syscall32(struct cpu_user_regs *regs);
/* SYSENTER (frame with Xen's null rip/rsp): the sysenter callback, else #GP(0). */
void do_sysenter(struct cpu_user_regs *regs);
void prepare_to_return_guest(void);
/*
 * Print the NMI and hypervisor-#DB counts the IST handlers kept (they never
 * print): during the run only when a count has doubled, at the end (final) always.
 */
void traps_report_counts(bool final);
/*
 * nmi=dom0 (the default, as Xen's release builds) or nmi=ignore: whether a
 * platform NMI is also reported to the hardware domain (Tandem's driver
 * domain) as a virtual NMI to its vCPU 0 with the reason in
 * shared_info.arch.nmi_reason. The NMI handler only records it; the next
 * timer interrupt forwards it (traps_forward_nmis).
 */
void traps_set_nmi_mode(const char *mode);
void traps_forward_nmis(void);

/* Print registers, error code, CR2, and a backtrace when the frame is the hypervisor's. */
void show_registers(const struct cpu_user_regs *regs);
void show_guest_registers(const struct cpu_user_regs *regs);

/* PV: handle an exception raised by guest code (arch/x86/pv/traps.c). */
void pv_guest_exception(struct cpu_user_regs *regs);
/* PV: a #PF in this CPU's LDT area (pv/ldt.c): true when handled (page mapped, or delivered to the guest). */
bool pv_ldt_fault(struct cpu_user_regs *regs, uint64_t cr2);
/*
 * PV: the iretq back to the guest faulted (a selector of the frame): deliver
 * the fault to the guest, whose registers regs holds, as Xen's pre-exception
 * table does (pv/ldt.c); then return to the guest.
 */
__attribute__((noreturn)) void pv_iret_fault(struct cpu_user_regs *regs);

extern const char *const exception_names[32];

#endif
