/*
 * The emulated ATA disk controller (ide.h, docs/devmodel.md "The emulated
 * disk"). Every transfer is synchronous: the guest's vCPU waits on its I/O
 * request while the device model reads or writes the backend, so a
 * command's data is ready (DRQ) or its DMA done by the time the access
 * that started it completes. PIO moves one sector per DRQ block (no READ
 * MULTIPLE), with an interrupt per block as ATA's PIO protocols have it;
 * DMA walks the PRD table in guest memory through dm_copy_*_guest, a
 * fault or a table too short for the transfer an error status
 * (BMDMA ERROR, ATA ERR+ABRT) with nothing written outside the guest.
 */
#include "ide.h"
#include <tandem/errno.h>

static struct ide_drive *cur(struct ide_state *s)
{
    return &s->drive[(s->select >> 4) & 1];
}

/* The drive of the command in progress (the guest may select the other one meanwhile). */
static struct ide_drive *xd(struct ide_state *s)
{
    return &s->drive[s->xdrv];
}

static bool present(struct ide_state *s)
{
    return cur(s)->blk != NULL;
}

/* The line is the pending interrupt unless nIEN masks it (ATA: INTRQ is tri-stated). */
static bool irq_pending_flag(struct ide_state *s)
{
    return s->bm_status & 0x80;         /* bit 7 of bm_status is reserved: kept 0 to the guest */
}

static void update_irq(struct ide_state *s)
{
    dm_set_irq(&s->dev, irq_pending_flag(s) && !(s->control & ATA_CTL_NIEN));
}

static void raise(struct ide_state *s)
{
    s->bm_status |= 0x80;
    update_irq(s);
}

static void lower(struct ide_state *s)
{
    s->bm_status &= (uint8_t)~0x80;
    update_irq(s);
}

static void stop_transfer(struct ide_state *s)
{
    s->pio_in = s->pio_out = s->dma_pending = false;
    s->pos = s->len = 0;
    s->remaining = 0;
}

static void done(struct ide_state *s)
{
    stop_transfer(s);
    s->status = ATA_SR_DRDY | ATA_SR_DSC;
    raise(s);
}

static void fail(struct ide_state *s, uint8_t error)
{
    stop_transfer(s);
    s->error = error;
    s->status = ATA_SR_DRDY | ATA_SR_ERR;
    xd(s)->errors++;
    raise(s);
}

static void reset_regs(struct ide_state *s)
{
    stop_transfer(s);
    s->error = 0x01;                    /* diagnostic: device 0 passed */
    s->nsector = s->lba0 = 1;
    s->lba1 = s->lba2 = 0;
    s->hob_nsector = s->hob_lba0 = s->hob_lba1 = s->hob_lba2 = 0;
    s->feature = 0;
    s->select = 0xa0;
    s->status = ATA_SR_DRDY | ATA_SR_DSC;
    lower(s);
}

/* ---- IDENTIFY DEVICE ---- */

static void id_string(uint16_t *w, unsigned int words, const char *str)
{
    char c[80];
    unsigned int n = 0;

    for (; n < words * 2; n++)
        c[n] = ' ';
    for (n = 0; str && str[n] && n < words * 2; n++)
        c[n] = str[n];
    for (unsigned int i = 0; i < words; i++)
        w[i] = (uint16_t)(((uint8_t)c[2 * i] << 8) | (uint8_t)c[2 * i + 1]);
}

