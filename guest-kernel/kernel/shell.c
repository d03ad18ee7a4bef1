/* A small interactive shell on the PV console. Ctrl-D (end of input) powers off. */
#include "kernel.h"
#include "proc.h"
#include "devices.h"
#include "net.h"
#include "kbench.h"
#include <tandem/version.h>
#include <tandem/errno.h>

static volatile uint64_t worker_loops;
static bool shell_disk_command(char *line);

void worker_main(void *arg)
{
    (void)arg;
    for (;;) {
        for (volatile int i = 0; i < 100000; i++)
            ;
        worker_loops++;
    }
}

static int readline(char *buf, int max)
{
    int n = 0;

    for (;;) {
        int c = console_getchar();
        if (c == 4 && n == 0)
            return -1;                  /* Ctrl-D on an empty line: end of input */
        if (c == '\n' || c == '\r') {
            console_write("\n", 1);
            buf[n] = 0;
            return n;
        }
        if ((c == 127 || c == 8) && n > 0) {
            n--;
            console_write("\b \b", 3);
            continue;
        }
        if (c >= 32 && c < 127 && n < max - 1) {
            char ch = c;
            buf[n++] = ch;
            console_write(&ch, 1);
        }
    }
}

static void cmd_uptime(void)
{
    uint64_t ns = system_time_ns();
    uint64_t wall = arch_wallclock_sec();

    printk("up %lu.%03lu s, %lu timer ticks, wall clock %lu s since 1970\n",
           (unsigned long)(ns / 1000000000UL), (unsigned long)(ns / 1000000 % 1000),
           (unsigned long)jiffies, (unsigned long)wall);
}

/* One command line. */
static void shell_exec(char *line)
{
    if (!strcmp(line, "help"))
        printk("help echo ps uptime mem version worker pvostest info poweroff crash grants;"
               " privileged: domains pause unpause destroy wait DOMID; trace [on CLASSES|off|reset|count]\n"
               "ls: the built-in user programs; PROGRAM [ARGS] [&] runs one"
               " (e.g. hello, forktest, stress 2 8, segv)\n"
               "bench [iters=N] [only=syscall,page_fault,fork_exec_exit,ctxsw,cpu_loop]: the benchmark program\n"
               "disk ls|check DISK: a program disk; [run] DISK:NAME [ARGS] [&] runs a program from it\n"
               "xs: the store (xs alone: its commands); grants: grants given and mappings held\n"
               "devices (driver domain): lspci, irqs, blk (info read write flush bench), net (info ping bench),"
               " vbd (the block back ends), devmodel (HVM domains' device models)\n"
               "xvd: this domain's virtual disks (xvd alone: the list; info read write verify flush NAME ...)\n"
               "network (lwIP, docs/network.md): ifup, ifconfig, ping HOST [N], wget URL, httpd [wait N [S]]\n"
               "kernel command line '... -- CMD; CMD; ...': commands run before the prompt\n");
    else if (!strncmp(line, "echo", 4))
        printk("%s\n", line[4] ? line + 5 : "");
    else if (!strcmp(line, "ps")) {
        sched_list();
        proc_list();
    }
    else if (!strcmp(line, "uptime"))
        cmd_uptime();
    else if (!strcmp(line, "mem"))
        mm_report();
    else if (!strcmp(line, "version"))
        arch_print_version();
    else if (!strcmp(line, "pvostest"))
        pvos_selftest();            /* pvos_selftest.c: the driver interface, end to end */
    else if (!strcmp(line, "worker"))
        printk("worker thread has run %lu loops\n", (unsigned long)worker_loops);
    else if (!strcmp(line, "poweroff"))
        shutdown(SHUTDOWN_poweroff);
    else if (!strcmp(line, "crash")) {
        volatile int *bad = (volatile int *)(uintptr_t)strtoul("0x10", NULL, 0);
        *bad = 1;       /* a kernel page fault: the domain reports a crash */
    }
    else if (kbench_command(line))      /* kbench.c: bench [iters=N] [only=...] */
        ;
    else if (shell_domain_command(line))
        ;
    else if (shell_trace_command(line)) /* trace_shell.c: trace on|off|reset|count */
        ;
    else if (shell_xs_command(line))    /* xs_shell.c: xs ..., grants */
        ;
    else if (shell_net_command(line))   /* guest-kernel/net/net_shell.c: ifup ifconfig ping wget httpd */
        ;
    else if (shell_dev_command(line))   /* dev_shell.c: lspci, blk ..., net ..., irqs */
        ;
    else if (shell_disk_command(line))  /* diskprog.c: disk ls|check */
        ;
    else if (shell_run(line))       /* ls, or a built-in user program, or DISK:NAME: below */
        ;
    else if (line[0])
        printk("%s: unknown command\n", line);
}

