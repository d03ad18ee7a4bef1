/*
 * The benchmark program every platform runs (docs/benchmarks.md, "One
 * program, four platforms"): `bench [iters=N] [only=A,B] [plat=NAME]` in
 * the shell, or mode=bench on the command line (the same, then BENCH done
 * and power off). For each scenario (kbench.h) the kernel starts the user
 * program `ubench SCENARIO ITERS`, which warms up, times the operation and
 * a null loop with the TSC in user mode and reports with KBENCH_SYS; the
 * kernel prints
 *   BENCH scenario=PLAT.os_NAME iters= total= overhead= per_op= ops= [marked=M ev.KEY=N ...]
 * ev.* are the platform's own event counters (the first always, the others
 * when they moved; kbench_platform_counters:
 * VM exits by reason and shadow-paging events under HVM), their change
 * between ubench's KB_MARK_BEGIN and KB_MARK_END, over marked= operations
 * (the harness divides), so boot and set-up are not in them. A PV kernel has none of
 * its own: the hypervisor's COUNTERS at the end of the run are its figures.
 */
#include "kernel.h"
#include "proc.h"
#include "mm.h"
#include "kbench.h"

static const char *const scenario_names[KBENCH_NR_SCENARIOS] = KBENCH_SCENARIOS;

/* The platform: its name (the BENCH prefix), TSC rate (0: someone else prints the clock)
 * and event counters. These defaults are the PV kernel's; a platform overrides them. */
__attribute__((weak)) const char *kbench_platform_name(void)
{
    return "pv";
}

__attribute__((weak)) uint64_t kbench_platform_tsc_khz(void)
{
    return 0;               /* Tandem prints its own BENCH clock line */
}

__attribute__((weak)) unsigned int kbench_platform_counters(const char **names, uint64_t *vals,
                                                            unsigned int max)
{
    (void)names;
    (void)vals;
    (void)max;
    return 0;
}

static struct {
    int scenario;                       /* running now, -1: none */
    bool reported;
    unsigned int n;                     /* counters the platform gave */
    const char *names[KBENCH_MAX_COUNTERS];
    uint64_t begin[KBENCH_MAX_COUNTERS], delta[KBENCH_MAX_COUNTERS];
    bool marked;                        /* between KB_MARK_BEGIN and KB_MARK_END */
    char plat[24];
} kb = { .scenario = -1 };

static long (*syscall_next)(struct trap_frame *f);

static void print_fixed(char *buf, size_t size, int64_t num, uint64_t den, unsigned int decimals)
{
    uint64_t scale = decimals == 3 ? 1000 : 100, a = (uint64_t)(num < 0 ? -num : num);
    uint64_t v = den ? (a * scale + den / 2) / den : 0;

    snprintf(buf, size, "%s%lu.%0*lu", num < 0 && v ? "-" : "", (unsigned long)(v / scale),
             (int)decimals, (unsigned long)(v % scale));
}

static void report(const struct kbench_report *r)
{
    char line[700], v[32];
    size_t len;

    print_fixed(v, sizeof(v), (int64_t)(r->total - r->overhead), r->iters, 2);
    len = (size_t)snprintf(line, sizeof(line), "BENCH scenario=%s.os_%s iters=%lu total=%lu overhead=%lu "
                           "per_op=%s ops=%lu", kb.plat, scenario_names[kb.scenario],
                           (unsigned long)r->iters, (unsigned long)r->total, (unsigned long)r->overhead, v,
                           (unsigned long)r->ops);
    if (kb.n)
        len += (size_t)snprintf(line + len, sizeof(line) - len, " marked=%lu", (unsigned long)r->marked_ops);
    for (unsigned int i = 0; i < kb.n && len < sizeof(line); i++) {
        if (!kb.delta[i] && i)          /* the first (HVM: all exits) always, the others if any */
            continue;
        len += (size_t)snprintf(line + len, sizeof(line) - len, " ev.%s=%lu", kb.names[i],
                                (unsigned long)kb.delta[i]);
    }
    printk("%s\n", line);
}

static long kbench_syscall(struct trap_frame *f)
{
    uint64_t now[KBENCH_MAX_COUNTERS];
    struct kbench_report r;

    if (f->rax != KBENCH_SYS)
        return syscall_next ? syscall_next(f) : -XEN_ENOSYS;
    if (kb.scenario < 0)
        return -XEN_EINVAL;             /* ubench started by hand, not by `bench` */
    switch (f->rdi) {
    case KB_MARK_BEGIN:
        kb.n = kbench_platform_counters(kb.names, kb.begin, KBENCH_MAX_COUNTERS);
        kb.marked = true;
        return 0;
    case KB_MARK_END:
        if (!kb.marked)
            return -XEN_EINVAL;
        if (kbench_platform_counters(kb.names, now, KBENCH_MAX_COUNTERS) != kb.n)
            return -XEN_EIO;
        for (unsigned int i = 0; i < kb.n; i++)
            kb.delta[i] += now[i] - kb.begin[i];
        kb.marked = false;
        return 0;
    case KB_REPORT:
        if (copy_from_user(&r, f->rsi, sizeof(r)) || !r.iters || !r.marked_ops || kb.reported)
            return -XEN_EINVAL;
        report(&r);
        kb.reported = true;
        return 0;
    default:
        return -XEN_EINVAL;
    }
}

