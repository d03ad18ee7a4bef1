/*
 * tandem_domctl (hypercall 48): list, pause, unpause and destroy domains,
 * and tell the store domain how each reaches its store, for privileged
 * domains only. The contract, errors and their order are in
 * hypercall-abi/include/tandem/domctl.h and docs/abi/hypercalls.md.
 */
#include "lib.h"
#include "hypercall.h"
#include "domain.h"
#include "sched.h"
#include "time.h"
#include "guest_access.h"
#include "trace.h"
#include "console.h"
#include <tandem/domctl.h>
#include <tandem/errno.h>

/* The live domain with the smallest id >= id (dead records are not domains any more). */
static struct domain *first_domain_from(domid_t id)
{
    struct domain *best = NULL;

    for (struct domain *d = domain_list; d; d = d->next_in_list)
        if (d->state != DOM_DEAD && d->domain_id >= id && (!best || d->domain_id < best->domain_id))
            best = d;
    return best;
}

static uint32_t dominfo_flags(const struct domain *d)
{
    uint32_t f = 0;
    bool all_blocked = true, any_up = false;

    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        const struct vcpu *v = d->vcpu[i];
        if (!v || (v->pause_flags & VPF_down))
            continue;
        any_up = true;
        all_blocked &= (v->pause_flags & VPF_blocked) && !v->is_running;
        if (v->is_running)
            f |= TANDEM_DOMINF_running;
    }
    if (d->state == DOM_DYING)
        f |= TANDEM_DOMINF_dying;
    if (d->state == DOM_SHUTDOWN)
        f |= TANDEM_DOMINF_shutdown;
    if (d->paused)
        f |= TANDEM_DOMINF_paused;
    if (any_up && all_blocked)
        f |= TANDEM_DOMINF_blocked;
    if (d->is_privileged)
        f |= TANDEM_DOMINF_privileged;
    return f;
}

static void fill_dominfo(const struct domain *d, struct tandem_domctl_getdomaininfo *i)
{
    uint64_t now = now_ns(), ns = domain_cpu_time(d);

    /* Include the slice in progress, so the caller's own time is current too. */
    for (unsigned int k = 0; k < d->max_vcpus; k++)
        if (d->vcpu[k] && d->vcpu[k]->is_running)
            ns += now - d->vcpu[k]->run_start;
    memset(i, 0, sizeof(*i));
    i->domid = d->domain_id;
    i->flags = dominfo_flags(d);
    i->shutdown_reason = d->shutdown_reason < 0 ? 0 : (uint32_t)d->shutdown_reason;
    i->nr_vcpus = d->max_vcpus;
    i->tot_pages = d->tot_pages;
    i->max_pages = d->max_pages;
    i->cpu_time_ns = ns;
    strlcpy(i->name, d->name, sizeof(i->name));
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;

    while (n--)
        if (*b++)
            return false;
    return true;
}

/* The domain an info query names (DOMID_SELF: the caller), dying ones included; NULL: -ESRCH. */
static struct domain *query_target(const struct tandem_domctl *op, struct domain *self)
{
    domid_t id = op->domid == DOMID_SELF ? self->domain_id : op->domid;
    struct domain *d = first_domain_from(id);

    return d && d->domain_id == id ? d : NULL;
}

static void fill_storeinfo(const struct domain *d, struct tandem_domctl_getstoreinfo *i)
{
    memset(i, 0, sizeof(*i));
    i->domid = d->domain_id;
    i->store_domid = d->store_domid;
    i->store_port = d->store_port;
    i->console_port = d->console_port;
    i->flags = d->store_waiting ? TANDEM_STOREINF_waiting : 0;
    i->store_mfn = d->store_mfn;
    i->console_mfn = d->console_mfn;
    i->target_kib = d->build_pages << (PAGE_SHIFT - 10);
    i->maxmem_kib = d->max_pages << (PAGE_SHIFT - 10);
    i->nr_devices = d->nr_devices;
}

/* getstoreinfo / getdevice: validate, then fill op's OUT fields; 0 or the error. */
static long store_query(struct tandem_domctl *op, struct domain *self)
{
    struct tandem_domctl_getdevice *g = &op->u.getdevice;
    const struct domain_device *dev;
    struct domain *d;
    uint32_t index = g->index;

    if (op->cmd == TANDEM_DOMCTL_getdevice)
        g->index = 0;                       /* the only IN field: the rest must be 0 */
    if (!all_zero(&op->u, sizeof(op->u)))
        return -XEN_EINVAL;
    if (!(d = query_target(op, self)))
        return -XEN_ESRCH;
    if (op->cmd == TANDEM_DOMCTL_getstoreinfo) {
        fill_storeinfo(d, &op->u.getstoreinfo);
        return 0;
    }
    if (index >= d->nr_devices)
        return -XEN_ENOENT;
    dev = &d->devices[index];
    g->index = index;
    g->devid = dev->devid;
    memcpy(g->type, dev->type, sizeof(g->type));
    /* disk= and vif= devices are the driver domain's to serve; devices= entries the store domain's. */
    g->backend_domid = dev->backend != DOMID_INVALID ? dev->backend : d->store_domid;
    g->flags = dev->flags;
    g->region_start = dev->region_start;
    g->region_sectors = dev->region_sectors;
    memcpy(g->serial, dev->serial, sizeof(g->serial));
    g->serial[sizeof(g->serial) - 1] = 0;
    return 0;
}

