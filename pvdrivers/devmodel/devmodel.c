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
    if (type != ~0U && (size == 1 || size == 2 || size == 4 || (size == 8 && type == DM_RANGE_MEMORY)) &&
        req->count == 1 && !req->data_is_ptr)
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
