/*
 * User processes in guest user mode (docs/guest-kernel.md): each process is
 * a kernel thread plus an address space (struct mm: a kernel L4 and a user
 * L4, both pinned). Entering user mode is an iret with a ring-3 CS; system
 * calls arrive at the syscall callback, exceptions and events from user mode
 * on the process's kernel stack (stack_switch). Switching processes is one
 * multicall: NEW_BASEPTR, NEW_USER_BASEPTR, stack_switch.
 */
#include "proc.h"
#include <tandem/errno.h>
#include <tandem/callback.h>

extern char syscall_callback[];

static struct process procs[MAX_PROCS];
static int next_pid = 1;
static struct thread *shell_waiter;     /* the kernel shell, waiting for a child of its own */
static uint64_t loaded_kstack;          /* what stack_switch was last given */
static struct process *fpu_owner;       /* whose user FPU/SSE state the registers hold */
static uint8_t init_fpu[512] __attribute__((aligned(16)));     /* start-of-day state, for exec */
long (*syscall_extra)(struct trap_frame *f);     /* numbers beyond the ABI: a benchmark kernel's */

/* The kernel itself never uses the FPU (-mno-sse), so only processes need switching. */
static inline void fxsave(uint8_t *area) { __asm__ __volatile__("fxsave64 %0" : "=m"(*(uint8_t (*)[512])area)); }
static inline void fxrstor(const uint8_t *area) { __asm__ __volatile__("fxrstor64 %0" :: "m"(*(const uint8_t (*)[512])area)); }

struct process *current_proc(void)
{
    return current_thread ? current_thread->proc : NULL;
}

static struct trap_frame *user_frame(const struct process *p)
{
    return (struct trap_frame *)(p->kstack_top - sizeof(struct trap_frame));
}

void proc_init(void)
{
    struct callback_register cb = { .type = CALLBACKTYPE_syscall, .flags = CALLBACKF_mask_events,
                                    .address = (uint64_t)syscall_callback };
    long rc = HC2(callback_op, CALLBACKOP_register, &cb);

    if (rc)
        kernel_panic("cannot register the syscall callback (%ld)", rc);
    fxsave(init_fpu);           /* as the hypervisor set it up: FCW 0x37f, MXCSR 0x1f80 */
}

/*
 * The scheduler is about to switch from prev to next, one of them a process
 * thread; events are masked. A process needs its address space, its kernel
 * stack for entries from user mode, and its FPU state (switched lazily:
 * kernel threads leave the registers alone).
 */
void sched_switch_hook(struct thread *prev, struct thread *next)
{
    struct process *p = next->proc;

    (void)prev;
    if (!p || !p->mm)
        return;
    mm_switch(p->mm, p->kstack_top != loaded_kstack ? p->kstack_top : 0);
    loaded_kstack = p->kstack_top;
    if (fpu_owner != p) {
        if (fpu_owner)
            fxsave(fpu_owner->fpu);
        fxrstor(p->fpu);
        fpu_owner = p;
    }
}

static struct process *proc_alloc(struct process *parent, const char *name)
{
    uint8_t m = events_save();
    struct process *p = NULL;

    for (unsigned i = 0; i < MAX_PROCS && !p; i++) {
        if (!procs[i].in_use) {
            p = &procs[i];
            *p = (struct process){ .pid = next_pid++, .parent = parent, .in_use = true,
                                   .state = PS_RUNNING };
            snprintf(p->name, sizeof(p->name), "%s", name);
        }
    }
    events_restore(m);
    return p;
}

static void proc_free(struct process *p)
{
    p->in_use = false;
}

static void proc_thread_start(void *arg)
{
    struct process *p = arg;

    events_disable();           /* the iret restores the user's (enabled) events */
    enter_user(user_frame(p));
}

/* A thread for p with its user frame reserved at the top of its kernel stack, not yet runnable. */
static struct thread *proc_thread(struct process *p)
{
    struct thread *t = thread_create_proc(p->name, proc_thread_start, p, p, sizeof(struct trap_frame));

