/*
 * ubench SCENARIO ITERS: one scenario of the benchmark program (kbench.h),
 * started by the kernel's `bench` command or mode=bench, the same binary on
 * every platform. It warms up (a tenth of the count), then times the
 * operation loop and a null loop of the same count with the TSC in user
 * mode, the operation loop between KB_MARK_BEGIN and KB_MARK_END so the
 * kernel can count the platform's events of exactly those operations, and
 * hands the figures to the kernel (KB_REPORT), which prints the BENCH line.
 *   syscall         getppid(): SYSCALL, the kernel's dispatch, SYSRET
 *   page_fault      one byte written to each new page of the heap: a
 *                   demand-zero fault (the kernel maps one page per fault
 *                   for this run), in rounds of 4096 pages given back between
 *   fork_exec_exit  fork(); the child execs `ubench -x`, which exits at once;
 *                   wait()
 *   ctxsw           two processes yield() to each other; per switch
 *   cpu_loop        96 dependent multiply/add/rotate instructions: no
 *                   kernel, the platform's cost of plain computation
 * `ubench -x` exits with status 0 (fork_exec_exit's child).
 */
#define KBENCH_USER
#include "ulib.h"
#include "kbench.h"

static inline uint64_t tsc(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) : : "memory");
    return (uint64_t)hi << 32 | lo;
}

static long kb(long op, const void *arg)
{
    return syscall5(KBENCH_SYS, op, (long)arg, 0, 0, 0);
}

static __attribute__((noinline)) uint64_t null_loop(uint64_t n)
{
    uint64_t t = tsc();

    for (uint64_t i = n; i; i--)
        __asm__ __volatile__("" : : : "memory");
    return tsc() - t;
}

static void fail(const char *what, long rc)
{
    printf("ubench: %s: %s (%ld)\n", what, rc < 0 ? strerror(rc) : "failed", rc);
    exit(2);
}

static uint64_t syscalls(uint64_t n)
{
    uint64_t t = tsc();

    for (uint64_t i = n; i; i--)
        syscall0(SYS_getppid);
    return tsc() - t;
}

/* Touch n fresh heap pages (rounds of at most 4096, given back after each); timed with marks. */
static uint64_t faults(uint64_t n, bool marked, uint64_t *overhead)
{
    uint64_t total = 0;

    *overhead = 0;
    while (n) {
        uint64_t pages = n > 4096 ? 4096 : n, t;
        volatile char *base = sbrk((long)(pages * 4096));

        if ((long)base < 0)
            fail("sbrk", (long)base);
        if (marked)
            kb(KB_MARK_BEGIN, NULL);
        t = tsc();
        for (uint64_t i = 0; i < pages; i++)
            base[i * 4096] = 1;
        total += tsc() - t;
        if (marked)
            kb(KB_MARK_END, NULL);
        t = tsc();
        for (uint64_t i = 0; i < pages; i++)        /* the same loop, the pages now mapped */
            base[i * 4096] = 1;
        *overhead += tsc() - t;
        sbrk(-(long)(pages * 4096));
        n -= pages;
    }
    return total;
}

static uint64_t forks(uint64_t n)
{
    uint64_t t = tsc();

    for (uint64_t i = n; i; i--) {
        int status = -1, pid = fork();
        if (pid == 0) {
            char *args[] = { "ubench", "-x", NULL };
            exec("ubench", args);
            exit(127);
        }
        if (pid < 0)
            fail("fork", pid);
        if (wait(pid, &status) != pid || status)
            fail("the child's exit status", status);
    }
    return tsc() - t;
}

static uint64_t yields(uint64_t n)
{
    uint64_t t = tsc();

    for (uint64_t i = n; i; i--)
        yield();
    return tsc() - t;
}

static uint64_t cpu(uint64_t n)
{
    uint64_t t = tsc(), x = n;

    for (uint64_t i = n; i; i--)
        __asm__ __volatile__(".rept 32\n\timul $0x5851f42d, %0, %0\n\tadd $0x14057b7e, %0\n\tror $7, %0\n\t.endr"
                             : "+r"(x));
    t = tsc() - t;
    __asm__ __volatile__("" : : "r"(x));
    return t;
}

int main(int argc, char **argv)
{
    struct kbench_report r = { 0 };
    uint64_t n, w, unused;
    const char *s;

    if (argc == 2 && !strcmp(argv[1], "-x"))
        return 0;
    if (argc != 3 || !(n = atoul(argv[2]))) {
        printf("usage: ubench SCENARIO ITERS (started by the kernel's `bench` command)\n");
        return 1;
    }
    s = argv[1];
    w = n / 10 ? n / 10 : 1;
    r.iters = r.marked_ops = n;
    r.ops = n + w;
    if (!strcmp(s, "syscall")) {
        syscalls(w);
        null_loop(w);
        kb(KB_MARK_BEGIN, NULL);
        r.total = syscalls(n);
        kb(KB_MARK_END, NULL);
        r.overhead = null_loop(n);
    } else if (!strcmp(s, "page_fault")) {
        faults(w, false, &unused);
        r.total = faults(n, true, &r.overhead);
    } else if (!strcmp(s, "fork_exec_exit")) {
        forks(w);
        null_loop(n);
        kb(KB_MARK_BEGIN, NULL);
        r.total = forks(n);
        kb(KB_MARK_END, NULL);
        r.overhead = null_loop(n);
    } else if (!strcmp(s, "ctxsw")) {
        int pid = fork(), status = -1;
        if (pid == 0) {
            /* The partner: yields until the parent is done (its own count is not timed). */
            for (uint64_t i = w + n + 2; i; i--)
                yield();
            return 0;
        }
        if (pid < 0)
            fail("fork", pid);
        yields(w);
        null_loop(n);
        kb(KB_MARK_BEGIN, NULL);
        r.total = yields(n);            /* each yield: a switch to the partner and one back */
        kb(KB_MARK_END, NULL);
        r.overhead = null_loop(n);
        if (wait(pid, &status) != pid || status)
            fail("the partner's exit status", status);
        r.iters = r.marked_ops = 2 * n;
        r.ops = 2 * (n + w);
    } else if (!strcmp(s, "cpu_loop")) {
        cpu(w);
        null_loop(n);
        kb(KB_MARK_BEGIN, NULL);
        r.total = cpu(n);
        kb(KB_MARK_END, NULL);
        r.overhead = null_loop(n);
    } else {
        printf("ubench: unknown scenario '%s'\n", s);
        return 1;
    }
    if (kb(KB_REPORT, &r))
        fail("KB_REPORT", -UAPI_EINVAL);
    return 0;
}
