/*
 * The modern virtio-pci transport (virtio 1.x 4.1): the vendor
 * capabilities say where in which BAR the common configuration, the
 * notification area, the ISR byte and the device configuration live; we
 * map those regions uncached and drive the status handshake of 3.1.1
 * (reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK, queues, DRIVER_OK).
 */
#include "virtio.h"
#include <tandem/errno.h>

/* PCI configuration space. */
#define PCI_COMMAND             0x04
#define PCI_COMMAND_MEMORY      0x2
#define PCI_COMMAND_MASTER      0x4
#define PCI_STATUS              0x06
#define PCI_STATUS_CAP_LIST     0x10
#define PCI_BAR0                0x10
#define PCI_CAP_PTR             0x34
#define PCI_CAP_ID_VNDR         0x09
#define PCI_CAP_ID_MSIX         0x11

/* struct virtio_pci_cap (4.1.4): cfg_type, bar, offset, length; the notify cap adds the multiplier. */
#define VCAP_CFG_TYPE   3
#define VCAP_BAR        4
#define VCAP_OFFSET     8
#define VCAP_LENGTH     12
#define VCAP_NOTIFY_MULT 16
#define VIRTIO_PCI_CAP_COMMON   1
#define VIRTIO_PCI_CAP_NOTIFY   2
#define VIRTIO_PCI_CAP_ISR      3
#define VIRTIO_PCI_CAP_DEVICE   4

/* struct virtio_pci_common_cfg (4.1.4.3). */
#define VC_DFSELECT     0x00
#define VC_DF           0x04
#define VC_GFSELECT     0x08
#define VC_GF           0x0c
#define VC_MSIX_CONFIG  0x10
#define VC_NUM_QUEUES   0x12
#define VC_STATUS       0x14
#define VC_GENERATION   0x15
#define VC_Q_SELECT     0x16
#define VC_Q_SIZE       0x18
#define VC_Q_MSIX       0x1a
#define VC_Q_ENABLE     0x1c
#define VC_Q_NOTIFY_OFF 0x1e
#define VC_Q_DESC       0x20
#define VC_Q_DRIVER     0x28
#define VC_Q_DEVICE     0x30

#define RESET_TRIES     1000000

static inline uint8_t rd8(volatile uint8_t *b, unsigned int off) { return b[off]; }
static inline uint16_t rd16(volatile uint8_t *b, unsigned int off) { return *(volatile uint16_t *)(b + off); }
static inline uint32_t rd32(volatile uint8_t *b, unsigned int off) { return *(volatile uint32_t *)(b + off); }
static inline void wr8(volatile uint8_t *b, unsigned int off, uint8_t v) { b[off] = v; }
static inline void wr16(volatile uint8_t *b, unsigned int off, uint16_t v) { *(volatile uint16_t *)(b + off) = v; }
static inline void wr32(volatile uint8_t *b, unsigned int off, uint32_t v) { *(volatile uint32_t *)(b + off) = v; }

/* A 64-bit register as two 32-bit halves, low first (4.1.3.1 lets the driver do so). */
static void wr64(volatile uint8_t *b, unsigned int off, uint64_t v)
{
    wr32(b, off, (uint32_t)v);
    wr32(b, off + 4, (uint32_t)(v >> 32));
}

/* The machine address memory BAR `bar` decodes; 0 for an I/O BAR or an unassigned one. */
static uint64_t bar_base(uint32_t sbdf, unsigned int bar)
{
    uint32_t lo = pvos_pci_conf_read(sbdf, PCI_BAR0 + 4 * bar, 4);
    uint64_t base = lo & ~0xfULL;

    if (lo & 1)
        return 0;
    if (((lo >> 1) & 3) == 2 && bar < 5)
        base |= (uint64_t)pvos_pci_conf_read(sbdf, PCI_BAR0 + 4 * (bar + 1), 4) << 32;
    return base;
}

/* Map the region a vendor capability at `cap` describes; NULL with *err set on failure. */
static volatile uint8_t *map_cap(uint32_t sbdf, unsigned int cap, uint32_t *len, int *err)
{
    unsigned int bar = pvos_pci_conf_read(sbdf, cap + VCAP_BAR, 1);
    uint32_t off = pvos_pci_conf_read(sbdf, cap + VCAP_OFFSET, 4);
    uint64_t base;

    *len = pvos_pci_conf_read(sbdf, cap + VCAP_LENGTH, 4);
    if (bar > 5 || !(base = bar_base(sbdf, bar)) || !*len) {
        *err = -XEN_ENODEV;
        return NULL;
    }
    return pvos_mmio_map(base + off, *len, err);
}

