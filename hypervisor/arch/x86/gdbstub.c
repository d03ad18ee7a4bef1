/*
 * The gdb remote stub (docs/debugging.md): gdb's remote serial protocol on
 * COM3 (0x3e8), polled from CPU 0's timer tick, for the one PV domain named
 * by `gdb=D`. As Xen's gdbsx: the debugger sees the domain's vCPUs as
 * threads, reads their registers from the saved guest frame while the
 * domain is stopped, and reads and writes memory by guest virtual address
 * through the domain's own page tables (kernel base pointer, then user).
 *
 * What the debugger may touch is what the guest may: only frames the domain
 * owns, reached through its validated tables; writes never to a page-table
 * or descriptor frame (the validation invariants stay whole) and never with
 * the domain running. Register writes keep the guest's IOPL, IF and the
 * reserved flags, and a RIP must be a guest address. The host at the other
 * end is trusted no further than that: a packet is bounded (PACKET_MAX), a
 * bad checksum is answered '-', an unknown one with the empty reply.
 *
 * Stops: the debugged domain's vCPUs get VPF_debug (not runnable) on a
 * breakpoint, a finished single step, gdb's interrupt (0x03) or at its
 * build (it waits for gdb); the stop is reported once no vCPU of it runs.
 */
#include "lib.h"
#include "gdbstub.h"
#include "domain.h"
#include "sched.h"
#include "processor.h"
#include "guest_access.h"
#include "mm.h"
#include "pv/pv.h"
#include "hvm/hvm.h"
#include <tandem-lib/printf.h>
#include <tandem-lib/string.h>
#include <tandem/sched.h>

#define COM3            0x3e8
#define PACKET_MAX      4096            /* our PacketSize: a packet's data, without $ # and checksum */
#define NR_BREAKPOINTS  64
#define BYTE_SPINS      2000000         /* polls for the next byte of a packet already begun */
#define SIGINT          2
#define SIGTRAP         5

char opt_gdb[8];

enum gdb_state { GS_OFF, GS_RUNNING, GS_STOPPING, GS_STOPPED, GS_GONE };

static struct {
    enum gdb_state state;
    domid_t domid;
    bool attached;                      /* a packet came since the last detach */
    bool report;                        /* a stop reply is owed (after c, s, ? or 0x03) */
    int signal;
    bool swbreak;                       /* the stop was one of our breakpoints (PC already moved back) */
    unsigned int stop_vcpu, g_vcpu;     /* the vCPU that stopped; the one Hg chose */
    bool stepping;
    unsigned int step_vcpu;
    bool step_had_tf;                   /* the guest had TF set itself: left set after the step */
    struct { uint64_t va; uint8_t orig; bool used; } bp[NR_BREAKPOINTS];
    char in[PACKET_MAX + 1];
    char out[PACKET_MAX + 8];
    size_t out_len;
} gs;

/* ---- the UART ---- */

static bool uart_probe(void)
{
    outb(COM3 + 7, 0x5a);               /* scratch register: reads back only on a real UART */
    if (inb(COM3 + 7) != 0x5a)
        return false;
    outb(COM3 + 7, 0xa5);
    if (inb(COM3 + 7) != 0xa5)
        return false;
    outb(COM3 + 1, 0x00);               /* no interrupts: polled */
    outb(COM3 + 3, 0x80);               /* DLAB: 115200 */
    outb(COM3 + 0, 0x01);
    outb(COM3 + 1, 0x00);
    outb(COM3 + 3, 0x03);               /* 8n1 */
    outb(COM3 + 4, 0x03);
    return true;
}

static int uart_getc(void)
{
    return (inb(COM3 + 5) & 0x01) ? inb(COM3) : -1;
}

static void uart_putc(char c)
{
    for (unsigned int spins = 1000000; !(inb(COM3 + 5) & 0x20) && --spins;)
        ;
    outb(COM3, (uint8_t)c);
}

