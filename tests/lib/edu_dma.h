/*
 * QEMU's edu device from a driver domain, for the DMA tests: found through
 * configuration space (ports 0xcf8/0xcfc after PHYSDEVOP_set_iopl 1, which
 * the hypervisor mediates), BAR0 mapped uncached with mmu_update, and its
 * DMA engine (64-byte copies between RAM at a machine address and the
 * device's buffer). The caller has run pt_init().
 */
#ifndef TANDEM_TEST_EDU_DMA_H
#define TANDEM_TEST_EDU_DMA_H

#include "test.h"

#define EDU_DMA_BYTES 64

/* Find edu on bus 0, enable memory decode and bus mastering, map BAR0; false (ERROR reported) if not. */
bool edu_open(void);
/* Bus/device/function of the edu found, as "BB:DD.F" in buf (16 bytes). */
const char *edu_bdf(char *buf);
/* One DMA of EDU_DMA_BYTES: RAM at machine address `maddr` -> the device buffer, or the other way. */
bool edu_dma_from_ram(uint64_t maddr);
bool edu_dma_to_ram(uint64_t maddr);

#endif
