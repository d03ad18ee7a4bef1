/*
 * What the native kernel runs (mode= on the command line, as kernel/modes.c
 * for PV) and its answers to the shell's PV-only commands: domains, the
 * store, grants and split drivers live on the PV platform, so
 * here they say so instead of being unknown commands.
 *   mode=shell   (default) the shell and a background worker thread
 *   mode=io      the shell alone
 *   mode=bench   the benchmark program (kernel/kbench.c), then power off
 *   mode=rawbench  the raw native scenarios (rawbench.c), then power off
 */
#include "native.h"
#include "proc.h"
#include "devices.h"
#include "net.h"
#include "xvd.h"
#include "kbench.h"

bool ide_shell_command(const char *line);     /* ide.c: `idetest`, `irqtest` */
bool ne2k_shell_command(const char *line);    /* ne2k.c: `nictest` */

void rawbench_run(const char *args);        /* rawbench.c */

static void rawbench_thread(void *cmdline)
{
    rawbench_run(cmdline);
    shutdown(SHUTDOWN_poweroff);
}

static char mode[16] = "shell";
bool shell_wait_for_input;

void kernel_start_threads(const char *cmdline)
{
    xvd_init();                 /* ide.c: the IDE disks, as hda and hdb */
    word_value(cmdline, "mode", mode, sizeof(mode));
    if (!strcmp(mode, "bench") || !strcmp(mode, "rawbench")) {
        /* docs/benchmarks.md: nothing else runs beside it; it powers off when done. */
        thread_create("bench", mode[0] == 'b' ? kbench_mode_thread : rawbench_thread, (void *)cmdline);
        printk("Kernel ready: 100 Hz timer, mode=%s\n", mode);
        return;
    }
    if (!strcmp(mode, "io")) {
        thread_create("shell", shell_main, NULL);
        printk("Kernel ready: 100 Hz timer, mode=io: %s\n", "preemptive threads: shell");
        return;
    }
    if (mode[0] && strcmp(mode, "shell"))
        printk("kernel: unknown mode '%s', running the shell\n", mode);
    memcpy(mode, "shell", 6);
    thread_create("shell", shell_main, NULL);
    thread_create("worker", worker_main, NULL);
    printk("Kernel ready: 100 Hz timer, %s\n", "preemptive threads: shell, worker");
}

static bool word_is(const char *line, const char *w)
{
    size_t n = strlen(w);

    return !strncmp(line, w, n) && (!line[n] || line[n] == ' ');
}

static bool unavailable(const char *line, const char *const *words)
{
    for (; *words; words++) {
        if (word_is(line, *words)) {
            printk("%s: not available on this platform (native)\n", *words);
            return true;
        }
    }
    return false;
}

bool shell_domain_command(const char *line)
{
    static const char *const pv[] = { "domains", "pause", "unpause", "destroy", "wait", NULL };

    if (!strcmp(line, "info")) {
        printk("native kernel, %lu pages (%lu MiB) of memory, 1 CPU, mode %s\n",
               (unsigned long)start_info->nr_pages, (unsigned long)(start_info->nr_pages >> 8), mode);
        printk("command line '%s'; TSC %lu kHz, APIC bus %lu kHz (%s)\n", start_info->cmd_line,
               (unsigned long)native_tsc_khz, (unsigned long)native_apic_khz, native_clock_source);
        return true;
    }
    return unavailable(line, pv);
}

bool shell_trace_command(const char *line)
{
    static const char *const pv[] = { "trace", NULL };

    return unavailable(line, pv);
}

bool shell_xs_command(char *line)
{
    static const char *const pv[] = { "xs", "grants", NULL };

    return unavailable(line, pv);
}

void shell_xs_poll(void)
{
}

bool shell_dev_command(char *line)
{
    static const char *const pv[] = { "lspci", "drivers", "irqs", "vbd", "vifs", "netback", "vif", "blk",
                                      "net", "devmodel", NULL };
    char buf[128], *w[8];
    int nw;

    if (ide_shell_command(line) || ne2k_shell_command(line))
        return true;
    if (word_is(line, "xvd")) {         /* the IDE disks (arch/x86/native/ide.c), through xvd.h */
        snprintf(buf, sizeof(buf), "%s", line);
        nw = shell_split(buf, w, 8);
        xvd_command(w, nw);
        return true;
    }
    return unavailable(line, pv);
}

void pvos_selftest(void)
{
    printk("pvostest: not available on this platform (native)\n");
}
