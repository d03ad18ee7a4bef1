/*
 * Split virtqueues (virtio 1.x 2.6), the driver's side: descriptor table,
 * available ring and used ring in one page; free descriptors chained
 * through `next`. The device reads a descriptor chain only after the
 * avail->idx that publishes it, and we read a used element only after the
 * used->idx that publishes it: the fences below order exactly those.
 */
#include "virtio.h"
#include <tandem/errno.h>

#define ALIGN_UP(x, a)  (((x) + (a) - 1) & ~(size_t)((a) - 1))

static size_t avail_off(uint16_t size)
{
    return sizeof(struct virtq_desc) * size;                /* descriptors: 16-byte aligned */
}

static size_t used_off(uint16_t size)
{
    /* avail: flags, idx, ring[size], used_event; the used ring is 4-byte aligned. */
    return ALIGN_UP(avail_off(size) + 2 * (3 + (size_t)size), 4);
}

size_t virtq_ring_bytes(uint16_t size)
{
    return used_off(size) + 2 * 3 + sizeof(struct virtq_used_elem) * size;
}

int virtq_init(struct virtq *q, uint16_t index, uint16_t size, void *ring, uint64_t maddr)
{
    uint8_t *base = ring;

    if (!size || size > VIRTQ_MAX_SIZE || (size & (size - 1)))
        return -XEN_EINVAL;
    q->index = index;
    q->size = size;
    q->desc = (volatile struct virtq_desc *)base;
    q->avail = (volatile struct virtq_avail *)(base + avail_off(size));
    q->used = (volatile struct virtq_used *)(base + used_off(size));
    q->desc_maddr = maddr;
    q->avail_maddr = maddr + avail_off(size);
    q->used_maddr = maddr + used_off(size);
    for (uint16_t i = 0; i < size; i++) {
        q->desc[i].next = (uint16_t)(i + 1);
        q->token[i] = NULL;
    }
    q->free_head = 0;
    q->nr_free = size;
    q->avail_idx = q->avail->idx;
    q->last_used = q->used->idx;
    q->notify = NULL;
    return 0;
}

int virtq_add(struct virtq *q, const struct virtq_buf *bufs, unsigned int n_out, unsigned int n_in,
              void *token)
{
    unsigned int n = n_out + n_in;
    uint16_t head = q->free_head, d = head;

    if (!n || !token || n < n_out)
        return -XEN_EINVAL;
    if (n > q->nr_free)
        return -XEN_ENOSPC;
    for (unsigned int i = 0; i < n; i++) {
        q->desc[d].addr = bufs[i].maddr;
        q->desc[d].len = bufs[i].len;
        q->desc[d].flags = (uint16_t)((i >= n_out ? VIRTQ_DESC_F_WRITE : 0) |
                                      (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
        d = q->desc[d].next;
    }
    q->free_head = d;           /* the chain's last `next` still names it: harmless, no NEXT flag */
    q->nr_free = (uint16_t)(q->nr_free - n);
    q->token[head] = token;
    q->avail->ring[q->avail_idx & (q->size - 1)] = head;
    /* The descriptors and the ring entry before the index that lets the device read them. */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    q->avail_idx++;
    q->avail->idx = q->avail_idx;
    return 0;
}

bool virtq_needs_kick(struct virtq *q)
{
    /* Our avail->idx store before the load of the device's flag (2.6.10.1): a full fence. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    return !(q->used->flags & VIRTQ_USED_F_NO_NOTIFY);
}

void virtq_kick(struct virtq *q)
{
    if (q->notify && virtq_needs_kick(q))
        *q->notify = q->index;
}

bool virtq_has_used(const struct virtq *q)
{
    return q->used->idx != q->last_used;
}

/* Put the chain starting at `head` back on the free list. */
static void free_chain(struct virtq *q, uint16_t head)
{
    uint16_t d = head, n = 1;

    while ((q->desc[d].flags & VIRTQ_DESC_F_NEXT) && n < q->size) {
        d = q->desc[d].next & (q->size - 1);
        n++;
    }
    q->desc[d].next = q->free_head;
    q->free_head = head;
    q->nr_free = (uint16_t)(q->nr_free + n);
}

void *virtq_get(struct virtq *q, uint32_t *len)
{
    uint16_t slot;
    uint32_t id;
    void *token;

    if (q->used->idx == q->last_used)
        return NULL;
    /* The element after the index that published it. */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    slot = q->last_used & (q->size - 1);
    id = q->used->ring[slot].id;
    *len = q->used->ring[slot].len;
    q->last_used++;
    if (id >= q->size || !(token = q->token[id]))
        return NULL;            /* a device naming a chain it does not hold: ignored */
    q->token[id] = NULL;
    free_chain(q, (uint16_t)id);
    return token;
}
