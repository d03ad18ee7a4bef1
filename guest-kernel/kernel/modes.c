/*
 * What the kernel runs (mode= on its command line) and the shell commands
 * about the domain itself: `info` for any domain, `domains`, `pause`,
 * `unpause` and `destroy` through tandem_domctl for a privileged one.
 *   mode=shell   (default) the shell and a background worker thread (none in the store
 *                domain, which must block when idle to answer its clients at once)
 *   mode=worker  a CPU-bound workload printing progress every 5 s; the
 *                shell also runs but stays silent until input reaches it
 *   mode=bench   the benchmark program (kbench.c), then power off
 */
#include "kernel.h"
#include "grant.h"
#include "store.h"
#include "blkback_svc.h"
#include "xvd.h"
#include "kbench.h"
#include "netback_svc.h"
#include "netfront_dev.h"
#include "devmodel_svc.h"
#include <tandem/vcpu.h>
#include <tandem/version.h>
#include <tandem/domctl.h>

#define PROGRESS_NS 5000000000ULL

static char mode[16] = "shell";
bool shell_wait_for_input;

static uint64_t running_ns(void)
{
    struct vcpu_runstate_info ri;

    if (HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &ri))
        return 0;
    return ri.time[RUNSTATE_running];
}

static volatile uint64_t workload_loops;

/* Spins forever; every 5 s says how much of the CPU it got (runstate) and how far it went. */
static void workload_main(void *arg)
{
    uint64_t t0 = system_time_ns(), next = t0 + PROGRESS_NS, run0 = running_ns();

    (void)arg;
    for (;;) {
        for (volatile int i = 0; i < 100000; i++)
            ;
        workload_loops++;
        if (system_time_ns() < next)
            continue;
        uint64_t now = system_time_ns(), run = running_ns();
        printk("worker: %lu s up, %lu loops; on the CPU %lu%% of the last %lu s\n",
               (unsigned long)(now / 1000000000), (unsigned long)workload_loops,
               (unsigned long)((run - run0) * 100 / (now - t0 ? now - t0 : 1)),
               (unsigned long)((now - t0 + 500000000) / 1000000000));
        t0 = now;
        run0 = run;
        next = now + PROGRESS_NS;
    }
}

void kernel_start_threads(const char *cmdline)
{
    bool store = store_domain_start();  /* xenstored.c: the store and its thread, if we are it */

    xenbus_kernel_init();       /* xenbus.c: our own client of the store, if there is one */
    blkback_svc_start();        /* blkback_svc.c: the driver domain's disks and block back ends */
    xvd_init();                 /* blkfront_dev.c: our vbds, if the store lists any */
    netback_svc_start();        /* netback_svc.c: the driver domain's switch and vifs */
    devmodel_svc_start();       /* devmodel_svc.c: device models of HVM domains (backend/ide) */
    netfront_dev_init();        /* netfront_dev.c: our vifs, if the store lists any */
    ctlagent_start();           /* ctlagent.c: tools/tandem's agent, if a control serial card is ours */
    word_value(cmdline, "mode", mode, sizeof(mode));
    if (!strcmp(mode, "worker")) {
        shell_wait_for_input = true;
        thread_create("shell", shell_main, NULL);
        thread_create("workload", workload_main, NULL);
        printk("Kernel ready: 100 Hz timer, mode=worker: a CPU-bound workload, progress every 5 s\n");
        return;
    }
    if (!strcmp(mode, "bench")) {
        /* kbench.c: the benchmark program (iters= only= plat= from the command line), no shell
         * and no worker competing with it, then power off (docs/benchmarks.md). */
        thread_create("bench", kbench_mode_thread, (void *)cmdline);
        printk("Kernel ready: 100 Hz timer, mode=bench\n");
        return;
    }
    if (!strcmp(mode, "io")) {
        /* The shell alone, no CPU-bound worker: idle, the domain blocks, so a back end's event
         * finds it blocked with credit and it runs at once (the I/O benchmarks, xvd bench). */
        thread_create("shell", shell_main, NULL);
        printk("Kernel ready: 100 Hz timer, mode=io: %s\n", "preemptive threads: shell");
        return;
    }
    if (mode[0] && strcmp(mode, "shell"))
        printk("kernel: unknown mode '%s', running the shell\n", mode);
    memcpy(mode, "shell", 6);
    thread_create("shell", shell_main, NULL);
    if (store) {
        /* No CPU-bound worker in the store domain: it blocks when idle, so a client's event
         * finds it blocked with credit and it runs at once (a busy one waits for a time slice). */
        printk("Kernel ready: 100 Hz timer, %s\n", "preemptive threads: shell, xenstored");
        return;
    }
    thread_create("worker", worker_main, NULL);
    printk("Kernel ready: 100 Hz timer, %s\n", "preemptive threads: shell, worker");
}

static unsigned int nr_vcpus(void)
{
    unsigned int n = 0;

    while (n < 64 && HYPERVISOR_vcpu_op(VCPUOP_is_up, n, NULL) >= 0)
        n++;
    return n;
}