/* ---- packets ---- */

static const char hexdig[] = "0123456789abcdef";

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void send_raw(void)
{
    uint8_t sum = 0;

    uart_putc('$');
    for (size_t i = 0; i < gs.out_len; i++) {
        uart_putc(gs.out[i]);
        sum = (uint8_t)(sum + (uint8_t)gs.out[i]);
    }
    uart_putc('#');
    uart_putc(hexdig[sum >> 4]);
    uart_putc(hexdig[sum & 15]);
}

static void reply(const char *s)
{
    gs.out_len = strnlen(s, PACKET_MAX);
    memcpy(gs.out, s, gs.out_len);
    send_raw();
}

static void out_reset(void) { gs.out_len = 0; }

static void out_hex(const void *p, size_t n)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < n && gs.out_len + 2 <= PACKET_MAX; i++) {
        gs.out[gs.out_len++] = hexdig[b[i] >> 4];
        gs.out[gs.out_len++] = hexdig[b[i] & 15];
    }
}

/* A hex number at *p (up to 16 digits), *p moved past it; false if there is none. */
static bool parse_hex(const char **p, uint64_t *v)
{
    unsigned int n = 0;
    int d;

    *v = 0;
    while (n < 16 && (d = hexval(**p)) >= 0) {
        *v = *v << 4 | (uint64_t)d;
        (*p)++;
        n++;
    }
    return n > 0 && hexval(**p) < 0;
}

/* ---- the domain ---- */

static struct domain *target(void)
{
    struct domain *d = get_domain_by_id(gs.domid);

    return d && d->state == DOM_RUNNING ? d : NULL;
}

static struct vcpu *vcpu_of(struct domain *d, unsigned int id)
{
    return id < d->max_vcpus ? d->vcpu[id] : NULL;
}

static void stop_all(struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i])
            vcpu_pause_flag(d->vcpu[i], VPF_debug, true);
    gs.state = GS_STOPPING;
}

static bool none_running(struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i] && __atomic_load_n(&d->vcpu[i]->is_running, __ATOMIC_ACQUIRE))
            return false;
    return true;
}

static void resume_all(struct domain *d)
{
    gs.state = GS_RUNNING;
    gs.swbreak = false;
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i])
            vcpu_pause_flag(d->vcpu[i], VPF_debug, false);
}

/*
 * The frame holding guest virtual address va of d, as v would reach it: its
 * current base pointer's tables first, then the other mode's. Only a frame d
 * owns, through tables of d's the hypervisor validated; for a write, not a
 * page-table or descriptor frame.
 */
static bool va_frame(struct domain *d, struct vcpu *v, uint64_t va, bool write, mfn_t *out)
{
    mfn_t l4[2] = { v->arch.pv.kernel_l4, v->arch.pv.user_l4 };

    if (!v->arch.pv.in_kernel && l4[1]) {
        l4[1] = l4[0];
        l4[0] = v->arch.pv.user_l4;
    }
    if (!guest_range_ok(va, 1))
        return false;
    for (unsigned int i = 0; i < 2; i++) {
        mfn_t table, m;
        unsigned int idx;
        uint64_t e;
        const struct page_info *pg;

        if (!l4[i] || pv_walk_pte(d, l4[i], va, &table, &idx))
            continue;
        e = ((const uint64_t *)mfn_to_virt(table))[idx];
        m = (e & PADDR_MASK) >> PAGE_SHIFT;
        if (!(e & _PAGE_PRESENT) || !mfn_valid(m))
            continue;
        pg = mfn_to_page(m);
        if (pg->owner != d->domain_id)
            continue;
        if (write && (is_pt_type(pg->type) || pg->type == PGT_seg_desc_page))
            return false;
        *out = m;
        return true;
    }
    return false;
}