/* Walk the capability list: map the four virtio regions, note the MSI-X table size. */
static int find_caps(struct virtio_pci *vp)
{
    unsigned int cap, guard = 0;
    int err = 0;

    if (!(pvos_pci_conf_read(vp->sbdf, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST))
        return -XEN_ENODEV;
    for (cap = pvos_pci_conf_read(vp->sbdf, PCI_CAP_PTR, 1) & 0xfc; cap && guard < 48 && !err;
         cap = pvos_pci_conf_read(vp->sbdf, cap + 1, 1) & 0xfc, guard++) {
        unsigned int id = pvos_pci_conf_read(vp->sbdf, cap, 1), type;
        volatile uint8_t **slot = NULL;
        uint32_t len;

        if (id == PCI_CAP_ID_MSIX)
            vp->nr_vectors = (pvos_pci_conf_read(vp->sbdf, cap + 2, 2) & 0x7ff) + 1;
        if (id != PCI_CAP_ID_VNDR)
            continue;
        type = pvos_pci_conf_read(vp->sbdf, cap + VCAP_CFG_TYPE, 1);
        if (type == VIRTIO_PCI_CAP_COMMON)
            slot = &vp->common;
        else if (type == VIRTIO_PCI_CAP_NOTIFY)
            slot = &vp->notify;
        else if (type == VIRTIO_PCI_CAP_ISR)
            slot = &vp->isr;
        else if (type == VIRTIO_PCI_CAP_DEVICE)
            slot = &vp->device;
        if (!slot || *slot)
            continue;           /* unknown types, and all but the first of a type (4.1.4) */
        *slot = map_cap(vp->sbdf, cap, &len, &err);
        if (type == VIRTIO_PCI_CAP_NOTIFY)
            vp->notify_mult = pvos_pci_conf_read(vp->sbdf, cap + VCAP_NOTIFY_MULT, 4);
        if (type == VIRTIO_PCI_CAP_DEVICE)
            vp->device_len = len;
    }
    if (err)
        return err;
    return vp->common && vp->notify && vp->isr ? 0 : -XEN_ENODEV;
}

uint8_t virtio_pci_status(struct virtio_pci *vp)
{
    return rd8(vp->common, VC_STATUS);
}

static void set_status(struct virtio_pci *vp, uint8_t bits)
{
    wr8(vp->common, VC_STATUS, (uint8_t)(rd8(vp->common, VC_STATUS) | bits));
}

void virtio_pci_reset(struct virtio_pci *vp)
{
    wr8(vp->common, VC_STATUS, 0);
}

int virtio_pci_init(struct virtio_pci *vp, uint32_t sbdf)
{
    uint32_t cmd;
    int rc;

    *vp = (struct virtio_pci){ .sbdf = sbdf };
    for (unsigned int i = 0; i < VIRTIO_PCI_MAX_VECTORS; i++)
        vp->port[i] = -1;
    if ((rc = find_caps(vp)))
        return rc;
    cmd = pvos_pci_conf_read(sbdf, PCI_COMMAND, 2);
    pvos_pci_conf_write(sbdf, PCI_COMMAND, 2, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    virtio_pci_reset(vp);
    /* 4.1.4.3.2: the reset is done when the status reads 0 again. */
    for (unsigned int i = 0; rd8(vp->common, VC_STATUS); i++)
        if (i == RESET_TRIES)
            return -XEN_EIO;
    set_status(vp, VIRTIO_STATUS_ACKNOWLEDGE);
    set_status(vp, VIRTIO_STATUS_DRIVER);
    vp->num_queues = rd16(vp->common, VC_NUM_QUEUES);
    return 0;
}

static uint64_t device_features(struct virtio_pci *vp)
{
    uint64_t f;

    wr32(vp->common, VC_DFSELECT, 0);
    f = rd32(vp->common, VC_DF);
    wr32(vp->common, VC_DFSELECT, 1);
    return f | (uint64_t)rd32(vp->common, VC_DF) << 32;
}

int virtio_pci_negotiate(struct virtio_pci *vp, uint64_t wanted, uint64_t required)
{
    uint64_t offered = device_features(vp);
    uint64_t f;

    required |= 1ULL << VIRTIO_F_VERSION_1;
    wanted |= required | 1ULL << VIRTIO_F_ACCESS_PLATFORM;
    if ((offered & required) != required) {
        set_status(vp, VIRTIO_STATUS_FAILED);
        return -XEN_ENODEV;
    }
    f = offered & wanted;
    wr32(vp->common, VC_GFSELECT, 0);
    wr32(vp->common, VC_GF, (uint32_t)f);
    wr32(vp->common, VC_GFSELECT, 1);
    wr32(vp->common, VC_GF, (uint32_t)(f >> 32));
    set_status(vp, VIRTIO_STATUS_FEATURES_OK);
    if (!(virtio_pci_status(vp) & VIRTIO_STATUS_FEATURES_OK)) {
        set_status(vp, VIRTIO_STATUS_FAILED);
        return -XEN_EIO;
    }
    vp->features = f;
    return 0;
}

int virtio_pci_bind(struct virtio_pci *vp, unsigned int entry, pvos_event_fn fn, void *ctx)
{
    int port;

    if (entry >= vp->nr_vectors || entry >= VIRTIO_PCI_MAX_VECTORS)
        return -XEN_EINVAL;
    port = pvos_msix_bind(vp->sbdf, entry, fn, ctx);
    if (port >= 0)
        vp->port[entry] = port;
    return port;
}

bool virtio_pci_config_vector(struct virtio_pci *vp, uint16_t vector)
{
    wr16(vp->common, VC_MSIX_CONFIG, vector);
    return rd16(vp->common, VC_MSIX_CONFIG) == vector;     /* NO_VECTOR read back: refused (4.1.5.1.2) */
}

int virtio_pci_setup_queue(struct virtio_pci *vp, struct virtq *q, uint16_t index, uint16_t max_size,
                           uint16_t vector)
{
    uint16_t size;
    void *ring;
    int rc;

    if (index >= vp->num_queues)
        return -XEN_ENOENT;
    wr16(vp->common, VC_Q_SELECT, index);
    size = rd16(vp->common, VC_Q_SIZE);
    if (!size)
        return -XEN_ENOENT;
    if (max_size > VIRTQ_MAX_SIZE)
        max_size = VIRTQ_MAX_SIZE;
    while (size > max_size || (size & (size - 1)))
        size = (uint16_t)(size & (size - 1) ? size & (size - 1) : size >> 1);
    if (!(ring = pvos_page_alloc()))
        return -XEN_ENOMEM;
    if ((rc = virtq_init(q, index, size, ring, pvos_page_mfn(ring) << 12))) {
        pvos_page_free(ring);
        return rc;
    }
    wr16(vp->common, VC_Q_SIZE, size);
    wr64(vp->common, VC_Q_DESC, q->desc_maddr);
    wr64(vp->common, VC_Q_DRIVER, q->avail_maddr);
    wr64(vp->common, VC_Q_DEVICE, q->used_maddr);
    wr16(vp->common, VC_Q_MSIX, vector);
    if (rd16(vp->common, VC_Q_MSIX) != vector) {
        pvos_page_free(ring);
        q->desc = NULL;
        return -XEN_EIO;
    }
    q->notify = (volatile uint16_t *)(vp->notify + (uint32_t)rd16(vp->common, VC_Q_NOTIFY_OFF) * vp->notify_mult);
    wr16(vp->common, VC_Q_ENABLE, 1);
    return 0;
}

void virtio_pci_ready(struct virtio_pci *vp)
{
    set_status(vp, VIRTIO_STATUS_DRIVER_OK);
}

/* One field of the device configuration, read at its own width (4.1.3.1): 2, 4, or 8 as two 4. */
static void config_read_once(struct virtio_pci *vp, unsigned int off, uint8_t *d, unsigned int len)
{
    uint32_t w;

    if ((len == 2 || len == 4 || len == 8) && !(off & (len == 2 ? 1 : 3))) {
        for (unsigned int i = 0; i < len; i += 4) {
            w = len == 2 ? rd16(vp->device, off) : rd32(vp->device, off + i);
            for (unsigned int j = 0; j < 4 && i + j < len; j++)
                d[i + j] = (uint8_t)(w >> (8 * j));
        }
        return;
    }
    for (unsigned int i = 0; i < len; i++)
        d[i] = rd8(vp->device, off + i);   /* byte arrays (a MAC address) and odd fields */
}

void virtio_pci_config(struct virtio_pci *vp, unsigned int off, void *dst, unsigned int len)
{
    uint8_t gen;

    if (!vp->device || off > vp->device_len || len > vp->device_len - off)
        return;
    do {
        gen = rd8(vp->common, VC_GENERATION);
        config_read_once(vp, off, dst, len);
    } while (rd8(vp->common, VC_GENERATION) != gen);
}
