/*
 * ide.h: an emulated ATA disk controller for the device model
 * (pvdrivers/devmodel/ide.c, docs/devmodel.md "The emulated disk"): the
 * primary channel of a PIIX IDE controller, its command block at
 * 0x1f0-0x1f7, its control register at 0x3f6, IRQ 14, one or two drives
 * (master, slave) each backed by a struct dm_blk, and its bus-master DMA
 * engine (PIIX BMDMA: command, status and PRD table registers) at a fixed
 * port range, IDE_BMDMA_PORT. ATA commands: READ/WRITE SECTORS (and EXT),
 * READ/WRITE DMA (and EXT), IDENTIFY DEVICE, FLUSH CACHE (and EXT), SET
 * FEATURES, INITIALIZE DEVICE PARAMETERS, READ VERIFY, idle/standby and
 * CHECK POWER MODE; any other command is aborted (ERR, ABRT).
 */
#ifndef PV_DEVMODEL_IDE_H
#define PV_DEVMODEL_IDE_H

#include "devmodel.h"

#define IDE_CMD_PORT    0x1f0   /* data .. command/status: 8 ports */
#define IDE_CTL_PORT    0x3f6   /* device control / alternate status */
#define IDE_IRQ         14
#define IDE_BMDMA_PORT  0xc000  /* BMDMA of the primary channel: 8 ports (PIIX BAR4's first half) */

/* ATA status and error bits */
#define ATA_SR_BSY      0x80
#define ATA_SR_DRDY     0x40
#define ATA_SR_DF       0x20
#define ATA_SR_DSC      0x10
#define ATA_SR_DRQ      0x08
#define ATA_SR_ERR      0x01
#define ATA_ER_UNC      0x40
#define ATA_ER_IDNF     0x10
#define ATA_ER_ABRT     0x04
/* device control */
#define ATA_CTL_NIEN    0x02
#define ATA_CTL_SRST    0x04
/* BMDMA command and status */
#define BM_CMD_START    0x01
#define BM_CMD_READ     0x08    /* the device writes memory (an ATA read) */
#define BM_ST_ACTIVE    0x01
#define BM_ST_ERROR     0x02
#define BM_ST_IRQ       0x04
#define BM_ST_DMA0      0x20
#define BM_ST_DMA1      0x40
#define BM_PRD_MAX      512     /* PRD entries walked per transfer (a 4 KiB table) */

/* ATA commands */
#define ATA_READ_SECTORS        0x20
#define ATA_READ_SECTORS_EXT    0x24
#define ATA_READ_DMA_EXT        0x25
#define ATA_WRITE_SECTORS       0x30
#define ATA_WRITE_SECTORS_EXT   0x34
#define ATA_WRITE_DMA_EXT       0x35
#define ATA_READ_VERIFY         0x40
#define ATA_READ_VERIFY_EXT     0x42
#define ATA_INIT_DEV_PARAMS     0x91
#define ATA_READ_DMA            0xc8
#define ATA_WRITE_DMA           0xca
#define ATA_STANDBY_IMMEDIATE   0xe0
#define ATA_IDLE_IMMEDIATE      0xe1
#define ATA_STANDBY             0xe2
#define ATA_IDLE                0xe3
#define ATA_CHECK_POWER_MODE    0xe5
#define ATA_FLUSH_CACHE         0xe7
#define ATA_FLUSH_CACHE_EXT     0xea
#define ATA_IDENTIFY            0xec
#define ATA_SET_FEATURES        0xef

#define IDE_MAX_SECTORS 8       /* PIO buffer / DMA bounce: sectors at a time */

struct ide_drive {
    struct dm_blk *blk;         /* NULL: no drive */
    char serial[21];
    /* counters */
    uint64_t reads, writes, flushes, errors;
};

struct ide_state {
    struct dm_device dev;
    struct ide_drive drive[2];
    /* task file (hob: the previous byte written, for 48-bit commands) */
    uint8_t feature, nsector, lba0, lba1, lba2;
    uint8_t hob_nsector, hob_lba0, hob_lba1, hob_lba2;
    uint8_t select, status, error, control, cmd;
    uint8_t xdrv;               /* the drive of the command in progress */
    /* the transfer in progress */
    bool pio_in, pio_out;       /* DRQ phase of a PIO read / write */
    bool dma_pending;           /* a DMA command waits for the BMDMA start bit */
    bool dma_write;             /* it writes the disk */
    uint64_t lba;               /* next sector */
    uint32_t remaining;         /* sectors left after the one in buf */
    uint32_t pos, len;          /* bytes of buf moved / in this block */
    uint8_t buf[IDE_MAX_SECTORS * 512];
    /* BMDMA */
    uint8_t bm_cmd, bm_status;
    uint32_t bm_prd;
    /* counters */
    uint64_t garbage;           /* accesses that made no sense in the state (ignored) */
    uint64_t dma_errors;
};

/*
 * Set s up with its drives (master, slave: NULL for none; at least one) and
 * add it to h: 0 or dm_add's error. serial: IDENTIFY's serial of each (up
 * to 20 characters; NULL: "TANDEM000N").
 */
int ide_init(struct ide_state *s, struct dm_host *h, struct dm_blk *master, struct dm_blk *slave,
             const char *serial0, const char *serial1);

#endif
