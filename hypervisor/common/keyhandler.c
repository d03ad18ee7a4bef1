/*
 * Debug keys, as Xen's keyhandler.c: typed on the serial console while
 * input is on the hypervisor (Ctrl-A three times), each dumps one part of
 * the hypervisor's state to the log.
 */
#include "irq.h"
#include "lib.h"
#include "console.h"
#include "domain.h"
#include "sched.h"
#include "evtchn.h"
#include "mm.h"
#include "perfc.h"
#include "time.h"
#include "cpu.h"
#include "arch_hooks.h"
#include "keyhandler.h"
#include <tandem/xen.h>

static const char *domain_state_name(const struct domain *d)
{
    static const char *const names[] = { "running", "shutdown", "dying", "dead" };

    if (d->state == DOM_RUNNING && d->paused)
        return "paused";
    return d->state < ARRAY_SIZE(names) ? names[d->state] : "?";
}

static void dump_domains(void)
{
    for (struct domain *d = domain_list; d; d = d->next_in_list) {
        printk("Domain %u (%s): %s%s, weight %u, cap %u%%, %lu/%lu pages, %lu ms CPU, %lu hypercalls%s%s\n",
               d->domain_id, d->name, domain_state_name(d), d->is_privileged ? ", privileged" : "",
               d->weight, d->cap, (unsigned long)d->tot_pages, (unsigned long)d->max_pages,
               (unsigned long)(domain_cpu_time(d) / 1000000), (unsigned long)d->ctr.hypercalls,
               d->crash_why[0] ? ": " : "", d->crash_why);
        for (unsigned int i = 0; d->state != DOM_DEAD && i < d->max_vcpus; i++) {
            const struct vcpu *v = d->vcpu[i];
            if (!v)
                continue;
            printk("  VCPU%u: CPU%u %-8s upcall pending %u mask %u, %s mode, rip %#lx, %lu ms CPU\n",
                   v->vcpu_id, v->processor, sched_vcpu_state(v), v->vcpu_info->evtchn_upcall_pending,
                   v->vcpu_info->evtchn_upcall_mask, arch_vcpu_in_kernel(v) ? "kernel" : "user",
                   (unsigned long)(v == current ? guest_cpu_regs() : &v->regs)->rip, (unsigned long)(v->cpu_time_ns / 1000000));
        }
    }
}

/* A timer deadline relative to now: "off", "in N us" or "N us ago" (due, not yet taken). */
static const char *deadline_str(char *buf, size_t n, uint64_t deadline, uint64_t now)
{
    if (!deadline)
        return "off";
    if (deadline >= now)
        snprintf(buf, n, "in %lu us", (unsigned long)((deadline - now) / 1000));
    else
        snprintf(buf, n, "%lu us ago", (unsigned long)((now - deadline) / 1000));
    return buf;
}

/* The ports a polling vCPU waits on (first few), e.g. " on ports 3 5". */
static void polled_ports(const struct vcpu *v, char *buf, size_t n)
{
    size_t len = 0;
    unsigned int shown = 0;

    buf[0] = 0;
    if (!v->polling)
        return;
    len = (size_t)snprintf(buf, n, " on port%s", v->poll_high ? "s (FIFO, any)" : "s");
    for (uint32_t p = 0; p < ARRAY_SIZE(v->poll_mask) * 64 && shown < 6 && len < n; p++)
        if (v->poll_mask[p / 64] & (1ULL << (p % 64))) {
            len += (size_t)snprintf(buf + len, n - len, " %u", p);
            shown++;
        }
}

static void dump_vcpu_wait(const struct vcpu *v, uint64_t now)
{
    char a[32], b[32], c[32], ports[64], per[64];

    polled_ports(v, ports, sizeof(ports));
    if (v->periodic_period)
        snprintf(per, sizeof(per), "every %lu ms, next %s", (unsigned long)(v->periodic_period / 1000000),
                 v->periodic_next ? deadline_str(b, sizeof(b), v->periodic_next, now) : "when it runs");
    else
        strlcpy(per, "off", sizeof(per));
    printk("  VCPU%u: %s%s, upcall pending %u mask %u, %s mode rip %#lx; one-shot timer %s, "
           "periodic timer %s, poll timeout %s\n",
           v->vcpu_id, (v->pause_flags & VPF_down) ? "down" : sched_vcpu_state(v), ports,
           v->vcpu_info->evtchn_upcall_pending, v->vcpu_info->evtchn_upcall_mask,
           arch_vcpu_in_kernel(v) ? "kernel" : "user",
           (unsigned long)(v == current ? guest_cpu_regs() : &v->regs)->rip,
           deadline_str(a, sizeof(a), v->singleshot_deadline, now),
           per,
           deadline_str(c, sizeof(c), v->poll_deadline, now));
}

