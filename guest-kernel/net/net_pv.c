/*
 * The PV platform's side of the network service (net.h): the device ifup starts the stack on
 * (the driver domain's switch port, else a vif, else the raw virtio NIC) and what the status
 * page says of this domain (its id, privilege, and name from the hypervisor or the store).
 */
#include "netsvc.h"
#include "grant.h"
#include "netback_svc.h"
#include "netfront_dev.h"
#include "store.h"
#include <tandem/domctl.h>

#define NETFRONT_WAIT_NS 10000000000ULL /* a vif's back end has this long to connect */

_Static_assert(NET_NAME_LEN >= TANDEM_DOMCTL_NAME_LEN, "a domain name fits the status page's buffer");

static struct netdev eth0_dev;
static char store_name[TANDEM_DOMCTL_NAME_LEN];     /* the store's `name`, read by status_init */

struct netdev *netdev_find(struct vnet **owner)
{
    struct netdev *d;
    struct vnet *n;

    if ((d = netback_svc_netdev()))
        return d;                       /* the driver domain behind its switch: eth0 is the uplink */
    if ((d = netfront_netdev(NETFRONT_WAIT_NS)))
        return d;                       /* a vif (device/vif/N) */
    if (!(n = dev_eth0()))
        return NULL;
    netdev_vnet_init(&eth0_dev, n, "eth0");
    *owner = n;
    return &eth0_dev;
}

void netdev_describe(const struct netdev *d)
{
    netfront_describe(d);
}

unsigned int net_domid(void)
{
    return kernel_domid();
}

bool net_privileged(void)
{
    return start_info->flags & SIF_PRIVILEGED;
}

void status_init(void)
{
    struct xenbus_client *c = xenbus_kernel();

    if (c && xenbus_read(c, XENBUS_TX_NONE, "name", store_name, sizeof(store_name), NULL))
        store_name[0] = 0;
}

/* The configuration's name= of this domain (getdomaininfo needs privilege, else the store's); "" if neither. */
void status_name(char *buf, size_t size)
{
    struct tandem_domctl op = { .cmd = TANDEM_DOMCTL_getdomaininfo,
                                .interface_version = TANDEM_DOMCTL_INTERFACE_VERSION, .domid = DOMID_SELF };

    buf[0] = 0;
    if (!HYPERVISOR_tandem_domctl(&op))
        snprintf(buf, size, "%s", op.u.getdomaininfo.name);
    else
        snprintf(buf, size, "%s", store_name);
}

/* netbench.c's PV counters: this domain's own (kcounters), as xvd bench reports them. */
bool netbench_pv_counters(uint64_t v[4])
{
    struct kcounters c = kcounters;

    v[0] = c.hypercalls;
    v[1] = c.evt_sent;
    v[2] = c.evt_handled;
    v[3] = c.grants + c.grant_ends + c.grant_maps + c.grant_unmaps + c.grant_copies;
    return true;
}
