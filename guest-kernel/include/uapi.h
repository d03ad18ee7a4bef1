/*
 * The bundled guest kernel's system-call ABI, shared by the kernel and the
 * user programs in guest-kernel/user/. Only <stdint.h> is needed.
 *
 * A user program issues SYSCALL with rax = the number below and the
 * arguments in rdi, rsi, rdx, r10, r8 (Linux's registers); the result comes
 * back in rax, negative = -errno (UAPI_E* below). rcx and r11 are clobbered,
 * as with any SYSCALL.
 *
 * User address space (L4 slot 0, the low 512 GiB): programs are linked at
 * USER_TEXT_BASE; the heap starts at the first page after the program's
 * highest segment and grows with SYS_sbrk; the stack grows down from
 * USER_STACK_TOP by at most USER_STACK_MAX. Heap and stack pages are
 * demand-zero: mapped on first touch. Anything else faults and the process
 * is killed (exit status USER_KILLED_BASE + vector).
 */
#ifndef GUEST_UAPI_H
#define GUEST_UAPI_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif

#define SYS_exit        0   /* (status): never returns */
#define SYS_write       1   /* (fd 1 or 2, buf, len) -> bytes written, to the console */
#define SYS_read        2   /* (fd 0, buf, len) -> bytes: one console line (echoed); 0 at end of input (Ctrl-D) */
#define SYS_fork        3   /* () -> child pid in the parent, 0 in the child */
#define SYS_exec        4   /* (name, argv): a built-in program; returns only on error */
#define SYS_wait        5   /* (pid or -1, int *status or 0) -> pid of the reaped child */
#define SYS_getpid      6   /* () -> pid */
#define SYS_getppid     7   /* () -> parent pid (0: started by the kernel shell) */
#define SYS_yield       8   /* () -> 0: let other threads run */
#define SYS_sbrk        9   /* (increment) -> old break (heap end), or -ENOMEM */
#define SYS_uptime      10  /* () -> ns since the hypervisor booted */
#define SYS_ps          11  /* (struct ps_entry *buf, max) -> processes in the system (fills min(max, n)) */
#define SYS_sleep       12  /* (ms) -> 0 */
#define SYS_meminfo     13  /* (struct meminfo *) -> 0 */
#define NR_SYSCALLS     14

/* Error numbers (Linux's values; the hypervisor's tandem/errno.h has the same for most). */
#define UAPI_ENOENT     2
#define UAPI_E2BIG      7
#define UAPI_ENOEXEC    8
#define UAPI_EBADF      9
#define UAPI_ECHILD     10
#define UAPI_EAGAIN     11
#define UAPI_ENOMEM     12
#define UAPI_EFAULT     14
#define UAPI_EINVAL     22
#define UAPI_ENOSYS     38

#define USER_TEXT_BASE  0x400000
#define USER_TOP        0x8000000000            /* end of L4 slot 0 */
#define USER_STACK_TOP  (USER_TOP - 0x1000)     /* one unmapped guard page above */
#define USER_STACK_MAX  (8UL << 20)
#define USER_MAX_ARGS   16
#define USER_KILLED_BASE 128                    /* exit status of a killed process: 128 + vector */

#define PS_RUNNING      0   /* runnable or running */
#define PS_SLEEPING     1   /* blocked in a system call */
#define PS_ZOMBIE       2   /* exited, not yet waited for */

#ifndef __ASSEMBLY__
struct ps_entry {
    int32_t pid, ppid;
    int32_t state;          /* PS_* */
    int32_t exit_status;    /* zombies only */
    uint64_t pages;         /* user pages mapped */
    uint64_t pt_pages;      /* page-table pages (both L4s included) */
    uint64_t ticks;         /* timer ticks spent running */
    char name[16];
};

struct meminfo {
    uint64_t total;         /* guest pages (start_info.nr_pages) */
    uint64_t free;          /* in the kernel's page allocator */
    uint64_t page_tables;   /* pages in use as page tables (boot, kernel map, processes) */
    uint64_t user;          /* process memory */
    uint64_t kernel;        /* kernel image, boot data, stacks */
};
#endif

#endif
