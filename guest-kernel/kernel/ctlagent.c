/*
 * The control agent: tools/tandem's end inside the control domain
 * (docs/toolstack.md). `tandem-run --control SOCKET` gives QEMU a PCI
 * serial card (1b36:0002, one 16550 behind I/O BAR 0) backed by a unix
 * socket; the card is the driver domain's like every other PCI function
 * (docs/devices.md), and a privileged driver domain that finds one starts
 * this thread. It polls the UART (no interrupt: a 10 ms tick while idle)
 * and answers one request line at a time:
 *
 *   TAG COMMAND [ARGS]          (TAG: the client's word, repeated in each answer line)
 *   TAG | TEXT                  lines of the answer
 *   TAG OK | TAG ERR MESSAGE    its end
 *
 * COMMAND: hello; list (one "| ID FLAGS REASON VCPUS PAGES MAXPAGES CPU_NS NAME"
 * line per domain, from TANDEM_DOMCTL_getdomaininfo); pause ID, unpause
 * ID, destroy ID (the domctls); shutdown ID, reboot ID
 * (SCHEDOP_remote_shutdown); dmesg [clear] (TANDEM_DOMCTL_readconsole);
 * console ID (the console ring's (dID) lines as they come, "| " each, until
 * the client sends a line "TAG detach"; "TAG in TEXT" lines meanwhile are
 * typed into our own shell when ID is us: input to other domains is not
 * forwarded); create (not supported yet: ERR); trace on CLASSES, trace
 * off, trace stat (TANDEM_DOMCTL_trace_control: OK with the state), trace
 * read (every unread record of every CPU, taken with TANDEM_DOMCTL_trace_read:
 * one "| CPU HEX" line each, the 48 bytes in hex, then OK with the CPUs,
 * tsc_khz, the classes and the lost count; docs/tracing.md).
 */
#include "kernel.h"
#include "grant.h"
#include "pvos.h"
#include <tandem/domctl.h>
#include <tandem/sched.h>
#include <tandem/errno.h>
#include <tandem/trace.h>

#define CTL_VENDOR      0x1b36          /* QEMU's PCI serial card: pci-serial */
#define CTL_DEVICE      0x0002
#define UART_RBR        0
#define UART_THR        0
#define UART_IER        1
#define UART_FCR        2
#define UART_LCR        3
#define UART_MCR        4
#define UART_LSR        5
#define LSR_DR          0x01
#define LSR_THRE        0x20
#define IDLE_NS         10000000ULL     /* the poll period while nothing comes */
#define CONSOLE_NS      20000000ULL     /* a console's poll of the ring */

static uint16_t base;
static char line[512];
static size_t line_len;
static char ring_buf[4096];

static inline uint8_t inb(uint16_t port) { uint8_t v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }

static void uart_putc(char c)
{
    for (unsigned int i = 0; i < 100000 && !(inb(base + UART_LSR) & LSR_THRE); i++)
        ;
    outb(base + UART_THR, (uint8_t)c);
}

static void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

static void reply(const char *tag, const char *kind, const char *text)
{
    uart_puts(tag);
    uart_putc(' ');
    uart_puts(kind);
    if (text) {
        uart_putc(' ');
        uart_puts(text);
    }
    uart_putc('\n');
}

static void replyf(const char *tag, const char *kind, const char *fmt, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    reply(tag, kind, buf);
}

/* One received line (without its newline) into line[], or false if none is complete yet. */
static bool uart_line(void)
{
    while (inb(base + UART_LSR) & LSR_DR) {
        char c = (char)inb(base + UART_RBR);
        if (c == '\r')
            continue;
        if (c == '\n') {
            line[line_len] = 0;
            line_len = 0;
            return true;
        }
        if (line_len + 1 < sizeof(line))
            line[line_len++] = c;
    }
    return false;
}

static const char *err_name(long rc)
{
    switch (rc) {
    case -XEN_EPERM: return "EPERM: not allowed";
    case -XEN_ESRCH: return "ESRCH: no such domain";
    case -XEN_EINVAL: return "EINVAL: not in this state (or itself)";
    case -XEN_EFAULT: return "EFAULT";
    case -XEN_ENOSYS: return "ENOSYS: not supported by this hypervisor";
    case -XEN_EACCES: return "EACCES: interface version";
    default: return "error";
    }
}

static long domctl(uint32_t cmd, unsigned int domid, struct tandem_domctl *op)
{
    *op = (struct tandem_domctl){ .cmd = cmd, .interface_version = TANDEM_DOMCTL_INTERFACE_VERSION,
                                  .domid = (domid_t)domid };
    return HYPERVISOR_tandem_domctl(op);
}

