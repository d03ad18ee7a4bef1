/*
 * System calls from user processes (include/uapi.h): the platform's entry
 * (PV: the syscall callback, syscall_init in arch/x86/pv/platform.c; native:
 * SYSCALL through LSTAR) lands in do_syscall with events masked; each call checks its
 * user pointers through uaccess.c before touching them. Numbers beyond the
 * ABI go to syscall_extra (a benchmark kernel's), else -ENOSYS.
 */
#include "proc.h"
#include <tandem/errno.h>

long (*syscall_extra)(struct trap_frame *f);     /* numbers beyond the ABI: a benchmark kernel's */

long tty_read(char *buf, long max)
{
    long n = 0;

    while (n < max) {
        int c = console_getchar();
        if (c == 4) {                   /* Ctrl-D: end of input on an empty line */
            if (!n)
                return 0;
            continue;
        }
        if (c == '\n' || c == '\r') {
            console_write("\n", 1);
            buf[n++] = '\n';
            return n;
        }
        if ((c == 127 || c == 8) && n > 0) {
            n--;
            console_write("\b \b", 3);
            continue;
        }
        if (c >= 32 && c < 127) {
            char ch = c;
            buf[n++] = ch;
            console_write(&ch, 1);
        }
    }
    return n;
}

static long sys_write(uint64_t fd, uint64_t buf, uint64_t len)
{
    char kbuf[512];
    uint64_t done = 0;

    if (fd != 1 && fd != 2)
        return -XEN_EBADF;
    if (buf + len < buf || buf + len > USER_TOP)
        return -XEN_EFAULT;     /* the whole range must be user memory, as Linux's access_ok */
    while (done < len) {
        uint64_t n = len - done < sizeof(kbuf) ? len - done : sizeof(kbuf);
        uint8_t m;
        if (copy_from_user(kbuf, buf + done, n))
            return done ? (long)done : -XEN_EFAULT;
        m = events_save();              /* one write is never split by another's */
        console_write(kbuf, n);
        events_restore(m);
        done += n;
    }
    return done;
}

static long sys_read(struct process *p, uint64_t fd, uint64_t buf, uint64_t len)
{
    char kbuf[256];
    long n;

    if (fd != 0)
        return -XEN_EBADF;
    if (len > sizeof(kbuf))
        len = sizeof(kbuf);     /* one line at most anyway */
    if (user_access_ok(buf, len, true))
        return -XEN_EFAULT;
    p->state = PS_SLEEPING;
    n = tty_read(kbuf, (long)len);
    p->state = PS_RUNNING;
    if (n > 0 && copy_to_user(buf, kbuf, n))
        return -XEN_EFAULT;
    return n;
}

static long sys_exec(struct process *p, uint64_t uname, uint64_t uargv, struct trap_frame *f)
{
    char name[32], strings[1024], *argv[USER_MAX_ARGS + 1];
    long used = 0, rc;
    int argc = 0;

    if ((rc = strncpy_from_user(name, uname, sizeof(name))) < 0)
        return rc;
    for (;; argc++) {
        uint64_t s;
        if (copy_from_user(&s, uargv + argc * 8, 8))
            return -XEN_EFAULT;
        if (!s)
            break;
        if (argc == USER_MAX_ARGS)
            return -XEN_E2BIG;
        if ((rc = strncpy_from_user(strings + used, s, sizeof(strings) - used)) < 0)
            return rc == -XEN_EINVAL ? -XEN_E2BIG : rc;
        argv[argc] = strings + used;
        used += rc + 1;
    }
    argv[argc] = NULL;
    return exec_into(p, name, argc, argv, f);
}

static long sys_wait(struct process *p, long pid, uint64_t ustatus)
{
    int status = 0, rc;

    if (ustatus && user_access_ok(ustatus, sizeof(int), true))
        return -XEN_EFAULT;
    rc = proc_reap(p, pid, &status, true);
    if (rc > 0 && ustatus && copy_to_user(ustatus, &status, sizeof(int)))
        return -XEN_EFAULT;
    return rc;
}

static long sys_sbrk(struct mm *mm, long incr)
{
    uint64_t old = mm->brk, new = old + incr;

    if (incr > 0 && (new < old || new > USER_STACK_TOP - USER_STACK_MAX - (1UL << 30)))
        return -XEN_ENOMEM;
    if (incr < 0) {
        if (new < mm->brk_start || new > old)
            return -XEN_EINVAL;
        mm_unmap_range(mm, (new + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1), (old + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1));
    }
    mm->brk = new;
    return old;
}

static long sys_sleep(struct process *p, uint64_t ms)
{
    uint64_t until = system_time_ns() + ms * 1000000;

    p->state = PS_SLEEPING;
    while (system_time_ns() < until)
        thread_sleep_until(until);
    p->state = PS_RUNNING;
    return 0;
}

static long sys_ps(uint64_t ubuf, uint64_t max)
{
    static struct ps_entry e[MAX_PROCS];
    int n;

    if (max > MAX_PROCS)
        max = MAX_PROCS;
    if (max && user_access_ok(ubuf, max * sizeof(e[0]), true))
        return -XEN_EFAULT;
    n = proc_ps(e, MAX_PROCS);
    if (copy_to_user(ubuf, e, (n < (int)max ? (uint64_t)n : max) * sizeof(e[0])))
        return -XEN_EFAULT;
    return n;
}

void do_syscall(struct trap_frame *f)
{
    struct process *p = current_proc();
    uint64_t a1 = f->rdi, a2 = f->rsi, a3 = f->rdx;
    struct meminfo mi;
    long ret;

    events_enable();                    /* entered masked (CALLBACKF_mask_events): preemptible now */
    switch (f->rax) {
    case SYS_exit:
        proc_exit((int)a1);
    case SYS_write:
        ret = sys_write(a1, a2, a3);
        break;
    case SYS_read:
        ret = sys_read(p, a1, a2, a3);
        break;
    case SYS_fork:
        ret = proc_fork(p, f);
        break;
    case SYS_exec:
        ret = sys_exec(p, a1, a2, f);
        if (!ret) {
            events_disable();           /* f is the new program's entry frame */
            return;
        }
        break;
    case SYS_wait:
        ret = sys_wait(p, (long)a1, a2);
        break;
    case SYS_getpid:
        ret = p->pid;
        break;
    case SYS_getppid:
        ret = p->parent ? p->parent->pid : 0;
        break;
    case SYS_yield:
        schedule();
        ret = 0;
        break;
    case SYS_sbrk:
        ret = sys_sbrk(p->mm, (long)a1);
        break;
    case SYS_uptime:
        ret = system_time_ns();
        break;
    case SYS_ps:
        ret = sys_ps(a1, a2);
        break;
    case SYS_sleep:
        ret = sys_sleep(p, a1);
        break;
    case SYS_meminfo:
        mm_get_info(&mi);
        ret = copy_to_user(a1, &mi, sizeof(mi));
        break;
    default:
        ret = syscall_extra ? syscall_extra(f) : -XEN_ENOSYS;
    }
    f->rax = ret;
    events_disable();                   /* the iret unmasks them again */
}
