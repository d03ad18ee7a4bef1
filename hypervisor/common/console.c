/* The hypervisor console: leveled, timestamped log lines and guest output on the serial line. */
#include "lib.h"
#include "console.h"
#include "domain.h"
#include "spinlock.h"
#include "time.h"
#include "evtchn.h"
#include "mm.h"
#include "processor.h"
#include "config.h"
#include "guest_access.h"
#include <tandem/errno.h>
#include <tandem/io/console.h>

static spinlock_t console_lock = SPIN_LOCK_UNLOCKED;
static int loglvl = 2;                 /* print levels <= this: 0 err, 1 warn, 2 info, 3 debug */
static bool at_line_start = true;

/*
 * The transmit buffer (Xen's serial_tx_buffer): everything printed goes
 * here first and leaves as the UART takes it, so no path spins for long
 * with interrupts off. Guest lines never take its last CON_HV_RESERVE
 * bytes, and one domain's lines never hold more than CON_DOM_SHARE of it
 * at once (a slow UART cannot let one domain crowd out the others): lines
 * beyond are dropped, and counted. Hypervisor output is never dropped: in
 * a full buffer it waits for the UART, one byte at a time.
 */
#define CON_TXBUF       32768
#define CON_HV_RESERVE  1024
#define CON_DOM_SHARE   (2 * CON_LINE_MAX)
#define CON_LINES       1024    /* guest lines in the buffer, for the shares */
#define CON_SEND_MAX    1024    /* bytes one console_tx_send may send */
#define CON_SEND_POLLS  256     /* times it polls a busy UART before leaving the rest */
/* Each domain's console output: CON_RATE bytes a second, CON_BURST at once. */
#define CON_RATE        16384
#define CON_BURST       65536

static char txbuf[CON_TXBUF];
static uint32_t tx_prod, tx_cons;      /* free-running; under console_lock */
/* Each guest line still in txbuf: where it ends, its size, whose it is. */
static struct { uint32_t end, len; domid_t dom; } tx_lines[CON_LINES];
static uint32_t tl_prod, tl_cons;
static uint32_t tx_inflight[MAX_DOMAINS + 1];  /* bytes of each domain's lines in txbuf */

static uint32_t tx_free(void)
{
    return CON_TXBUF - (tx_prod - tx_cons);
}

/* Forget the lines the UART has taken. Lock held. */
static void tx_retire(void)
{
    while (tl_cons != tl_prod && (int32_t)(tx_cons - tx_lines[tl_cons % CON_LINES].end) >= 0) {
        domid_t dom = tx_lines[tl_cons % CON_LINES].dom;
        tx_inflight[dom] -= tx_lines[tl_cons % CON_LINES].len;
        tl_cons++;
    }
}

/*
 * A guest line longer than CON_LINE_MAX is shown as CON_LINE_MAX characters
 * ending in this marker, and the rest on the next (dN) line(s).
 */
#define CON_STR_(x)     #x
#define CON_STR(x)      CON_STR_(x)
#define CON_CUT_MARK    " [line cut at " CON_STR(CON_LINE_MAX) " characters, continued]"

/* The most one guest line takes in txbuf: "(dNNNNN) ", the line, the marker, "\r\n", a "\r\n" before. */
#define CON_LINE_ROOM   (16 + CON_LINE_MAX + sizeof(CON_CUT_MARK) + 4)

/*
 * Room in txbuf for whatever lines 64 more bytes of d's ring output can
 * complete (its partial line, up to CON_LINE_MAX bytes, and up to 63 empty
 * ones of at most 16 + 4 bytes each).
 */
#define CON_RING_ROOM   (CON_LINE_ROOM + 63 * 20)
_Static_assert(CON_RING_ROOM <= CON_DOM_SHARE, "a domain's share holds its longest line");

/* May d queue a line of `need` bytes now? Lock held. */
static bool tx_room_for_guest(const struct domain *d, uint32_t need)
{
    tx_retire();
    return d->domain_id <= MAX_DOMAINS && tl_prod - tl_cons < CON_LINES &&
           tx_free() >= CON_HV_RESERVE + need && tx_inflight[d->domain_id] + need <= CON_DOM_SHARE;
}

/* Send what the UART takes now, at most CON_SEND_MAX bytes. Lock held. */
static void console_tx_send(void)
{
    unsigned int sent = 0, polls = 0;

    while (tx_cons != tx_prod && sent < CON_SEND_MAX) {
        if (!serial_tx_ready()) {
            if (++polls == CON_SEND_POLLS)
                return;
            cpu_relax();
            continue;
        }
        serial_tx(txbuf[tx_cons++ % CON_TXBUF]);
        sent++;
    }
}

