/*
 * Unit tests for pvdrivers/virtio/virtio_net.c (with virtqueue.c) against a
 * fake transport and a fake device: receive buffers posted at attach and
 * re-posted, the 12-byte header (VERSION_1) before each frame both ways,
 * the MAC and link status from the configuration, transmit buffers
 * exhausted and reclaimed, bad frame lengths refused, short or oversized
 * used lengths from the device dropped. Machine addresses are host pointers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "virtio_net.h"
#include <tandem/errno.h>

static struct virtq *dev_q[2];
static uint16_t dev_avail[2];
static uint16_t dev_status = VIRTIO_NET_S_LINK_UP;
static const uint8_t dev_mac[6] = { 0x52, 0x54, 0, 0x12, 0x34, 0x56 };

void *pvos_page_alloc(void) { void *p = aligned_alloc(4096, 4096); memset(p, 0, 4096); return p; }
void pvos_page_free(void *page) { free(page); }
uint64_t pvos_page_mfn(const void *page) { return (uintptr_t)page >> 12; }
uint64_t pvos_now_ns(void) { static uint64_t t; return t += 1000000; }
void pvos_wake(struct pvos_wait *w) { (void)w; }
void pvos_msix_unbind(uint32_t sbdf, unsigned int entry, int port) { (void)sbdf; (void)entry; (void)port; }
bool pvos_wait_until(struct pvos_wait *w, bool (*cond)(void *arg), void *arg, uint64_t deadline_ns)
{
    (void)w; (void)deadline_ns;
    return cond(arg);
}

int virtio_pci_init(struct virtio_pci *vp, uint32_t sbdf)
{
    *vp = (struct virtio_pci){ .sbdf = sbdf, .common = (volatile uint8_t *)1, .num_queues = 2 };
    for (int i = 0; i < VIRTIO_PCI_MAX_VECTORS; i++)
        vp->port[i] = -1;
    return 0;
}
int virtio_pci_negotiate(struct virtio_pci *vp, uint64_t wanted, uint64_t required)
{
    vp->features = (wanted | required | 1ULL << VIRTIO_F_VERSION_1) &
                   (1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS);
    return 0;
}
int virtio_pci_bind(struct virtio_pci *vp, unsigned int entry, pvos_event_fn fn, void *ctx)
{
    (void)vp; (void)entry; (void)fn; (void)ctx;
    return -XEN_ENOSYS;
}
bool virtio_pci_config_vector(struct virtio_pci *vp, uint16_t vector) { (void)vp; (void)vector; return true; }
int virtio_pci_setup_queue(struct virtio_pci *vp, struct virtq *q, uint16_t index, uint16_t max_size,
                           uint16_t vector)
{
    void *ring = pvos_page_alloc();

    (void)vp; (void)vector;
    assert_true(index < 2);
    dev_q[index] = q;
    dev_avail[index] = 0;
    return virtq_init(q, index, max_size, ring, (uintptr_t)ring);
}
void virtio_pci_ready(struct virtio_pci *vp) { (void)vp; }
void virtio_pci_reset(struct virtio_pci *vp) { (void)vp; }
void virtio_pci_config(struct virtio_pci *vp, unsigned int off, void *dst, unsigned int len)
{
    uint8_t cfg[8];

    (void)vp;
    memcpy(cfg, dev_mac, 6);
    memcpy(cfg + 6, &dev_status, 2);
    memcpy(dst, cfg + off, len);
}

/* The device takes the next buffer of queue qi: its descriptor, or NULL. */
static volatile struct virtq_desc *dev_take(int qi, uint16_t *head)
{
    struct virtq *q = dev_q[qi];

    if (q->avail->idx == dev_avail[qi])
        return NULL;
    *head = q->avail->ring[dev_avail[qi]++ % q->size];
    return &q->desc[*head];
}

static void dev_return(int qi, uint16_t head, uint32_t len)
{
    struct virtq *q = dev_q[qi];
    uint16_t i = q->used->idx;

    q->used->ring[i % q->size].id = head;
    q->used->ring[i % q->size].len = len;
    q->used->idx = (uint16_t)(i + 1);
}

/* The device receives a frame: into the next posted buffer, header first; false if none posted. */
static bool dev_deliver(const void *frame, size_t len, uint32_t claim)
{
    uint16_t head;
    volatile struct virtq_desc *d = dev_take(0, &head);
    uint8_t *buf;

    if (!d)
        return false;
    assert_true(d->flags & VIRTQ_DESC_F_WRITE);
    assert_int_equal(d->len, VNET_BUF_BYTES);
    buf = (uint8_t *)(uintptr_t)d->addr;
    memset(buf, 0, VNET_HDR_BYTES);
    buf[10] = 1;                        /* num_buffers = 1 */
    memcpy(buf + VNET_HDR_BYTES, frame, len);
    dev_return(0, head, claim ? claim : (uint32_t)(VNET_HDR_BYTES + len));
    return true;
}

