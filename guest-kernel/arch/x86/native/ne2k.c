/*
 * The native kernel's NE2000 driver (docs/network.md, "The native kernel"): the ISA card QEMU
 * offers as ne2k_isa (and the device model's emulation, docs/devmodel.md), a DP8390 at port
 * 0x300 with 16 KiB of packet memory at 0x4000 reached through remote DMA on the data port.
 * Interrupt-driven (irq.c: the IOAPIC or the 8259s, line NE_IRQ): IMR asks for received frames,
 * receive errors and ring overflow, so the line is high while a frame waits and drops when ne_recv
 * has emptied the ring and acknowledged PRX. The handler only masks the line at the interrupt
 * controller and wakes the net thread; ne_wait unmasks it, looks at ISR once and sleeps until the
 * interrupt or its deadline (a card that never interrupts costs latency, never a hang). No
 * interrupt for transmit: the card holds one frame and ne_send finds CR.TXP clear or says EAGAIN;
 * an interrupt per frame sent would cost two round trips to an HVM domain's device model and wake
 * nobody. Without an interrupt controller (irq=off) or with ne2k=poll it polls ISR each tick.
 * The card's memory: one transmit buffer (pages 0x40-0x45), the receive ring 0x46-0x7f.
 * What the card says is checked before it is used: a ring header whose next page or length is
 * impossible resets the ring (counted), never a read past the frame buffer.
 * Every call but ne2k_wait runs under netsvc_lock (net.h: interrupts off); ne2k_wait masks
 * interrupts itself around its one register read, so the register page is always 0 outside a
 * locked section; the handler touches no register of the card.
 */
#include "native.h"
#include "net.h"

#define NE_BASE         0x300
#define NE_DATA         0x10            /* remote DMA data port (16-bit with DCR.WTS) */
#define NE_RESET        0x1f
/* Page 0 (and CR on every page) */
#define NE_CR           0x00
#define NE_PSTART       0x01
#define NE_PSTOP        0x02
#define NE_BNRY         0x03
#define NE_TPSR         0x04
#define NE_TBCR0        0x05
#define NE_TBCR1        0x06
#define NE_ISR          0x07
#define NE_RSAR0        0x08
#define NE_RSAR1        0x09
#define NE_RBCR0        0x0a
#define NE_RBCR1        0x0b
#define NE_RCR          0x0c
#define NE_TCR          0x0d
#define NE_DCR          0x0e
#define NE_IMR          0x0f
/* Page 1 */
#define NE_PAR0         0x01
#define NE_CURR         0x07
#define NE_MAR0         0x08

#define CR_STP          0x01
#define CR_STA          0x02
#define CR_TXP          0x04
#define CR_RREAD        0x08
#define CR_RWRITE       0x10
#define CR_NODMA        0x20
#define CR_PAGE1        0x40
#define ISR_PRX         0x01
#define ISR_PTX         0x02
#define ISR_RXE         0x04
#define ISR_TXE         0x08
#define ISR_OVW         0x10
#define ISR_RDC         0x40
#define ISR_RST         0x80
#define DCR_WORD        0x49            /* 16-bit transfers, normal operation, FIFO threshold 8 */
#define RCR_AB          0x04            /* accept broadcasts */
#define TCR_LOOPBACK    0x02
#define RSR_RXOK        0x01

#define TX_START        0x40
#define RX_START        0x46
#define RX_STOP         0x80
#define MIN_FRAME       60
#define MAX_FRAME       1514
#define SPIN_LIMIT      100000          /* register polls before the card is declared dead */
#define POLL_NS         1000000ULL      /* no interrupt: the ring is looked at this often (each tick) */
#define NE_IRQ          9               /* QEMU's ne2k_isa default, the device model's NE2K_IRQ */
#define IMR_RX          (ISR_PRX | ISR_RXE | ISR_OVW)

