/*
 * An emulated NE2000 (DP8390) for the device model (ne2000.h, docs/devmodel.md "The emulated
 * NIC"). Register semantics follow the DP8390 datasheet as QEMU's hw/net/ne2000.c implements
 * them (the card a stock driver is tested against): CR selects the register page and starts
 * remote DMA and transmission; received frames land in the ring PSTART..PSTOP at CURR behind a
 * 4-byte header (status, next page, length); BNRY is the guest's read pointer.
 * What must hold: every card address the guest gives (RSAR, TPSR, the ring pages) is checked
 * against the card's memory before a byte moves (ne_mem_read/ne_mem_write for remote DMA and the
 * ring, one byte at a time; ne_transmit's one copy after checking its whole range); a register
 * value that makes no sense stops that operation, counted, never more.
 */
#include "ne2000.h"
#include <tandem/errno.h>

#define PAGE            256u
#define MIN_FRAME       60u
#define RING_FIRST      (NE2K_MEM_START / PAGE)
#define RING_LAST       (NE2K_MEM_END / PAGE)       /* one past */

static uint8_t ne_mem_read(const struct ne2000 *s, uint16_t addr)
{
    if (addr < NE2K_PROM_SIZE)
        return s->prom[addr];
    if (addr >= NE2K_MEM_START && addr < NE2K_MEM_END)
        return s->mem[addr - NE2K_MEM_START];
    return 0xff;
}

static bool ne_mem_write(struct ne2000 *s, uint16_t addr, uint8_t v)
{
    if (addr < NE2K_MEM_START || addr >= NE2K_MEM_END)
        return false;
    s->mem[addr - NE2K_MEM_START] = v;
    return true;
}

static void ne_update_irq(struct ne2000 *s)
{
    dm_set_irq(&s->dev, (s->isr & s->imr & 0x7f) != 0);
}

/* The receive ring as the guest set it up, if it can be used: pages inside the card's memory. */
static bool ne_ring_ok(const struct ne2000 *s)
{
    return s->pstart >= RING_FIRST && s->pstop <= RING_LAST && s->pstart < s->pstop &&
           s->curr >= s->pstart && s->curr < s->pstop && s->bnry >= s->pstart && s->bnry < s->pstop;
}

static void ne_reset(struct ne2000 *s)
{
    s->cr = NE_CR_STP | NE_CR_RD2;
    s->isr = NE_ISR_RST;
    s->imr = 0;
    s->rbcr = 0;
    s->tsr = s->rsr = 0;
    s->dcr = 0;
    s->tcr = 0;
    s->rcr = 0;
    s->bl_head = s->bl_count = 0;
    ne_update_irq(s);
}

/* ---- receive ---- */

/*
 * The MAR bit of a multicast MAC: the top six bits of its CRC-32 (Ethernet's polynomial, all ones
 * in, no final inversion: Linux's ether_crc, QEMU's net_crc32), computed here bit-reflected, whose
 * low six bits are those six in reverse.
 */
static unsigned int ne_mcast_bit(const uint8_t *mac)
{
    uint32_t crc = 0xffffffffu;
    unsigned int v = 0;

    for (int i = 0; i < 6; i++) {
        uint8_t b = mac[i];

        for (int j = 0; j < 8; j++, b >>= 1)
            crc = ((crc ^ b) & 1) ? (crc >> 1) ^ 0xedb88320u : crc >> 1;
    }
    for (int i = 0; i < 6; i++)
        v |= ((crc >> i) & 1u) << (5 - i);
    return v;
}

static bool ne_accepts(const struct ne2000 *s, const uint8_t *dst)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    unsigned int bit;

    if (s->rcr & NE_RCR_PRO)
        return true;
    if (!__builtin_memcmp(dst, bcast, 6))
        return s->rcr & NE_RCR_AB;
    if (dst[0] & 1) {
        bit = ne_mcast_bit(dst);
        return (s->rcr & NE_RCR_AM) && (s->mar[bit >> 3] & (1u << (bit & 7)));
    }
    return !__builtin_memcmp(dst, s->par, 6);
}

/* Ring pages free for a frame: up to BNRY, never onto it (BNRY == CURR: empty, as QEMU). */
static unsigned int ne_ring_free(const struct ne2000 *s)
{
    unsigned int n = s->pstop - s->pstart;
    unsigned int free = (s->bnry + n - s->curr) % n;

    return free ? free : n;
}

