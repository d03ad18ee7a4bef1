/*
 * The device model's core (devmodel.h, docs/devmodel.md): a table of
 * devices by range, the dispatch of one ioreq to the device claiming it,
 * interrupt lines, and DMA copies a frame at a time through the host.
 */
#include "devmodel.h"
#include <tandem/errno.h>

void dm_host_init(struct dm_host *h, const struct dm_host_ops *ops, void *ctx, uint16_t domid)
{
    *h = (struct dm_host){ .ops = ops, .ctx = ctx, .domid = domid };
}

static bool overlaps(const struct dm_range *a, const struct dm_range *b)
{
    return a->type == b->type && a->start <= b->end && b->start <= a->end;
}

int dm_add(struct dm_host *h, struct dm_device *dev)
{
    if (!dev->ops || !dev->ops->access || !dev->nr_ranges || dev->nr_ranges > DM_MAX_RANGES ||
        dev->irq > 15 || dev->irq < -1)
        return -XEN_EINVAL;
    for (unsigned int r = 0; r < dev->nr_ranges; r++) {
        const struct dm_range *a = &dev->ranges[r];
        if (a->type > DM_RANGE_PCI || a->start > a->end)
            return -XEN_EINVAL;
        for (unsigned int q = 0; q < r; q++)
            if (overlaps(a, &dev->ranges[q]))
                return -XEN_EEXIST;
        for (unsigned int i = 0; i < h->nr_devices; i++)
            for (unsigned int q = 0; q < h->devices[i]->nr_ranges; q++)
                if (overlaps(a, &h->devices[i]->ranges[q]))
                    return -XEN_EEXIST;
    }
    if (h->nr_devices == DM_MAX_DEVICES)
        return -XEN_ENOSPC;
    dev->host = h;
    dev->irq_level = false;
    dev->accesses = 0;
    h->devices[h->nr_devices++] = dev;
    return 0;
}

struct dm_device *dm_find(struct dm_host *h, uint32_t type, uint64_t addr, uint32_t size)
{
    uint64_t last = addr + size - 1;

    if (!size || last < addr)
        return NULL;
    for (unsigned int i = 0; i < h->nr_devices; i++)
        for (unsigned int r = 0; r < h->devices[i]->nr_ranges; r++) {
            const struct dm_range *g = &h->devices[i]->ranges[r];
            if (g->type == type && addr >= g->start && last <= g->end)
                return h->devices[i];
        }
    return NULL;
}