static void identify(struct ide_state *s)
{
    struct ide_drive *d = cur(s);
    uint16_t *w = (uint16_t *)(void *)s->buf;
    uint64_t n = d->blk->sectors;
    uint32_t lba28 = n > 0x0fffffffULL ? 0x0fffffffU : (uint32_t)n;
    uint64_t cyl = n / (16 * 63);

    __builtin_memset(s->buf, 0, 512);
    if (cyl > 16383)
        cyl = 16383;
    w[0] = 0x0040;                      /* fixed disk */
    w[1] = (uint16_t)cyl;
    w[3] = 16;
    w[6] = 63;
    id_string(&w[10], 10, d->serial);
    id_string(&w[23], 4, "1.0");
    id_string(&w[27], 20, "TANDEM HARDDISK");
    w[47] = 0x8000;                     /* READ/WRITE MULTIPLE: not offered */
    w[49] = (1 << 9) | (1 << 8);        /* LBA, DMA */
    w[53] = 0x0006;                     /* words 64-70 and 88 valid */
    w[54] = (uint16_t)cyl;
    w[55] = 16;
    w[56] = 63;
    w[57] = (uint16_t)(cyl * 16 * 63);
    w[58] = (uint16_t)((cyl * 16 * 63) >> 16);
    w[60] = (uint16_t)lba28;
    w[61] = (uint16_t)(lba28 >> 16);
    w[63] = 0x0407;                     /* multiword DMA 0-2 supported, 2 selected */
    w[64] = 0x0003;                     /* PIO 3, 4 */
    w[65] = w[66] = w[67] = w[68] = 120;
    w[80] = 0x00f0;                     /* ATA/ATAPI-4 to -7 */
    w[82] = (1 << 14);                  /* NOP... word 82: nothing optional but */
    w[83] = (1 << 14) | (1 << 13) | (1 << 12) | (1 << 10);  /* FLUSH EXT, FLUSH, 48-bit */
    w[84] = (1 << 14);
    w[85] = w[82];
    w[86] = (1 << 13) | (1 << 12) | (1 << 10);
    w[87] = (1 << 14);
    w[88] = 0x003f;                     /* UDMA 0-5 supported, none selected */
    w[100] = (uint16_t)n;
    w[101] = (uint16_t)(n >> 16);
    w[102] = (uint16_t)(n >> 32);
    w[103] = (uint16_t)(n >> 48);
    s->pio_in = true;
    s->pos = 0;
    s->len = 512;
    s->remaining = 1;
    s->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;
    raise(s);
}

/* ---- PIO ---- */

/* The next sector of a PIO read into buf (DRQ) or the error. */
static void pio_load(struct ide_state *s)
{
    struct ide_drive *d = xd(s);

    if (d->blk->read(d->blk, s->lba, s->buf, 1)) {
        fail(s, ATA_ER_UNC);
        return;
    }
    d->reads++;
    s->pio_in = true;
    s->pos = 0;
    s->len = 512;
    s->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;
    raise(s);
}

static void pio_block_read(struct ide_state *s)
{
    s->lba++;
    if (--s->remaining == 0) {
        s->pio_in = false;
        s->status = ATA_SR_DRDY | ATA_SR_DSC;   /* no interrupt after the last block of a read */
        return;
    }
    pio_load(s);
}

static void pio_block_written(struct ide_state *s)
{
    struct ide_drive *d = xd(s);

    if (d->blk->write(d->blk, s->lba, s->buf, 1)) {
        fail(s, ATA_ER_UNC);
        return;
    }
    d->writes++;
    s->lba++;
    s->pos = 0;
    if (--s->remaining == 0) {
        done(s);
        return;
    }
    s->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;
    raise(s);
}

static uint32_t data_read(struct ide_state *s, unsigned int size)
{
    uint32_t v = 0;

    if (!s->pio_in) {
        s->garbage++;
        return 0xffffffffU;
    }
    for (unsigned int i = 0; i < size && s->pos < s->len; i++)
        v |= (uint32_t)s->buf[s->pos++] << (8 * i);
    if (s->pos >= s->len)
        pio_block_read(s);
    return v;
}

static void data_write(struct ide_state *s, unsigned int size, uint32_t v)
{
    if (!s->pio_out) {
        s->garbage++;
        return;
    }
    for (unsigned int i = 0; i < size && s->pos < s->len; i++)
        s->buf[s->pos++] = (uint8_t)(v >> (8 * i));
    if (s->pos >= s->len)
        pio_block_written(s);
}

/* ---- commands ---- */

/* The command's first sector and count from the task file; false (aborted) if they are unusable. */
static bool task_range(struct ide_state *s, bool ext, uint64_t *lba, uint32_t *count)
{
    uint64_t n = xd(s)->blk->sectors;

    if (ext) {
        *lba = (uint64_t)s->lba0 | (uint64_t)s->lba1 << 8 | (uint64_t)s->lba2 << 16 |
               (uint64_t)s->hob_lba0 << 24 | (uint64_t)s->hob_lba1 << 32 | (uint64_t)s->hob_lba2 << 40;
        *count = (uint32_t)s->nsector | (uint32_t)s->hob_nsector << 8;
        if (!*count)
            *count = 65536;
    } else {
        if (s->select & 0x40) {
            *lba = (uint64_t)s->lba0 | (uint64_t)s->lba1 << 8 | (uint64_t)s->lba2 << 16 |
                   (uint64_t)(s->select & 0x0f) << 24;
        } else {                        /* CHS, in the geometry IDENTIFY gives: 16 heads, 63 sectors */
            uint32_t cyl = (uint32_t)s->lba1 | (uint32_t)s->lba2 << 8, head = s->select & 0x0f;
            if (!s->lba0 || s->lba0 > 63) {
                fail(s, ATA_ER_IDNF);
                return false;
            }
            *lba = ((uint64_t)cyl * 16 + head) * 63 + s->lba0 - 1;
        }
        *count = s->nsector ? s->nsector : 256;
    }
    if (*lba >= n || *count > n - *lba) {
        fail(s, ATA_ER_IDNF);
        return false;
    }
    return true;
}