/*
 * The console ring (Xen's conring): the last CON_RING bytes of what went
 * to the serial line, hypervisor lines and (dN) guest lines alike, \r left
 * out, for tandem_domctl readconsole (console_read_ring). Indices are
 * free-running; ring_c is the oldest byte still to be read (readconsole's
 * clear moves it), ring_p the next written. Under console_lock.
 */
#define CON_RING        32768
static char con_ring[CON_RING];
static uint32_t ring_c, ring_p;

static void ring_put(char c)
{
    con_ring[ring_p++ % CON_RING] = c;
    if (ring_p - ring_c > CON_RING)
        ring_c = ring_p - CON_RING;
}

/*
 * Xen's read_console_ring: from ring_c (or from *index when incremental
 * and it lies between ring_c and ring_p), at most max bytes to the
 * caller's buffer, a chunk at a time with the lock dropped around each
 * copy (a fault in the copy is never taken under the lock). OUT *index:
 * the index after the last byte read; *count: the bytes written.
 */
int console_read_ring(guest_va_t buf, uint32_t max, bool clear, bool incremental, uint32_t *index,
                      uint32_t *count)
{
    char chunk[512];
    uint32_t sofar = 0, c, p, len;
    unsigned long flags;

    max = MIN(max, (uint32_t)CON_RING);     /* one call copies at most the ring's size */
    flags = spin_lock_irqsave(&console_lock);
    c = ring_c;
    p = ring_p;
    if (incremental && (uint32_t)(*index - c) <= (uint32_t)(p - c))
        c = *index;
    spin_unlock_irqrestore(&console_lock, flags);
    while (c != p && sofar < max) {
        flags = spin_lock_irqsave(&console_lock);
        p = ring_p;                         /* what was written meanwhile is read too */
        if ((uint32_t)(p - c) > CON_RING)
            c = p - CON_RING;               /* overwritten meanwhile: from the oldest kept */
        len = MIN(MIN((uint32_t)(p - c), CON_RING - c % CON_RING), MIN(max - sofar, (uint32_t)sizeof(chunk)));
        memcpy(chunk, &con_ring[c % CON_RING], len);
        spin_unlock_irqrestore(&console_lock, flags);
        if (copy_to_guest(buf + sofar, chunk, len))
            return -XEN_EFAULT;
        sofar += len;
        c += len;
    }
    if (clear) {
        flags = spin_lock_irqsave(&console_lock);
        ring_c = (uint32_t)(ring_p - c) > CON_RING ? ring_p - CON_RING : c;
        spin_unlock_irqrestore(&console_lock, flags);
    }
    *index = c;
    *count = sofar;
    return 0;
}

/* Queue one byte of hypervisor output; \n goes out as \r\n. Lock held. */
static void tx_put(char c)
{
    if (c != '\r')
        ring_put(c);
    if (c == '\n')
        tx_put('\r');
    if (!tx_free())
        serial_putc(txbuf[tx_cons++ % CON_TXBUF]);
    txbuf[tx_prod++ % CON_TXBUF] = c;
}

void console_tx_poll(void)
{
    unsigned long flags = spin_lock_irqsave(&console_lock);

    console_tx_send();
    spin_unlock_irqrestore(&console_lock, flags);
}

bool console_tx_pending(void)
{
    return READ_ONCE(tx_cons) != READ_ONCE(tx_prod);
}

void console_flush(void)
{
    unsigned long flags = spin_lock_irqsave(&console_lock);

    while (tx_cons != tx_prod)
        serial_putc(txbuf[tx_cons++ % CON_TXBUF]);
    tx_retire();
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_init(void)
{
    serial_init();
}

void console_set_loglvl(const char *lvl)
{
    static const char *const names[] = { "error", "warning", "info", "debug" };

    if (!strcmp(lvl, "all")) {
        loglvl = 3;
        return;
    }
    for (unsigned i = 0; i < ARRAY_SIZE(names); i++)
        if (!strcmp(lvl, names[i]))
            loglvl = i;
}

static void puts_locked(const char *s)
{
    while (*s)
        tx_put(*s++);
}

/* Prints "(XEN) [  seconds.micros] " at the start of each line. */
static void emit_hv(const char *s)
{
    char stamp[40];

    for (; *s; s++) {
        if (at_line_start) {
            uint64_t ns = now_ns();
            snprintf(stamp, sizeof(stamp), "(XEN) [%5lu.%06lu] ",
                     (unsigned long)(ns / 1000000000ULL), (unsigned long)(ns / 1000 % 1000000));
            puts_locked(stamp);
            at_line_start = false;
        }
        tx_put(*s);
        if (*s == '\n')
            at_line_start = true;
    }
}

void vprintk(const char *fmt, va_list ap)
{
    char buf[512];
    int level = 2;
    unsigned long flags;

    if (fmt[0] == '<' && fmt[1] >= '0' && fmt[1] <= '3' && fmt[2] == '>') {
        level = fmt[1] - '0';
        fmt += 3;
    }
    if (level > loglvl)
        return;
    vsnprintf(buf, sizeof(buf), fmt, ap);
    flags = spin_lock_irqsave(&console_lock);
    emit_hv(buf);
    console_tx_send();
    spin_unlock_irqrestore(&console_lock, flags);
}

void printk(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vprintk(fmt, ap);
    va_end(ap);
}

static uint32_t line_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;          /* FNV-1a */

    while (n--)
        h = (h ^ (uint8_t)*s++) * 16777619u;
    return h ? h : 1;
}