struct ne2k {
    uint8_t next;                       /* the ring page the next frame starts at */
    uint64_t ring_resets, rdma_timeouts;
};

static bool use_irq;
static struct thread *volatile irq_waiter;

static struct ne2k card;
static struct netdev ne_dev;
static bool probed, present;

static void ne_out(uint8_t reg, uint8_t v) { outb(NE_BASE + reg, v); }
static uint8_t ne_in(uint8_t reg) { return inb(NE_BASE + reg); }

/* Start a remote DMA of len bytes (even) at card address addr: cmd CR_RREAD or CR_RWRITE. */
static void ne_rdma_start(uint16_t addr, uint16_t len, uint8_t cmd)
{
    ne_out(NE_ISR, ISR_RDC);
    ne_out(NE_RBCR0, len & 0xff);
    ne_out(NE_RBCR1, len >> 8);
    ne_out(NE_RSAR0, addr & 0xff);
    ne_out(NE_RSAR1, addr >> 8);
    ne_out(NE_CR, cmd | CR_STA);
}

/* The remote DMA's end (ISR.RDC), bounded: false if the card never says so. */
static bool ne_rdma_done(struct ne2k *c)
{
    for (unsigned int i = 0; i < SPIN_LIMIT; i++) {
        if (ne_in(NE_ISR) & ISR_RDC) {
            ne_out(NE_ISR, ISR_RDC);
            return true;
        }
    }
    c->rdma_timeouts++;
    ne_out(NE_CR, CR_NODMA | CR_STA);
    return false;
}

/* len bytes from card address addr into buf (an odd tail's pad byte dropped). */
static bool ne_read(struct ne2k *c, uint16_t addr, void *buf, uint16_t len)
{
    uint8_t *p = buf;
    uint16_t i;

    ne_rdma_start(addr, (uint16_t)((len + 1) & ~1u), CR_RREAD);
    i = len & ~1u;
    insw(NE_BASE + NE_DATA, p, i / 2u);     /* REP INSW (little-endian words: the bytes in order) */
    if (i < len)
        p[i] = (uint8_t)inw(NE_BASE + NE_DATA);
    return ne_rdma_done(c);
}

static bool ne_write(struct ne2k *c, uint16_t addr, const uint8_t *p, uint16_t len)
{
    ne_rdma_start(addr, len, CR_RWRITE);
    outsw(NE_BASE + NE_DATA, p, len / 2u);  /* REP OUTSW */
    if (len & 1)
        outw(NE_BASE + NE_DATA, p[len - 1]);
    return ne_rdma_done(c);
}

static uint8_t ne_curr(void)
{
    uint8_t v;

    ne_out(NE_CR, CR_PAGE1 | CR_NODMA | CR_STA);
    v = ne_in(NE_CURR);
    ne_out(NE_CR, CR_NODMA | CR_STA);
    return v;
}

static void ne_set_bnry(uint8_t next)
{
    ne_out(NE_BNRY, next == RX_START ? RX_STOP - 1 : next - 1);
}

/* The ring from scratch at the card's CURR: what was in it is dropped. */
static void ne_ring_reset(struct ne2k *c)
{
    uint8_t cur = ne_curr();

    if (cur < RX_START || cur >= RX_STOP) {
        cur = RX_START;
        ne_out(NE_CR, CR_PAGE1 | CR_NODMA | CR_STA);
        ne_out(NE_CURR, cur);
        ne_out(NE_CR, CR_NODMA | CR_STA);
    }
    c->next = cur;
    ne_set_bnry(cur);
    c->ring_resets++;
}