/* Frame into the ring at CURR (the ring checked, room checked): the header, then the bytes. */
static void ne_ring_put(struct ne2000 *s, const uint8_t *frame, size_t len)
{
    size_t total = len + 4;
    unsigned int pages = (unsigned int)((total + PAGE - 1) / PAGE);
    unsigned int next = s->curr + pages;
    uint16_t addr = (uint16_t)(s->curr * PAGE);
    uint8_t hdr[4];

    if (next >= s->pstop)
        next -= s->pstop - s->pstart;
    s->rsr = NE_RSR_PRX | ((frame[0] & 1) ? NE_RSR_PHY : 0);
    hdr[0] = s->rsr;
    hdr[1] = (uint8_t)next;
    hdr[2] = (uint8_t)total;
    hdr[3] = (uint8_t)(total >> 8);
    for (size_t i = 0; i < total; i++) {
        ne_mem_write(s, addr, i < 4 ? hdr[i] : frame[i - 4]);
        if (++addr == s->pstop * PAGE)
            addr = (uint16_t)(s->pstart * PAGE);
    }
    s->curr = (uint8_t)next;
    s->isr |= NE_ISR_PRX;
    s->rx_frames++;
}

/* Backlogged frames into the ring, oldest first, while they fit; then the line as ISR says. */
static void ne_backlog_drain(struct ne2000 *s)
{
    while (s->bl_count && !(s->cr & NE_CR_STP) && ne_ring_ok(s)) {
        uint16_t len = s->bl_len[s->bl_head];

        if ((len + 4 + PAGE - 1) / PAGE >= ne_ring_free(s))
            break;
        ne_ring_put(s, s->bl[s->bl_head], len);
        s->bl_head = (s->bl_head + 1) % NE2K_BACKLOG;
        s->bl_count--;
    }
    ne_update_irq(s);
}

int ne2000_receive(struct ne2000 *s, const void *frame, size_t len)
{
    const uint8_t *f = frame;
    unsigned int slot;

    if (len < 14 || len > NE2K_FRAME_MAX || (s->cr & NE_CR_STP) || (s->rcr & NE_RCR_MON) || !ne_accepts(s, f)) {
        s->rx_filtered++;
        return 0;
    }
    if (!ne_ring_ok(s)) {
        s->rx_ring_errors++;            /* ring pointers outside the card's memory: nothing is written */
        return 0;
    }
    if (s->bl_count == NE2K_BACKLOG) {
        s->rx_dropped++;
        s->isr |= NE_ISR_OVW;
        ne_update_irq(s);
        return -XEN_EAGAIN;
    }
    slot = (s->bl_head + s->bl_count) % NE2K_BACKLOG;
    __builtin_memset(s->bl[slot], 0, MIN_FRAME);
    __builtin_memcpy(s->bl[slot], f, len);
    s->bl_len[slot] = (uint16_t)(len < MIN_FRAME ? MIN_FRAME : len);
    s->bl_count++;
    ne_backlog_drain(s);
    return 0;
}

/* ---- transmit and remote DMA ---- */

static void ne_transmit(struct ne2000 *s)
{
    static uint8_t frame[NE2K_FRAME_MAX];
    uint32_t start = (uint32_t)s->tpsr * PAGE;

    s->cr &= (uint8_t)~NE_CR_TXP;
    if (s->tbcr < 14 || s->tbcr > NE2K_FRAME_MAX || start < NE2K_MEM_START || start + s->tbcr > NE2K_MEM_END) {
        s->tsr = NE_TSR_ABT;            /* a buffer outside the card's memory, or no frame */
        s->isr |= NE_ISR_TXE;
        s->tx_errors++;
        s->garbage++;
        return;
    }
    __builtin_memcpy(frame, s->mem + (start - NE2K_MEM_START), s->tbcr);
    if ((s->tcr & NE_TCR_LB) || !s->wire.send || s->wire.send(s->wire.ctx, frame, s->tbcr) == 0) {
        s->tsr = NE_TSR_PTX;            /* loopback: the frame never leaves the card */
        s->isr |= NE_ISR_PTX;
        s->tx_frames++;
    } else {
        s->tsr = NE_TSR_ABT;
        s->isr |= NE_ISR_TXE;
        s->tx_errors++;
    }
}

