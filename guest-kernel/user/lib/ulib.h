/*
 * The user programs' library: system-call wrappers (the ABI is
 * guest-kernel/include/uapi.h), printf to the console, strings.
 */
#ifndef USER_ULIB_H
#define USER_ULIB_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>
#include "uapi.h"

static inline long syscall5(long nr, long a1, long a2, long a3, long a4, long a5)
{
    register long r10 __asm__("r10") = a4;
    register long r8 __asm__("r8") = a5;
    long ret;

    __asm__ __volatile__("syscall"
        : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
        : "0"(nr)
        : "rcx", "r11", "r9", "memory");
    return ret;
}
#define syscall0(n)          syscall5((n), 0, 0, 0, 0, 0)
#define syscall1(n, a)       syscall5((n), (long)(a), 0, 0, 0, 0)
#define syscall2(n, a, b)    syscall5((n), (long)(a), (long)(b), 0, 0, 0)
#define syscall3(n, a, b, c) syscall5((n), (long)(a), (long)(b), (long)(c), 0, 0)

__attribute__((noreturn)) void exit(int status);
static inline long write(int fd, const void *buf, size_t len) { return syscall3(SYS_write, fd, buf, len); }
static inline long read(int fd, void *buf, size_t len) { return syscall3(SYS_read, fd, buf, len); }
static inline int fork(void) { return (int)syscall0(SYS_fork); }
static inline int exec(const char *name, char *const argv[]) { return (int)syscall2(SYS_exec, name, argv); }
static inline int wait(int pid, int *status) { return (int)syscall2(SYS_wait, pid, status); }
static inline int getpid(void) { return (int)syscall0(SYS_getpid); }
static inline int getppid(void) { return (int)syscall0(SYS_getppid); }
static inline void yield(void) { syscall0(SYS_yield); }
static inline void *sbrk(long incr) { return (void *)syscall1(SYS_sbrk, incr); }
static inline uint64_t uptime_ns(void) { return (uint64_t)syscall0(SYS_uptime); }
static inline int ps(struct ps_entry *buf, int max) { return (int)syscall2(SYS_ps, buf, max); }
static inline void sleep_ms(uint64_t ms) { syscall1(SYS_sleep, ms); }
static inline int meminfo(struct meminfo *mi) { return (int)syscall1(SYS_meminfo, mi); }

/* Strings and formatting: libtandem (lib/include/tandem-lib/). */
#include <tandem-lib/string.h>
#include <tandem-lib/printf.h>
int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
unsigned long atoul(const char *s);
const char *strerror(long err);     /* err: a negative return value */

#endif
