/*
 * The only way hypervisor code touches guest memory. A guest address is a
 * guest_va_t, never a C pointer: these helpers check that the whole range is
 * guest-owned virtual space (canonical, outside the hypervisor hole, no wrap)
 * and recover from faults. Each returns 0 or -XEN_EFAULT.
 * Precondition: the current vCPU's page tables are loaded (they always are
 * while the hypervisor serves that vCPU).
 */
#ifndef TANDEM_GUEST_ACCESS_H
#define TANDEM_GUEST_ACCESS_H

#include "types.h"

typedef uint64_t guest_va_t;

bool guest_range_ok(guest_va_t va, size_t len);
int copy_from_guest(void *dst, guest_va_t src, size_t len);
int copy_to_guest(guest_va_t dst, const void *src, size_t len);
/* Copies a NUL-terminated string of at most max-1 chars; -EFAULT or -E2BIG if longer. */
int copy_string_from_guest(char *dst, guest_va_t src, size_t max);
/*
 * The fault-recovering copy under the helpers above (entry.S): returns the
 * bytes NOT copied. Only guest_access.c calls it, after the range check.
 */
size_t raw_copy_guest(void *dst, const void *src, size_t n);

#define get_guest(var, va)  copy_from_guest(&(var), (va), sizeof(var))
#define put_guest(var, va)  copy_to_guest((va), &(var), sizeof(var))

#endif