/*
 * A line is shown once even when the guest writes it through both
 * console_io and its console ring (Linux's earlyprintk=xen and hvc0 do):
 * a line matching one recently shown from the other source is dropped.
 */
static bool seen_from_other_source(struct domain *d, int src, uint32_t h)
{
    uint32_t *other = d->con_recent[!src];

    for (unsigned int i = 0; i < ARRAY_SIZE(d->con_recent[0]); i++)
        if (other[i] == h) {
            other[i] = 0;
            return true;
        }
    d->con_recent[src][d->con_recent_pos[src]++ % ARRAY_SIZE(d->con_recent[0])] = h;
    return false;
}

/* Says how much of d's output was dropped since it was last said. */
static void report_dropped(struct domain *d)
{
    uint64_t n = d->con_dropped;

    if (!n)
        return;
    d->con_dropped = 0;
    printk(XENLOG_WARNING "d%u: %lu bytes of console output dropped (over %u bytes/s, or the console "
           "buffer full)\n", d->domain_id, (unsigned long)n, CON_RATE);
}

/* d's console allowance now: a token bucket, CON_RATE bytes a second, at most CON_BURST saved up. */
static void console_refill(struct domain *d)
{
    uint64_t now = now_ns(), add;

    if (!d->con_refill_ns) {
        d->con_tokens = CON_BURST;
        d->con_refill_ns = now;
    }
    add = (now - d->con_refill_ns) * CON_RATE / 1000000000ULL;
    if (add) {
        d->con_tokens = MIN(d->con_tokens + add, (uint64_t)CON_BURST);
        d->con_refill_ns = d->con_tokens == CON_BURST ? now :
                           d->con_refill_ns + add * 1000000000ULL / CON_RATE;
    }
}

/* Up to `want` bytes of the allowance: how many d may write now. */
static size_t console_budget(struct domain *d, size_t want)
{
    size_t n;

    console_refill(d);
    n = MIN((uint64_t)want, d->con_tokens);
    d->con_tokens -= n;
    return n;
}

/* All of `want`, or nothing. */
static bool console_budget_take(struct domain *d, size_t want)
{
    console_refill(d);
    if (d->con_tokens < want)
        return false;
    d->con_tokens -= want;
    return true;
}

/*
 * One whole guest line to the transmit buffer, under console_lock: lines
 * of different domains (and the hypervisor's) never mix inside a line.
 * `cut`: the line reached CON_LINE_MAX, the marker says it goes on.
 */
static void guest_line_out(struct domain *d, int src, bool cut)
{
    struct guest_console *c = &d->con[src];
    char prefix[16];
    unsigned long flags;
    bool shown = false;

    if (seen_from_other_source(d, src, line_hash(c->buf, c->len))) {
        c->len = 0;
        return;
    }
    /* console_io over the domain's rate: the whole line is dropped (the ring is never read that far). */
    if (src == CONSOLE_SRC_IO && !console_budget_take(d, c->len + 1)) {
        d->con_dropped += c->len + 1;
        c->len = 0;
        return;
    }
    snprintf(prefix, sizeof(prefix), "(d%u) ", d->domain_id);
    flags = spin_lock_irqsave(&console_lock);
    if (tx_room_for_guest(d, strlen(prefix) + c->len + (cut ? sizeof(CON_CUT_MARK) : 0) + 4)) {
        uint32_t start = tx_prod;
        if (!at_line_start)
            tx_put('\n');
        puts_locked(prefix);
        for (size_t i = 0; i < c->len; i++)
            tx_put(c->buf[i]);
        if (cut)
            puts_locked(CON_CUT_MARK);
        tx_put('\n');
        at_line_start = true;
        shown = true;
        tx_lines[tl_prod % CON_LINES].end = tx_prod;
        tx_lines[tl_prod % CON_LINES].len = tx_prod - start;
        tx_lines[tl_prod % CON_LINES].dom = d->domain_id;
        tl_prod++;
        tx_inflight[d->domain_id] += tx_prod - start;
    } else {
        d->con_dropped += c->len + 1;
    }
    console_tx_send();
    spin_unlock_irqrestore(&console_lock, flags);
    c->len = 0;
    if (shown)
        report_dropped(d);
}

