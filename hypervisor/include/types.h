/* Basic types and helpers for the freestanding hypervisor. */
#ifndef TANDEM_TYPES_H
#define TANDEM_TYPES_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>

typedef uint64_t paddr_t;
typedef uint64_t mfn_t;
typedef uint64_t vaddr_t;

#define PAGE_SHIFT  12
#define PAGE_SIZE   (1UL << PAGE_SHIFT)
#define PAGE_MASK   (~(PAGE_SIZE - 1))

#define ARRAY_SIZE(a)        (sizeof(a) / sizeof((a)[0]))
#define ROUNDUP(x, a)        (((x) + (a) - 1) & ~((typeof(x))(a) - 1))
#define ROUNDDOWN(x, a)      ((x) & ~((typeof(x))(a) - 1))
#define DIV_ROUND_UP(n, d)   (((n) + (d) - 1) / (d))
#define MIN(a, b)            ((a) < (b) ? (a) : (b))
#define MAX(a, b)            ((a) > (b) ? (a) : (b))
#define BUILD_BUG_ON(c)      _Static_assert(!(c), #c)
#define likely(x)            __builtin_expect(!!(x), 1)
#define unlikely(x)          __builtin_expect(!!(x), 0)
#define __packed             __attribute__((packed))
#define __aligned(n)         __attribute__((aligned(n)))
#define __noreturn           __attribute__((noreturn))
#define __used               __attribute__((used))
#define __section(s)         __attribute__((section(s)))
/*
 * The PV fast paths (SYSCALL bounce, iret, page-fault bounce, event delivery,
 * page-table updates): their code and hot globals, each packed together by
 * tandem.ld so that the paths touch few distinct pages (under TCG each one
 * touched after a CR3 write costs a software-TLB refill; on hardware, iTLB
 * and dTLB entries). docs/architecture.md, "The PV fast paths".
 */
#define __pv_fast            __section(".text.pvfast")
#define __pv_fast_mm         __section(".text.pvfast.mm")   /* page-table updates: after the above */
#define __pv_fast_data       __section(".data.pvfast")
#define barrier()            __asm__ __volatile__("" ::: "memory")
#define container_of(p, t, m) ((t *)((char *)(p) - offsetof(t, m)))
#define READ_ONCE(x)         (*(const volatile typeof(x) *)&(x))
#define WRITE_ONCE(x, v)     (*(volatile typeof(x) *)&(x) = (v))

#endif
