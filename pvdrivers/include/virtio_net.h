/*
 * virtio_net.h: a virtio-net driver (virtio 1.x 5.1) over the modern PCI
 * transport (virtio.h): one receive and one transmit queue, a pool of
 * receive buffers kept posted, the MAC address and link status from the
 * device configuration, MSI-X events for each queue and for configuration
 * changes. Frames are copied in and out of the driver's own buffers (one
 * 2 KiB half page each: a 12-byte virtio_net_hdr and up to 1514 bytes).
 *
 * One thread drives a NIC: every call from that thread only.
 */
#ifndef PV_VIRTIO_NET_H
#define PV_VIRTIO_NET_H

#include "virtio.h"

/* Feature bits (5.1.3). */
#define VIRTIO_NET_F_MAC        5
#define VIRTIO_NET_F_STATUS     16
#define VIRTIO_NET_S_LINK_UP    1

#define VNET_HDR_BYTES          12      /* struct virtio_net_hdr with num_buffers (VERSION_1) */
#define VNET_BUF_BYTES          2048
#define VNET_FRAME_MAX          1514    /* Ethernet header + 1500, no FCS */
#define VNET_RX_BUFS            64
#define VNET_TX_BUFS            32

struct vnet {
    struct virtio_pci vp;
    struct virtq rx, tx;
    uint8_t mac[6];
    bool has_status, polling;
    uint8_t *rx_buf[VNET_RX_BUFS];      /* half pages */
    uint8_t *tx_buf[VNET_TX_BUFS];
    uint8_t tx_free[VNET_TX_BUFS];      /* stack of free tx buffer indices */
    unsigned int nr_tx_free;
    struct pvos_wait wait;
    uint64_t rx_events, tx_events, config_events;
    uint64_t rx_packets, tx_packets, rx_dropped;
};

/*
 * Take the virtio-net function `sbdf`: negotiate MAC and STATUS, queue 0
 * (receive, MSI-X entry 1) with every receive buffer posted, queue 1
 * (transmit, entry 2), entry 0 for configuration changes. Without MAC the
 * address is a locally administered 02:00:00:00:00:01. Falls back to
 * polling if MSI-X cannot be bound. 0 or -errno (the device is reset).
 */
int vnet_attach(struct vnet *n, uint32_t sbdf);
/* The link status (always up without VIRTIO_NET_F_STATUS, 5.1.4.2). */
bool vnet_link_up(struct vnet *n);
/* Send one Ethernet frame (14..1514 bytes, copied). 0; -EAGAIN with every tx buffer in use; -EINVAL. */
int vnet_send(struct vnet *n, const void *frame, size_t len);
/* The next received frame copied into buf (truncated to max): its length, 0 if none. Reposts the buffer. */
size_t vnet_recv(struct vnet *n, void *buf, size_t max);
/* Wait until a frame has arrived (true) or deadline_ns (0: none) passes; reaps sent frames meanwhile. */
bool vnet_wait(struct vnet *n, uint64_t deadline_ns);
/* Reap transmitted frames: their buffers are free again. */
void vnet_reap_tx(struct vnet *n);
/* Reset the device and give back every page and event. */
void vnet_detach(struct vnet *n);

#endif
