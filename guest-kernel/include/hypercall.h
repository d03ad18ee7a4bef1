/*
 * Guest-side hypercall wrappers. HYPERVISOR_<name>() (typed, generated from
 * hypercall-abi/hypercalls.def) and HCn() (raw) call through the
 * hypercall page the hypervisor wrote (Xen's convention: rax = number,
 * rdi rsi rdx r10 r8 = arguments). raw_hypercall() issues SYSCALL directly,
 * as kernels without a HYPERCALL_PAGE note (e.g. Linux 6.x) do.
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stdint.h>
#include <tandem/xen.h>

extern char hypercall_page[HYPERCALL_PAGE_SIZE];

/*
 * For asm strings: HYPERCALL_STUB_ASM(iret) is "hypercall_page + 23 * 32",
 * HYPERCALL_ASM_STR(FLAT_USER_SS) is "0xe02b".
 */
#define HYPERCALL_ASM_STR_(x)    #x
#define HYPERCALL_ASM_STR(x)     HYPERCALL_ASM_STR_(x)
#define HYPERCALL_STUB_ASM(name) \
    "hypercall_page + " HYPERCALL_ASM_STR(__HYPERVISOR_##name) " * " HYPERCALL_ASM_STR(HYPERCALL_STUB_SIZE)

static inline long _hypercall(unsigned long nr, unsigned long a1, unsigned long a2,
                              unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;
    long ret;

    __asm__ __volatile__("call *%[fn]"
        : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
        : [fn] "r"(hypercall_page + nr * HYPERCALL_STUB_SIZE)
        : "memory", "rcx", "r11", "r9");
    return ret;
}

static inline long raw_hypercall(unsigned long nr, unsigned long a1, unsigned long a2,
                                 unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;
    long ret;

    __asm__ __volatile__("syscall"
        : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
        : "0"(nr)
        : "memory", "rcx", "r11", "r9");
    return ret;
}

/* The typed wrappers HYPERVISOR_<name>(...), generated from hypercalls.def. */
#include "generated/hypercall_wrappers.h"

/*
 * HCn(name, ...): the raw form, n register values (the rest 0) through the
 * page, whatever the list's types say: for tests that pass what no typed
 * wrapper would (bad pointers, counts wider than 32 bits, extra registers).
 */
#define HC0(name)              _hypercall(__HYPERVISOR_##name, 0, 0, 0, 0, 0)
#define HC1(name, a)           _hypercall(__HYPERVISOR_##name, (unsigned long)(a), 0, 0, 0, 0)
#define HC2(name, a, b)        _hypercall(__HYPERVISOR_##name, (unsigned long)(a), (unsigned long)(b), 0, 0, 0)
#define HC3(name, a, b, c)     _hypercall(__HYPERVISOR_##name, (unsigned long)(a), (unsigned long)(b), \
                                          (unsigned long)(c), 0, 0)
#define HC4(name, a, b, c, d)  _hypercall(__HYPERVISOR_##name, (unsigned long)(a), (unsigned long)(b), \
                                          (unsigned long)(c), (unsigned long)(d), 0)
#define HC5(name, a, b, c, d, e) _hypercall(__HYPERVISOR_##name, (unsigned long)(a), (unsigned long)(b), \
                                            (unsigned long)(c), (unsigned long)(d), (unsigned long)(e))

#endif
