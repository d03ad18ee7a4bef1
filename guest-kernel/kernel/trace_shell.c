/*
 * The shell's `trace` command (docs/tracing.md): the hypervisor trace
 * through tandem_domctl, for a privileged domain.
 *   trace [stat]           classes on, records unread and lost, buffer size
 *   trace on [CLASSES]     record CLASSES (hypercall,evtchn,sched,vmexit,ptval,trap, ',' or '+'
 *                          between them; default all)
 *   trace off              stop recording (records kept for the dump at poweroff)
 *   trace reset            drop every record and the lost counts
 *   trace count            take every unread record (trace_read) and count them by class and event
 * The dump at poweroff (tools/tandem-run --trace FILE) holds what was not taken.
 */
#include "kernel.h"
#include <tandem/domctl.h>
#include <tandem/trace.h>

static const struct { const char *name; uint32_t bit; } classes[] = {
    { "hypercall", TANDEM_TRC_HYPERCALL }, { "evtchn", TANDEM_TRC_EVTCHN },
    { "sched", TANDEM_TRC_SCHED }, { "vmexit", TANDEM_TRC_VMEXIT },
    { "ptval", TANDEM_TRC_PTVAL }, { "trap", TANDEM_TRC_TRAP },
};

static long trace_op(uint32_t cmd, struct tandem_domctl *op)
{
    op->cmd = cmd;
    op->interface_version = TANDEM_DOMCTL_INTERFACE_VERSION;
    op->domid = 0;
    return HYPERVISOR_tandem_domctl(op);
}

long trace_control_op(uint32_t what, uint32_t mask, struct tandem_domctl *op)
{
    *op = (struct tandem_domctl){ .u.trace_control = { .op = what, .classes = mask } };
    return trace_op(TANDEM_DOMCTL_trace_control, op);
}

/* "hypercall,sched" (or hypercall+sched: a Multiboot command line has no commas) -> mask. */
bool trace_parse_classes(const char *s, uint32_t *mask)
{
    *mask = 0;
    if (!*s || !strcmp(s, "all")) {
        *mask = TANDEM_TRC_ALL;
        return true;
    }
    while (*s) {
        size_t n = 0;
        bool found = false;
        while (s[n] && s[n] != ',' && s[n] != '+')
            n++;
        for (unsigned int i = 0; i < ARRAY_SIZE(classes) && !found; i++)
            if (strlen(classes[i].name) == n && !strncmp(s, classes[i].name, n)) {
                *mask |= classes[i].bit;
                found = true;
            }
        if (!found)
            return false;
        s += n + (s[n] == ',' || s[n] == '+');
    }
    return *mask != 0;
}

static void print_state(const struct tandem_domctl_trace_control *t)
{
    printk("trace: classes %#x, %lu records unread, %lu lost, %u CPU%s x %lu records (%u-byte records)\n",
           t->classes, (unsigned long)t->unread, (unsigned long)t->lost, t->nr_cpus,
           t->nr_cpus == 1 ? "" : "s", (unsigned long)t->capacity, t->rec_size);
}

static struct tandem_trace_rec recs[TANDEM_TRACE_READ_MAX];

/* Up to TANDEM_TRACE_READ_MAX of CPU cpu's oldest records into *out (taken); op.u.trace_read says more. */
long trace_take(uint32_t cpu, const struct tandem_trace_rec **out, struct tandem_domctl *op)
{
    *op = (struct tandem_domctl){ .u.trace_read = { .cpu = cpu, .max = ARRAY_SIZE(recs), .buf = (uintptr_t)recs } };
    *out = recs;
    return trace_op(TANDEM_DOMCTL_trace_read, op);
}

/* Take every unread record of every CPU; count them by class and event (events 1-4). */
static void cmd_count(void)
{
    struct tandem_domctl op;
    unsigned long count[6][5] = { { 0 } }, total = 0;
    uint32_t cpus;
    long rc;

    if ((rc = trace_control_op(TANDEM_TRACEOP_query, 0, &op))) {
        printk("trace: refused (%ld)\n", rc);
        return;
    }
    cpus = op.u.trace_control.nr_cpus;
    for (uint32_t c = 0; c < cpus; c++) {
        for (;;) {
            op = (struct tandem_domctl){ .u.trace_read = { .cpu = c, .max = ARRAY_SIZE(recs),
                                                           .buf = (uintptr_t)recs } };
            if ((rc = trace_op(TANDEM_DOMCTL_trace_read, &op))) {
                printk("trace: read refused (%ld)\n", rc);
                return;
            }
            for (uint32_t i = 0; i < op.u.trace_read.nr; i++)
                if (recs[i].cls < 6 && recs[i].event < 5)
                    count[recs[i].cls][recs[i].event]++;
            total += op.u.trace_read.nr;
            if (!op.u.trace_read.nr || !op.u.trace_read.unread)
                break;
        }
    }
    printk("trace: took %lu records\n", total);
    for (unsigned int k = 0; k < ARRAY_SIZE(classes); k++)
        printk("trace: %-9s %lu %lu %lu %lu\n", classes[k].name, count[k][1], count[k][2], count[k][3],
               count[k][4]);
}

bool shell_trace_command(const char *line)
{
    struct tandem_domctl op;
    uint32_t mask;
    long rc;

    if (strncmp(line, "trace", 5) || (line[5] && line[5] != ' '))
        return false;
    line += 5;
    while (*line == ' ')
        line++;
    if (!*line || !strcmp(line, "stat"))
        rc = trace_control_op(TANDEM_TRACEOP_query, 0, &op);
    else if (!strncmp(line, "on", 2) && (!line[2] || line[2] == ' ')) {
        line += 2;
        while (*line == ' ')
            line++;
        if (!trace_parse_classes(line, &mask)) {
            printk("trace on: '%s': classes are hypercall,evtchn,sched,vmexit,ptval,trap or all\n", line);
            return true;
        }
        rc = trace_control_op(TANDEM_TRACEOP_enable, mask, &op);
    } else if (!strcmp(line, "off"))
        rc = trace_control_op(TANDEM_TRACEOP_disable, 0, &op);
    else if (!strcmp(line, "reset"))
        rc = trace_control_op(TANDEM_TRACEOP_reset, 0, &op);
    else if (!strcmp(line, "count")) {
        cmd_count();
        return true;
    } else {
        printk("usage: trace [stat] | on [CLASSES] | off | reset | count\n");
        return true;
    }
    if (rc)
        printk("trace: refused (%ld)%s\n", rc, rc == -XEN_EPERM ? ": only a privileged domain traces" : "");
    else
        print_state(&op.u.trace_control);
    return true;
}