static int ne_send(struct netdev *d, const void *frame, size_t len)
{
    static uint8_t buf[MAX_FRAME + 1];
    struct ne2k *c = d->priv;
    uint16_t n = len < MIN_FRAME ? MIN_FRAME : (uint16_t)len;

    if (len > MAX_FRAME)
        return -XEN_EINVAL;
    if (ne_in(NE_CR) & CR_TXP)
        return -XEN_EAGAIN;             /* the one buffer is still on the wire */
    memset(buf, 0, sizeof(buf));
    memcpy(buf, frame, len);
    if (!ne_write(c, TX_START << 8, buf, (uint16_t)((n + 1) & ~1u)))
        return -XEN_EAGAIN;
    ne_out(NE_ISR, ISR_PTX | ISR_TXE);
    ne_out(NE_TPSR, TX_START);
    ne_out(NE_TBCR0, n & 0xff);
    ne_out(NE_TBCR1, n >> 8);
    ne_out(NE_CR, CR_NODMA | CR_TXP | CR_STA);
    return 0;
}

static size_t ne_recv(struct netdev *d, void *buf, size_t max)
{
    struct ne2k *c = d->priv;
    uint8_t hdr[4];
    uint16_t len;

    ne_out(NE_ISR, ISR_PRX | ISR_RXE);  /* before CURR is read: a frame after it sets PRX again */
    if (ne_in(NE_ISR) & ISR_OVW) {
        ne_out(NE_ISR, ISR_OVW);
        ne_ring_reset(c);
        return 0;
    }
    if (ne_curr() == c->next)
        return 0;
    if (!ne_read(c, (uint16_t)(c->next << 8), hdr, sizeof(hdr)))
        return 0;
    len = (uint16_t)(hdr[2] | hdr[3] << 8);
    if (!(hdr[0] & RSR_RXOK) || hdr[1] < RX_START || hdr[1] >= RX_STOP || len < 4 + 14 || len > 4 + MAX_FRAME + 4) {
        ne_ring_reset(c);               /* the card's header cannot be true */
        return 0;
    }
    len -= 4;
    if (len > max || !ne_read(c, (uint16_t)((c->next << 8) + 4), buf, len))
        len = 0;                        /* dropped; the ring moves on */
    c->next = hdr[1];
    ne_set_bnry(c->next);
    if (!len)
        d->rx_dropped++;
    return len;
}

static bool ne_link_up(struct netdev *d)
{
    (void)d;
    return true;                        /* an NE2000 has no link status */
}

static bool ne_rx_pending(void)
{
    uint8_t m = events_save();
    bool pending = ne_in(NE_ISR) & (ISR_PRX | ISR_RXE | ISR_OVW);

    events_restore(m);
    return pending;
}

/* Line NE_IRQ (interrupts off): masked until ne_wait looks at the card again; the net thread woken. */
static void ne_irq(unsigned int irq)
{
    native_irq_mask(irq);
    if (irq_waiter)
        thread_wake(irq_waiter);
}

/*
 * Interrupts off from the unmask to the sleep: an interrupt after the look at ISR is taken once
 * we sleep and wakes us. The line is low when ISR shows nothing (IMR_RX is all it carries), so
 * the next frame is a rising edge.
 */
static void ne_wait_irq(uint64_t deadline_ns)
{
    uint8_t m = events_save();

    native_irq_unmask(NE_IRQ);
    if (!(ne_in(NE_ISR) & IMR_RX) && system_time_ns() < deadline_ns) {
        irq_waiter = current_thread;
        thread_sleep_until(deadline_ns);
        irq_waiter = NULL;
    }
    events_restore(m);
}

static void ne_wait(struct netdev *d, uint64_t deadline_ns)
{
    (void)d;
    if (use_irq) {
        ne_wait_irq(deadline_ns);
        return;
    }
    for (;;) {
        uint64_t now = system_time_ns();

        if (ne_rx_pending() || now >= deadline_ns)
            return;
        thread_sleep_until(deadline_ns < now + POLL_NS ? deadline_ns : now + POLL_NS);
    }
}