static void cmd_list(const char *tag)
{
    struct tandem_domctl op;
    unsigned int id = 0;
    long rc;

    while ((rc = domctl(TANDEM_DOMCTL_getdomaininfo, id, &op)) == 0) {
        const struct tandem_domctl_getdomaininfo *i = &op.u.getdomaininfo;
        replyf(tag, "|", "%u %#x %u %u %lu %lu %lu %s", i->domid, i->flags, i->shutdown_reason,
               i->nr_vcpus, (unsigned long)i->tot_pages, (unsigned long)i->max_pages,
               (unsigned long)i->cpu_time_ns, i->name);
        id = i->domid + 1u;
    }
    if (rc == -XEN_ESRCH)
        reply(tag, "OK", NULL);
    else
        replyf(tag, "ERR", "getdomaininfo refused: %s (%ld)", err_name(rc), rc);
}

/* readconsole from *index (incremental unless first) into ring_buf; bytes read, or < 0. */
static long read_ring(uint32_t *index, bool incremental, bool clear)
{
    struct tandem_domctl op;
    long rc;

    op = (struct tandem_domctl){ .cmd = TANDEM_DOMCTL_readconsole,
                                 .interface_version = TANDEM_DOMCTL_INTERFACE_VERSION };
    op.u.readconsole.buffer = (uint64_t)(uintptr_t)ring_buf;
    op.u.readconsole.count = sizeof(ring_buf);
    op.u.readconsole.incremental = incremental;
    op.u.readconsole.clear = clear;
    op.u.readconsole.index = *index;
    if ((rc = HYPERVISOR_tandem_domctl(&op)))
        return rc;
    *index = op.u.readconsole.index;
    return op.u.readconsole.count;
}

/* Text from the ring, cut into lines: each whole line to fn; a partial last one kept in part. */
struct ring_lines {
    char part[256];
    size_t len;
};

static void ring_feed(struct ring_lines *rl, const char *buf, size_t n, void (*fn)(const char *tag, const char *l, void *ctx),
                      const char *tag, void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n' || rl->len + 1 == sizeof(rl->part)) {
            rl->part[rl->len] = 0;
            fn(tag, rl->part, ctx);
            rl->len = 0;
            if (buf[i] == '\n')
                continue;
        }
        rl->part[rl->len++] = buf[i];
    }
}

static void dmesg_line(const char *tag, const char *l, void *ctx)
{
    (void)ctx;
    reply(tag, "|", l);
}

static void cmd_dmesg(const char *tag, bool clear)
{
    struct ring_lines rl = { .len = 0 };
    uint32_t index = 0;
    long n;
    bool first = true;

    /* Up to 32 KiB in 4 KiB reads: the first from the oldest kept, the rest from where it stopped. */
    for (int i = 0; i < 9; i++) {
        if ((n = read_ring(&index, !first, clear)) < 0) {
            replyf(tag, "ERR", "readconsole refused: %s (%ld)", err_name(n), n);
            return;
        }
        first = false;
        ring_feed(&rl, ring_buf, (size_t)n, dmesg_line, tag, NULL);
        if ((size_t)n < sizeof(ring_buf))
            break;
    }
    if (rl.len) {
        rl.part[rl.len] = 0;
        reply(tag, "|", rl.part);
    }
    reply(tag, "OK", NULL);
}

struct console_ctx {
    char prefix[16];
    size_t plen;
};

static void console_line(const char *tag, const char *l, void *ctx)
{
    struct console_ctx *c = ctx;

    if (!strncmp(l, c->prefix, c->plen))
        reply(tag, "|", l + c->plen);
}

