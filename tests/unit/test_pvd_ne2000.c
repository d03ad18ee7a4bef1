/*
 * Unit tests for the emulated NE2000 (pvdrivers/devmodel/ne2000.c, ne2000_switch.c) through
 * the device model's dispatch (devmodel.c), with ioreqs built as the hypervisor builds them:
 * the station PROM, transmit, the receive ring and its filter, wrap, backlog and interrupt
 * line, the card as a switch port (the real netswitch.c); and hostile programming: remote DMA
 * outside the card's memory or past its count, ring pointers and transmit buffers out of
 * range, registers hit with the wrong sizes, a random fuzz. The card sits between guard bytes
 * that must never change; nothing may crash.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "devmodel.h"
#include "../../pvdrivers/devmodel/ne2000.h"
#include "../../pvdrivers/devmodel/ne2000_switch.h"
#include <tandem/errno.h>

#define P       NE2K_PORT
#define GUARD   4096
#define TXP     0x40
#define RXS     0x46
#define RXE     0x80

static const uint8_t MAC[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };
static const uint8_t OTHER[6] = { 0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc };
static struct {
    uint8_t pre[GUARD];
    struct ne2000 card;
    uint8_t post[GUARD];
} box;
#define CARD (&box.card)
static struct dm_host host;
static int irq_level[16], irq_changes;
static uint8_t sent[2048];
static size_t sent_len;
static unsigned int sends;
static int send_rc;

static int h_set_irq(void *ctx, unsigned int irq, bool level)
{
    (void)ctx;
    assert_true(irq < 16);
    irq_level[irq] = level;
    irq_changes++;
    return 0;
}

static void *h_map(void *ctx, uint64_t gfn, bool write)
{
    (void)ctx, (void)gfn, (void)write;
    fail_msg("the NE2000 has no bus-master DMA: it must never map guest memory");
    return NULL;
}

static void h_unmap(void *ctx, void *va)
{
    (void)ctx, (void)va;
}

static const struct dm_host_ops hops = { h_set_irq, h_map, h_unmap };

static int w_send(void *ctx, const void *frame, size_t len)
{
    (void)ctx;
    assert_true(len <= sizeof(sent));
    memcpy(sent, frame, len);
    sent_len = len;
    sends++;
    return send_rc;
}

static const struct ne2000_wire wire = { w_send, NULL };

static uint64_t io(uint64_t addr, uint32_t size, bool read, uint64_t data)
{
    struct ioreq r = { .addr = addr, .data = read ? 0x1234567890abcdefULL : data, .count = 1, .size = size,
                       .dir = read ? IOREQ_READ : IOREQ_WRITE, .type = IOREQ_TYPE_PIO, .state = STATE_IOREQ_READY };

    dm_dispatch(&host, &r);
    return read ? r.data : 0;
}

static uint8_t inb(unsigned int off) { return (uint8_t)io(P + off, 1, true, 0); }
static void outb(unsigned int off, uint8_t v) { io(P + off, 1, false, v); }
static uint16_t inw(unsigned int off) { return (uint16_t)io(P + off, 2, true, 0); }
static void outw(unsigned int off, uint16_t v) { io(P + off, 2, false, v); }

static void guards_intact(void)
{
    for (unsigned int i = 0; i < GUARD; i++) {
        assert_int_equal(box.pre[i], 0x5c);
        assert_int_equal(box.post[i], 0x5c);
    }
}

static void rdma(uint16_t addr, uint16_t len, uint8_t cmd)
{
    outb(NE_ISR, NE_ISR_RDC);
    outb(NE_RBCR0, len & 0xff);
    outb(NE_RBCR1, len >> 8);
    outb(NE_RSAR0, addr & 0xff);
    outb(NE_RSAR1, addr >> 8);
    outb(NE_CR, cmd | NE_CR_STA);
}

static void card_read(uint16_t addr, uint8_t *buf, uint16_t len)
{
    rdma(addr, (uint16_t)((len + 1) & ~1), NE_CR_RD0);
    for (uint16_t i = 0; i < len; i += 2) {
        uint16_t w = inw(NE2K_DATA);

        buf[i] = (uint8_t)w;
        if (i + 1 < len)
            buf[i + 1] = (uint8_t)(w >> 8);
    }
    assert_true(inb(NE_ISR) & NE_ISR_RDC);
}

static void card_write(uint16_t addr, const uint8_t *buf, uint16_t len)
{
    rdma(addr, len, NE_CR_RD1);
    for (uint16_t i = 0; i < len; i += 2)
        outw(NE2K_DATA, (uint16_t)(buf[i] | (i + 1 < len ? buf[i + 1] << 8 : 0)));
}

/* The native driver's start-up (guest-kernel/arch/x86/native/ne2k.c), ring RXS..RXE. */
static void bring_up(uint8_t rcr)
{
    outb(NE2K_RESET, inb(NE2K_RESET));
    assert_true(inb(NE_ISR) & NE_ISR_RST);
    outb(NE_CR, 0x21);
    outb(NE_DCR, 0x49);
    outb(NE_RCR, 0x20);
    outb(NE_TCR, 0x02);
    outb(NE_PSTART, RXS);
    outb(NE_PSTOP, RXE);
    outb(NE_BNRY, RXE - 1);
    outb(NE_ISR, 0xff);
    outb(NE_IMR, 0);
    outb(NE_CR, 0x61);
    for (int i = 0; i < 6; i++)
        outb(NE_PAR0 + i, MAC[i]);
    outb(NE_CURR, RXS);
    outb(NE_CR, 0x22);
    outb(NE_TCR, 0);
    outb(NE_RCR, rcr);
}