/*
 * The 'w' key, the hang report (tools/tandem-run types it on the debug-key
 * port before it kills a run that timed out): for each live domain, what
 * each vCPU waits for and the state of every bound port.
 */
static void dump_waiting(void)
{
    uint64_t now = now_ns();

    for (struct domain *d = domain_list; d; d = d->next_in_list) {
        if (d->state == DOM_DEAD)
            continue;
        printk("Domain %u (%s): %s, %lu hypercalls%s%s\n", d->domain_id, d->name, domain_state_name(d),
               (unsigned long)d->ctr.hypercalls, d->crash_why[0] ? ": " : "", d->crash_why);
        if (d->shutdown_refused)
            printk("  SCHEDOP_shutdown refused %lu times (-EFAULT: its struct sched_shutdown at %#lx "
                   "is not readable): the kernel loops on a failed shutdown\n",
                   d->shutdown_refused, (unsigned long)d->shutdown_refused_arg);
        for (unsigned int i = 0; i < d->max_vcpus; i++)
            if (d->vcpu[i])
                dump_vcpu_wait(d->vcpu[i], now);
        evtchn_dump(d);
    }
}

void keyhandler_poll_port(void)
{
    int c;

    while ((c = arch_debugport_getc()) >= 0)
        keyhandler_key((char)c);
}

/* Frames of the heap block at p (struct domain, vcpu, event channels: xzalloc'd). */
static unsigned long heap_frames(const void *p)
{
    return p ? 1UL << frame_table[__pa(p) >> PAGE_SHIFT].order : 0;
}

/* Hypervisor frames held for d itself: its record, vCPUs, ports, shared_info. */
static unsigned long domain_overhead_frames(const struct domain *d)
{
    unsigned long n = heap_frames(d) + evtchn_heap_frames(d) + (d->shared_info ? 1 : 0);

    for (unsigned int i = 0; i < d->max_vcpus; i++)
        n += heap_frames(d->vcpu[i]);
    return n;
}

static void dump_memory(void)
{
    printk("Memory: %lu of %lu frames free (%lu MiB of %lu MiB)\n",
           (unsigned long)free_frame_count(), (unsigned long)total_frame_count(),
           (unsigned long)(free_frame_count() >> 8), (unsigned long)(total_frame_count() >> 8));
    for (struct domain *d = domain_list; d; d = d->next_in_list)
        printk("  d%u (%s): %lu pages (%lu KiB), max %lu pages; hypervisor: %lu frames (%lu KiB)\n",
               d->domain_id, d->name, (unsigned long)d->tot_pages, (unsigned long)(d->tot_pages * 4),
               (unsigned long)d->max_pages, domain_overhead_frames(d), domain_overhead_frames(d) * 4);
}

static void dump_evtchns(void)
{
    for (struct domain *d = domain_list; d; d = d->next_in_list)
        if (d->state != DOM_DEAD)
            evtchn_dump(d);
}

static void do_audit(void)
{
    mm_audit();
}

static void show_help(void);

static const struct keyhandler {
    char key;
    void (*fn)(void);
    const char *desc;
} keys[] = {
    { 'h', show_help,     "show this help" },
    { 'q', dump_domains,  "dump domains and their vCPUs" },
    { 'r', sched_dump,    "dump the run queues" },
    { 'e', dump_evtchns,  "dump event channels" },
    { 'm', dump_memory,   "dump memory per domain" },
    { 'a', do_audit,      "audit the frame table" },
    { 'p', perfc_dump,    "dump performance counters" },
    { 'i', irq_dump,      "dump device interrupts (pirqs) and their counts" },
    { 'w', dump_waiting,  "hang report: what each domain's vCPUs wait for, timers, ports" },
};

static void show_help(void)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(keys); i++)
        printk(" key '%c': %s\n", keys[i].key, keys[i].desc);
}

void keyhandler_key(char c)
{
    uint64_t ns = now_ns();

    for (unsigned int i = 0; i < ARRAY_SIZE(keys); i++) {
        if (keys[i].key != c)
            continue;
        printk("'%c' pressed -> %s (now = %lu.%06lu)\n", c, keys[i].desc,
               (unsigned long)(ns / 1000000000), (unsigned long)(ns / 1000 % 1000000));
        keys[i].fn();
        return;
    }
    if (c > ' ' && c < 127)
        printk("'%c' is not a debug key ('h' lists them; CTRL-a three times gives input to a domain)\n", c);
}