/* Reset the card and check it answers like a DP8390: false if nothing is at NE_BASE. */
static bool ne_reset(void)
{
    unsigned int i;

    ne_out(NE_RESET, ne_in(NE_RESET));
    for (i = 0; i < SPIN_LIMIT && !(ne_in(NE_ISR) & ISR_RST); i++)
        ;
    if (i == SPIN_LIMIT)
        return false;
    ne_out(NE_ISR, 0xff);
    ne_out(NE_CR, CR_PAGE1 | CR_NODMA | CR_STP);
    ne_out(NE_CURR, 0x5a);
    if (ne_in(NE_CR) != (CR_PAGE1 | CR_NODMA | CR_STP) || ne_in(NE_CURR) != 0x5a)
        return false;
    ne_out(NE_CR, CR_NODMA | CR_STP);
    return ne_in(NE_CR) == (CR_NODMA | CR_STP);
}

/* The DP8390's start-up sequence (its datasheet's, as Linux's 8390.c): stopped, set up, started. */
static bool ne_setup(struct ne2k *c, uint8_t mac[6])
{
    uint8_t prom[32];

    ne_out(NE_DCR, DCR_WORD);
    ne_out(NE_RBCR0, 0);
    ne_out(NE_RBCR1, 0);
    ne_out(NE_RCR, 0x20);               /* monitor while it is set up */
    ne_out(NE_TCR, TCR_LOOPBACK);
    if (!ne_read(c, 0, prom, sizeof(prom)))
        return false;
    for (int i = 0; i < 6; i++)
        mac[i] = prom[2 * i];           /* the station PROM: each byte twice in word mode */
    ne_out(NE_PSTART, RX_START);
    ne_out(NE_PSTOP, RX_STOP);
    ne_out(NE_BNRY, RX_STOP - 1);
    ne_out(NE_ISR, 0xff);
    ne_out(NE_IMR, use_irq ? IMR_RX : 0);
    ne_out(NE_CR, CR_PAGE1 | CR_NODMA | CR_STP);
    for (int i = 0; i < 6; i++)
        ne_out(NE_PAR0 + i, mac[i]);
    for (int i = 0; i < 8; i++)
        ne_out(NE_MAR0 + i, 0);
    ne_out(NE_CURR, RX_START);
    ne_out(NE_CR, CR_NODMA | CR_STA);
    c->next = RX_START;
    ne_out(NE_TCR, 0);
    ne_out(NE_RCR, RCR_AB);
    return true;
}

static const char *how(void)
{
    return use_irq ? "IRQ 9" : "polled";
}

/* A word of the command line. */
static bool cmdline_has(const char *word)
{
    const char *cl = (const char *)start_info->cmd_line;
    size_t n = strlen(word);

    for (const char *p = cl; *p; p++)
        if ((p == cl || p[-1] == ' ') && !strncmp(p, word, n) && (!p[n] || p[n] == ' '))
            return true;
    return false;
}

struct netdev *netdev_find(struct vnet **owner)
{
    uint8_t m;

    (void)owner;
    if (probed)
        return present ? &ne_dev : NULL;
    probed = true;
    m = events_save();
    ne_dev = (struct netdev){ .name = "eth0", .mtu = 1500, .send = ne_send, .recv = ne_recv,
                              .link_up = ne_link_up, .wait = ne_wait, .priv = &card };
    use_irq = !cmdline_has("ne2k=poll") && native_irq_controller();
    present = ne_reset() && ne_setup(&card, ne_dev.mac);
    if (present && use_irq && !native_irq_register(NE_IRQ, ne_irq)) {
        use_irq = false;
        ne_out(NE_IMR, 0);
    }
    events_restore(m);
    if (present)
        printk("eth0: NE2000 at %#x, MAC %02x:%02x:%02x:%02x:%02x:%02x, %s\n", NE_BASE, ne_dev.mac[0],
               ne_dev.mac[1], ne_dev.mac[2], ne_dev.mac[3], ne_dev.mac[4], ne_dev.mac[5], how());
    return present ? &ne_dev : NULL;
}

