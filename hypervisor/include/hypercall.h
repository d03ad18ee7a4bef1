/*
 * Hypercall dispatch. The handler prototypes and the per-guest-type tables
 * are generated from hypercall-abi/hypercalls.def (tools/gen-hypercall-table).
 */
#ifndef TANDEM_HYPERCALL_H
#define TANDEM_HYPERCALL_H

#include "types.h"
#include "regs.h"
#include "generated/hypercall_prototypes.h"

#define NR_HYPERCALLS 64
/* A table entry: the generated thunk that calls do_<name> with typed arguments. */
typedef long hypercall_fn_t(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

/* One table per guest type (generated; a NULL entry answers -ENOSYS). */
extern hypercall_fn_t *const hypercall_table_pv64[NR_HYPERCALLS];
extern hypercall_fn_t *const hypercall_table_hvm64[NR_HYPERCALLS];

/* Runs hypercall nr for the current vCPU (also used by multicall). */
long hypercall_dispatch(unsigned long nr, uint64_t a1, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5);
const char *hypercall_name(unsigned long nr);
/*
 * Preempt a long hypercall (Xen's hypercall_create_continuation): the guest
 * re-executes its SYSCALL with these arguments, after any pending interrupt
 * or event has been handled. Returns nr, which the caller must return as its
 * result at once, having changed nothing it has not accounted for in the
 * arguments (this re-loads rax). Inside a multicall the arguments go into
 * the multicall entry instead, which the multicall writes back to the guest
 * before continuing itself at that entry (Xen's model); the return value is
 * the same. Never fails.
 */
long hypercall_continue(unsigned long nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4);
/*
 * True when a long hypercall should stop at its next safe point and
 * continue: the timer is due, a reschedule is wanted, or the vCPU has an
 * event to take. Call it between units of work, never before the first
 * (each call must make progress). Every hypercall whose work grows with a
 * guest-chosen number checks it (docs/error-handling.md, "No hypercall
 * holds the CPU for long").
 */
bool hypercall_preempt_check(void);

#endif
