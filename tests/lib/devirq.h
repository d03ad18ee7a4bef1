/*
 * Device and interrupt helpers for the driver-domain test kernels (irq_*):
 * PCI configuration space through ports 0xcf8/0xcfc (the hypervisor
 * mediates them; PHYSDEVOP_set_iopl(1) first), a memory BAR mapped
 * uncached at pt.h's scratch window, and the pirq calls (map_pirq,
 * bind_pirq, eoi) with Xen's structures.
 *
 * Usage:
 *   dev_init();                                (pt_init, iopl 1; ERROR if either fails)
 *   if (!dev_find(0x1234, 0x11e8, &bdf)) test_skip(...);
 *   dev_enable(bdf);                            (memory decode + bus master)
 *   regs = dev_map_bar(bdf, 0, 1);              (first page of BAR0)
 *   dev_map_msi(bdf, 0, &pirq); dev_bind(pirq, &port); md_bind(port, handler);
 */
#ifndef TANDEM_TEST_DEVIRQ_H
#define TANDEM_TEST_DEVIRQ_H

#include "test.h"

#define DEV_BDF(bus, slot, fn) (((bus) << 8) | ((slot) << 3) | (fn))

#define EDU_VENDOR      0x1234
#define EDU_DEVICE      0x11e8
#define EDU_LIVENESS    0x04
#define EDU_STATUS      0x20
#define EDU_IRQ_STATUS  0x24
#define EDU_IRQ_RAISE   0x60
#define EDU_IRQ_ACK     0x64

bool dev_init(void);
uint32_t dev_conf_read(uint32_t bdf, unsigned int reg, unsigned int size);
void dev_conf_write(uint32_t bdf, unsigned int reg, unsigned int size, uint32_t val);
/* The nth function (0 first) on bus 0 with this vendor:device; false if none. */
bool dev_find_nth(uint16_t vendor, uint16_t device, unsigned int nth, uint32_t *bdf);
static inline bool dev_find(uint16_t vendor, uint16_t device, uint32_t *bdf)
{
    return dev_find_nth(vendor, device, 0, bdf);
}
void dev_enable(uint32_t bdf);
/* Machine address of memory BAR n (64-bit BARs included), 0 if none. */
uint64_t dev_bar_addr(uint32_t bdf, unsigned int n);
/* `pages` pages of BAR n mapped uncached and writable; NULL (and ERROR) on failure. */
volatile uint32_t *dev_map_bar(uint32_t bdf, unsigned int n, unsigned int pages);

/* PHYSDEVOP_map_pirq for our own domain; *pirq in: wanted or -1, out: given. 0 or -XEN_E*. */
long dev_map_gsi(int gsi, int *pirq);
long dev_map_msi(uint32_t bdf, int *pirq);
long dev_map_msix(uint32_t bdf, unsigned int entry, uint64_t table_base, int *pirq);
long dev_unmap(int pirq);
long dev_bind(int pirq, uint32_t *port);
long dev_eoi(int pirq);

/*
 * Which GSI does edu's INTA reach? Maps and binds GSIs 16-23 (pirq = GSI,
 * as Linux maps them; events on, multidom.h's md_init first), raises the
 * edu interrupt once and waits for the event; the others are closed and
 * unmapped. Returns the GSI (its port in *port, still bound, the line left
 * asserted and dev_gsi_hits[gsi] == 1), or -1 after reporting FAILURE.
 */
extern volatile unsigned long dev_gsi_hits[24], dev_gsi_total;
int dev_edu_intx_gsi(volatile uint32_t *edu_regs, uint32_t *port);

#endif