static int setup(void **state)
{
    (void)state;
    memset(&box, 0x5c, sizeof(box));
    memset(irq_level, 0, sizeof(irq_level));
    irq_changes = 0;
    sent_len = sends = 0;
    send_rc = 0;
    dm_host_init(&host, &hops, NULL, 1);
    assert_int_equal(ne2000_init(CARD, &host, P, NE2K_IRQ, MAC, &wire), 0);
    return 0;
}

static void frame_to(uint8_t *f, const uint8_t *dst, size_t len, uint8_t seed)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, OTHER, 6);
    f[12] = 0x08, f[13] = 0x00;
    for (size_t i = 14; i < len; i++)
        f[i] = (uint8_t)(i * 3 + seed);
}

static uint8_t curr(void)
{
    uint8_t v;

    outb(NE_CR, 0x62);
    v = inb(NE_CURR);
    outb(NE_CR, 0x22);
    return v;
}

/* The next frame from the ring as a driver reads it (the next page kept in *next): its length, 0 if none. */
static size_t ring_take(uint8_t *next, uint8_t *buf)
{
    uint8_t hdr[4];
    size_t len;

    if (curr() == *next)
        return 0;
    card_read((uint16_t)(*next << 8), hdr, 4);
    assert_true(hdr[0] & NE_RSR_PRX);
    assert_true(hdr[1] >= RXS && hdr[1] < RXE);
    len = (size_t)(hdr[2] | hdr[3] << 8) - 4;
    card_read((uint16_t)((*next << 8) + 4), buf, (uint16_t)len);
    *next = hdr[1];
    outb(NE_BNRY, *next == RXS ? RXE - 1 : *next - 1);
    return len;
}

static void test_prom_and_reset(void **state)
{
    uint8_t prom[32];

    (void)state;
    assert_true(inb(NE_ISR) & NE_ISR_RST);
    assert_int_equal(inb(NE_CR), NE_CR_STP | NE_CR_RD2);
    outb(NE_CR, 0x22);
    outb(NE_DCR, 0x49);
    card_read(0, prom, 32);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(prom[2 * i], MAC[i]);
        assert_int_equal(prom[2 * i + 1], MAC[i]);
    }
    assert_int_equal(prom[28], 'W');
    /* the reset port: stopped, RST, and the PROM is still there */
    inb(NE2K_RESET + 7);
    assert_int_equal(inb(NE_CR), NE_CR_STP | NE_CR_RD2);
    assert_true(inb(NE_ISR) & NE_ISR_RST);
    outb(NE_CR, 0x22);
    assert_false(inb(NE_ISR) & NE_ISR_RST);
    guards_intact();
}

