/*
 * QEMU fw_cfg through its x86 I/O ports (docs/specs/fw_cfg.txt in QEMU):
 * selector 0x510, data 0x511, DMA address 0x514. Items are read with DMA
 * when QEMU offers it, else byte by byte. Needs boot services only for
 * fwcfg_init()'s directory copy.
 */
#ifndef TANDEM_FWCFG_H
#define TANDEM_FWCFG_H

#include <efi.h>

/* TRUE when running in a VM that has fw_cfg (QEMU). */
BOOLEAN fwcfg_present(void);

/*
 * Probes the device and caches the file directory. Returns FALSE when there
 * is no fw_cfg (real hardware); the other calls then find nothing.
 */
BOOLEAN fwcfg_init(void);

/* TRUE if the DMA interface is in use (for the progress line). */
BOOLEAN fwcfg_has_dma(void);

/* Looks up a file by its full name ("opt/tandem/mod0"): FALSE if absent. */
BOOLEAN fwcfg_find(const char *name, UINT16 *select, UINT32 *size);

/* Reads the first len bytes of item `select` into buf (identity-mapped). */
void fwcfg_read(UINT16 select, void *buf, UINT32 len);

#endif