static void dma_run(struct ide_state *s);

static void command(struct ide_state *s, uint8_t cmd)
{
    struct ide_drive *d = cur(s);
    bool ext = false, write = false;
    uint32_t count;
    uint64_t lba;

    if (!present(s)) {
        s->garbage++;                   /* no drive answers: the command goes nowhere */
        return;
    }
    stop_transfer(s);                   /* a new command ends the one in progress */
    lower(s);
    s->xdrv = (s->select >> 4) & 1;
    s->cmd = cmd;
    s->error = 0;
    switch (cmd) {
    case ATA_IDENTIFY:
        identify(s);
        return;
    case ATA_READ_SECTORS_EXT:
        ext = true;
        /* fall through */
    case ATA_READ_SECTORS:
    case ATA_READ_SECTORS + 1:
        if (!task_range(s, ext, &lba, &count))
            return;
        s->lba = lba;
        s->remaining = count;
        pio_load(s);
        return;
    case ATA_WRITE_SECTORS_EXT:
        ext = true;
        /* fall through */
    case ATA_WRITE_SECTORS:
    case ATA_WRITE_SECTORS + 1:
        if (d->blk->readonly) {
            fail(s, ATA_ER_ABRT);
            return;
        }
        if (!task_range(s, ext, &lba, &count))
            return;
        s->lba = lba;
        s->remaining = count;
        s->pio_out = true;
        s->pos = 0;
        s->len = 512;
        s->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;   /* the first block: no interrupt */
        return;
    case ATA_WRITE_DMA_EXT:
        ext = true;
        /* fall through */
    case ATA_WRITE_DMA:
        write = true;
        goto dma;
    case ATA_READ_DMA_EXT:
        ext = true;
        /* fall through */
    case ATA_READ_DMA:
    dma:
        if (write && d->blk->readonly) {
            fail(s, ATA_ER_ABRT);
            return;
        }
        if (!task_range(s, ext, &lba, &count))
            return;
        s->lba = lba;
        s->remaining = count;
        s->dma_pending = true;
        s->dma_write = write;
        s->status = ATA_SR_DRDY | ATA_SR_DSC | ATA_SR_DRQ;
        if (s->bm_cmd & BM_CMD_START)
            dma_run(s);
        return;
    case ATA_READ_VERIFY_EXT:
        ext = true;
        /* fall through */
    case ATA_READ_VERIFY:
    case ATA_READ_VERIFY + 1:
        if (task_range(s, ext, &lba, &count))
            done(s);
        return;
    case ATA_FLUSH_CACHE:
    case ATA_FLUSH_CACHE_EXT:
        if (d->blk->flush && d->blk->flush(d->blk)) {
            fail(s, ATA_ER_ABRT);
            return;
        }
        d->flushes++;
        done(s);
        return;
    case ATA_CHECK_POWER_MODE:
        s->nsector = 0xff;              /* active or idle */
        done(s);
        return;
    case ATA_SET_FEATURES:
    case ATA_INIT_DEV_PARAMS:
    case ATA_STANDBY_IMMEDIATE:
    case ATA_IDLE_IMMEDIATE:
    case ATA_STANDBY:
    case ATA_IDLE:
        done(s);
        return;
    default:
        fail(s, ATA_ER_ABRT);
        return;
    }
}

/* ---- bus-master DMA ---- */

struct prd_cursor {
    unsigned int index;         /* entries fetched */
    uint64_t addr;              /* of the current entry's next byte */
    uint32_t left;              /* bytes left in it */
    bool eot;                   /* the current entry is the last */
};