/* Validate a pause/unpause/destroy without changing anything; returns its target or NULL with *rc. */
static struct domain *decode_target(const struct tandem_domctl *op, struct domain *self, long *rc)
{
    domid_t id = op->domid == DOMID_SELF ? self->domain_id : op->domid;
    struct domain *d;

    *rc = -XEN_EINVAL;
    if (!all_zero(&op->u, sizeof(op->u)))
        return NULL;
    if (id == self->domain_id && op->cmd != TANDEM_DOMCTL_unpause)
        return NULL;                    /* pausing or destroying oneself could never be undone */
    *rc = -XEN_ESRCH;
    /* Not get_domain_by_id: a domain being torn down is still there for the domctls (as Xen's). */
    if (!(d = first_domain_from(id)) || d->domain_id != id)
        return NULL;
    *rc = -XEN_EINVAL;
    if (op->cmd == TANDEM_DOMCTL_unpause && !d->paused)
        return NULL;
    *rc = 0;
    return d;
}

/* readconsole: Xen's sysctl readconsole over the console ring (console.c). */
static long read_console(struct tandem_domctl *op, guest_va_t arg)
{
    struct tandem_domctl_readconsole *r = &op->u.readconsole;
    long rc;

    if (op->domid || r->pad || r->pad2 || r->clear > 1 || r->incremental > 1 ||
        !all_zero((const uint8_t *)r + sizeof(*r), sizeof(op->u) - sizeof(*r)))
        return -XEN_EINVAL;
    if ((rc = console_read_ring(r->buffer, r->count, r->clear, r->incremental, &r->index, &r->count)))
        return rc;
    return copy_to_guest(arg, op, sizeof(*op)) ? -XEN_EFAULT : 0;
}

long do_tandem_domctl(guest_va_t arg)
{
    struct domain *self = current->domain, *d;
    struct tandem_domctl op;
    char why[48];
    long rc;

    BUILD_BUG_ON(sizeof(struct tandem_domctl) != 128);
    BUILD_BUG_ON(sizeof(struct tandem_domctl_getdomaininfo) != 72);
    BUILD_BUG_ON(sizeof(struct tandem_domctl_getstoreinfo) > sizeof(op.u));
    BUILD_BUG_ON(sizeof(struct tandem_domctl_getdevice) != 80);
    BUILD_BUG_ON(sizeof(struct tandem_domctl_getdevice) > sizeof(op.u));
    BUILD_BUG_ON(sizeof(struct tandem_domctl_trace_control) != 48);
    BUILD_BUG_ON(sizeof(struct tandem_domctl_trace_read) != 40);
    BUILD_BUG_ON(sizeof(struct tandem_domctl_readconsole) != 24);
    BUILD_BUG_ON(sizeof(((struct domain_device *)0)->serial) != TANDEM_DOMCTL_SERIAL_LEN);
    if (copy_from_guest(&op, arg, sizeof(op)))
        return -XEN_EFAULT;
    if (!self->is_privileged)
        return -XEN_EPERM;
    if (op.interface_version != TANDEM_DOMCTL_INTERFACE_VERSION)
        return -XEN_EACCES;
    if (op.cmd == TANDEM_DOMCTL_trace_control || op.cmd == TANDEM_DOMCTL_trace_read)
        return all_zero(op.pad, sizeof(op.pad)) ? trace_domctl(&op, arg) : -XEN_EINVAL;  /* trace.c */
    if (op.cmd > TANDEM_DOMCTL_readconsole)
        return -XEN_ENOSYS;
    if (!all_zero(op.pad, sizeof(op.pad)))
        return -XEN_EINVAL;

    if (op.cmd == TANDEM_DOMCTL_getdomaininfo) {
        if (!(d = first_domain_from(op.domid == DOMID_SELF ? self->domain_id : op.domid)))
            return -XEN_ESRCH;
        fill_dominfo(d, &op.u.getdomaininfo);
        return copy_to_guest(arg, &op, sizeof(op)) ? -XEN_EFAULT : 0;
    }
    if (op.cmd == TANDEM_DOMCTL_getstoreinfo || op.cmd == TANDEM_DOMCTL_getdevice) {
        if ((rc = store_query(&op, self)))
            return rc;
        return copy_to_guest(arg, &op, sizeof(op)) ? -XEN_EFAULT : 0;
    }
    if (op.cmd == TANDEM_DOMCTL_readconsole)
        return read_console(&op, arg);
    if (!(d = decode_target(&op, self, &rc)))
        return rc;
    switch (op.cmd) {
    case TANDEM_DOMCTL_pause:
        domain_pause(d);
        break;
    case TANDEM_DOMCTL_unpause:
        domain_unpause(d);
        break;
    default:
        snprintf(why, sizeof(why), "by d%u (tandem_domctl)", self->domain_id);
        domain_kill(d, why);            /* already stopping: nothing to do, still 0 */
        break;
    }
    return 0;
}
