/*
 * netback_xs.c: the back end's store keys (pv_netback.h, docs/netif.md
 * "Keys and states"): what Linux's xen-netfront reads, and the
 * frontend's rings, channels and requests, read as untrusted strings.
 */
#include "pv_netback.h"
#include "pv_str.h"
#include <tandem/errno.h>

int netback_publish_features(const struct netback_xs_ops *xs)
{
    static const char *const keys[][2] = {
        { "feature-sg", "1" },
        { "feature-rx-copy", "1" },
        { "feature-rx-flip", "0" },
        { "feature-split-event-channels", "1" },
        { "feature-ipv6-csum-offload", "1" },
    };
    unsigned int i;
    int rc;

    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if ((rc = xs->write(xs->ctx, keys[i][0], keys[i][1])))
            return rc;
    return 0;
}

static int get_u32(const struct netback_xs_ops *xs, const char *key, uint32_t *out)
{
    char buf[16];
    int rc = xs->read(xs->ctx, key, buf, sizeof(buf));

    if (rc < 0)
        return rc;
    buf[sizeof(buf) - 1] = 0;
    return pv_parse_u32_str(buf, out);
}

/* A 0/1 flag: `def` when absent; anything but 0 or 1 is -XEN_EINVAL. */
static int get_flag(const struct netback_xs_ops *xs, const char *key, bool def, bool *out)
{
    uint32_t v;
    int rc = get_u32(xs, key, &v);

    if (rc == -XEN_ENOENT) {
        *out = def;
        return 0;
    }
    if (rc)
        return rc;
    if (v > 1)
        return -XEN_EINVAL;
    *out = v;
    return 0;
}

static int read_channels(const struct netback_xs_ops *xs, struct netback_front *f)
{
    int rc = get_u32(xs, "event-channel-tx", &f->evtchn_tx);

    if (rc == -XEN_ENOENT) {
        f->split = false;
        rc = get_u32(xs, "event-channel", &f->evtchn_tx);
        f->evtchn_rx = f->evtchn_tx;
        return rc;
    }
    if (rc)
        return rc;
    f->split = true;
    return get_u32(xs, "event-channel-rx", &f->evtchn_rx);
}

int netback_read_frontend(const struct netback_xs_ops *xs, struct netback_front *f)
{
    uint32_t queues = 1;
    bool rx_copy, rx_notify, no_csum;
    int rc = get_u32(xs, "multi-queue-num-queues", &queues);

    if (rc && rc != -XEN_ENOENT)
        return rc;
    if (queues != 1)
        return -XEN_EINVAL;     /* multi-queue-max-queues is not offered */
    if ((rc = get_u32(xs, "tx-ring-ref", &f->tx_ring_ref)) ||
        (rc = get_u32(xs, "rx-ring-ref", &f->rx_ring_ref)) ||
        (rc = read_channels(xs, f)))
        return rc;
    if ((rc = get_flag(xs, "request-rx-copy", false, &rx_copy)) ||
        (rc = get_flag(xs, "feature-rx-notify", false, &rx_notify)) ||
        (rc = get_flag(xs, "feature-sg", false, &f->sg)) ||
        (rc = get_flag(xs, "feature-no-csum-offload", false, &no_csum)) ||
        (rc = get_flag(xs, "feature-ipv6-csum-offload", false, &f->ipv6_csum)) ||
        (rc = get_flag(xs, "feature-gso-tcpv4", false, &f->gso_tcpv4)) ||
        (rc = get_flag(xs, "feature-gso-tcpv6", false, &f->gso_tcpv6)))
        return rc;
    f->csum = !no_csum;
    if (!rx_copy || !rx_notify)
        return -XEN_EOPNOTSUPP;
    return 0;
}