/* Under d->con_lock: d's line buffers, rate-limit tokens and recent-line hashes. */
static void guest_write_locked(struct domain *d, int src, const char *buf, size_t len)
{
    struct guest_console *c = &d->con[src];

    for (size_t i = 0; i < len; i++) {
        char ch = buf[i];

        if (ch == '\n') {
            guest_line_out(d, src, false);
            continue;
        }
        if (ch == '\r')
            continue;
        /* Control bytes are shown as '?': a guest must not drive the terminal. */
        if (((unsigned char)ch < 32 && ch != '\t') || ch == 127)
            ch = '?';
        /* A full line meeting one more character (not its newline) is cut there. */
        if (c->len == sizeof(c->buf))
            guest_line_out(d, src, true);
        c->buf[c->len++] = ch;
    }
}

void console_guest_write(struct domain *d, int src, const char *buf, size_t len)
{
    unsigned long flags = spin_lock_irqsave(&d->con_lock);

    guest_write_locked(d, src, buf, len);
    spin_unlock_irqrestore(&d->con_lock, flags);
}

void console_guest_flush(struct domain *d)
{
    unsigned long flags;

    console_ring_kick(d);               /* what it left in its ring is shown before it goes */
    flags = spin_lock_irqsave(&d->con_lock);

    for (int src = 0; src < 2; src++)
        if (d->con[src].len)
            guest_line_out(d, src, false);
    report_dropped(d);
    spin_unlock_irqrestore(&d->con_lock, flags);
}

/* ---- input: polled from the timer tick into a small queue ---- */

/*
 * Who gets typed characters, as Xen's console_rx: the hypervisor's debug
 * keys (rx_xen), or domain rx_domid. Ctrl-A three times moves input on:
 * Xen, then each existing domain in id order, then Xen again.
 */
#define SWITCH_CODE 0x01        /* Ctrl-A */
static bool rx_xen = true;
static domid_t rx_domid;
/*
 * Input: the UART's receive side, the Ctrl-A count, and every domain's
 * con_in queue (filled by whichever CPU polls the UART, emptied by the
 * domain's console_io reads or its ring feed). Taken before console_lock
 * (a debug key prints under it), never the other way round.
 */
static spinlock_t console_rx_lock = SPIN_LOCK_UNLOCKED;

static void announce_input(void)
{
    if (rx_xen)
        printk("*** Serial input to Xen (type 'CTRL-a' three times to switch input)\n");
    else
        printk("*** Serial input to DOM%u (type 'CTRL-a' three times to switch input)\n", rx_domid);
}

/* The live domain with the smallest id above `after` (any id if from_start). */
static struct domain *next_domain(bool from_start, domid_t after)
{
    struct domain *best = NULL;

    for (struct domain *d = domain_list; d; d = d->next_in_list)
        if (d->state == DOM_RUNNING && (from_start || d->domain_id > after) &&
            (!best || d->domain_id < best->domain_id))
            best = d;
    return best;
}

static void switch_serial_input(void)
{
    struct domain *d = next_domain(rx_xen, rx_domid);

    rx_xen = !d;
    if (d)
        rx_domid = d->domain_id;
    announce_input();
}

void console_endboot(void)
{
    unsigned long flags = spin_lock_irqsave(&console_rx_lock);

    switch_serial_input();
    spin_unlock_irqrestore(&console_rx_lock, flags);
}

/* A typed character: a debug key, or queued for the domain that has input until it takes it. */
static void rx_char(int c)
{
    struct domain *d = console_input_domain();

    if (rx_xen)
        keyhandler_key((char)c);
    else if (d && d->con_in.head - d->con_in.tail < sizeof(d->con_in.buf))
        d->con_in.buf[d->con_in.head++ % sizeof(d->con_in.buf)] = c == '\r' ? '\n' : (char)c;
}