void netdev_describe(const struct netdev *d)
{
    const struct ne2k *c = d->priv;

    printk("  NE2000 at %#x, ring pages %#x-%#x, %s; %lu ring resets, %lu remote DMA timeouts\n", NE_BASE,
           RX_START, RX_STOP - 1, how(), (unsigned long)c->ring_resets, (unsigned long)c->rdma_timeouts);
    if (use_irq)
        printk("  IRQ %d through the %s: %lu interrupts\n", NE_IRQ, native_irq_controller(),
               (unsigned long)native_irq_count(NE_IRQ));
}

/*
 * `nictest` (tests/guest/hvm_ne2k_hostile, docs/devmodel.md "The emulated
 * NIC"): the card programmed as a hostile guest would. An NE2000 has no
 * bus-master DMA, so a hostile guest's reach is the card's own address space
 * and its register protocol: every card address out of packet memory, every
 * absurd count and every garbage sequence must end in the documented answer
 * (all ones read, nothing written, a transmit error), never a hang of this
 * kernel or a crash of the device model; then the card is set up again and
 * must work (the shell's `ifup` and `ping` after it show that).
 */
#define CR_PAGE2        0x80
#define NE_PAGE_MEM_END 0xc000          /* packet memory is 0x4000-0xbfff */

static bool nic_case(const char *what, bool ok, const char *detail)
{
    printk("nictest: %s: %s%s%s\n", what, ok ? "refused as documented" : "NOT REFUSED",
           detail ? ", " : "", detail ? detail : "");
    return ok;
}

/* A transmit of tbcr bytes from page tpsr: true if the card answers with ISR.TXE, nothing sent. */
static bool nic_tx_refused(uint8_t tpsr, uint16_t tbcr)
{
    uint8_t isr = 0;

    ne_out(NE_ISR, ISR_PTX | ISR_TXE);
    ne_out(NE_TPSR, tpsr);
    ne_out(NE_TBCR0, tbcr & 0xff);
    ne_out(NE_TBCR1, tbcr >> 8);
    ne_out(NE_CR, CR_NODMA | CR_TXP | CR_STA);
    for (unsigned int i = 0; i < SPIN_LIMIT && !(isr & (ISR_PTX | ISR_TXE)); i++)
        isr = ne_in(NE_ISR);
    ne_out(NE_ISR, ISR_PTX | ISR_TXE);
    return (isr & ISR_TXE) && !(isr & ISR_PTX);
}

static uint8_t nic_page2(uint8_t reg)
{
    uint8_t v;

    ne_out(NE_CR, CR_PAGE2 | CR_NODMA | CR_STA);
    v = ne_in(reg);
    ne_out(NE_CR, CR_NODMA | CR_STA);
    return v;
}