/* Up to n bytes at va into buf: how many could be read (a page at a time). */
static size_t mem_read(struct domain *d, struct vcpu *v, uint64_t va, uint8_t *buf, size_t n)
{
    size_t done = 0;

    while (done < n) {
        uint64_t a = va + done;
        size_t off = a & (PAGE_SIZE - 1), chunk = PAGE_SIZE - off;
        mfn_t m;

        if (chunk > n - done)
            chunk = n - done;
        if (a < va || !va_frame(d, v, a, false, &m))
            break;
        memcpy(buf + done, (const uint8_t *)mfn_to_virt(m) + off, chunk);
        done += chunk;
    }
    return done;
}

static bool mem_write(struct domain *d, struct vcpu *v, uint64_t va, const uint8_t *buf, size_t n)
{
    /* Every page checked before any byte is written: a refused write changes nothing. */
    for (size_t done = 0; done < n;) {
        uint64_t a = va + done;
        size_t chunk = PAGE_SIZE - (a & (PAGE_SIZE - 1));
        mfn_t m;

        if (a < va || !va_frame(d, v, a, true, &m))
            return false;
        done += chunk;
    }
    for (size_t done = 0; done < n;) {
        uint64_t a = va + done;
        size_t off = a & (PAGE_SIZE - 1), chunk = PAGE_SIZE - off;
        mfn_t m;

        if (chunk > n - done)
            chunk = n - done;
        if (!va_frame(d, v, a, true, &m))
            return false;
        memcpy((uint8_t *)mfn_to_virt(m) + off, buf + done, chunk);
        done += chunk;
    }
    return true;
}

/* ---- stop replies ---- */

static void send_stop(void)
{
    char buf[64];

    snprintf(buf, sizeof(buf), "T%02xthread:%x;%s", gs.signal, gs.stop_vcpu + 1, gs.swbreak ? "swbreak:;" : "");
    reply(buf);
    gs.report = false;
}

/* The domain ended: its exit as gdb's W (powered off, with the reason) or X (killed, crashed). */
static void domain_gone(struct domain *d)
{
    char buf[16];

    if (gs.attached) {
        if (d && d->state != DOM_RUNNING && d->shutdown_reason >= 0 && d->shutdown_reason != SHUTDOWN_crash)
            snprintf(buf, sizeof(buf), "W%02x", d->shutdown_reason & 0xff);
        else
            snprintf(buf, sizeof(buf), "X%02x", 9);
        reply(buf);
    }
    printk("gdb: d%u is gone: the stub is idle\n", gs.domid);
    gs.state = GS_GONE;
    gs.report = false;
}

void gdbstub_domain_ended(struct domain *d)
{
    if (gs.state != GS_OFF && gs.state != GS_GONE && d->domain_id == gs.domid)
        domain_gone(d);
}

/* ---- the registers (gdb's amd64 'g' layout: 16 GPRs, rip, eflags, cs ss ds es fs gs) ---- */

#define NR_G_BYTES  (17 * 8 + 7 * 4)

static void regs_to_g(const struct cpu_user_regs *r, uint8_t *g)
{
    const uint64_t q[17] = { r->rax, r->rbx, r->rcx, r->rdx, r->rsi, r->rdi, r->rbp, r->rsp,
                             r->r8, r->r9, r->r10, r->r11, r->r12, r->r13, r->r14, r->r15, r->rip };
    const uint32_t l[7] = { (uint32_t)r->rflags, (uint32_t)r->cs, (uint32_t)r->ss, 0, 0, 0, 0 };

    memcpy(g, q, sizeof(q));
    memcpy(g + sizeof(q), l, sizeof(l));
}

#define GUEST_FLAGS (X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF | X86_EFLAGS_SF | \
                     X86_EFLAGS_TF | X86_EFLAGS_DF | X86_EFLAGS_OF | X86_EFLAGS_AC)