static void test_transmit(void **state)
{
    uint8_t f[100];

    (void)state;
    bring_up(NE_RCR_AB);
    frame_to(f, OTHER, sizeof(f), 1);
    card_write(TXP << 8, f, sizeof(f));
    assert_true(inb(NE_ISR) & NE_ISR_RDC);
    outb(NE_TPSR, TXP);
    outb(NE_TBCR0, sizeof(f));
    outb(NE_TBCR1, 0);
    outb(NE_CR, 0x26);
    assert_int_equal(sends, 1);
    assert_int_equal(sent_len, sizeof(f));
    assert_memory_equal(sent, f, sizeof(f));
    assert_true(inb(NE_ISR) & NE_ISR_PTX);
    assert_int_equal(inb(NE_TPSR) & NE_TSR_PTX, NE_TSR_PTX);
    assert_false(inb(NE_CR) & NE_CR_TXP);
    /* the wire refuses: TXE, counted */
    send_rc = -XEN_ENOMEM;
    outb(NE_ISR, 0xff);
    outb(NE_CR, 0x26);
    assert_true(inb(NE_ISR) & NE_ISR_TXE);
    assert_int_equal(CARD->tx_errors, 1);
    /* loopback: the frame never leaves */
    send_rc = 0;
    outb(NE_TCR, 0x02);
    outb(NE_CR, 0x26);
    assert_int_equal(sends, 2);
    guards_intact();
}

static void test_receive_and_filter(void **state)
{
    uint8_t f[1514], got[1600], next = RXS;
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    static const uint8_t mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

    (void)state;
    bring_up(NE_RCR_AB);
    frame_to(f, MAC, 1514, 7);
    assert_int_equal(ne2000_receive(CARD, f, 1514), 0);
    assert_true(inb(NE_ISR) & NE_ISR_PRX);
    assert_int_equal(ring_take(&next, got), 1514);
    assert_memory_equal(got, f, 1514);
    assert_int_equal(ring_take(&next, got), 0);
    /* a runt is padded to 60 */
    frame_to(f, MAC, 42, 9);
    ne2000_receive(CARD, f, 42);
    assert_int_equal(ring_take(&next, got), 60);
    assert_memory_equal(got, f, 42);
    /* another MAC: filtered; broadcast: taken; multicast: only with AM and its MAR bit */
    frame_to(f, OTHER, 100, 1);
    ne2000_receive(CARD, f, 100);
    assert_int_equal(ring_take(&next, got), 0);
    frame_to(f, bcast, 100, 1);
    ne2000_receive(CARD, f, 100);
    assert_int_equal(ring_take(&next, got), 100);
    frame_to(f, mcast, 100, 1);
    ne2000_receive(CARD, f, 100);
    assert_int_equal(ring_take(&next, got), 0);
    /* 01:00:5e:00:00:01 hashes to bit 31 (Linux's ether_crc >> 26, QEMU's net_crc32 >> 26) */
    outb(NE_RCR, NE_RCR_AB | NE_RCR_AM);
    outb(NE_CR, 0x62);
    for (int i = 0; i < 8; i++)
        outb(NE_MAR0 + i, i == 3 ? 0x7f : 0xff);
    outb(NE_CR, 0x22);
    ne2000_receive(CARD, f, 100);
    assert_int_equal(ring_take(&next, got), 0);
    outb(NE_CR, 0x62);
    for (int i = 0; i < 8; i++)
        outb(NE_MAR0 + i, i == 3 ? 0x80 : 0);
    outb(NE_CR, 0x22);
    ne2000_receive(CARD, f, 100);
    assert_int_equal(ring_take(&next, got), 100);
    outb(NE_RCR, NE_RCR_PRO);
    frame_to(f, OTHER, 100, 1);
    ne2000_receive(CARD, f, 100);
    assert_int_equal(ring_take(&next, got), 100);
    /* stopped or monitoring: nothing */
    outb(NE_RCR, NE_RCR_MON | NE_RCR_PRO);
    ne2000_receive(CARD, f, 100);
    assert_int_equal(ring_take(&next, got), 0);
    assert_true(CARD->rx_filtered >= 3);
    guards_intact();
}