static void ne_write_cr(struct ne2000 *s, uint8_t v)
{
    if ((v & (NE_CR_STP | NE_CR_STA)) == (NE_CR_STP | NE_CR_STA))
        v &= (uint8_t)~NE_CR_STA;       /* both: stop wins */
    if (!(v & (NE_CR_RD0 | NE_CR_RD1 | NE_CR_RD2)))
        v |= NE_CR_RD2;                 /* 000 is not a DMA command: treat as "complete" */
    s->cr = (uint8_t)(v & ~NE_CR_TXP) | (s->cr & NE_CR_TXP);
    if (v & NE_CR_STP) {
        s->cr &= (uint8_t)~NE_CR_TXP;
        s->isr |= NE_ISR_RST;
        ne_update_irq(s);
        return;
    }
    s->isr &= (uint8_t)~NE_ISR_RST;
    if ((v & (NE_CR_RD0 | NE_CR_RD1)) && !(v & NE_CR_RD2) && s->rbcr == 0)
        s->isr |= NE_ISR_RDC;           /* a remote DMA of nothing completes at once */
    if (v & NE_CR_TXP)
        ne_transmit(s);
    ne_backlog_drain(s);                /* also raises the line */
}

/* One step of the remote DMA pointer: wraps at PSTOP (to PSTART) as the DP8390's does. */
static void ne_rdma_step(struct ne2000 *s)
{
    s->rsar++;
    if (s->pstart < s->pstop && s->rsar == s->pstop * PAGE)
        s->rsar = (uint16_t)(s->pstart * PAGE);
    if (--s->rbcr == 0)
        s->isr |= NE_ISR_RDC;
}

/* The data port: size bytes of remote DMA in the direction CR set up; anything else is garbage. */
static uint64_t ne_data(struct ne2000 *s, const struct ioreq *req)
{
    bool rd = req->dir == IOREQ_READ;
    uint8_t want = rd ? NE_CR_RD0 : NE_CR_RD1;
    uint64_t v = 0;

    if ((req->size != 1 && req->size != 2) || (s->cr & (NE_CR_RD2 | NE_CR_STP)) ||
        (s->cr & (NE_CR_RD0 | NE_CR_RD1)) != want) {
        s->garbage++;
        return ~0ull;
    }
    for (uint32_t i = 0; i < req->size; i++) {
        if (!s->rbcr) {
            s->garbage++;               /* past the count the guest programmed */
            v |= (uint64_t)0xff << (8 * i);
            continue;
        }
        if (rd)
            v |= (uint64_t)ne_mem_read(s, s->rsar) << (8 * i);
        else if (!ne_mem_write(s, s->rsar, (uint8_t)(req->data >> (8 * i))))
            s->garbage++;               /* outside the packet memory: dropped */
        ne_rdma_step(s);
    }
    if (!s->rbcr)
        s->cr = (uint8_t)((s->cr & ~(NE_CR_RD0 | NE_CR_RD1)) | NE_CR_RD2);
    ne_update_irq(s);
    return v;
}

/* ---- registers ---- */

static uint8_t ne_reg_read(struct ne2000 *s, unsigned int r)
{
    unsigned int page = s->cr >> 6;

    if (r == NE_CR)
        return s->cr;
    if (page == 1)
        return r == NE_CURR ? s->curr : r < NE_CURR ? s->par[r - 1] : s->mar[r - NE_MAR0];
    if (page == 2) {
        switch (r) {
        case NE_PSTART: return s->pstart;
        case NE_PSTOP: return s->pstop;
        case NE_TPSR: return s->tpsr;
        case NE_RCR: return s->rcr;
        case NE_TCR: return s->tcr;
        case NE_DCR: return s->dcr;
        case NE_IMR: return s->imr;
        default: return 0xff;
        }
    }
    if (page == 3) {
        s->garbage++;
        return 0xff;
    }
    switch (r) {
    case NE_BNRY: return s->bnry;
    case NE_TPSR: return s->tsr;
    case NE_ISR: return s->isr;
    case NE_RSAR0: return (uint8_t)s->rsar;
    case NE_RSAR1: return (uint8_t)(s->rsar >> 8);
    case NE_RCR: return s->rsr;
    default: return 0;                  /* CLDA, NCR, FIFO, the tally counters: nothing counted */
    }
}