/* The value of key= among the words of args (empty if absent). */
static void arg_value(const char *args, const char *key, char *buf, size_t size)
{
    size_t klen = strlen(key), n = 0;

    buf[0] = 0;
    for (const char *p = args; *p; p++) {
        if ((p != args && p[-1] != ' ') || strncmp(p, key, klen) || p[klen] != '=')
            continue;
        for (p += klen + 1; *p && *p != ' ' && n + 1 < size; p++)
            buf[n++] = *p;
        buf[n] = 0;
        return;
    }
}

/* only=: comma-separated scenario names (NAME or PLAT.os_NAME); empty: all. */
static bool wanted(const char *only, const char *name)
{
    size_t n = strlen(name);

    if (!only[0])
        return true;
    for (const char *p = only; *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *dot = p;
        while (dot < p + len && *dot != '.')
            dot++;
        if (dot < p + len && len > (size_t)(dot - p) + 4 && !strncmp(dot + 1, "os_", 3)) {
            len -= (size_t)(dot + 4 - p);
            p = dot + 4;
        }
        if (len == n && !strncmp(p, name, n))
            return true;
        if (!end)
            break;
        p = end + 1;
    }
    return false;
}

void kbench_run(const char *args)
{
    char only[128], val[24], iters_s[24];
    uint64_t iters, khz = kbench_platform_tsc_khz();
    unsigned int saved_around = mm_fault_around;

    arg_value(args, "only", only, sizeof(only));
    arg_value(args, "iters", val, sizeof(val));
    iters = val[0] ? strtoul(val, NULL, 0) : 10000;
    arg_value(args, "plat", kb.plat, sizeof(kb.plat));
    if (!kb.plat[0])
        snprintf(kb.plat, sizeof(kb.plat), "%s", kbench_platform_name());
    if (!iters || iters > 10000000) {
        printk("BENCH error iters=%s: 1 to 10000000\n", val);
        return;
    }
    if (kbench_syscall != syscall_extra) {
        syscall_next = syscall_extra;
        syscall_extra = kbench_syscall;
    }
    if (khz)
        printk("BENCH clock tsc_khz=%lu\n", (unsigned long)khz);
    for (int s = 0; s < KBENCH_NR_SCENARIOS; s++) {
        char *argv[] = { "ubench", (char *)scenario_names[s], iters_s, NULL };
        int pid, status = -1;

        if (!wanted(only, scenario_names[s]))
            continue;
        snprintf(iters_s, sizeof(iters_s), "%lu", (unsigned long)kbench_iters((unsigned int)s, iters));
        kb.scenario = s;
        kb.reported = kb.marked = false;
        memset(kb.delta, 0, sizeof(kb.delta));
        mm_fault_around = s == 1 ? 1 : saved_around;   /* page_fault: one page per fault, as native maps */
        pid = proc_spawn("ubench", 3, argv);
        if (pid >= 0)
            proc_wait_kernel(pid, &status);
        mm_fault_around = saved_around;
        kb.scenario = -1;
        if (pid < 0 || status || !kb.reported) {
            printk("BENCH error %s.os_%s: %s %d\n", kb.plat, scenario_names[s],
                   pid < 0 ? "cannot start ubench:" : kb.reported ? "exit status" : "no figures, exit status",
                   pid < 0 ? pid : status);
            return;
        }
    }
    printk("BENCH done\n");
}

/* mode=bench: the run of the command line's words, then power off. */
void kbench_mode_thread(void *cmdline)
{
    kbench_run(cmdline);
    shutdown(SHUTDOWN_poweroff);
}

/* The shell's `bench [iters=N] [only=A,B] [plat=NAME]`; true if line is that command. */
bool kbench_command(const char *line)
{
    if (strncmp(line, "bench", 5) || (line[5] && line[5] != ' '))
        return false;
    if (kb.scenario >= 0) {
        printk("bench: already running\n");
        return true;
    }
    printk("bench: %s (figures from mode=bench are cleaner: the shell's worker thread competes here)\n",
           line[5] ? line + 6 : "all scenarios, iters=10000");
    kbench_run(line + 5);
    return true;
}
