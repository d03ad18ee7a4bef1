/*
 * devmodel.h: the device interface of the device model (pvdrivers/devmodel/,
 * docs/devmodel.md). A device model emulates the devices of one HVM domain:
 * the hypervisor turns each of the guest's accesses to a claimed port, MMIO
 * address or PCI configuration register into a struct ioreq (Xen's,
 * tandem/hvm/ioreq.h) on the ioreq page; the service that owns the page
 * (guest-kernel/kernel/devmodel_svc.c in the driver domain, or a host unit
 * test) hands it to dm_dispatch, which finds the device claiming it and
 * calls its access callback.
 *
 * A device is a name, its ranges, an access callback, an optional ISA
 * interrupt line, and work it does between requests (poll). It reaches the
 * rest of the world only through its struct dm_host: the interrupt line
 * (the host turns it into XEN_DMOP_set_isa_irq_level) and the guest's
 * memory for DMA (dm_copy_to_guest / dm_copy_from_guest: the host maps one
 * guest frame at a time; a frame outside the guest's memory fails, and the
 * device reports an error status to the guest: it never writes elsewhere).
 *
 * Nothing here trusts the guest: an access of a size the device does not
 * take, to a register it does not have, or in an order it does not expect
 * is the device's to answer as its hardware would (usually: ignored, all
 * ones read back, an error bit), never a reason to stop.
 *
 * Only <stdint.h>, <stddef.h>, <stdbool.h> and the ABI headers: the core
 * and the devices build freestanding for the guest kernel and hosted for
 * the unit tests (tests/unit/test_devmodel_*.c).
 */
#ifndef PV_DEVMODEL_H
#define PV_DEVMODEL_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <tandem/hvm/ioreq.h>

#define DM_MAX_DEVICES  8       /* devices of one device model (one HVM domain) */
#define DM_MAX_RANGES   4       /* ranges of one device */
#define DM_PAGE_SIZE    4096
#define DM_REP_MAX      4096    /* bytes of one string (data_is_ptr) request: a page */

/* Range types: XEN_DMOP_IO_RANGE_* (tandem/hvm/dm_op.h), what the service registers. */
#define DM_RANGE_PORT   0       /* I/O ports start..end (inclusive) */
#define DM_RANGE_MEMORY 1       /* guest-physical MMIO addresses start..end (inclusive) */
#define DM_RANGE_PCI    2       /* PCI functions (XEN_DMOP_PCI_SBDF) start..end */

struct dm_range {
    uint32_t type;              /* DM_RANGE_* */
    uint64_t start, end;        /* inclusive */
};

struct dm_device;
struct dm_host;

struct dm_device_ops {
    /*
     * One access of the guest (req->type, addr, size 1/2/4(/8), dir; count 1,
     * data_is_ptr 0). A read returns the value (the core cuts it to size);
     * a write's value is req->data and the return value is ignored. Called
     * only for an access wholly inside one of the device's ranges.
     */
    uint64_t (*access)(struct dm_device *dev, const struct ioreq *req);
    /* Work between requests (backend completions, frames received); may be NULL. */
    void (*poll)(struct dm_device *dev);
    /* The device is being removed (its domain is gone): drop what it holds; may be NULL. */
    void (*destroy)(struct dm_device *dev);
};

struct dm_device {
    /* Filled by the device before dm_add: */
    const char *name;                       /* "ide0", "ne2k0": in logs and `devmodel` */
    const struct dm_device_ops *ops;
    void *priv;                             /* the device's own state */
    unsigned int nr_ranges;
    struct dm_range ranges[DM_MAX_RANGES];
    int irq;                                /* ISA IRQ line 0-15 it drives, -1 for none */
    /* The core's: */
    struct dm_host *host;
    bool irq_level;                         /* as last set */
    uint64_t accesses;                      /* requests dispatched to it */
};