static void test_wrap_backlog_irq(void **state)
{
    uint8_t f[1514], got[1600], next = RXS;
    unsigned int in = 0, out = 0;

    (void)state;
    bring_up(NE_RCR_AB);
    outb(NE_IMR, NE_ISR_PRX);
    /* 40 full frames, 6 pages each, into a 58-page ring: some wait in the backlog, then overflow */
    for (; in < 40; in++) {
        frame_to(f, MAC, 1514, (uint8_t)in);
        if (ne2000_receive(CARD, f, 1514))
            break;
    }
    assert_int_equal(in, 9 + NE2K_BACKLOG);    /* 9 in the ring (54 of 57 pages), 16 waiting */
    assert_true(inb(NE_ISR) & NE_ISR_OVW);
    assert_int_equal(irq_level[NE2K_IRQ], 1);
    /* the guest drains: the ring wraps, the backlog follows in order */
    while (ring_take(&next, got)) {
        frame_to(f, MAC, 1514, (uint8_t)out);
        assert_memory_equal(got, f, 1514);
        out++;
    }
    assert_int_equal(out, in);
    outb(NE_ISR, 0xff);
    assert_int_equal(irq_level[NE2K_IRQ], 0);
    assert_int_equal(CARD->rx_dropped, 1);
    guards_intact();
}

/*
 * The interrupt-driven native driver's protocol (ne2k.c): IMR = PRX|RXE|OVW. The line is
 * ISR & IMR: high while a frame waits, low once the ring is drained and PRX acknowledged, so
 * the next frame is a rising edge; a transmit (PTX not in IMR) leaves it low; IMR 0 lowers it
 * and IMR back raises it again while PRX is still set.
 */
static void test_irq_level_protocol(void **state)
{
    uint8_t f[200], got[1600], next = RXS;

    (void)state;
    bring_up(NE_RCR_AB);
    outb(NE_IMR, NE_ISR_PRX | NE_ISR_RXE | NE_ISR_OVW);
    assert_int_equal(irq_level[NE2K_IRQ], 0);
    /* a transmit: PTX set, not asked for, the line stays low */
    frame_to(f, OTHER, sizeof(f), 1);
    card_write(TXP << 8, f, sizeof(f));
    outb(NE_ISR, NE_ISR_RDC);
    outb(NE_TPSR, TXP);
    outb(NE_TBCR0, sizeof(f));
    outb(NE_TBCR1, 0);
    outb(NE_CR, 0x26);
    assert_true(inb(NE_ISR) & NE_ISR_PTX);
    assert_int_equal(irq_level[NE2K_IRQ], 0);
    /* a frame: the line rises */
    frame_to(f, MAC, sizeof(f), 2);
    assert_int_equal(ne2000_receive(CARD, f, sizeof(f)), 0);
    assert_int_equal(irq_level[NE2K_IRQ], 1);
    outb(NE_IMR, 0);
    assert_int_equal(irq_level[NE2K_IRQ], 0);
    outb(NE_IMR, NE_ISR_PRX | NE_ISR_RXE | NE_ISR_OVW);
    assert_int_equal(irq_level[NE2K_IRQ], 1);
    /* drained and acknowledged: low; the next frame is an edge again */
    outb(NE_ISR, NE_ISR_PRX | NE_ISR_RXE);
    assert_int_equal(irq_level[NE2K_IRQ], 0);
    assert_true(ring_take(&next, got));
    assert_memory_equal(got, f, sizeof(f));
    assert_false(ring_take(&next, got));
    assert_int_equal(irq_level[NE2K_IRQ], 0);
    frame_to(f, MAC, sizeof(f), 3);
    assert_int_equal(ne2000_receive(CARD, f, sizeof(f)), 0);
    assert_int_equal(irq_level[NE2K_IRQ], 1);
    guards_intact();
}

