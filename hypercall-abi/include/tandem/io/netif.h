/*
 * netif: the split network-device protocol. Numbers and layouts are Xen's
 * io/netif.h; the prose is Tandem's.
 *
 * Transport: two shared rings (io/ring.h), each one granted page:
 *   tx: front end -> back end packets, netif_tx_request/response, 256 slots
 *   rx: back end -> front end packets, netif_rx_request/response, 256 slots
 * and one event channel for both (or one each, see feature-split-event-
 * channels). Packet data lives in pages granted by the front end.
 *
 * Transmit: a packet is one or more tx requests. The first carries the
 * total packet length in size and NETTXF_* flags; NETTXF_more_data on a
 * slot means another data slot follows; NETTXF_extra_info means a
 * struct netif_extra_info slot (e.g. GSO) follows the first request.
 * Each data slot gets one tx response with its id; extra-info slots get
 * NETIF_RSP_NULL.
 * Receive: the front end posts empty granted pages as rx requests; the
 * back end copies a packet into them and answers in the same slot order,
 * status = bytes written (> 0) or NETIF_RSP_* (< 0), with NETRXF_* flags.
 *
 * XENSTORE KEYS (decimal strings). Front end: /local/domain/<F>/device/vif/<n>/
 * Back end: /local/domain/<B>/backend/vif/<F>/<n>/
 *
 * Written by the front end:
 *   tx-ring-ref, rx-ring-ref   grant refs of the two ring pages
 *   event-channel              one port for both rings, or instead
 *   event-channel-tx, event-channel-rx  (with feature-split-event-channels)
 *   request-rx-copy            1: the back end copies into posted pages
 *                              (the only mode in use today)
 *   feature-rx-notify          1: the front end notifies after posting rx
 *                              requests (required by Linux netback)
 *   feature-sg                 1: accepts multi-slot rx packets
 *   feature-gso-tcpv4, feature-gso-tcpv6  1: accepts GSO rx packets
 *   feature-no-csum-offload    1: do not send partial checksums
 *   feature-ipv6-csum-offload  1: IPv6 partial checksums are fine
 *   multi-queue-num-queues     N > 1: per-queue keys under queue-<i>/
 *   ctrl-ring-ref, event-channel-ctrl  (with feature-ctrl-ring)
 *   state                      XenbusState
 *
 * Written by the toolstack in both directories:
 *   mac                        "aa:bb:cc:dd:ee:ff" (the front end reads
 *                              the copy in its own directory)
 *   handle                     (back end) the vif number
 *
 * Written by the back end:
 *   feature-rx-copy            1: rx copy mode offered
 *   feature-sg, feature-gso-tcpv4, feature-gso-tcpv6
 *   feature-split-event-channels  1: separate tx/rx ports accepted
 *   multi-queue-max-queues     most queues accepted
 *   feature-ctrl-ring          1: control ring offered
 *   feature-multicast-control  1: MCAST_ADD/DEL extras filter rx multicast
 *                              (the front end asks with request-multicast-control)
 *   state                      XenbusState
 *
 * State machine as in io/xenbus.h: the back end goes InitWait; the front
 * end writes its keys and goes Connected directly; the back end maps the
 * rings, binds the port(s) and goes Connected.
 */
#ifndef TANDEM_PUBLIC_IO_NETIF_H
#define TANDEM_PUBLIC_IO_NETIF_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif
#include "ring.h"
#include "../grant_table.h"

/*
 * A back end must accept packets of at least this many tx slots (the
 * slot count older Linux front ends assume: MAX_SKB_FRAGS + 1 of old).
 */
#define XEN_NETIF_NR_SLOTS_MIN  18
#define XEN_NETIF_MAX_TX_SIZE   0xFFFF

/* netif_tx_request.flags. */
#define _NETTXF_csum_blank      0
#define NETTXF_csum_blank       (1U << _NETTXF_csum_blank)      /* checksum left to fill */
#define _NETTXF_data_validated  1
#define NETTXF_data_validated   (1U << _NETTXF_data_validated)  /* checksum already checked */
#define _NETTXF_more_data       2
#define NETTXF_more_data        (1U << _NETTXF_more_data)       /* another data slot follows */
#define _NETTXF_extra_info      3
#define NETTXF_extra_info       (1U << _NETTXF_extra_info)      /* extra-info slot follows */

