/*
 * PCI configuration access for the io_* test kernels: port I/O that may
 * fault (#GP records in last_trap; traps_set_exceptions() first), and
 * mechanism-1 configuration reads/writes through 0xcf8/0xcfc, which the
 * hypervisor mediates (docs/devices.md).
 */
#ifndef TANDEM_TEST_PCICFG_H
#define TANDEM_TEST_PCICFG_H

#include "traps.h"

#define PCICFG_BDF(bus, dev, fn) (((bus) << 8) | ((dev) << 3) | (fn))

/* Port I/O; *faulted (may be NULL) says whether it took an exception instead. */
uint32_t pio_in(unsigned int port, unsigned int size, bool *faulted);
void pio_out(unsigned int port, unsigned int size, uint32_t val, bool *faulted);

/* PHYSDEVOP_set_iopl. */
long pcicfg_set_iopl(unsigned int iopl);

uint32_t pcicfg_read(unsigned int bdf, unsigned int reg, unsigned int size);
void pcicfg_write(unsigned int bdf, unsigned int reg, unsigned int size, uint32_t val);
/* The first bus-0 function with vendor:device, or -1. */
int pcicfg_find(uint16_t vendor, uint16_t device);
/* Offset of capability `id` (0: none). */
unsigned int pcicfg_cap(unsigned int bdf, unsigned int id);

#endif
