/*
 * ne2000.h: an emulated NE2000 network card for the device model
 * (pvdrivers/devmodel/ne2000.c, docs/devmodel.md "The emulated NIC"): the
 * ISA card QEMU offers as ne2k_isa, a National DP8390 with a station PROM
 * and 32 KiB of packet memory (card addresses 0x4000-0xbfff, pages
 * 0x40-0xbf) that the guest reaches only through the card's remote DMA on
 * its data port. Ports NE2K_PORT..+0x1f: the DP8390's registers (0x00-0x0f,
 * four pages chosen by CR), the data port (0x10) and the reset port
 * (0x18-0x1f); interrupt line NE2K_IRQ. No bus-master DMA: the card never
 * touches guest memory, so every guest value it uses is a card address,
 * kept inside the card's memory (a remote DMA or a ring pointer that points
 * anywhere else reads ones, writes nothing, receives nothing).
 *
 * Frames: what the guest transmits goes to `wire` (the driver domain's
 * switch, ne2000_switch.c); what arrives from it goes through
 * ne2000_receive into the receive ring, or waits in a small backlog while
 * the ring is full (as a real card's FIFO would not, but the switch may
 * hand over a burst faster than a polled guest drains it).
 */
#ifndef PV_DEVMODEL_NE2000_H
#define PV_DEVMODEL_NE2000_H

#include "devmodel.h"

#define NE2K_PORT       0x300
#define NE2K_NR_PORTS   0x20
#define NE2K_IRQ        9
#define NE2K_DATA       0x10    /* remote DMA data port (offset) */
#define NE2K_RESET      0x18    /* 0x18-0x1f: reading resets the card */

/* Registers, page 0 (write names; reads noted where they differ) */
#define NE_CR           0x00
#define NE_PSTART       0x01
#define NE_PSTOP        0x02
#define NE_BNRY         0x03
#define NE_TPSR         0x04    /* read: TSR */
#define NE_TBCR0        0x05
#define NE_TBCR1        0x06
#define NE_ISR          0x07
#define NE_RSAR0        0x08    /* read: CRDA0 */
#define NE_RSAR1        0x09
#define NE_RBCR0        0x0a
#define NE_RBCR1        0x0b
#define NE_RCR          0x0c    /* read: RSR */
#define NE_TCR          0x0d
#define NE_DCR          0x0e
#define NE_IMR          0x0f
/* page 1 */
#define NE_PAR0         0x01
#define NE_CURR         0x07
#define NE_MAR0         0x08

#define NE_CR_STP       0x01
#define NE_CR_STA       0x02
#define NE_CR_TXP       0x04
#define NE_CR_RD0       0x08    /* remote read */
#define NE_CR_RD1       0x10    /* remote write */
#define NE_CR_RD2       0x20    /* abort / complete remote DMA */
#define NE_CR_PS        0xc0
#define NE_ISR_PRX      0x01
#define NE_ISR_PTX      0x02
#define NE_ISR_RXE      0x04
#define NE_ISR_TXE      0x08
#define NE_ISR_OVW      0x10
#define NE_ISR_CNT      0x20
#define NE_ISR_RDC      0x40
#define NE_ISR_RST      0x80
#define NE_RCR_AB       0x04
#define NE_RCR_AM       0x08
#define NE_RCR_PRO      0x10
#define NE_RCR_MON      0x20
#define NE_TCR_LB       0x06    /* loopback modes */
#define NE_DCR_WTS      0x01    /* word-wide remote DMA */
#define NE_RSR_PRX      0x01
#define NE_RSR_PHY      0x20    /* multicast or broadcast */
#define NE_TSR_PTX      0x01
#define NE_TSR_ABT      0x08

#define NE2K_PROM_SIZE  32
#define NE2K_MEM_START  0x4000
#define NE2K_MEM_END    0xc000
#define NE2K_FRAME_MAX  1518    /* with the FCS a guest may count in */
#define NE2K_BACKLOG    16

/* Where transmitted frames go: 0, or -errno (counted as a transmit error, the guest sees TXE). */
struct ne2000_wire {
    int (*send)(void *ctx, const void *frame, size_t len);
    void *ctx;
};

struct ne2000 {
    struct dm_device dev;
    struct ne2000_wire wire;
    uint8_t mac[6];
    /* DP8390 registers */
    uint8_t cr, pstart, pstop, bnry, tpsr, isr, rcr, tcr, dcr, imr, tsr, rsr, curr;
    uint16_t tbcr, rsar, rbcr;
    uint8_t par[6], mar[8];
    uint8_t prom[NE2K_PROM_SIZE];
    uint8_t mem[NE2K_MEM_END - NE2K_MEM_START];
    /* frames waiting for ring space */
    unsigned int bl_head, bl_count;
    uint16_t bl_len[NE2K_BACKLOG];
    uint8_t bl[NE2K_BACKLOG][NE2K_FRAME_MAX];
    /* counters */
    uint64_t tx_frames, tx_errors, rx_frames, rx_filtered, rx_dropped, rx_ring_errors;
    uint64_t garbage;           /* accesses that made no sense (bad size, DMA not set up, outside the card's memory) */
};

/*
 * Set s up (its ports at `port`, interrupt `irq`, MAC `mac`, frames out to
 * *wire) and add it to h: 0 or dm_add's error. The card starts as after a
 * reset: stopped, ISR.RST.
 */
int ne2000_init(struct ne2000 *s, struct dm_host *h, uint16_t port, int irq, const uint8_t mac[6],
                const struct ne2000_wire *wire);
/*
 * A frame from the wire (without FCS): 0 when it is in the ring or the
 * backlog, or dropped by the card's address filter or because the card
 * is stopped or its ring is set up impossibly (counted); -EAGAIN when the
 * backlog is full too (dropped, counted).
 */
int ne2000_receive(struct ne2000 *s, const void *frame, size_t len);

#endif
