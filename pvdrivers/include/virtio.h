/*
 * virtio.h: virtio 1.x devices over the modern PCI transport, for the
 * driver domain (pvdrivers/virtio/, docs/devices.md "The virtio drivers").
 * Two parts: split virtqueues (virtqueue.c: pure memory, host-testable) and
 * the virtio-pci transport (virtio_pci.c: capabilities, feature negotiation,
 * the status handshake, queue setup, MSI-X vectors as events), both over
 * pvos.h alone. Every virtio structure is little-endian, as x86 is: no
 * byte swapping. Errors are negative Xen errno values (tandem/errno.h).
 *
 * Concurrency: one thread drives a device (adds buffers, reaps used ones);
 * its MSI-X handlers only count and wake that thread (pvos_wake), so the
 * queues need no lock.
 */
#ifndef PV_VIRTIO_H
#define PV_VIRTIO_H

#include "pvos.h"

/* PCI identity (virtio 1.x 4.1.2: modern device id = 0x1040 + device type). */
#define VIRTIO_PCI_VENDOR       0x1af4
#define VIRTIO_PCI_ID_NET       0x1041  /* device type 1 */
#define VIRTIO_PCI_ID_BLK       0x1042  /* device type 2 */

/* Device status bits (2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE   0x01
#define VIRTIO_STATUS_DRIVER        0x02
#define VIRTIO_STATUS_DRIVER_OK     0x04
#define VIRTIO_STATUS_FEATURES_OK   0x08
#define VIRTIO_STATUS_NEEDS_RESET   0x40
#define VIRTIO_STATUS_FAILED        0x80

/* Transport-wide feature bits (6). */
#define VIRTIO_F_INDIRECT_DESC      28
#define VIRTIO_F_EVENT_IDX          29
#define VIRTIO_F_VERSION_1          32
#define VIRTIO_F_ACCESS_PLATFORM    33  /* DMA goes through the platform's IOMMU: MUST accept */

#define VIRTIO_MSI_NO_VECTOR        0xffff

/* ---- split virtqueues (2.6) ---- */
#define VIRTQ_DESC_F_NEXT       1
#define VIRTQ_DESC_F_WRITE      2       /* device writes this buffer */
#define VIRTQ_USED_F_NO_NOTIFY  1       /* device: no need to notify me */
#define VIRTQ_MAX_SIZE          128     /* descriptors: the whole ring fits one page */

struct virtq_desc {
    uint64_t addr;              /* machine (bus) address */
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};

struct virtq_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[];            /* [size], then used_event (EVENT_IDX only) */
};

struct virtq_used_elem {
    uint32_t id;                /* head of the descriptor chain */
    uint32_t len;               /* bytes the device wrote */
};

struct virtq_used {
    uint16_t flags;
    uint16_t idx;
    struct virtq_used_elem ring[];  /* [size], then avail_event */
};

/* One buffer of a chain: machine address and length. */
struct virtq_buf {
    uint64_t maddr;
    uint32_t len;
};

struct virtq {
    uint16_t index;             /* queue number on the device */
    uint16_t size;              /* descriptors, a power of 2, <= VIRTQ_MAX_SIZE */
    volatile struct virtq_desc *desc;
    volatile struct virtq_avail *avail;
    volatile struct virtq_used *used;
    uint64_t desc_maddr, avail_maddr, used_maddr;
    uint16_t free_head;         /* first free descriptor (chained through next) */
    uint16_t nr_free;
    uint16_t avail_idx;         /* our copy of avail->idx */
    uint16_t last_used;         /* used->idx we have consumed up to */
    void *token[VIRTQ_MAX_SIZE];    /* per chain head: the caller's cookie */
    volatile uint16_t *notify;  /* transport: where a kick is written (NULL: none) */
};

/* Bytes of ring memory a queue of `size` needs (desc, avail, used, laid out as 2.6 aligns them). */
size_t virtq_ring_bytes(uint16_t size);
/*
 * Lay a queue of `size` (a power of 2, 1..VIRTQ_MAX_SIZE) over zeroed
 * memory `ring` of virtq_ring_bytes(size) at machine address `maddr`
 * (physically contiguous: one page). -EINVAL for a bad size.
 */
int virtq_init(struct virtq *q, uint16_t index, uint16_t size, void *ring, uint64_t maddr);
/*
 * Make a chain of `n_out` device-readable buffers followed by `n_in`
 * device-writable ones available, with `token` (non-NULL) returned by
 * virtq_get when the device is done. 0; -ENOSPC when fewer than
 * n_out + n_in descriptors are free; -EINVAL for an empty chain or a NULL token.
 * The device may not look until virtq_kick.
 */