/* `console ID`: its lines from the ring (the last kept first), until "TAG detach". */
static void cmd_console(const char *tag, unsigned long id)
{
    struct ring_lines rl = { .len = 0 };
    struct console_ctx c;
    struct tandem_domctl op;
    uint32_t index = 0;
    bool first = true, self = id == kernel_domid();
    char t[24];
    long n;

    if ((n = domctl(TANDEM_DOMCTL_getdomaininfo, id, &op)) || op.u.getdomaininfo.domid != id) {
        replyf(tag, "ERR", "no domain %lu", id);
        return;
    }
    snprintf(c.prefix, sizeof(c.prefix), "(d%lu) ", id);
    c.plen = strlen(c.prefix);
    snprintf(t, sizeof(t), "%s", tag);
    replyf(t, "|", "*** attached to d%lu (%s)%s", id, op.u.getdomaininfo.name,
           self ? "" : ": output only, input is not forwarded to it");
    for (;;) {
        while ((n = read_ring(&index, !first, false)) > 0) {
            ring_feed(&rl, ring_buf, (size_t)n, console_line, t, &c);
            first = false;
            if ((size_t)n < sizeof(ring_buf))
                break;
        }
        if (n < 0) {
            replyf(t, "ERR", "readconsole refused: %s (%ld)", err_name(n), n);
            return;
        }
        first = false;
        while (uart_line()) {
            size_t tl = strlen(t);
            if (strncmp(line, t, tl) || line[tl] != ' ')
                continue;
            if (!strcmp(line + tl + 1, "detach")) {
                reply(t, "OK", NULL);
                return;
            }
            if (!strncmp(line + tl + 1, "in ", 3) && self) {
                /* The text, then Enter: \n is the shell's end of line. */
                console_inject(line + tl + 4, strlen(line + tl + 4));
                console_inject("\n", 1);
            }
        }
        if (domctl(TANDEM_DOMCTL_getdomaininfo, id, &op) || op.u.getdomaininfo.domid != id) {
            replyf(t, "|", "*** d%lu is gone", id);
            reply(t, "OK", NULL);
            return;
        }
        thread_sleep_until(system_time_ns() + CONSOLE_NS);
    }
}

static void trace_state(const char *tag, const struct tandem_domctl_trace_control *t)
{
    replyf(tag, "OK", "classes=%#x cpus=%u capacity=%lu unread=%lu lost=%lu tsc_khz=%lu", t->classes, t->nr_cpus,
           (unsigned long)t->capacity, (unsigned long)t->unread, (unsigned long)t->lost, (unsigned long)t->tsc_khz);
}

static void cmd_trace(const char *tag, char **w, int n)
{
    static const char hex[] = "0123456789abcdef";
    struct tandem_domctl op, st;
    const struct tandem_trace_rec *recs;
    uint32_t mask;
    unsigned long lost = 0;
    long rc;

    if (n >= 3 && !strcmp(w[2], "on")) {
        if (!trace_parse_classes(n >= 4 ? w[3] : "all", &mask)) {
            replyf(tag, "ERR", "not trace classes: %s (hypercall,evtchn,sched,vmexit,ptval,trap or all)", w[3]);
            return;
        }
        rc = trace_control_op(TANDEM_TRACEOP_enable, mask, &op);
    } else if (n == 3 && !strcmp(w[2], "off"))
        rc = trace_control_op(TANDEM_TRACEOP_disable, 0, &op);
    else if (n == 3 && !strcmp(w[2], "stat"))
        rc = trace_control_op(TANDEM_TRACEOP_query, 0, &op);
    else if (n == 3 && !strcmp(w[2], "read")) {
        if ((rc = trace_control_op(TANDEM_TRACEOP_query, 0, &st))) {
            replyf(tag, "ERR", "trace_control refused: %s (%ld)", err_name(rc), rc);
            return;
        }
        for (uint32_t c = 0; c < st.u.trace_control.nr_cpus; c++) {
            do {
                if ((rc = trace_take(c, &recs, &op))) {
                    replyf(tag, "ERR", "trace_read refused: %s (%ld)", err_name(rc), rc);
                    return;
                }
                for (uint32_t i = 0; i < op.u.trace_read.nr; i++) {
                    char text[8 + 2 * sizeof(*recs) + 1];
                    const uint8_t *b = (const uint8_t *)&recs[i];
                    int k = snprintf(text, sizeof(text), "%u ", c);
                    for (size_t j = 0; j < sizeof(*recs); j++) {
                        text[k++] = hex[b[j] >> 4];
                        text[k++] = hex[b[j] & 15];
                    }
                    text[k] = 0;
                    reply(tag, "|", text);
                }
            } while (op.u.trace_read.nr && op.u.trace_read.unread);
            lost += op.u.trace_read.lost;
        }
        replyf(tag, "OK", "cpus=%u tsc_khz=%lu classes=%#x lost=%lu", st.u.trace_control.nr_cpus,
               (unsigned long)st.u.trace_control.tsc_khz, st.u.trace_control.classes, lost);
        return;
    } else {
        reply(tag, "ERR", "trace takes on [CLASSES], off, stat or read");
        return;
    }
    if (rc)
        replyf(tag, "ERR", "trace_control refused: %s (%ld)", err_name(rc), rc);
    else
        trace_state(tag, &op.u.trace_control);
}

