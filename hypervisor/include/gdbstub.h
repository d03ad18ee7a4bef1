/*
 * A gdb remote stub for one PV domain (docs/debugging.md), Xen's gdbsx idea
 * with the stub in the hypervisor: `gdb=D` on the command line holds domain
 * D at its first instruction until gdb, on the third 16550 (COM3, 0x3e8;
 * tools/tandem-run --gdb PORT), attaches; then registers, memory through
 * the domain's own page tables, software breakpoints and single steps.
 */
#ifndef TANDEM_GDBSTUB_H
#define TANDEM_GDBSTUB_H

#include "types.h"

struct domain;
struct vcpu;
struct cpu_user_regs;

/* The `gdb=` command-line value: the domain id, or "" for none. */
extern char opt_gdb[8];

void gdbstub_init(void);
/* Domain d was built: the debugged one waits for the debugger. */
void gdbstub_domain_built(struct domain *d);
/* Domain d shut down (domain_shutdown): the debugger, if it debugs d, is told (W or X). */
void gdbstub_domain_ended(struct domain *d);
/* From the timer tick on CPU 0: serve the debugger's packets, report stops. */
void gdbstub_poll(void);
/*
 * A #BP or #DB from guest mode of v (regs: its frame): true if it is the
 * debugger's (a breakpoint it set, a step it asked for, any int3 while it is
 * attached), which then stops the domain instead of bouncing to the guest.
 */
bool gdbstub_trap(struct vcpu *v, struct cpu_user_regs *regs, unsigned int vector);

#endif