/* netif_rx_response.flags. */
#define _NETRXF_data_validated  0
#define NETRXF_data_validated   (1U << _NETRXF_data_validated)
#define _NETRXF_csum_blank      1
#define NETRXF_csum_blank       (1U << _NETRXF_csum_blank)
#define _NETRXF_more_data       2
#define NETRXF_more_data        (1U << _NETRXF_more_data)
#define _NETRXF_extra_info      3
#define NETRXF_extra_info       (1U << _NETRXF_extra_info)
#define _NETRXF_gso_prefix      4
#define NETRXF_gso_prefix       (1U << _NETRXF_gso_prefix)      /* deprecated */

/* Response status (rx: also a positive byte count). */
#define NETIF_RSP_DROPPED  -2
#define NETIF_RSP_ERROR    -1
#define NETIF_RSP_OKAY      0
#define NETIF_RSP_NULL      1   /* placeholder answer to an extra-info slot */

#ifndef __ASSEMBLY__
/*
 * tx request, 12 bytes:
 *   0 gref (4)  4 offset (2)  6 flags (2)  8 id (2)  10 size (2)
 */
struct netif_tx_request {
    grant_ref_t gref;           /* IN: page holding this slot's data */
    uint16_t offset;            /* IN: data offset in the page */
    uint16_t flags;             /* IN: NETTXF_* */
    uint16_t id;                /* IN: echoed in the response */
    uint16_t size;              /* IN: first slot: whole packet; others: this slot */
};
typedef struct netif_tx_request netif_tx_request_t;

/* tx response, 4 bytes: 0 id (2)  2 status (2). */
struct netif_tx_response {
    uint16_t id;                /* OUT */
    int16_t status;             /* OUT: NETIF_RSP_* */
};
typedef struct netif_tx_response netif_tx_response_t;

/* rx request, 8 bytes: 0 id (2)  2 pad (2)  4 gref (4). */
struct netif_rx_request {
    uint16_t id;                /* IN: echoed in the response */
    uint16_t pad;
    grant_ref_t gref;           /* IN: empty page for the back end to fill */
};
typedef struct netif_rx_request netif_rx_request_t;

/* rx response, 8 bytes: 0 id  2 offset  4 flags  6 status (2 each). */
struct netif_rx_response {
    uint16_t id;                /* OUT */
    uint16_t offset;            /* OUT: where the data starts in the page */
    uint16_t flags;             /* OUT: NETRXF_* */
    int16_t status;             /* OUT: bytes (> 0) or NETIF_RSP_* (< 0) */
};
typedef struct netif_rx_response netif_rx_response_t;
#endif

/* Extra-info slot types and flags. */
#define XEN_NETIF_EXTRA_TYPE_NONE       0
#define XEN_NETIF_EXTRA_TYPE_GSO        1
#define XEN_NETIF_EXTRA_TYPE_MCAST_ADD  2
#define XEN_NETIF_EXTRA_TYPE_MCAST_DEL  3
#define XEN_NETIF_EXTRA_TYPE_HASH       4
#define XEN_NETIF_EXTRA_TYPE_MAX        5
#define _XEN_NETIF_EXTRA_FLAG_MORE      0
#define XEN_NETIF_EXTRA_FLAG_MORE       (1U << _XEN_NETIF_EXTRA_FLAG_MORE) /* more extras */
#define XEN_NETIF_GSO_TYPE_NONE         0
#define XEN_NETIF_GSO_TYPE_TCPV4        1
#define XEN_NETIF_GSO_TYPE_TCPV6        2

#ifndef __ASSEMBLY__
struct netif_extra_info_gso {
    uint16_t size;              /* IN: segment payload size (MSS) */
    uint8_t type;               /* IN: XEN_NETIF_GSO_TYPE_* */
    uint8_t pad;
    uint16_t features;          /* IN */
};
struct netif_extra_info_mcast {
    uint8_t addr[6];            /* IN: multicast MAC */
};
struct netif_extra_info_hash {
    uint8_t type;               /* IN */
    uint8_t algorithm;          /* IN */
    uint8_t value[4];           /* IN: little endian */
};

/*
 * Extra info, overlaying a tx request or rx response slot. 8 bytes:
 *   0 type (1)  1 flags (1)  2 type-specific (6)
 */