static void test_hostile_rdma(void **state)
{
    uint8_t prom[32], zero[64] = { 0 };

    (void)state;
    bring_up(NE_RCR_AB);
    memcpy(prom, CARD->prom, 32);
    /* a write to the PROM, below the packet memory and past its end: dropped */
    card_write(0x0000, zero, 32);
    card_write(0x2000, zero, 64);
    card_write(0xbff0, zero, 64);           /* 16 bytes in, the rest past 0xc000: dropped */
    assert_memory_equal(CARD->prom, prom, 32);
    /* a 64 KiB count from the top: RSAR wraps inside 16 bits, nothing leaves the card */
    outb(NE_PSTART, 0), outb(NE_PSTOP, 0);
    rdma(0xfff0, 0xffff, NE_CR_RD1);
    for (unsigned int i = 0; i < 0x8000 + 10; i++)
        outw(NE2K_DATA, 0xdead);
    assert_int_equal(CARD->rbcr, 0);
    /* reads past the count: all ones, counted; data port in the wrong direction or idle */
    rdma(0x4000, 2, NE_CR_RD0);
    inw(NE2K_DATA);
    assert_int_equal(inw(NE2K_DATA), 0xffff);
    rdma(0x4000, 4, NE_CR_RD1);
    assert_int_equal(inw(NE2K_DATA), 0xffff);
    outb(NE_CR, 0x22);
    outw(NE2K_DATA, 1);
    assert_int_equal((uint32_t)io(P + NE2K_DATA, 4, true, 0), 0xffffffffu);
    assert_true(CARD->garbage >= 4);
    guards_intact();
}

static void test_hostile_ring_and_tx(void **state)
{
    uint8_t f[200];

    (void)state;
    bring_up(NE_RCR_AB);
    frame_to(f, MAC, sizeof(f), 3);
    /* ring pointers outside the card's memory or inverted: nothing is received or written */
    static const uint8_t bad[][3] = { { 0x00, 0x10, 0x05 }, { 0x46, 0xff, 0xf0 }, { 0x80, 0x46, 0x50 },
                                      { 0x46, 0x80, 0x90 }, { 0xbf, 0xc1, 0xc0 } };
    for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        outb(NE_PSTART, bad[i][0]);
        outb(NE_PSTOP, bad[i][1]);
        outb(NE_CR, 0x62), outb(NE_CURR, bad[i][2]), outb(NE_CR, 0x22);
        ne2000_receive(CARD, f, sizeof(f));
    }
    assert_int_equal(CARD->rx_ring_errors, 5);
    assert_int_equal(CARD->rx_frames, 0);
    /* a transmit buffer past the memory, below it, too long or empty: TXE, nothing sent */
    static const uint16_t tx[][2] = { { 0xbf, 600 }, { 0x10, 100 }, { 0x40, 4000 }, { 0x40, 0 }, { 0xff, 1500 } };
    for (unsigned int i = 0; i < sizeof(tx) / sizeof(tx[0]); i++) {
        outb(NE_ISR, 0xff);
        outb(NE_TPSR, (uint8_t)tx[i][0]);
        outb(NE_TBCR0, tx[i][1] & 0xff);
        outb(NE_TBCR1, tx[i][1] >> 8);
        outb(NE_CR, 0x26);
        assert_true(inb(NE_ISR) & NE_ISR_TXE);
    }
    assert_int_equal(sends, 0);
    /* registers are bytes: other sizes read ones and write nothing; pages 2 and 3 written: ignored */
    assert_int_equal((uint16_t)io(P + NE_ISR, 2, true, 0), 0xffff);
    io(P + NE_PSTART, 4, false, 0x12345678);
    outb(NE_CR, 0xe2);
    outb(NE_PSTART, 0x11);
    outb(NE_CR, 0xa2);
    outb(NE_PSTART, 0x11);
    assert_int_equal(inb(NE_PSTART), 0xbf);     /* page 2 reads back what page 0 last set, not 0x11 */
    outb(NE_CR, 0x22);
    assert_int_equal(inb(0x15), 0xff);          /* 0x11-0x17: nothing */
    guards_intact();
}

static void test_fuzz(void **state)
{
    uint8_t f[1600];

    (void)state;
    srand(17);
    for (unsigned int round = 0; round < 200000; round++) {
        unsigned int r = (unsigned int)rand();
        unsigned int off = r % NE2K_NR_PORTS;
        static const uint32_t sizes[] = { 1, 1, 1, 2, 4 };
        uint32_t size = sizes[(r >> 8) % 5];

        if (off + size > NE2K_NR_PORTS)
            size = 1;
        if ((r >> 12) % 50 == 0) {
            size_t len = (size_t)(rand() % 1600);

            for (size_t i = 0; i < len; i++)
                f[i] = (uint8_t)rand();
            if (rand() & 1)
                memcpy(f, MAC, 6);
            ne2000_receive(CARD, f, len);
        } else if ((r >> 12) & 1) {
            io(P + off, size, true, 0);
        } else {
            io(P + off, size, false, (uint64_t)rand());
        }
    }
    guards_intact();
    assert_true(CARD->rsar <= 0xffff);
    /* the card still works after it all */
    bring_up(NE_RCR_AB);
    uint8_t next = RXS, got[1600];
    frame_to(f, MAC, 300, 5);
    assert_int_equal(ne2000_receive(CARD, f, 300), 0);
    assert_int_equal(ring_take(&next, got), 300);
    assert_memory_equal(got, f, 300);
}

