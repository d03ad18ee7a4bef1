/*
 * virtio-net (virtio 1.x 5.1): receive buffers are single device-writable
 * descriptors of VNET_BUF_BYTES (header, then the frame: 5.1.6.3 lets one
 * descriptor hold both with VERSION_1); each transmitted frame is one
 * device-readable descriptor of a zeroed header (no offloads asked for)
 * followed by the frame. Tokens are buffer index + 1.
 */
#include "virtio_net.h"
#include <tandem/errno.h>

#define RXQ             0
#define TXQ             1
#define CFG_ENTRY       0
#define RX_ENTRY        1
#define TX_ENTRY        2
#define CFG_MAC         0
#define CFG_STATUS      6

static void on_rx(uint32_t port, void *ctx)
{
    struct vnet *n = ctx;

    (void)port;
    n->rx_events++;
    pvos_wake(&n->wait);
}

static void on_tx(uint32_t port, void *ctx)
{
    struct vnet *n = ctx;

    (void)port;
    n->tx_events++;
    pvos_wake(&n->wait);
}

static void on_config(uint32_t port, void *ctx)
{
    struct vnet *n = ctx;

    (void)port;
    n->config_events++;
}

static uint64_t buf_maddr(const uint8_t *buf)
{
    uintptr_t page = (uintptr_t)buf & ~(uintptr_t)4095;

    return (pvos_page_mfn((const void *)page) << 12) + ((uintptr_t)buf & 4095);
}

/* Two buffers per page from pvos_page_alloc; false when out of pages. */
static bool alloc_bufs(uint8_t **bufs, unsigned int count)
{
    for (unsigned int i = 0; i < count; i += 2) {
        uint8_t *page = pvos_page_alloc();

        if (!page)
            return false;
        bufs[i] = page;
        if (i + 1 < count)
            bufs[i + 1] = page + VNET_BUF_BYTES;
    }
    return true;
}

static void free_bufs(uint8_t **bufs, unsigned int count)
{
    for (unsigned int i = 0; i < count; i += 2)
        if (bufs[i]) {
            pvos_page_free(bufs[i]);
            bufs[i] = NULL;
            if (i + 1 < count)
                bufs[i + 1] = NULL;
        }
}

static int post_rx(struct vnet *n, unsigned int i)
{
    struct virtq_buf b = { buf_maddr(n->rx_buf[i]), VNET_BUF_BYTES };

    return virtq_add(&n->rx, &b, 0, 1, (void *)(uintptr_t)(i + 1));
}

int vnet_send(struct vnet *n, const void *frame, size_t len)
{
    struct virtq_buf b;
    unsigned int i;
    uint8_t *buf;
    int rc;

    if (len < 14 || len > VNET_FRAME_MAX)
        return -XEN_EINVAL;
    if (!n->nr_tx_free)
        vnet_reap_tx(n);
    if (!n->nr_tx_free)
        return -XEN_EAGAIN;
    i = n->tx_free[--n->nr_tx_free];
    buf = n->tx_buf[i];
    for (unsigned int k = 0; k < VNET_HDR_BYTES; k++)
        buf[k] = 0;
    __builtin_memcpy(buf + VNET_HDR_BYTES, frame, len);
    b = (struct virtq_buf){ buf_maddr(buf), (uint32_t)(VNET_HDR_BYTES + len) };
    if ((rc = virtq_add(&n->tx, &b, 1, 0, (void *)(uintptr_t)(i + 1)))) {
        n->tx_free[n->nr_tx_free++] = (uint8_t)i;
        return rc == -XEN_ENOSPC ? -XEN_EAGAIN : rc;
    }
    n->tx_packets++;
    virtq_kick(&n->tx);
    return 0;
}

void vnet_reap_tx(struct vnet *n)
{
    uint32_t len;

    while (virtq_has_used(&n->tx)) {
        uintptr_t t = (uintptr_t)virtq_get(&n->tx, &len);

        if (t >= 1 && t <= VNET_TX_BUFS)
            n->tx_free[n->nr_tx_free++] = (uint8_t)(t - 1);
    }
}

size_t vnet_recv(struct vnet *n, void *buf, size_t max)
{
    while (virtq_has_used(&n->rx)) {
        uint32_t len;
        uintptr_t t = (uintptr_t)virtq_get(&n->rx, &len);
        size_t got;

        if (t < 1 || t > VNET_RX_BUFS)
            continue;
        got = len > VNET_HDR_BYTES && len <= VNET_BUF_BYTES ? len - VNET_HDR_BYTES : 0;
        if (got > max)
            got = max;
        __builtin_memcpy(buf, n->rx_buf[t - 1] + VNET_HDR_BYTES, got);
        post_rx(n, (unsigned int)(t - 1));
        virtq_kick(&n->rx);
        if (!got) {
            n->rx_dropped++;
            continue;
        }
        n->rx_packets++;
        return got;
    }
    return 0;
}