struct netif_extra_info {
    uint8_t type;               /* IN: XEN_NETIF_EXTRA_TYPE_* */
    uint8_t flags;              /* IN: XEN_NETIF_EXTRA_FLAG_* */
    union {
        struct netif_extra_info_gso gso;
        struct netif_extra_info_mcast mcast;
        struct netif_extra_info_hash hash;
        uint16_t pad[3];
    } u;
};
typedef struct netif_extra_info netif_extra_info_t;

DEFINE_RING_TYPES(netif_tx, struct netif_tx_request, struct netif_tx_response);
DEFINE_RING_TYPES(netif_rx, struct netif_rx_request, struct netif_rx_response);
#endif

/*
 * Control ring (feature-ctrl-ring; Tandem's back end does not offer it).
 * The front end writes ctrl-ring-ref and event-channel-ctrl; one response
 * per request, in any order. Hash types are bit numbers of the hash flags.
 */
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV4      0
#define XEN_NETIF_CTRL_HASH_TYPE_IPV4       (1 << _XEN_NETIF_CTRL_HASH_TYPE_IPV4)
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP  1
#define XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP   (1 << _XEN_NETIF_CTRL_HASH_TYPE_IPV4_TCP)
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV6      2
#define XEN_NETIF_CTRL_HASH_TYPE_IPV6       (1 << _XEN_NETIF_CTRL_HASH_TYPE_IPV6)
#define _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP  3
#define XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP   (1 << _XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP)

#define XEN_NETIF_CTRL_HASH_ALGORITHM_NONE      0
#define XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ  1

/* xen_netif_ctrl_request.type */
#define XEN_NETIF_CTRL_TYPE_INVALID               0
#define XEN_NETIF_CTRL_TYPE_GET_HASH_FLAGS        1
#define XEN_NETIF_CTRL_TYPE_SET_HASH_FLAGS        2
#define XEN_NETIF_CTRL_TYPE_SET_HASH_KEY          3   /* data[0] gref, data[1] key octets */
#define XEN_NETIF_CTRL_TYPE_GET_HASH_MAPPING_SIZE 4
#define XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING_SIZE 5   /* data[0] entries */
#define XEN_NETIF_CTRL_TYPE_SET_HASH_MAPPING      6   /* data[0] gref, [1] entries, [2] offset */
#define XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM    7   /* data[0] XEN_NETIF_CTRL_HASH_ALGORITHM_* */
#define XEN_NETIF_CTRL_TYPE_GET_GREF_MAPPING_SIZE 8
#define XEN_NETIF_CTRL_TYPE_ADD_GREF_MAPPING      9   /* data[0] gref of xen_netif_gref[], [1] count */
#define XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING     10

/* xen_netif_ctrl_response.status */
#define XEN_NETIF_CTRL_STATUS_SUCCESS           0
#define XEN_NETIF_CTRL_STATUS_NOT_SUPPORTED     1
#define XEN_NETIF_CTRL_STATUS_INVALID_PARAMETER 2
#define XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW   3

/* xen_netif_gref.flags */
#define _XEN_NETIF_CTRLF_GREF_readonly  0
#define XEN_NETIF_CTRLF_GREF_readonly   (1U << _XEN_NETIF_CTRLF_GREF_readonly)

#ifndef __ASSEMBLY__
/* Control request, 16 bytes: 0 id (2)  2 type (2)  4 data[3] (4 each). */
struct xen_netif_ctrl_request {
    uint16_t id;                /* IN: echoed in the response */
    uint16_t type;              /* IN: XEN_NETIF_CTRL_TYPE_* */
    uint32_t data[3];           /* IN: per type */
};

/* Control response, 12 bytes: 0 id (2)  2 type (2)  4 status (4)  8 data (4). */
struct xen_netif_ctrl_response {
    uint16_t id;                /* OUT */
    uint16_t type;              /* OUT: the request's */
    uint32_t status;            /* OUT: XEN_NETIF_CTRL_STATUS_* */
    uint32_t data;              /* OUT: per type */
};

/* One entry of an ADD/DEL_GREF_MAPPING page, 8 bytes: 0 ref (4)  4 flags (2)  6 status (2). */
struct xen_netif_gref {
    grant_ref_t ref;            /* IN */
    uint16_t flags;             /* IN: XEN_NETIF_CTRLF_GREF_* */
    uint16_t status;            /* OUT: XEN_NETIF_CTRL_STATUS_* */
};

DEFINE_RING_TYPES(xen_netif_ctrl, struct xen_netif_ctrl_request, struct xen_netif_ctrl_response);
#endif

#endif