/* A 'G' packet into v's frame: false (nothing changed) if RIP is no guest address. */
static bool g_to_regs(struct cpu_user_regs *r, const uint8_t *g)
{
    uint64_t q[17];
    uint32_t fl;

    memcpy(q, g, sizeof(q));
    memcpy(&fl, g + sizeof(q), sizeof(fl));
    if (!guest_range_ok(q[16], 1))
        return false;
    r->rax = q[0]; r->rbx = q[1]; r->rcx = q[2]; r->rdx = q[3];
    r->rsi = q[4]; r->rdi = q[5]; r->rbp = q[6]; r->rsp = q[7];
    r->r8 = q[8]; r->r9 = q[9]; r->r10 = q[10]; r->r11 = q[11];
    r->r12 = q[12]; r->r13 = q[13]; r->r14 = q[14]; r->r15 = q[15];
    r->rip = q[16];
    r->rflags = (r->rflags & ~(uint64_t)GUEST_FLAGS) | (fl & GUEST_FLAGS);
    return true;
}

/* ---- breakpoints ---- */

static int bp_find(uint64_t va)
{
    for (unsigned int i = 0; i < NR_BREAKPOINTS; i++)
        if (gs.bp[i].used && gs.bp[i].va == va)
            return (int)i;
    return -1;
}

static const char *bp_insert(struct domain *d, struct vcpu *v, uint64_t va)
{
    static const uint8_t int3 = 0xcc;
    int free = -1;
    uint8_t orig;

    if (bp_find(va) >= 0)
        return "OK";
    for (unsigned int i = 0; i < NR_BREAKPOINTS && free < 0; i++)
        if (!gs.bp[i].used)
            free = (int)i;
    if (free < 0)
        return "E1c";                   /* ENOSPC */
    if (mem_read(d, v, va, &orig, 1) != 1 || !mem_write(d, v, va, &int3, 1))
        return "E0e";                   /* EFAULT */
    gs.bp[free].va = va;
    gs.bp[free].orig = orig;
    gs.bp[free].used = true;
    return "OK";
}

static const char *bp_remove(struct domain *d, struct vcpu *v, uint64_t va)
{
    int i = bp_find(va);

    if (i < 0)
        return "OK";
    gs.bp[i].used = false;
    return d && mem_write(d, v, va, &gs.bp[i].orig, 1) ? "OK" : "E0e";
}

static void bp_remove_all(struct domain *d)
{
    struct vcpu *v = d ? vcpu_of(d, 0) : NULL;

    for (unsigned int i = 0; i < NR_BREAKPOINTS; i++)
        if (gs.bp[i].used)
            bp_remove(v ? d : NULL, v, gs.bp[i].va);
}

/* ---- the commands ---- */

static void set_step(struct domain *d, unsigned int id)
{
    struct vcpu *v = vcpu_of(d, id);

    if (!v)
        return;
    gs.stepping = true;
    gs.step_vcpu = id;
    gs.step_had_tf = v->regs.rflags & X86_EFLAGS_TF;
    v->regs.rflags |= X86_EFLAGS_TF;
}

/* Resume (c) or step (s), at an address if one is given: no reply until the next stop. */
static void cmd_resume(struct domain *d, const char *p, bool step)
{
    struct vcpu *v = vcpu_of(d, gs.stop_vcpu);
    uint64_t addr;

    if (gs.state != GS_STOPPED || !v) {
        reply("E01");
        return;
    }
    if (*p) {                           /* c ADDR, s ADDR: resume there */
        if (!parse_hex(&p, &addr) || *p || !guest_range_ok(addr, 1)) {
            reply("E16");               /* EINVAL */
            return;
        }
        v->regs.rip = addr;
    }
    if (step)
        set_step(d, gs.stop_vcpu);
    gs.report = true;
    resume_all(d);
}