/* What the service (or a test) gives the core: the target domain's interrupt lines and memory. */
struct dm_host_ops {
    /* Set ISA IRQ line `irq` (0-15) to `level` (XEN_DMOP_set_isa_irq_level): 0 or -errno. */
    int (*set_irq)(void *ctx, unsigned int irq, bool level);
    /*
     * Map guest frame `gfn` (writable if `write`) for a moment: its address
     * in the device model, or NULL if the frame is not the guest's memory
     * (beyond it, a hole, or the map failed). Undone by unmap_gfn before
     * the next map_gfn: one frame is mapped at a time.
     */
    void *(*map_gfn)(void *ctx, uint64_t gfn, bool write);
    void (*unmap_gfn)(void *ctx, void *va);
};

struct dm_host {
    const struct dm_host_ops *ops;
    void *ctx;
    uint16_t domid;                         /* the HVM domain served (logs) */
    unsigned int nr_devices;
    struct dm_device *devices[DM_MAX_DEVICES];
    /* counters (the shell's `devmodel`, tests) */
    uint64_t requests;                      /* every request dispatched */
    uint64_t unclaimed;                     /* requests no device claims (read: all ones) */
    uint64_t dma_faults;                    /* DMA copies refused: a frame outside the guest's memory */
    uint64_t irq_errors;                    /* set_irq failures */
};

/* Set h up empty (every field zeroed, then ops, ctx, domid). */
void dm_host_init(struct dm_host *h, const struct dm_host_ops *ops, void *ctx, uint16_t domid);
/*
 * Add a device (name, ops, ranges, irq filled): 0; -EINVAL for no ranges, an
 * inverted range, an unknown range type or an irq above 15; -EEXIST if a
 * range overlaps another device's of the same type; -ENOSPC if full.
 */
int dm_add(struct dm_host *h, struct dm_device *dev);
/* The device whose range holds [addr, addr + size) of `type`, or NULL. */
struct dm_device *dm_find(struct dm_host *h, uint32_t type, uint64_t addr, uint32_t size);
/*
 * Serve one request in place: a read's req->data is set (cut to req->size;
 * all ones when no device claims it, an unknown type, a bad size or a
 * count other than 1), a write goes to its device (or nowhere). A string
 * request (INS/OUTS: port I/O with data_is_ptr, count elements, df) is
 * served element by element through the device's access callback, each
 * element between the port and the guest's buffer at req->data (moving
 * down with df), at most DM_REP_MAX bytes; a buffer outside the guest's
 * memory ends it there (dma_faults). Never fails: the service then sets
 * the state to IORESP_READY and notifies.
 */
void dm_dispatch(struct dm_host *h, struct ioreq *req);
/* Each device's poll. */
void dm_poll(struct dm_host *h);
/* Remove every device (its destroy), dropping the interrupt lines it raised. */
void dm_host_destroy(struct dm_host *h);

/* A device's interrupt line: raise (true) or lower; no call when it is already at that level. */
void dm_set_irq(struct dm_device *dev, bool level);
/*
 * DMA: copy between the guest's physical memory [gpa, gpa + len) and a
 * buffer, a frame at a time through the host's map_gfn. 0, or -EFAULT if
 * any frame of the range is not the guest's (what was copied before it
 * stays copied, as a real DMA engine that faults mid-transfer; nothing is
 * written outside the guest's frames) or the range wraps.
 */
int dm_copy_to_guest(struct dm_device *dev, uint64_t gpa, const void *src, size_t len);
int dm_copy_from_guest(struct dm_device *dev, void *dst, uint64_t gpa, size_t len);

/*
 * A block backend, for an emulated disk: the host gives the device one of
 * these (the driver domain: a virtio disk or a region of it, as blkback's;
 * a unit test: memory). Synchronous: the guest's vCPU waits on its request
 * anyway. 0 or -errno (-EIO, -EACCES for a write to a read-only disk, -ERANGE past the end).
 */
struct dm_blk {
    uint64_t sectors;                       /* 512-byte sectors */
    bool readonly;
    int (*read)(struct dm_blk *b, uint64_t sector, void *buf, unsigned int nr);
    int (*write)(struct dm_blk *b, uint64_t sector, const void *buf, unsigned int nr);
    int (*flush)(struct dm_blk *b);
    void *ctx;
};

#endif