static void ne_reg_write(struct ne2000 *s, unsigned int r, uint8_t v)
{
    unsigned int page = s->cr >> 6;

    if (r == NE_CR) {
        ne_write_cr(s, v);
        return;
    }
    if (page == 1) {
        if (r == NE_CURR)
            s->curr = v;
        else if (r < NE_CURR)
            s->par[r - 1] = v;
        else
            s->mar[r - NE_MAR0] = v;
        ne_backlog_drain(s);
        return;
    }
    if (page != 0) {
        s->garbage++;                   /* pages 2 and 3 are read-only (2) or not there (3) */
        return;
    }
    switch (r) {
    case NE_PSTART: s->pstart = v; break;
    case NE_PSTOP: s->pstop = v; break;
    case NE_BNRY: s->bnry = v; break;
    case NE_TPSR: s->tpsr = v; break;
    case NE_TBCR0: s->tbcr = (uint16_t)((s->tbcr & 0xff00) | v); break;
    case NE_TBCR1: s->tbcr = (uint16_t)((s->tbcr & 0x00ff) | v << 8); break;
    case NE_ISR: s->isr &= (uint8_t)~(v & 0x7f); break;     /* write 1 to clear; RST is not cleared so */
    case NE_RSAR0: s->rsar = (uint16_t)((s->rsar & 0xff00) | v); break;
    case NE_RSAR1: s->rsar = (uint16_t)((s->rsar & 0x00ff) | v << 8); break;
    case NE_RBCR0: s->rbcr = (uint16_t)((s->rbcr & 0xff00) | v); break;
    case NE_RBCR1: s->rbcr = (uint16_t)((s->rbcr & 0x00ff) | v << 8); break;
    case NE_RCR: s->rcr = v & 0x3f; break;
    case NE_TCR: s->tcr = v & 0x1f; break;
    case NE_DCR: s->dcr = v & 0x7f; break;
    case NE_IMR: s->imr = v & 0x7f; break;
    }
    ne_backlog_drain(s);                /* BNRY moved (room), or the ring was set up: frames waiting go in */
}

static uint64_t ne_access(struct dm_device *dev, const struct ioreq *req)
{
    struct ne2000 *s = dev->priv;
    unsigned int off = (unsigned int)(req->addr - dev->ranges[0].start);

    if (off >= NE2K_RESET) {
        if (req->dir == IOREQ_READ)
            ne_reset(s);
        return 0;
    }
    if (off >= NE2K_DATA) {
        if (off == NE2K_DATA)
            return ne_data(s, req);
        s->garbage++;                   /* 0x11-0x17: nothing there */
        return ~0ull;
    }
    if (req->size != 1) {
        s->garbage++;                   /* the DP8390's registers are bytes */
        return ~0ull;
    }
    if (req->dir == IOREQ_READ)
        return ne_reg_read(s, off);
    ne_reg_write(s, off, (uint8_t)req->data);
    return 0;
}

static const struct dm_device_ops ne_ops = { .access = ne_access };

int ne2000_init(struct ne2000 *s, struct dm_host *h, uint16_t port, int irq, const uint8_t mac[6],
                const struct ne2000_wire *wire)
{
    __builtin_memset(s, 0, sizeof(*s));
    s->dev = (struct dm_device){ .name = "ne2k0", .ops = &ne_ops, .priv = s, .nr_ranges = 1, .irq = irq,
                                 .ranges = { { DM_RANGE_PORT, port, (uint64_t)port + NE2K_NR_PORTS - 1 } } };
    s->wire = *wire;
    __builtin_memcpy(s->mac, mac, 6);
    /* The station PROM as word-mode reads see it: each MAC byte twice, then 'W' 'W' (an NE2000). */
    for (int i = 0; i < 6; i++)
        s->prom[2 * i] = s->prom[2 * i + 1] = mac[i];
    for (int i = 14; i < 16; i++)
        s->prom[2 * i] = s->prom[2 * i + 1] = 'W';
    s->cr = NE_CR_STP | NE_CR_RD2;     /* as after a reset (ne_reset, less the line: not added yet) */
    s->isr = NE_ISR_RST;
    return dm_add(h, &s->dev);
}