int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned int n_out, unsigned int n_in,
              void *token);
/* True if the device wants to hear of new buffers (it did not set NO_NOTIFY); orders avail->idx first. */
bool virtq_needs_kick(struct virtq *q);
/* Notify the device (if it wants it): writes the queue index to the notify address. */
void virtq_kick(struct virtq *q);
/* True if the device has returned a chain not yet taken with virtq_get. */
bool virtq_has_used(const struct virtq *q);
/* The token of the next chain the device returned (its descriptors freed), *len the bytes written; NULL if none. */
void *virtq_get(struct virtq *q, uint32_t *len);
/* Free descriptors. */
static inline unsigned int virtq_nr_free(const struct virtq *q) { return q->nr_free; }

/* ---- the modern virtio-pci transport (4.1) ---- */
#define VIRTIO_PCI_MAX_VECTORS  4

struct virtio_pci {
    uint32_t sbdf;
    volatile uint8_t *common;   /* struct virtio_pci_common_cfg */
    volatile uint8_t *isr;
    volatile uint8_t *device;   /* device-specific configuration */
    uint32_t device_len;
    volatile uint8_t *notify;   /* notify region base */
    uint32_t notify_mult;       /* notify_off_multiplier */
    uint64_t features;          /* negotiated */
    uint16_t num_queues;
    unsigned int nr_vectors;    /* MSI-X table size; 0: no MSI-X */
    int port[VIRTIO_PCI_MAX_VECTORS];   /* event port per bound MSI-X entry, -1 if none */
};

/*
 * Find the function's virtio capabilities (common, notify, ISR, device
 * configuration), map their regions (pvos_mmio_map), turn on memory space
 * and bus mastering, reset the device and set ACKNOWLEDGE | DRIVER.
 * -ENODEV if it is not a modern virtio function (a capability missing),
 * -EIO if the device does not reset, or pvos_mmio_map's error.
 */
int virtio_pci_init(struct virtio_pci *vp, uint32_t sbdf);
/*
 * Feature negotiation (3.1.1): accept the device's features that are in
 * `wanted`, plus VERSION_1 (required) and ACCESS_PLATFORM if offered; set
 * FEATURES_OK and check the device kept it. vp->features is the result.
 * -ENODEV if VERSION_1 is not offered or a `required` bit is missing,
 * -EIO if the device refuses FEATURES_OK (status FAILED is set).
 */
int virtio_pci_negotiate(struct virtio_pci *vp, uint64_t wanted, uint64_t required);
static inline bool virtio_has(const struct virtio_pci *vp, unsigned int bit)
{
    return (vp->features >> bit) & 1;
}
/*
 * MSI-X entry `entry` as events (pvos_msix_bind): fn(port, ctx) per
 * interrupt. The port, or -errno (then the device's interrupts are not
 * delivered: the driver polls).
 */
int virtio_pci_bind(struct virtio_pci *vp, unsigned int entry, pvos_event_fn fn, void *ctx);
/* Config-change interrupts to MSI-X `vector` (VIRTIO_MSI_NO_VECTOR: none); false if the device refused. */
bool virtio_pci_config_vector(struct virtio_pci *vp, uint16_t vector);
/*
 * Set up queue `index` with at most `max_size` descriptors on a fresh page
 * (pvos_page_alloc), interrupts to MSI-X `vector` (or VIRTIO_MSI_NO_VECTOR),
 * and enable it. -ENOENT if the device has no such queue, -ENOMEM, -EIO if
 * the device refuses the vector.
 */
int virtio_pci_setup_queue(struct virtio_pci *vp, struct virtq *q, uint16_t index, uint16_t max_size,
                           uint16_t vector);
/* Set DRIVER_OK: the device is live. */
void virtio_pci_ready(struct virtio_pci *vp);
/* Reset the device (status 0): it stops using every queue. */
void virtio_pci_reset(struct virtio_pci *vp);
/* Copy `len` bytes of device configuration from `off`, consistently (the generation counter, 4.1.4.3.1). */
void virtio_pci_config(struct virtio_pci *vp, unsigned int off, void *dst, unsigned int len);
/* Device status register (VIRTIO_STATUS_*). */
uint8_t virtio_pci_status(struct virtio_pci *vp);

#endif