static void cmd_memory(struct domain *d, struct vcpu *v, const char *p, bool write)
{
    static uint8_t buf[PACKET_MAX / 2];
    uint64_t addr, len;
    size_t n;

    if (!parse_hex(&p, &addr) || *p++ != ',' || (write ? !(*p && hexval(*p) >= 0) : false)) {
        reply("E16");
        return;
    }
    {
        const char *q = p;
        unsigned int digits = 0;
        len = 0;
        while (digits < 16 && hexval(*q) >= 0)
            len = len << 4 | (uint64_t)hexval(*q++), digits++;
        if (!digits || (write ? *q != ':' : *q != 0)) {
            reply("E16");
            return;
        }
        p = q + (write ? 1 : 0);
    }
    if (len > sizeof(buf) || (!write && len * 2 > PACKET_MAX)) {
        reply("E16");
        return;
    }
    if (!write) {
        n = mem_read(d, v, addr, buf, len);
        if (!n && len) {
            reply("E0e");
            return;
        }
        out_reset();
        out_hex(buf, n);
        send_raw();
        return;
    }
    for (n = 0; n < len; n++) {
        int hi = hexval(p[2 * n]), lo = hi >= 0 ? hexval(p[2 * n + 1]) : -1;
        if (lo < 0) {
            reply("E16");
            return;
        }
        buf[n] = (uint8_t)(hi << 4 | lo);
    }
    if (p[2 * len]) {
        reply("E16");
        return;
    }
    reply(mem_write(d, v, addr, buf, len) ? "OK" : "E0e");
}

static void cmd_breakpoint(struct domain *d, struct vcpu *v, const char *p, bool insert)
{
    uint64_t addr;

    if (*p != '0') {                    /* only software breakpoints: gdb then writes int3 itself or asks Z0 */
        reply("");
        return;
    }
    p++;
    if (*p++ != ',' || !parse_hex(&p, &addr) || *p != ',') {
        reply("E16");
        return;
    }
    reply(insert ? bp_insert(d, v, addr) : bp_remove(d, v, addr));
}

/* A thread id of H, T or qC: vCPU id + 1 (0 and -1: any, the stopped one). */
static bool parse_thread(struct domain *d, const char *p, unsigned int *id)
{
    uint64_t t;

    if (!strcmp(p, "-1") || !strcmp(p, "0")) {
        *id = gs.stop_vcpu;
        return true;
    }
    if (!parse_hex(&p, &t) || *p || !t || !vcpu_of(d, (unsigned int)(t - 1)))
        return false;
    *id = (unsigned int)(t - 1);
    return true;
}

static void cmd_query(struct domain *d, const char *p)
{
    char buf[128];
    size_t n = 0;

    if (!strncmp(p, "qSupported", 10)) {
        snprintf(buf, sizeof(buf), "PacketSize=%x;swbreak+;hwbreak-;qXfer:features:read-", PACKET_MAX);
        reply(buf);
    } else if (!strcmp(p, "qAttached")) {
        reply("1");
    } else if (!strcmp(p, "qC")) {
        snprintf(buf, sizeof(buf), "QC%x", gs.stop_vcpu + 1);
        reply(buf);
    } else if (!strcmp(p, "qfThreadInfo")) {
        buf[n++] = 'm';
        for (unsigned int i = 0; i < d->max_vcpus && n + 12 < sizeof(buf); i++)
            if (d->vcpu[i])
                n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%x", n > 1 ? "," : "", i + 1);
        buf[n] = 0;
        reply(buf);
    } else if (!strcmp(p, "qsThreadInfo")) {
        reply("l");
    } else if (!strncmp(p, "qSymbol", 7)) {
        reply("OK");
    } else {
        reply("");
    }
}