static void nictest(void)
{
    static uint8_t big[65536];
    uint8_t prom[32], mac[6], m;
    unsigned int n, i;
    uint32_t seed = 0x2545f491;
    bool ok = true, one;
    char detail[80];

    if (!netdev_find(NULL)) {
        printk("nictest: needs the NE2000 (nic=ne2000)\n");
        return;
    }
    memcpy(mac, ne_dev.mac, sizeof(mac));
    m = events_save();
    ne_out(NE_IMR, 0);

    /* 1: a 64 KiB remote DMA read starting outside packet memory: every byte there reads 0xff. */
    ne_rdma_start(NE_PAGE_MEM_END, 0xfffe, CR_RREAD);
    insw(NE_BASE + NE_DATA, big, 0xfffe / 2);
    one = ne_rdma_done(&card);
    for (n = 0, i = 0; i < 0x10000 - NE_PAGE_MEM_END; i++)
        n += big[i] == 0xff;
    snprintf(detail, sizeof(detail), "%u of %u bytes 0xff, %s", n, 0x10000 - NE_PAGE_MEM_END,
             one ? "completed" : "no completion");
    ok &= nic_case("a 64 KiB remote DMA read beyond packet memory", one && n == 0x10000 - NE_PAGE_MEM_END, detail);

    /* 2: remote DMA writes into the station PROM and beyond packet memory are dropped. */
    memset(big, 0, 64);
    one = ne_write(&card, 0, big, 32) && ne_write(&card, NE_PAGE_MEM_END, big, 64);
    one &= ne_read(&card, 0, prom, sizeof(prom)) && ne_read(&card, NE_PAGE_MEM_END, big, 64);
    for (i = 0; i < 6; i++)
        one &= prom[2 * i] == mac[i];
    for (i = 0; i < 64; i++)
        one &= big[i] == 0xff;
    ok &= nic_case("remote DMA writes into the PROM and beyond packet memory", one,
                   one ? "the MAC reads as before" : NULL);

    /* 3: the data port with no remote DMA set up, and the unused ports. */
    one = inw(NE_BASE + NE_DATA) == 0xffff;
    for (i = 0x11; i < 0x18; i++)
        one &= inb(NE_BASE + i) == 0xff;
    ok &= nic_case("the data port with no remote DMA, ports 0x311-0x317", one, "all ones");

    /* 4: a word access to a byte register: all ones read, the write dropped. */
    one = inw(NE_BASE + NE_ISR) == 0xffff;
    outw(NE_BASE + NE_PSTART, 0x1234);
    one &= nic_page2(NE_PSTART) == RX_START;
    ok &= nic_case("word accesses to byte registers", one, "PSTART unchanged");

    /* 5: transmits the card must refuse. */
    ok &= nic_case("a transmit from outside packet memory", nic_tx_refused(0x10, 60), "TXE");
    ok &= nic_case("a transmit of 4000 bytes", nic_tx_refused(TX_START, 4000), "TXE");
    ok &= nic_case("a transmit shorter than a header", nic_tx_refused(TX_START, 10), "TXE");
    ok &= nic_case("a transmit across the end of packet memory", nic_tx_refused(0xbe, 1514), "TXE");

    /* 6: a ring that cannot be (PSTART >= PSTOP, CURR outside it): accepted, set right below. */
    ne_out(NE_CR, CR_NODMA | CR_STP);
    ne_out(NE_PSTART, 0x90);
    ne_out(NE_PSTOP, 0x20);
    ne_out(NE_CR, CR_PAGE1 | CR_NODMA | CR_STP);
    ne_out(NE_CURR, 0xf0);
    ne_out(NE_CR, CR_NODMA | CR_STA);

    /* 7: 4000 random accesses of random sizes to every port of the card. */
    for (i = 0; i < 4000; i++) {
        uint16_t port, v;

        seed = seed * 1103515245u + 12345u;
        port = (uint16_t)(NE_BASE + ((seed >> 8) & 0x1f));
        v = (uint16_t)(seed >> 16);
        switch ((seed >> 13) & 3) {
        case 0: outb(port, (uint8_t)v); break;
        case 1: (void)inb(port); break;
        case 2: outw(port, v); break;
        default: (void)inw(port); break;
        }
    }
    printk("nictest: a ring with PSTART >= PSTOP, then 4000 random accesses: done\n");

    /* The card reset and set up again: it must answer as a DP8390 with the same MAC. */
    one = ne_reset() && ne_setup(&card, ne_dev.mac);
    one &= !memcmp(ne_dev.mac, mac, sizeof(mac));
    events_restore(m);
    printk("nictest: the card after it all: %s\n", one ? "reset, set up, same MAC" : "FAIL");
    ok &= one;
    printk("nictest: %s\n", ok ? "every hostile programming refused, the card set up again" : "FAIL");
}

bool ne2k_shell_command(const char *line)
{
    if (strcmp(line, "nictest"))
        return false;
    nictest();
    return true;
}