    if (t) {
        p->thread = t;
        p->kstack_top = thread_stack_top(t);
    }
    return t;
}

/* ---- ELF loading ---- */

struct elf64_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};
#define PT_LOAD 1
#define PF_X 1
#define PF_W 2

static int load_elf(struct mm *mm, const struct program *prog, uint64_t *entry)
{
    const struct elf64_ehdr *eh = (const void *)prog->elf;
    uint64_t top = 0;

    if (prog->size < sizeof(*eh) || memcmp(eh->ident, "\177ELF\2\1", 6) || eh->type != 2 ||
        eh->machine != 62 || eh->phentsize != sizeof(struct elf64_phdr) || eh->phnum > 16 ||
        eh->phoff > prog->size || eh->phnum * sizeof(struct elf64_phdr) > prog->size - eh->phoff)
        return -UAPI_ENOEXEC;
    for (unsigned i = 0; i < eh->phnum; i++) {
        const struct elf64_phdr *ph = (const void *)(prog->elf + eh->phoff + i * sizeof(*ph));
        uint64_t flags = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED;

        if (ph->type != PT_LOAD || !ph->memsz)
            continue;
        if (ph->vaddr < USER_TEXT_BASE || ph->memsz > USER_STACK_TOP - USER_STACK_MAX - ph->vaddr ||
            ph->filesz > ph->memsz || ph->offset > prog->size || ph->filesz > prog->size - ph->offset)
            return -UAPI_ENOEXEC;
        if (ph->flags & PF_W)
            flags |= _PAGE_RW | _PAGE_DIRTY;
        if (!(ph->flags & PF_X))
            flags |= _PAGE_NX;
        for (uint64_t va = ph->vaddr & ~(PAGE_SIZE - 1); va < ph->vaddr + ph->memsz; va += PAGE_SIZE) {
            uint64_t *pte = mm_pte(mm, va), pfn, lo, hi;
            int rc;
            if (pte && (*pte & _PAGE_PRESENT)) {        /* shared with the previous segment */
                pfn = pte_pfn(*pte);
                *pte |= flags & (_PAGE_RW | _PAGE_DIRTY);
                if (!(flags & _PAGE_NX))
                    *pte &= ~_PAGE_NX;
            } else {
                if (!(pfn = alloc_page(PG_USER)))
                    return -XEN_ENOMEM;
                if ((rc = mm_map_new(mm, va, pfn, flags))) {
                    free_page(pfn, PG_USER);
                    return rc;
                }
            }
            /* The file bytes that land in this page. */
            lo = va > ph->vaddr ? va : ph->vaddr;
            hi = va + PAGE_SIZE < ph->vaddr + ph->filesz ? va + PAGE_SIZE : ph->vaddr + ph->filesz;
            if (lo < hi)
                memcpy((char *)pfn_to_virt(pfn) + (lo - va), prog->elf + ph->offset + (lo - ph->vaddr), hi - lo);
        }
        if (ph->vaddr + ph->memsz > top)
            top = ph->vaddr + ph->memsz;
    }
    if (!top || eh->entry < USER_TEXT_BASE || eh->entry >= top)
        return -UAPI_ENOEXEC;
    mm->brk_start = mm->brk = (top + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
    *entry = eh->entry;
    return 0;
}

/* The first stack page: argument strings at the top, then argv[]; returns argv's user address. */
static int setup_stack(struct mm *mm, int argc, char *const argv[], uint64_t *uargv)
{
    uint64_t pfn = alloc_page(PG_USER), base = USER_STACK_TOP - PAGE_SIZE, ptrs[USER_MAX_ARGS + 1];
    char *page = pfn_to_virt(pfn);
    size_t off = PAGE_SIZE;
    int rc;

    if (!pfn)
        return -XEN_ENOMEM;
    if ((rc = mm_map_new(mm, base, pfn, _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED |
                                        _PAGE_DIRTY | _PAGE_NX))) {
        free_page(pfn, PG_USER);
        return rc;
    }
    for (int i = argc - 1; i >= 0; i--) {
        size_t len = strlen(argv[i]) + 1;
        off -= len;
        memcpy(page + off, argv[i], len);
        ptrs[i] = base + off;
    }
    ptrs[argc] = 0;
    off = ((off & ~15UL) - (argc + 1) * 8) & ~15UL;
    memcpy(page + off, ptrs, (argc + 1) * 8);
    *uargv = base + off;
    return 0;
}

/*
 * Replace p's program: a new address space with `name` loaded, its user
 * frame f set to the entry point (rdi = argc, rsi = argv). argv[] is
 * kernel memory (at most USER_MAX_ARGS strings, 1 KiB in all). On failure
 * p is unchanged.
 */
int exec_into(struct process *p, const char *name, int argc, char *const argv[], struct trap_frame *f)
{
    const struct program *prog = program_find(name);
    struct mm *mm, *old = p->mm;
    uint64_t entry = 0, uargv = 0;
    size_t total = 0;
    uint8_t m;
    int rc;

    if (!prog)
        return -XEN_ENOENT;
    if (argc < 0 || argc > USER_MAX_ARGS)
        return -XEN_E2BIG;
    for (int i = 0; i < argc; i++)
        total += strlen(argv[i]) + 1;
    if (total > 1024)
        return -XEN_E2BIG;
    if (!(mm = mm_create()))
        return -XEN_ENOMEM;
    if ((rc = load_elf(mm, prog, &entry)) || (rc = setup_stack(mm, argc, argv, &uargv))) {
        mm_destroy(mm);
        return rc;
    }
    mm_commit(mm);
    m = events_save();
    p->mm = mm;
    if (p == current_proc())
        mm_switch(mm, 0);
    snprintf(p->name, sizeof(p->name), "%s", prog->name);
    events_restore(m);
    if (old)
        mm_destroy(old);
    memcpy(p->fpu, init_fpu, sizeof(init_fpu));
    if (fpu_owner == p)
        fxrstor(p->fpu);
    memset(f, 0, sizeof(*f));
    f->rip = entry;
    f->cs = FLAT_USER_CS;
    f->rflags = 0x202;
    f->rsp = uargv;
    f->ss = FLAT_USER_SS;
    f->rdi = argc;
    f->rsi = uargv;
    return 0;
}

/* ---- life and death ---- */

int proc_spawn(const char *name, int argc, char *const argv[])
{
    struct process *p = proc_alloc(NULL, name);
    struct thread *t;
    int rc;

    if (!p)
        return -XEN_EAGAIN;
    if (!(t = proc_thread(p))) {
        proc_free(p);
        return -XEN_EAGAIN;
    }
    if ((rc = exec_into(p, name, argc, argv, user_frame(p)))) {
        t->proc = NULL;
        t->state = THREAD_DEAD;
        proc_free(p);
        return rc;
    }
    thread_wake(t);
    return p->pid;
}

static long sys_fork(struct process *parent, const struct trap_frame *f)
{
    struct process *c = proc_alloc(parent, parent->name);
    struct thread *t;

    if (!c)
        return -XEN_EAGAIN;
    if (!(c->mm = mm_fork(parent->mm))) {
        proc_free(c);
        return -XEN_ENOMEM;
    }
    if (!(t = proc_thread(c))) {
        mm_destroy(c->mm);
        proc_free(c);
        return -XEN_EAGAIN;
    }
    *user_frame(c) = *f;
    user_frame(c)->rax = 0;             /* fork() returns 0 in the child */
    if (fpu_owner == parent)
        fxsave(c->fpu);
    else
        memcpy(c->fpu, parent->fpu, sizeof(c->fpu));
    thread_wake(t);
    return c->pid;
}

void proc_exit(int status)
{
    struct process *p = current_proc();

    events_disable();
    mm_switch(NULL, 0);                 /* off our tables before they go */
    mm_destroy(p->mm);
    p->mm = NULL;
    for (unsigned i = 0; i < MAX_PROCS; i++) {
        struct process *q = &procs[i];
        if (q->in_use && q->parent == p) {      /* orphans: nobody will wait for them */
            q->parent = NULL;
            q->detached = true;
            if (q->state == PS_ZOMBIE)
                proc_free(q);
        }
    }
    if (fpu_owner == p)
        fpu_owner = NULL;
    p->exit_status = status;
    p->state = PS_ZOMBIE;
    p->thread = NULL;
    current_thread->proc = NULL;
    if (p->detached)
        proc_free(p);
    else if (p->parent && p->parent->in_wait)
        thread_wake(p->parent->thread);
    else if (!p->parent && shell_waiter)
        thread_wake(shell_waiter);
    thread_exit();
}

/* Reap a zombie child of `parent` (NULL: the shell's) matching pid (-1: any). */
static int reap(struct process *parent, int pid, int *status, bool block)
{
    for (;;) {
        uint8_t m = events_save();
        struct process *z = NULL;
        bool any = false;

        for (unsigned i = 0; i < MAX_PROCS && !z; i++) {
            struct process *q = &procs[i];
            if (!q->in_use || q->parent != parent || q->detached || (pid > 0 && q->pid != pid))
                continue;
            any = true;
            if (q->state == PS_ZOMBIE)
                z = q;
        }
        if (z) {
            int zpid = z->pid;
            *status = z->exit_status;
            proc_free(z);
            events_restore(m);
            return zpid;
        }
        if (!any || !block) {
            events_restore(m);
            return any ? 0 : -UAPI_ECHILD;
        }
        if (parent) {
            parent->in_wait = true;
            parent->state = PS_SLEEPING;
        } else {
            shell_waiter = current_thread;
        }
        thread_block();
        if (parent) {
            parent->in_wait = false;
            parent->state = PS_RUNNING;
        } else {
            shell_waiter = NULL;
        }
        events_restore(m);
    }
}

int proc_wait_kernel(int pid, int *status)
{
    return reap(NULL, pid, status, true);
}

static const char *const exc_names[32] = {
    [0] = "divide error", [1] = "debug", [3] = "breakpoint", [4] = "overflow", [5] = "bound range",
    [6] = "invalid opcode", [7] = "device not available", [8] = "double fault",
    [10] = "invalid TSS", [11] = "segment not present", [12] = "stack fault",
    [13] = "general protection fault", [14] = "page fault", [16] = "x87 error",
    [17] = "alignment check", [19] = "SIMD error",
};

static const char *status_text(int status, char *buf, size_t size)
{
    if (status >= USER_KILLED_BASE && status < USER_KILLED_BASE + 32 && exc_names[status - USER_KILLED_BASE])
        snprintf(buf, size, "killed (%s)", exc_names[status - USER_KILLED_BASE]);
    else
        snprintf(buf, size, "exit status %d", status);
    return buf;
}

int proc_reap_background(void)
{
    int n = 0, status, pid;
    char why[48];

    while ((pid = reap(NULL, -1, &status, false)) > 0) {
        printk("[%d] done, %s\n", pid, status_text(status, why, sizeof(why)));
        n++;
    }
    return n;
}

/* An exception from guest user mode: handled (demand paging) or the process dies. */
bool user_fault(struct trap_frame *f, uint64_t cr2)
{
    struct process *p = current_proc();
    const char *what;
    int rc = 0;

    if (!p || (f->cs & 3) != 3)
        return false;
    if (f->vector == 3) {
        printk("%s[%d]: breakpoint at %lx\n", p->name, p->pid, (unsigned long)f->rip);
        return true;
    }
    if (f->vector == 14 && !(f->error & 1)) {   /* not present: heap or stack? */
        if (!(rc = mm_demand_fault(p->mm, cr2)))
            return true;
    }
    what = f->vector < 32 && exc_names[f->vector] ? exc_names[f->vector] : "exception";
    if (f->vector == 14)
        printk("%s[%d]: %s at rip %lx, address %lx (error %lx%s): killed\n", p->name, p->pid, what,
               (unsigned long)f->rip, (unsigned long)cr2, (unsigned long)f->error,
               rc == -XEN_ENOMEM ? ", out of memory" : "");
    else
        printk("%s[%d]: %s (vector %lu) at rip %lx: killed\n", p->name, p->pid, what,
               (unsigned long)f->vector, (unsigned long)f->rip);
    proc_exit(USER_KILLED_BASE + (int)f->vector);
}

/* ---- information ---- */

static const char *const ps_state[] = { "running", "sleeping", "zombie" };

int proc_ps(struct ps_entry *out, int max)
{
    uint8_t m = events_save();
    int n = 0;

    for (unsigned i = 0; i < MAX_PROCS; i++) {
        const struct process *q = &procs[i];
        if (!q->in_use)
            continue;
        if (n < max) {
            struct ps_entry *e = &out[n];
            memset(e, 0, sizeof(*e));
            e->pid = q->pid;
            e->ppid = q->parent ? q->parent->pid : 0;
            e->state = q->state;
            e->exit_status = q->exit_status;
            e->pages = q->mm ? q->mm->pages : 0;
            e->pt_pages = q->mm ? q->mm->pt_pages : 0;
            e->ticks = q->thread ? q->thread->ticks : 0;
            snprintf(e->name, sizeof(e->name), "%s", q->name);
        }
        n++;
    }
    events_restore(m);
    return n;
}

void proc_list(void)
{
    static struct ps_entry e[MAX_PROCS];
    int n = proc_ps(e, MAX_PROCS);

    printk("  %d process%s\n", n, n == 1 ? "" : "es");
    if (n)
        printk("    PID  PPID STATE     PAGES  PT  TICKS NAME\n");
    for (int i = 0; i < n; i++)
        printk("  %5d %5d %-9s %5lu %3lu %6lu %s\n", e[i].pid, e[i].ppid, ps_state[e[i].state],
               (unsigned long)e[i].pages, (unsigned long)e[i].pt_pages, (unsigned long)e[i].ticks,
               e[i].name);
}

/* ---- system calls ---- */

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
    rc = reap(p, pid, &status, true);
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
        ret = sys_fork(p, f);
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

/* ---- the programs built into the image, and the shell's use of them ---- */

extern const struct program user_programs[];

const struct program *program_find(const char *name)
{
    for (const struct program *p = user_programs; p->name; p++)
        if (!strcmp(p->name, name))
            return p;
    return NULL;
}

void programs_list(void)
{
    for (const struct program *p = user_programs; p->name; p++)
        printk("  %-10s %6lu bytes\n", p->name, (unsigned long)p->size);
}

/* `ls`, or a built-in program with arguments (a trailing & runs it in the background). */
bool shell_run(char *line)
{
    char buf[128], *argv[USER_MAX_ARGS + 1], why[48];
    int argc = 0, pid, status = 0;
    bool bg = false;

    proc_reap_background();
    snprintf(buf, sizeof(buf), "%s", line);
    for (char *s = buf; *s && argc < USER_MAX_ARGS;) {
        while (*s == ' ')
            *s++ = 0;
        if (!*s)
            break;
        argv[argc++] = s;
        while (*s && *s != ' ')
            s++;
    }
    argv[argc] = NULL;
    if (!argc)
        return false;
    if (!strcmp(argv[0], "ls") && argc == 1) {
        programs_list();
        return true;
    }
    if (!program_find(argv[0]))
        return false;
    if (!strcmp(argv[argc - 1], "&")) {
        bg = true;
        argv[--argc] = NULL;
    }
    pid = proc_spawn(argv[0], argc, argv);
    if (pid < 0) {
        printk("%s: cannot start it (%d)\n", argv[0], pid);
        return true;
    }
    if (bg) {
        printk("[%d] %s running in the background\n", pid, argv[0]);
        return true;
    }
    proc_wait_kernel(pid, &status);
    if (status)
        printk("[%d] %s: %s\n", pid, argv[0], status_text(status, why, sizeof(why)));
    return true;
}