static void handle_packet(const char *p)
{
    struct domain *d = gs.state == GS_GONE ? NULL : target();
    struct vcpu *v;
    unsigned int id;

    gs.attached = true;
    if (!d) {
        if (*p == '?' || *p == 'c' || *p == 's' || *p == 'g')
            reply("X09");               /* no process: the domain has ended */
        else
            reply(*p == 'D' ? "OK" : "E03");
        return;
    }
    v = vcpu_of(d, gs.g_vcpu);
    if (!v)
        v = vcpu_of(d, 0);
    switch (*p) {
    case '?':
        if (gs.state == GS_STOPPED)
            send_stop();
        else {
            gs.report = true;
            gs.signal = SIGINT;
            if (gs.state == GS_RUNNING)
                stop_all(d);
        }
        return;
    case 'q':
        cmd_query(d, p);
        return;
    case 'H':
        if ((p[1] == 'g' || p[1] == 'c') && parse_thread(d, p + 2, &id)) {
            if (p[1] == 'g')
                gs.g_vcpu = id;
            reply("OK");
        } else
            reply("E16");
        return;
    case 'T':
        reply(parse_thread(d, p + 1, &id) ? "OK" : "E16");
        return;
    case 'c':
    case 's':
        cmd_resume(d, p + 1, *p == 's');
        return;
    case 'D':
        bp_remove_all(d);
        if (gs.stepping && (v = vcpu_of(d, gs.step_vcpu)) && !gs.step_had_tf)
            v->regs.rflags &= ~(uint64_t)X86_EFLAGS_TF;
        gs.stepping = false;
        gs.attached = false;
        gs.report = false;
        reply("OK");
        printk("gdb: the debugger detached from d%u: it runs on\n", gs.domid);
        if (gs.state != GS_RUNNING)
            resume_all(d);
        return;
    case 'k':
        printk("gdb: the debugger kills d%u\n", gs.domid);
        bp_remove_all(d);
        gs.attached = false;
        domain_kill(d, "killed by the debugger (gdb's kill)");
        return;
    default:
        break;
    }
    if (gs.state != GS_STOPPED) {       /* what follows needs the domain stopped */
        reply("E01");
        return;
    }
    switch (*p) {
    case 'g': {
        uint8_t g[NR_G_BYTES];
        regs_to_g(&v->regs, g);
        out_reset();
        out_hex(g, sizeof(g));
        send_raw();
        return;
    }
    case 'G': {
        uint8_t g[NR_G_BYTES];
        const char *h = p + 1;
        for (size_t i = 0; i < sizeof(g); i++) {
            int hi = hexval(h[2 * i]), lo = hi >= 0 ? hexval(h[2 * i + 1]) : -1;
            if (lo < 0) {
                reply("E16");
                return;
            }
            g[i] = (uint8_t)(hi << 4 | lo);
        }
        reply(g_to_regs(&v->regs, g) ? "OK" : "E16");
        return;
    }
    case 'm':
    case 'M':
        cmd_memory(d, v, p + 1, *p == 'M');
        return;
    case 'Z':
    case 'z':
        cmd_breakpoint(d, v, p + 1, *p == 'Z');
        return;
    default:
        reply("");                      /* unsupported: gdb falls back (p to g, P to G, X to M, vCont to c/s) */
        return;
    }
}

/* ---- input ---- */

static int getc_wait(void)
{
    int c;

    for (unsigned int i = 0; i < BYTE_SPINS; i++)
        if ((c = uart_getc()) >= 0)
            return c;
    return -1;
}

/* A packet after its '$': true with gs.in filled if its checksum matched ('+' sent), else '-'. */
static bool read_packet(void)
{
    size_t n = 0;
    uint8_t sum = 0;
    int c, hi, lo;
    bool too_long = false;

    while ((c = getc_wait()) >= 0 && c != '#') {
        if (c == '$') {                 /* a new packet: the old one is abandoned */
            n = 0;
            sum = 0;
            too_long = false;
            continue;
        }
        sum = (uint8_t)(sum + c);
        if (n < PACKET_MAX)
            gs.in[n++] = (char)c;
        else
            too_long = true;
    }
    if (c < 0 || (hi = hexval((char)getc_wait())) < 0 || (lo = hexval((char)getc_wait())) < 0 ||
        (uint8_t)(hi << 4 | lo) != sum || too_long) {
        uart_putc('-');
        return false;
    }
    gs.in[n] = 0;
    uart_putc('+');
    return true;
}