/* The command line's script: whatever follows " -- ", commands separated by ';'. */
static void shell_script(const char *cmdline)
{
    const char *p = cmdline;
    char line[128];

    while (*p && (strncmp(p, "-- ", 3) || (p != cmdline && p[-1] != ' ')))
        p++;
    if (!*p)
        return;
    for (p += 3; *p;) {
        size_t n = 0;
        while (*p == ' ' || *p == ';')
            p++;
        while (*p && *p != ';' && n + 1 < sizeof(line))
            line[n++] = *p++;
        while (n && line[n - 1] == ' ')
            n--;
        line[n] = 0;
        while (*p && *p != ';')
            p++;                    /* a command too long for the shell is cut */
        if (!n)
            continue;
        printk("tandem> %s\n", line);
        shell_exec(line);
    }
}

void shell_main(void *arg)
{
    char line[128];

    (void)arg;
    diskprog_init();                    /* exec of DISK:NAME: programs from a program disk */
    shell_script(start_info->cmd_line);
    if (shell_wait_for_input)
        console_wait_input();           /* mode=worker: quiet until someone types to us */
    printk("Type 'help' for commands; Ctrl-D powers off.\n");
    for (;;) {
        shell_xs_poll();
        printk("tandem> ");
        int n = readline(line, sizeof(line));
        if (n < 0) {
            printk("\nend of input: powering off\n");
            shutdown(SHUTDOWN_poweroff);
        }
        shell_exec(line);
    }
}

void word_value(const char *words, const char *key, char *buf, size_t size)
{
    size_t klen = strlen(key), n = 0;

    buf[0] = 0;
    for (const char *p = words; *p; p++) {
        if ((p != words && p[-1] != ' ') || strncmp(p, key, klen) || p[klen] != '=')
            continue;
        for (p += klen + 1; *p && *p != ' ' && n + 1 < size; p++)
            buf[n++] = *p;
        buf[n] = 0;
        return;
    }
}

int shell_split(char *line, char **w, int max)
{
    int n = 0;

    for (char *s = line; *s && n < max;) {
        while (*s == ' ')
            *s++ = 0;
        if (!*s)
            break;
        w[n++] = s;
        while (*s && *s != ' ')
            s++;
    }
    return n;
}

/* `disk ...` (diskprog.c); words split at spaces. */
static bool shell_disk_command(char *line)
{
    char buf[128], *w[8];

    if (strncmp(line, "disk", 4) || (line[4] && line[4] != ' '))
        return false;
    snprintf(buf, sizeof(buf), "%s", line);
    return diskprog_command(w, shell_split(buf, w, 8));
}

static const char *start_error(int rc)
{
    switch (rc) {
    case -XEN_ENOENT: return "no such program";
    case -UAPI_ENOEXEC: return "not a valid program (ENOEXEC)";
    case -XEN_ENOMEM: return "out of memory";
    case -XEN_E2BIG: return "arguments too long";
    case -XEN_EIO: return "I/O error or corrupt file (EIO)";
    case -XEN_EINVAL: return "invalid disk (EINVAL)";
    case -XEN_ENODEV: return "no such disk";
    case -XEN_ENOTCONN: return "disk not connected";
    default: return "error";
    }
}

/* `ls`, or a built-in program or DISK:NAME with arguments (a trailing & runs it in the
 * background); `run PROGRAM ...` the same. */
bool shell_run(char *line)
{
    char buf[128], *argv[USER_MAX_ARGS + 1], why[48];
    int argc = 0, pid, status = 0;
    bool bg = false;

    proc_reap_background();
    snprintf(buf, sizeof(buf), "%s", line);
    argc = shell_split(buf, argv, USER_MAX_ARGS);
    argv[argc] = NULL;
    if (!argc)
        return false;
    if (!strcmp(argv[0], "ls") && argc == 1) {
        programs_list();
        return true;
    }
    if (!strcmp(argv[0], "run")) {
        if (argc < 2) {
            printk("run PROGRAM [ARGS] [&]: a built-in program or DISK:NAME\n");
            return true;
        }
        for (int i = 0; i < argc; i++)
            argv[i] = argv[i + 1];
        argc--;
    } else if (!program_find(argv[0]) && !strchr(argv[0], ':'))
        return false;
    if (!strcmp(argv[argc - 1], "&")) {
        bg = true;
        argv[--argc] = NULL;
    }
    pid = proc_spawn(argv[0], argc, argv);
    if (pid < 0) {
        printk("%s: cannot start it: %s (%d)\n", argv[0], start_error(pid), pid);
        return true;
    }
    if (bg) {
        printk("[%d] %s running in the background\n", pid, argv[0]);
        return true;
    }
    proc_wait_kernel(pid, &status);
    if (status)
        printk("[%d] %s: %s\n", pid, argv[0], proc_status_text(status, why, sizeof(why)));
    return true;
}
