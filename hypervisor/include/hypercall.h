/* Hypercall dispatch: handlers are generated from hypercall-abi/hypercalls.def. */
#ifndef TANDEM_HYPERCALL_H
#define TANDEM_HYPERCALL_H

#include "types.h"
#include "regs.h"

#define NR_HYPERCALLS 64
typedef long hypercall_fn_t(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

#define X(nr, name, nargs) hypercall_fn_t do_##name;
#include "../../hypercall-abi/hypercalls.def"
#undef X

/* Runs hypercall nr for the current vCPU (also used by multicall). */
long hypercall_dispatch(unsigned long nr, uint64_t a1, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5);
const char *hypercall_name(unsigned long nr);
/*
 * Preempt a long hypercall (Xen's hypercall_create_continuation): the guest
 * re-executes its SYSCALL with these arguments, after any pending interrupt
 * or event has been handled. Returns nr (the caller returns it as its result,
 * which re-loads rax) or 0 when continuing is impossible (inside a multicall):
 * then the caller must finish the work itself.
 */
long hypercall_continue(unsigned long nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4);

#endif
