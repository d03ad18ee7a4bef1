/*
 * Guest-side hypercall wrappers. HYPERVISOR_<name>() calls through the
 * hypercall page the hypervisor wrote (Xen's convention: rax = number,
 * rdi rsi rdx r10 r8 = arguments). raw_hypercall() issues SYSCALL directly,
 * as kernels without a HYPERCALL_PAGE note (e.g. Linux 6.x) do.
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include <stdint.h>
#include <tandem/xen.h>

extern char hypercall_page[4096];

static inline long _hypercall(unsigned long nr, unsigned long a1, unsigned long a2,
                              unsigned long a3, unsigned long a4, unsigned long a5)
{
    register unsigned long r10 __asm__("r10") = a4;
    register unsigned long r8 __asm__("r8") = a5;
    long ret;

    __asm__ __volatile__("call *%[fn]"
        : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
        : [fn] "r"(hypercall_page + nr * 32)
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

#define X(nr, name, nargs) \
    static inline long HYPERVISOR_##name(unsigned long a1, unsigned long a2, unsigned long a3, \
                                         unsigned long a4, unsigned long a5) \
    { return _hypercall(nr, a1, a2, a3, a4, a5); }
#include "../../hypercall-abi/hypercalls.def"
#undef X

#define HC0(name)              HYPERVISOR_##name(0, 0, 0, 0, 0)
#define HC1(name, a)           HYPERVISOR_##name((unsigned long)(a), 0, 0, 0, 0)
#define HC2(name, a, b)        HYPERVISOR_##name((unsigned long)(a), (unsigned long)(b), 0, 0, 0)
#define HC3(name, a, b, c)     HYPERVISOR_##name((unsigned long)(a), (unsigned long)(b), (unsigned long)(c), 0, 0)
#define HC4(name, a, b, c, d)  HYPERVISOR_##name((unsigned long)(a), (unsigned long)(b), (unsigned long)(c), (unsigned long)(d), 0)

#endif