static void request(char *req)
{
    char *w[4], tag[24];
    int n = shell_split(req, w, 4);
    unsigned long id = 0;
    const char *end;
    long rc;
    struct tandem_domctl op;

    if (n < 2)
        return;                         /* an empty or garbled line: nobody to answer */
    snprintf(tag, sizeof(tag), "%s", w[0]);
    if (n >= 3 && strcmp(w[1], "dmesg") && strcmp(w[1], "create") && strcmp(w[1], "trace")) {
        id = strtoul(w[2], &end, 0);
        if (end == w[2] || *end || id > 0x7fef) {
            replyf(tag, "ERR", "not a domain id: %s", w[2]);
            return;
        }
    }
    if (!strcmp(w[1], "hello"))
        replyf(tag, "OK", "tandem-ctlagent 1 d%u", kernel_domid());
    else if (!strcmp(w[1], "list"))
        cmd_list(tag);
    else if (!strcmp(w[1], "dmesg"))
        cmd_dmesg(tag, n >= 3 && !strcmp(w[2], "clear"));
    else if (!strcmp(w[1], "trace"))
        cmd_trace(tag, w, n);
    else if (!strcmp(w[1], "create"))
        reply(tag, "ERR", "not supported yet: this Tandem cannot create domains at run time");
    else if (n != 3)
        replyf(tag, "ERR", "unknown request or missing domain id: %s", w[1]);
    else if (!strcmp(w[1], "console"))
        cmd_console(tag, id);
    else if (!strcmp(w[1], "shutdown") || !strcmp(w[1], "reboot")) {
        struct sched_remote_shutdown rs = { .domain_id = (uint16_t)id,
                                            .reason = w[1][0] == 's' ? SHUTDOWN_poweroff : SHUTDOWN_reboot };
        if (id == kernel_domid())
            reply(tag, "OK", "the control domain goes: the channel with it");  /* no answer after */
        if ((rc = HYPERVISOR_sched_op(SCHEDOP_remote_shutdown, &rs)))
            replyf(tag, "ERR", "%s d%lu refused: %s (%ld)", w[1], id, err_name(rc), rc);
        else
            reply(tag, "OK", NULL);
    } else {
        static const struct { const char *name; uint32_t cmd; } ops[] = {
            { "pause", TANDEM_DOMCTL_pause }, { "unpause", TANDEM_DOMCTL_unpause },
            { "destroy", TANDEM_DOMCTL_destroy },
        };
        for (unsigned int i = 0; i < ARRAY_SIZE(ops); i++) {
            if (strcmp(w[1], ops[i].name))
                continue;
            if ((rc = domctl(ops[i].cmd, id, &op)))
                replyf(tag, "ERR", "%s d%lu refused: %s (%ld)", w[1], id, err_name(rc), rc);
            else
                reply(tag, "OK", NULL);
            return;
        }
        replyf(tag, "ERR", "unknown request: %s", w[1]);
    }
}

static void agent_main(void *arg)
{
    (void)arg;
    for (;;) {
        if (uart_line())
            request(line);
        else
            thread_sleep_until(system_time_ns() + IDLE_NS);
    }
}

void ctlagent_start(void)
{
    int64_t prev = -1;
    uint32_t sbdf, bar;

    if (!(start_info->flags & SIF_PRIVILEGED))
        return;
    for (; pvos_pci_next(prev, &sbdf); prev = sbdf) {
        if (pvos_pci_conf_read(sbdf, 0, 4) != ((uint32_t)CTL_DEVICE << 16 | CTL_VENDOR))
            continue;
        bar = pvos_pci_conf_read(sbdf, 0x10, 4);
        if (!(bar & 1) || !(bar & ~3u) || (bar & ~3u) > 0xfff8) {
            printk("ctlagent: the serial card at %02x:%02x.%x has no I/O BAR (%#x)\n", (sbdf >> 8) & 0xff,
                   (sbdf >> 3) & 0x1f, sbdf & 7, bar);
            return;
        }
        base = (uint16_t)(bar & ~3u);
        pvos_pci_conf_write(sbdf, 4, 2, pvos_pci_conf_read(sbdf, 4, 2) | 1);   /* I/O decoding */
        outb(base + UART_IER, 0);                   /* polled */
        outb(base + UART_LCR, 0x80);                /* divisor 1: 115200 baud (the socket ignores it) */
        outb(base + UART_RBR, 1);
        outb(base + UART_IER, 0);
        outb(base + UART_LCR, 0x03);                /* 8n1 */
        outb(base + UART_FCR, 0x07);                /* FIFOs on and cleared */
        outb(base + UART_MCR, 0x03);                /* DTR, RTS */
        while (inb(base + UART_LSR) & LSR_DR)
            inb(base + UART_RBR);
        thread_create("ctlagent", agent_main, NULL);
        printk("ctlagent: control channel on the serial card at %02x:%02x.%x (ports %#x): tools/tandem\n",
               (sbdf >> 8) & 0xff, (sbdf >> 3) & 0x1f, sbdf & 7, base);
        return;
    }
}