/* Move len bytes between buf and the PRD's memory: 0, -EFAULT (a frame not the guest's), -ENOSPC (table ended). */
static int prd_move(struct ide_state *s, struct prd_cursor *c, uint8_t *buf, uint32_t len, bool to_guest)
{
    while (len) {
        uint32_t n;
        int rc;

        if (!c->left) {
            uint32_t e[2];
            if (c->eot || c->index == BM_PRD_MAX)
                return -XEN_ENOSPC;
            if (dm_copy_from_guest(&s->dev, e, (uint64_t)s->bm_prd + 8ULL * c->index, sizeof(e)))
                return -XEN_EFAULT;
            c->index++;
            c->addr = e[0] & ~1U;
            c->left = (e[1] & 0xfffe) ? (e[1] & 0xfffe) : 0x10000;
            c->eot = e[1] >> 31;
        }
        n = len < c->left ? len : c->left;
        rc = to_guest ? dm_copy_to_guest(&s->dev, c->addr, buf, n) : dm_copy_from_guest(&s->dev, buf, c->addr, n);
        if (rc)
            return rc;
        c->addr += n;
        c->left -= n;
        buf += n;
        len -= n;
    }
    return 0;
}

static void dma_run(struct ide_state *s)
{
    struct ide_drive *d = xd(s);
    struct prd_cursor c = { 0 };
    uint8_t error = 0;

    s->dma_pending = false;
    while (s->remaining) {
        uint32_t n = s->remaining < IDE_MAX_SECTORS ? s->remaining : IDE_MAX_SECTORS;
        int rc;

        if (s->dma_write) {
            if ((rc = prd_move(s, &c, s->buf, n * 512, false)) != 0) {
                error = ATA_ER_ABRT;
                break;
            }
            if (d->blk->write(d->blk, s->lba, s->buf, n)) {
                error = ATA_ER_UNC;
                break;
            }
            d->writes++;
        } else {
            if (d->blk->read(d->blk, s->lba, s->buf, n)) {
                error = ATA_ER_UNC;
                break;
            }
            d->reads++;
            if ((rc = prd_move(s, &c, s->buf, n * 512, true)) != 0) {
                error = ATA_ER_ABRT;
                break;
            }
        }
        s->lba += n;
        s->remaining -= n;
    }
    s->bm_status &= (uint8_t)~BM_ST_ACTIVE;
    s->bm_status |= BM_ST_IRQ;
    if (error) {
        s->bm_status |= BM_ST_ERROR;
        s->dma_errors++;
        fail(s, error);
    } else {
        done(s);
    }
}

static uint8_t bm_read(struct ide_state *s, unsigned int off)
{
    switch (off) {
    case 0: return s->bm_cmd;
    case 2: return s->bm_status & 0x7f;
    case 4: case 5: case 6: case 7: return (uint8_t)(s->bm_prd >> (8 * (off - 4)));
    default: return 0;
    }
}

static void bm_write(struct ide_state *s, unsigned int off, uint8_t v)
{
    switch (off) {
    case 0: {
        bool start = v & BM_CMD_START, was = s->bm_cmd & BM_CMD_START;
        s->bm_cmd = v & (BM_CMD_START | BM_CMD_READ);
        if (start && !was) {
            s->bm_status |= BM_ST_ACTIVE;
            if (s->dma_pending)
                dma_run(s);
        } else if (!start) {
            s->bm_status &= (uint8_t)~BM_ST_ACTIVE;
        }
        return;
    }
    case 2:
        s->bm_status = (uint8_t)((s->bm_status & (0x80 | BM_ST_ACTIVE)) | (v & (BM_ST_DMA0 | BM_ST_DMA1)) |
                                 (s->bm_status & (BM_ST_ERROR | BM_ST_IRQ) & ~v));
        return;
    case 4: case 5: case 6: case 7: {
        unsigned int sh = 8 * (off - 4);
        s->bm_prd = (s->bm_prd & ~(0xffU << sh)) | ((uint32_t)v << sh);
        s->bm_prd &= ~3U;
        return;
    }
    default:
        s->garbage++;
        return;
    }
}

/* ---- registers ---- */

static uint8_t reg_read(struct ide_state *s, unsigned int r)
{
    bool hob = s->control & 0x80;

    if (s->control & ATA_CTL_SRST)
        return r == 7 ? ATA_SR_BSY : 0;
    if (!present(s))
        return 0;                       /* the selected drive is not there */
    switch (r) {
    case 1: return s->error;
    case 2: return hob ? s->hob_nsector : s->nsector;
    case 3: return hob ? s->hob_lba0 : s->lba0;
    case 4: return hob ? s->hob_lba1 : s->lba1;
    case 5: return hob ? s->hob_lba2 : s->lba2;
    case 6: return s->select;
    case 7:
        lower(s);                       /* reading Status acknowledges the interrupt */
        return s->status;
    default: return 0;
    }
}