void console_poll_input(void)
{
    static unsigned int switch_count;
    unsigned long flags = spin_lock_irqsave(&console_rx_lock);
    int c;

    while ((c = serial_getc()) >= 0) {
        /* As Xen's serial_rx: Ctrl-A is eaten in threes; fewer are passed on after all. */
        if (c == SWITCH_CODE) {
            if (++switch_count == 3) {
                switch_count = 0;
                switch_serial_input();
            }
            continue;
        }
        for (; switch_count; switch_count--)
            rx_char(SWITCH_CODE);
        rx_char(c);
    }
    spin_unlock_irqrestore(&console_rx_lock, flags);
}

size_t console_read_input(char *buf, size_t len)
{
    struct domain *d = current->domain;
    size_t n = 0;
    unsigned long flags;

    console_poll_input();
    flags = spin_lock_irqsave(&console_rx_lock);
    while (n < len && d->con_in.tail != d->con_in.head)
        buf[n++] = d->con_in.buf[d->con_in.tail++ % sizeof(d->con_in.buf)];
    spin_unlock_irqrestore(&console_rx_lock, flags);
    return n;
}

/* The domain that owns console input, if it is running (Xen switches it with Ctrl-A x3). */
struct domain *console_input_domain(void)
{
    struct domain *d = rx_xen ? NULL : get_domain_by_id(rx_domid);

    return d && d->state == DOM_RUNNING ? d : NULL;
}

/* ---- the PV console ring of each domain, served by the hypervisor ---- */
void console_ring_kick(struct domain *d)
{
    struct xencons_interface *r;
    uint32_t cons, prod;
    unsigned long dflags;
    char buf[64];

    if (!d->console_mfn || d->state != DOM_RUNNING)
        return;
    dflags = spin_lock_irqsave(&d->con_lock);  /* one CPU drains the ring at a time */
    r = mfn_to_virt(d->console_mfn);
    /* The ring is guest memory: read each index once, trust neither. */
    cons = READ_ONCE(r->out_cons);
    prod = READ_ONCE(r->out_prod);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (prod - cons > sizeof(r->out))
        cons = prod - sizeof(r->out);   /* bogus producer: show the last window */
    /*
     * Over its rate, or with its share of the transmit buffer nearly used,
     * the rest stays in the ring for a later kick: nothing is lost.
     */
    while (cons != prod) {
        size_t n = 0, want;
        unsigned long flags = spin_lock_irqsave(&console_lock);
        bool room = tx_room_for_guest(d, CON_RING_ROOM);

        spin_unlock_irqrestore(&console_lock, flags);
        if (!room || !(want = console_budget(d, MIN(prod - cons, sizeof(buf)))))
            break;
        while (n < want)
            buf[n++] = r->out[cons++ % sizeof(r->out)];
        guest_write_locked(d, CONSOLE_SRC_RING, buf, n);
    }
    __atomic_thread_fence(__ATOMIC_RELEASE);
    WRITE_ONCE(r->out_cons, cons);
    spin_unlock_irqrestore(&d->con_lock, dflags);
}

/* Move what was typed for d into its console ring's in[], and tell it. */
static void console_feed_ring(struct domain *d)
{
    struct xencons_interface *r;
    uint32_t prod;
    unsigned long flags;
    bool fed = false;

    if (d->state != DOM_RUNNING || !d->console_mfn || d->con_in.tail == d->con_in.head)
        return;
    /* Only a guest listening on its ring (port unmasked) is fed through it. */
    if (evtchn_port_masked(d, d->console_port))
        return;
    r = mfn_to_virt(d->console_mfn);
    flags = spin_lock_irqsave(&console_rx_lock);
    prod = READ_ONCE(r->in_prod);
    while (d->con_in.tail != d->con_in.head && prod - READ_ONCE(r->in_cons) < sizeof(r->in)) {
        r->in[prod++ % sizeof(r->in)] = d->con_in.buf[d->con_in.tail++ % sizeof(d->con_in.buf)];
        fed = true;
    }
    __atomic_thread_fence(__ATOMIC_RELEASE);
    WRITE_ONCE(r->in_prod, prod);
    spin_unlock_irqrestore(&console_rx_lock, flags);
    if (fed)
        evtchn_raise(d, d->console_port);
}

/* Timer tick: drain every ring (guests may not notify), take typed input, feed every ring. */
void console_service_input(void)
{
    console_tx_poll();
    for (struct domain *x = domain_list; x; x = x->next_in_list)
        console_ring_kick(x);
    console_poll_input();
    for (struct domain *x = domain_list; x; x = x->next_in_list)
        console_feed_ring(x);
}