/* ---- the card as a switch port ---- */

static struct netpkt pkts[64];
static uint8_t pkt_data[64][2048];
static bool pkt_used[64];
static unsigned int uplink_frames;
static uint8_t uplink_last[2048];

static struct netpkt *p_alloc(void *ctx, uint32_t len)
{
    (void)ctx;
    for (int i = 0; i < 64; i++)
        if (!pkt_used[i] && len <= sizeof(pkt_data[i])) {
            pkt_used[i] = true;
            pkts[i].data = pkt_data[i];
            pkts[i].cap = sizeof(pkt_data[i]);
            return &pkts[i];
        }
    return NULL;
}

static void p_free(void *ctx, struct netpkt *p)
{
    (void)ctx;
    pkt_used[p - pkts] = false;
}

static const struct netpkt_pool pool = { NULL, p_alloc, p_free };

static int up_xmit(void *ctx, struct netpkt *pkt)
{
    (void)ctx;
    memcpy(uplink_last, pkt->data, pkt->len);
    uplink_frames++;
    return 0;
}

static void test_switch_port(void **state)
{
    static struct netswitch sw;
    struct netswitch_port_cfg up = { .xmit = up_xmit, .uplink = true };
    struct ne2000_port port;
    uint8_t f[200], got[1600], next = RXS;
    int upn;

    (void)state;
    netswitch_init(&sw, 0);
    upn = netswitch_port_add(&sw, &up);
    assert_true(upn >= 0);
    assert_int_equal(ne2000_switch_attach(&port, CARD, &sw, &pool), 0);
    bring_up(NE_RCR_AB);
    /* the guest sends (source: its MAC): out by the uplink */
    memcpy(f, OTHER, 6);
    memcpy(f + 6, MAC, 6);
    memset(f + 12, 0x42, sizeof(f) - 12);
    card_write(TXP << 8, f, sizeof(f));
    outb(NE_TPSR, TXP), outb(NE_TBCR0, sizeof(f)), outb(NE_TBCR1, 0), outb(NE_CR, 0x26);
    assert_int_equal(uplink_frames, 1);
    assert_memory_equal(uplink_last, f, sizeof(f));
    /* a spoofed source: the switch drops it */
    memcpy(f + 6, OTHER, 6);
    card_write(TXP << 8, f, sizeof(f));
    outb(NE_CR, 0x26);
    assert_int_equal(uplink_frames, 1);
    assert_int_equal(sw.port[port.port].stats.spoofed, 1);
    /* from the uplink to the card's MAC: into its ring; every packet back in the pool */
    struct netpkt *pk = netpkt_alloc(&pool, sizeof(f));
    frame_to(pk->data, MAC, sizeof(f), 8);
    memcpy(f, pk->data, sizeof(f));
    netswitch_input(&sw, (unsigned int)upn, pk);
    assert_int_equal(ring_take(&next, got), sizeof(f));
    assert_memory_equal(got, f, sizeof(f));
    for (int i = 0; i < 64; i++)
        assert_false(pkt_used[i]);
    ne2000_switch_detach(&port);
    outb(NE_CR, 0x26);
    assert_int_equal(uplink_frames, 1);
    guards_intact();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_prom_and_reset, setup),
        cmocka_unit_test_setup(test_transmit, setup),
        cmocka_unit_test_setup(test_receive_and_filter, setup),
        cmocka_unit_test_setup(test_wrap_backlog_irq, setup),
        cmocka_unit_test_setup(test_irq_level_protocol, setup),
        cmocka_unit_test_setup(test_hostile_rdma, setup),
        cmocka_unit_test_setup(test_hostile_ring_and_tx, setup),
        cmocka_unit_test_setup(test_fuzz, setup),
        cmocka_unit_test_setup(test_switch_port, setup),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