static uint64_t size_mask(uint32_t size)
{
    return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/*
 * A string request (INS/OUTS, data_is_ptr): count elements between the
 * port and the guest's buffer at req->data (df: each below the last), in
 * the order the guest's instruction makes them, a chunk at a time through
 * a bounce buffer: OUT reads a chunk from guest memory and writes its
 * elements to the device, IN reads them from the device and copies the
 * chunk to guest memory. A chunk outside the guest's memory ends the
 * request there (counted as a DMA fault; the elements before it stay done).
 */
static void dispatch_rep(struct dm_host *h, struct dm_device *dev, const struct ioreq *req)
{
    uint8_t buf[256];
    uint32_t size = req->size, per = sizeof(buf) / size;
    bool in = req->dir == IOREQ_READ;
    struct ioreq one = *req;

    one.count = 1;
    one.data_is_ptr = 0;
    for (uint32_t done = 0; done < req->count;) {
        uint32_t n = req->count - done < per ? req->count - done : per;
        uint64_t lo = req->df ? req->data - (uint64_t)(done + n - 1) * size : req->data + (uint64_t)done * size;

        if (req->df && (uint64_t)(done + n - 1) * size > req->data) {
            h->dma_faults++;            /* below guest-physical 0 */
            return;
        }
        if (!in && dm_copy_from_guest(dev, buf, lo, (size_t)n * size))
            return;
        for (uint32_t i = 0; i < n; i++) {
            uint8_t *e = buf + (size_t)(req->df ? n - 1 - i : i) * size;
            if (in) {
                uint64_t v = dev->ops->access(dev, &one);
                __builtin_memcpy(e, &v, size);
            } else {
                one.data = 0;
                __builtin_memcpy(&one.data, e, size);
                dev->ops->access(dev, &one);
            }
            dev->accesses++;
        }
        if (in && dm_copy_to_guest(dev, lo, buf, (size_t)n * size))
            return;
        done += n;
    }
}

void dm_dispatch(struct dm_host *h, struct ioreq *req)
{
    uint32_t size = req->size, type;
    bool read = req->dir == IOREQ_READ;
    struct dm_device *dev = NULL;
    uint64_t addr = req->addr, v = ~0ULL;

    h->requests++;
    switch (req->type) {
    case IOREQ_TYPE_PIO:        type = DM_RANGE_PORT; break;
    case IOREQ_TYPE_COPY:       type = DM_RANGE_MEMORY; break;
    case IOREQ_TYPE_PCI_CONFIG: type = DM_RANGE_PCI; addr = req->addr >> 32; break;
    default:                    type = ~0U; break;
    }
    if (req->data_is_ptr) {
        /* INS/OUTS: port I/O of 1, 2 or 4 bytes, at most a page of them (the hypervisor sends one page's run). */
        if (type == DM_RANGE_PORT && (size == 1 || size == 2 || size == 4) && req->count >= 1 &&
            req->count <= DM_REP_MAX / size && (dev = dm_find(h, type, addr, size)))
            dispatch_rep(h, dev, req);
        else
            h->unclaimed++;
        return;                         /* data stays the buffer's address */
    }
    if (type != ~0U && (size == 1 || size == 2 || size == 4 || (size == 8 && type == DM_RANGE_MEMORY)) &&
        req->count == 1)
        dev = type == DM_RANGE_PCI ? dm_find(h, type, addr, 1) : dm_find(h, type, addr, size);
    if (!dev) {
        h->unclaimed++;
    } else {
        dev->accesses++;
        v = dev->ops->access(dev, req);
    }
    if (read)
        req->data = v & size_mask(size > 8 ? 8 : size);
}

void dm_poll(struct dm_host *h)
{
    for (unsigned int i = 0; i < h->nr_devices; i++)
        if (h->devices[i]->ops->poll)
            h->devices[i]->ops->poll(h->devices[i]);
}

void dm_host_destroy(struct dm_host *h)
{
    for (unsigned int i = 0; i < h->nr_devices; i++) {
        struct dm_device *d = h->devices[i];
        dm_set_irq(d, false);
        if (d->ops->destroy)
            d->ops->destroy(d);
        d->host = NULL;
    }
    h->nr_devices = 0;
}

void dm_set_irq(struct dm_device *dev, bool level)
{
    struct dm_host *h = dev->host;

    if (!h || dev->irq < 0 || dev->irq_level == level)
        return;
    dev->irq_level = level;
    if (!h->ops->set_irq || h->ops->set_irq(h->ctx, (unsigned int)dev->irq, level))
        h->irq_errors++;
}

static int dm_copy(struct dm_device *dev, uint64_t gpa, void *buf, size_t len, bool to_guest)
{
    struct dm_host *h = dev->host;
    uint8_t *p = buf;

    if (!h || gpa + len < gpa)
        goto fault;
    while (len) {
        size_t off = gpa & (DM_PAGE_SIZE - 1), n = DM_PAGE_SIZE - off;
        uint8_t *va;

        if (n > len)
            n = len;
        if (!h->ops->map_gfn || !(va = h->ops->map_gfn(h->ctx, gpa >> 12, to_guest)))
            goto fault;
        if (to_guest)
            __builtin_memcpy(va + off, p, n);
        else
            __builtin_memcpy(p, va + off, n);
        h->ops->unmap_gfn(h->ctx, va);
        gpa += n;
        p += n;
        len -= n;
    }
    return 0;
fault:
    if (h)
        h->dma_faults++;
    return -XEN_EFAULT;
}

int dm_copy_to_guest(struct dm_device *dev, uint64_t gpa, const void *src, size_t len)
{
    return dm_copy(dev, gpa, (void *)src, len, true);
}

int dm_copy_from_guest(struct dm_device *dev, void *dst, uint64_t gpa, size_t len)
{
    return dm_copy(dev, gpa, dst, len, false);
}