void gdbstub_poll(void)
{
    struct domain *d;
    int c;

    if (gs.state == GS_OFF)
        return;
    if (gs.state != GS_GONE) {
        d = get_domain_by_id(gs.domid);
        if (!d || d->state != DOM_RUNNING)
            domain_gone(d);
        else if (gs.state == GS_STOPPING && none_running(d)) {
            gs.state = GS_STOPPED;
            if (gs.report && gs.attached)
                send_stop();
        }
    }
    for (unsigned int budget = 64; budget-- && (c = uart_getc()) >= 0;) {
        if (c == '$') {
            if (read_packet())
                handle_packet(gs.in);
        } else if (c == 0x03 && gs.state == GS_RUNNING && (d = target())) {
            gs.signal = SIGINT;         /* gdb's interrupt (Ctrl-C) */
            gs.report = true;
            gs.attached = true;
            stop_all(d);
        } else if (c == '-' && gs.out_len) {
            send_raw();                 /* the last reply was garbled: again */
        }
    }
}

/* ---- traps and set-up ---- */

bool gdbstub_trap(struct vcpu *v, struct cpu_user_regs *regs, unsigned int vector)
{
    struct domain *d = v->domain;
    int i;

    if (likely(gs.state != GS_RUNNING) || d->domain_id != gs.domid)   /* only while it runs under the stub */
        return false;
    if (vector == TRAP_int3) {
        i = bp_find(regs->rip - 1);
        if (i < 0 && !gs.attached)
            return false;               /* the guest's own int3, nobody debugging: its own handler */
        gs.swbreak = i >= 0;
        if (i >= 0)
            regs->rip--;
    } else if (vector == TRAP_debug && gs.stepping && v->vcpu_id == gs.step_vcpu) {
        gs.stepping = false;
        gs.swbreak = false;
        if (!gs.step_had_tf)
            regs->rflags &= ~(uint64_t)X86_EFLAGS_TF;
    } else {
        return false;
    }
    gs.signal = SIGTRAP;
    gs.stop_vcpu = gs.g_vcpu = v->vcpu_id;
    stop_all(d);
    return true;
}

void gdbstub_init(void)
{
    const char *end;
    unsigned long long id;

    if (!opt_gdb[0])
        return;
    id = simple_strtoull(opt_gdb, &end, 10);
    if (*end || end == opt_gdb || id >= DOMID_FIRST_RESERVED) {
        printk(XENLOG_WARNING "gdb: '%s' is no domain id: no debugger stub\n", opt_gdb);
        return;
    }
    if (!uart_probe()) {
        printk(XENLOG_WARNING "gdb: no UART at COM3 (0x%x): no debugger stub (tandem-run --gdb PORT attaches one)\n",
               COM3);
        return;
    }
    gs.domid = (domid_t)id;
    gs.state = GS_GONE;                 /* until the domain is built */
    printk("gdb: stub for d%u on COM3 (0x%x)\n", gs.domid, COM3);
}

void gdbstub_domain_built(struct domain *d)
{
    if (gs.state != GS_GONE || d->domain_id != gs.domid || gs.attached)
        return;
    if (is_hvm_domain(d)) {
        printk(XENLOG_WARNING "gdb: d%u is an HVM domain: the stub debugs PV domains only\n", d->domain_id);
        gs.state = GS_OFF;
        return;
    }
    gs.signal = SIGTRAP;
    gs.stop_vcpu = gs.g_vcpu = 0;
    stop_all(d);
    printk("gdb: d%u (%s) waits for the debugger at its first instruction\n", d->domain_id, d->name);
}