static void reg_write(struct ide_state *s, unsigned int r, uint8_t v)
{
    s->control &= 0x7f;                 /* a write to the command block clears HOB */
    switch (r) {
    case 1: s->feature = v; break;
    case 2: s->hob_nsector = s->nsector; s->nsector = v; break;
    case 3: s->hob_lba0 = s->lba0; s->lba0 = v; break;
    case 4: s->hob_lba1 = s->lba1; s->lba1 = v; break;
    case 5: s->hob_lba2 = s->lba2; s->lba2 = v; break;
    case 6: s->select = v | 0xa0; break;
    case 7:
        if (s->control & ATA_CTL_SRST)
            s->garbage++;
        else
            command(s, v);
        break;
    }
}

static void control_write(struct ide_state *s, uint8_t v)
{
    bool was = s->control & ATA_CTL_SRST;

    s->control = v & (0x80 | ATA_CTL_SRST | ATA_CTL_NIEN);
    if (v & ATA_CTL_SRST) {
        stop_transfer(s);
        s->status = ATA_SR_BSY;
        lower(s);
    } else if (was) {
        reset_regs(s);                  /* SRST released: both drives reset */
    }
    update_irq(s);
}

static uint64_t ide_access(struct dm_device *dev, const struct ioreq *req)
{
    struct ide_state *s = dev->priv;
    uint32_t port = (uint32_t)req->addr, size = req->size, data = (uint32_t)req->data;
    bool read = req->dir == IOREQ_READ;
    uint64_t v = 0;

    if (port >= IDE_BMDMA_PORT && port < IDE_BMDMA_PORT + 8) {
        for (unsigned int i = 0; i < size; i++) {
            unsigned int off = port - IDE_BMDMA_PORT + i;
            if (read)
                v |= (uint64_t)bm_read(s, off) << (8 * i);
            else
                bm_write(s, off, (uint8_t)(data >> (8 * i)));
        }
        return v;
    }
    if (port == IDE_CTL_PORT) {
        if (read)
            return (s->control & ATA_CTL_SRST) ? ATA_SR_BSY : present(s) ? s->status : 0;
        control_write(s, (uint8_t)data);
        return 0;
    }
    if (port == IDE_CMD_PORT && size > 1) {
        if (read)
            return data_read(s, size);
        data_write(s, size, data);
        return 0;
    }
    if (size != 1 || port == IDE_CMD_PORT) {    /* a byte of the data register, or a wide access elsewhere */
        s->garbage++;
        return read ? 0xffffffffU : 0;
    }
    if (read)
        return reg_read(s, port - IDE_CMD_PORT);
    reg_write(s, port - IDE_CMD_PORT, (uint8_t)data);
    return 0;
}

static const struct dm_device_ops ide_ops = { .access = ide_access };

int ide_init(struct ide_state *s, struct dm_host *h, struct dm_blk *master, struct dm_blk *slave,
             const char *serial0, const char *serial1)
{
    const char *serials[2] = { serial0, serial1 };
    struct dm_blk *blks[2] = { master, slave };

    if (!master && !slave)
        return -XEN_EINVAL;
    __builtin_memset(s, 0, sizeof(*s));
    for (unsigned int i = 0; i < 2; i++) {
        const char *src = serials[i] ? serials[i] : i ? "TANDEM0001" : "TANDEM0000";
        unsigned int n = 0;
        s->drive[i].blk = blks[i];
        for (; src[n] && n < 20; n++)
            s->drive[i].serial[n] = src[n];
        s->drive[i].serial[n] = 0;
    }
    s->dev = (struct dm_device){
        .name = "ide0", .ops = &ide_ops, .priv = s, .nr_ranges = 3, .irq = IDE_IRQ,
        .ranges = { { DM_RANGE_PORT, IDE_CMD_PORT, IDE_CMD_PORT + 7 },
                    { DM_RANGE_PORT, IDE_CTL_PORT, IDE_CTL_PORT },
                    { DM_RANGE_PORT, IDE_BMDMA_PORT, IDE_BMDMA_PORT + 7 } },
    };
    s->bm_status = BM_ST_DMA0 | (slave ? BM_ST_DMA1 : 0);
    reset_regs(s);
    if (!master)
        s->select = 0xb0;
    return dm_add(h, &s->dev);
}