static bool rx_pending(void *arg)
{
    struct vnet *n = arg;

    return virtq_has_used(&n->rx);
}

bool vnet_wait(struct vnet *n, uint64_t deadline_ns)
{
    for (;;) {
        uint64_t until = deadline_ns;

        vnet_reap_tx(n);
        if (virtq_has_used(&n->rx))
            return true;
        if (deadline_ns && pvos_now_ns() >= deadline_ns)
            return false;
        if (n->polling) {
            uint64_t soon = pvos_now_ns() + 1000000;
            until = !until || soon < until ? soon : until;
        }
        pvos_wait_until(&n->wait, rx_pending, n, until);
    }
}

bool vnet_link_up(struct vnet *n)
{
    uint16_t st = VIRTIO_NET_S_LINK_UP;

    if (n->has_status)
        virtio_pci_config(&n->vp, CFG_STATUS, &st, 2);
    return st & VIRTIO_NET_S_LINK_UP;
}

/* Bind the three MSI-X entries; false (poll) if any of the queue ones cannot be. */
static bool vnet_bind(struct vnet *n)
{
    if (n->vp.nr_vectors < 3)
        return false;
    if (virtio_pci_bind(&n->vp, RX_ENTRY, on_rx, n) < 0 || virtio_pci_bind(&n->vp, TX_ENTRY, on_tx, n) < 0)
        return false;
    if (virtio_pci_bind(&n->vp, CFG_ENTRY, on_config, n) >= 0)
        virtio_pci_config_vector(&n->vp, CFG_ENTRY);
    return true;
}

static int vnet_setup(struct vnet *n)
{
    static const uint8_t local_mac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
    int rc;

    if ((rc = virtio_pci_negotiate(&n->vp, 1ULL << VIRTIO_NET_F_MAC | 1ULL << VIRTIO_NET_F_STATUS, 0)))
        return rc;
    if (!alloc_bufs(n->rx_buf, VNET_RX_BUFS) || !alloc_bufs(n->tx_buf, VNET_TX_BUFS))
        return -XEN_ENOMEM;
    n->polling = !vnet_bind(n);
    if ((rc = virtio_pci_setup_queue(&n->vp, &n->rx, RXQ, VNET_RX_BUFS,
                                     n->polling ? VIRTIO_MSI_NO_VECTOR : RX_ENTRY)) ||
        (rc = virtio_pci_setup_queue(&n->vp, &n->tx, TXQ, VNET_TX_BUFS,
                                     n->polling ? VIRTIO_MSI_NO_VECTOR : TX_ENTRY)))
        return rc;
    for (unsigned int i = 0; i < VNET_TX_BUFS; i++)
        n->tx_free[i] = (uint8_t)i;
    n->nr_tx_free = VNET_TX_BUFS;
    for (unsigned int i = 0; i < VNET_RX_BUFS && i < n->rx.size; i++)
        if ((rc = post_rx(n, i)))
            return rc;
    __builtin_memcpy(n->mac, local_mac, 6);
    if (virtio_has(&n->vp, VIRTIO_NET_F_MAC))
        virtio_pci_config(&n->vp, CFG_MAC, n->mac, 6);
    n->has_status = virtio_has(&n->vp, VIRTIO_NET_F_STATUS);
    return 0;
}

int vnet_attach(struct vnet *n, uint32_t sbdf)
{
    int rc;

    *n = (struct vnet){ 0 };
    if ((rc = virtio_pci_init(&n->vp, sbdf)))
        return rc;
    if ((rc = vnet_setup(n))) {
        vnet_detach(n);
        return rc;
    }
    virtio_pci_ready(&n->vp);
    virtq_kick(&n->rx);         /* the posted receive buffers (the device may look only now) */
    return 0;
}

void vnet_detach(struct vnet *n)
{
    if (n->vp.common)
        virtio_pci_reset(&n->vp);
    for (unsigned int i = 0; i < VIRTIO_PCI_MAX_VECTORS; i++)
        if (n->vp.port[i] >= 0) {
            pvos_msix_unbind(n->vp.sbdf, i, n->vp.port[i]);
            n->vp.port[i] = -1;
        }
    if (n->rx.desc)
        pvos_page_free((void *)n->rx.desc);
    if (n->tx.desc)
        pvos_page_free((void *)n->tx.desc);
    n->rx.desc = n->tx.desc = NULL;
    free_bufs(n->rx_buf, VNET_RX_BUFS);
    free_bufs(n->tx_buf, VNET_TX_BUFS);
}