static void cmd_info(void)
{
    struct vcpu_runstate_info ri = { 0 };

    HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &ri);
    printk("domain %u (%s), %lu pages (%lu MiB) of memory, %u vCPU%s, mode %s\n", kernel_domid(),
           (start_info->flags & SIF_PRIVILEGED) ? "privileged" : "unprivileged",
           (unsigned long)start_info->nr_pages, (unsigned long)(start_info->nr_pages >> 8),
           nr_vcpus(), nr_vcpus() == 1 ? "" : "s", mode);
    printk("command line '%s'; vCPU 0 ran %lu ms, runnable %lu ms, blocked %lu ms\n",
           start_info->cmd_line, (unsigned long)(ri.time[RUNSTATE_running] / 1000000),
           (unsigned long)(ri.time[RUNSTATE_runnable] / 1000000),
           (unsigned long)(ri.time[RUNSTATE_blocked] / 1000000));
}

static long domctl(uint32_t cmd, unsigned int domid, struct tandem_domctl *op)
{
    *op = (struct tandem_domctl){ .cmd = cmd, .interface_version = TANDEM_DOMCTL_INTERFACE_VERSION,
                                  .domid = (domid_t)domid };
    return HYPERVISOR_tandem_domctl(op);
}

static void cmd_domains(void)
{
    static const char *const reasons[] = { "poweroff", "reboot", "suspend", "crash", "watchdog", "soft_reset" };
    struct tandem_domctl op;
    unsigned int id = 0;
    long rc;

    while ((rc = domctl(TANDEM_DOMCTL_getdomaininfo, id, &op)) == 0) {
        const struct tandem_domctl_getdomaininfo *i = &op.u.getdomaininfo;
        const char *state = (i->flags & TANDEM_DOMINF_dying) ? "dying" :
                            (i->flags & TANDEM_DOMINF_shutdown) ?
                                (i->shutdown_reason < 6 ? reasons[i->shutdown_reason] : "shutdown") :
                            (i->flags & TANDEM_DOMINF_paused) ? "paused" :
                            (i->flags & TANDEM_DOMINF_running) ? "running" :
                            (i->flags & TANDEM_DOMINF_blocked) ? "blocked" : "runnable";
        printk("  d%u %-10s %-8s %-10s %4lu MiB, %u vCPU, %lu ms CPU\n", i->domid, i->name, state,
               (i->flags & TANDEM_DOMINF_privileged) ? "privileged" : "",
               (unsigned long)(i->tot_pages >> 8), i->nr_vcpus, (unsigned long)(i->cpu_time_ns / 1000000));
        id = i->domid + 1u;
    }
    if (rc != -XEN_ESRCH)
        printk("domains: tandem_domctl refused (%ld): only a privileged domain may list domains\n", rc);
}

/*
 * `wait DOMID`: until the domain has shut down (any reason) or is gone, polling its info;
 * a key stops it. What a driver or store domain runs to outlive its guest, whenever the
 * guest ends: a watch could miss an end that came before it was set.
 */
static void cmd_wait(unsigned long id)
{
    struct tandem_domctl op;
    long rc;

    for (;;) {
        rc = domctl(TANDEM_DOMCTL_getdomaininfo, id, &op);
        if (rc == 0 && op.u.getdomaininfo.domid != id)
            rc = -XEN_ESRCH;            /* getdomaininfo answers with the next domain up */
        if (rc == -XEN_ESRCH || (rc == 0 && (op.u.getdomaininfo.flags &
                                             (TANDEM_DOMINF_shutdown | TANDEM_DOMINF_dying)))) {
            printk("wait d%lu: %s\n", id, rc ? "gone" : "shut down");
            return;
        }
        if (rc) {
            printk("wait d%lu: tandem_domctl refused (%ld)\n", id, rc);
            return;
        }
        if (console_input_pending()) {
            console_getchar();
            printk("wait d%lu: stopped, it still runs\n", id);
            return;
        }
        thread_sleep_until(system_time_ns() + 50000000ULL);
    }
}

/* The shell's domain commands; false if the line is none of them. */
bool shell_domain_command(const char *line)
{
    static const struct { const char *name; uint32_t cmd; } ops[] = {
        { "pause ", TANDEM_DOMCTL_pause }, { "unpause ", TANDEM_DOMCTL_unpause },
        { "destroy ", TANDEM_DOMCTL_destroy }, { "wait ", 0 },
    };
    struct tandem_domctl op;

    if (!strcmp(line, "info")) {
        cmd_info();
        return true;
    }
    if (!strcmp(line, "domains")) {
        cmd_domains();
        return true;
    }
    for (unsigned int i = 0; i < ARRAY_SIZE(ops); i++) {
        size_t n = strlen(ops[i].name);
        const char *end;
        unsigned long id;
        long rc;
        if (strncmp(line, ops[i].name, n))
            continue;
        id = strtoul(line + n, &end, 0);
        if (end == line + n || *end) {
            printk("usage: %sDOMID\n", ops[i].name);
            return true;
        }
        if (!ops[i].cmd) {
            cmd_wait(id);
            return true;
        }
        rc = domctl(ops[i].cmd, id, &op);
        printk("%sd%lu: %s (%ld)\n", ops[i].name, id, rc ? "refused" : "done", rc);
        return true;
    }
    return false;
}