static struct vnet n;

static int setup(void **state)
{
    (void)state;
    dev_status = VIRTIO_NET_S_LINK_UP;
    assert_int_equal(vnet_attach(&n, 0x18), 0);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    vnet_detach(&n);
    return 0;
}

static void test_attach(void **state)
{
    (void)state;
    assert_memory_equal(n.mac, dev_mac, 6);
    assert_true(n.polling);
    assert_int_equal(dev_q[0]->avail->idx, VNET_RX_BUFS);      /* every receive buffer posted */
    assert_int_equal(virtq_nr_free(&n.rx), n.rx.size - VNET_RX_BUFS);
    assert_true(vnet_link_up(&n));
    dev_status = 0;
    assert_false(vnet_link_up(&n));
}

static void test_send(void **state)
{
    uint8_t f[60], *buf;
    uint16_t head;
    volatile struct virtq_desc *d;
    unsigned int sent = 0;

    (void)state;
    for (unsigned int i = 0; i < sizeof(f); i++)
        f[i] = (uint8_t)i;
    assert_int_equal(vnet_send(&n, f, 13), -XEN_EINVAL);
    assert_int_equal(vnet_send(&n, f, VNET_FRAME_MAX + 1), -XEN_EINVAL);
    assert_int_equal(vnet_send(&n, f, sizeof(f)), 0);
    d = dev_take(1, &head);
    assert_non_null(d);
    assert_false(d->flags & (VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT));
    assert_int_equal(d->len, VNET_HDR_BYTES + sizeof(f));
    buf = (uint8_t *)(uintptr_t)d->addr;
    for (int i = 0; i < VNET_HDR_BYTES; i++)
        assert_int_equal(buf[i], 0);    /* no offload asked for */
    assert_memory_equal(buf + VNET_HDR_BYTES, f, sizeof(f));
    dev_return(1, head, 0);
    /* Every tx buffer in flight: EAGAIN; one completion frees one. */
    while (vnet_send(&n, f, sizeof(f)) == 0)
        sent++;
    assert_int_equal(sent, VNET_TX_BUFS);
    assert_int_equal(vnet_send(&n, f, sizeof(f)), -XEN_EAGAIN);
    assert_non_null(dev_take(1, &head));    /* the device is done with the first one */
    dev_return(1, head, 0);
    assert_int_equal(vnet_send(&n, f, sizeof(f)), 0);
    assert_int_equal(vnet_send(&n, f, sizeof(f)), -XEN_EAGAIN);
}

static void test_recv(void **state)
{
    uint8_t f[100], got[VNET_FRAME_MAX];

    (void)state;
    memset(f, 0x5a, sizeof(f));
    assert_int_equal(vnet_recv(&n, got, sizeof(got)), 0);
    assert_false(vnet_wait(&n, pvos_now_ns() + 1));
    assert_true(dev_deliver(f, sizeof(f), 0));
    assert_true(vnet_wait(&n, 0));
    assert_int_equal(vnet_recv(&n, got, sizeof(got)), sizeof(f));
    assert_memory_equal(got, f, sizeof(f));
    assert_int_equal(vnet_recv(&n, got, 10), 0);        /* nothing more */
    /* Truncated to the caller's buffer. */
    assert_true(dev_deliver(f, sizeof(f), 0));
    assert_int_equal(vnet_recv(&n, got, 10), 10);
    /* A device claiming only a header, or more than the buffer: dropped. */
    assert_true(dev_deliver(f, sizeof(f), VNET_HDR_BYTES));
    assert_true(dev_deliver(f, sizeof(f), VNET_BUF_BYTES + 1));
    assert_int_equal(vnet_recv(&n, got, sizeof(got)), 0);
    assert_int_equal(n.rx_dropped, 2);
    assert_int_equal(n.rx_packets, 2);
    /* Each buffer taken was posted again: the pool never shrinks. */
    assert_int_equal(virtq_nr_free(&n.rx), n.rx.size - VNET_RX_BUFS);
    for (int i = 0; i < 3 * VNET_RX_BUFS; i++) {
        assert_true(dev_deliver(f, 20, 0));
        assert_int_equal(vnet_recv(&n, got, sizeof(got)), 20);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_attach, setup, teardown),
        cmocka_unit_test_setup_teardown(test_send, setup, teardown),
        cmocka_unit_test_setup_teardown(test_recv, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
