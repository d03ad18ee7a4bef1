/* PV CPU internals shared by traps.c, callbacks.c and emul.c. */
#ifndef TANDEM_PV_H
#define TANDEM_PV_H

#include "domain.h"
#include "regs.h"

#define TRAP_divide_error   0
#define TRAP_debug          1
#define TRAP_int3           3
#define TRAP_invalid_op     6
#define TRAP_no_device      7
#define TRAP_gp_fault      13
#define TRAP_page_fault    14

/*
 * Push Xen's bounce frame for `handler` on the guest kernel stack (switching
 * to guest kernel mode and the stack_switch stack if the vCPU was in user
 * mode) and point the frame at the handler. Returns false after crashing the
 * domain if the frame cannot be written.
 */
bool pv_bounce(struct vcpu *v, struct cpu_user_regs *regs, uint64_t handler,
               bool has_err, uint32_t err, bool mask_events, const char *what);
/* Deliver exception `vector` through the guest's virtual IDT (crash if no handler). */
void pv_inject_exception(struct vcpu *v, struct cpu_user_regs *regs, unsigned int vector,
                         bool has_err, uint32_t err);
void pv_toggle_guest_mode(struct vcpu *v);
/* Emulate a privileged instruction at regs->rip; true if handled (rip advanced). */
bool pv_emulate_privileged(struct vcpu *v, struct cpu_user_regs *regs);
bool pv_emulate_forced_cpuid(struct vcpu *v, struct cpu_user_regs *regs);
void pv_set_fpu_ts(struct vcpu *v, bool ts);

#endif
