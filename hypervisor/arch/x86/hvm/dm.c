/*
 * dm_op (hypercall 41): a device model's requests about the HVM domain it
 * emulates devices for (Xen's dm.c; docs/abi/hypercalls.md "41 dm_op").
 * Decode here (the buffers, the caller's right over the target, each
 * member's own checks), the work in hvm/ioreq.c (the ioreq servers) or
 * common code (shutdown).
 */
#include "lib.h"
#include "domain.h"
#include "hypercall.h"
#include "guest_access.h"
#include "hvm.h"
#include "ioreq.h"
#include <tandem/errno.h>
#include <tandem/sched.h>
#include <tandem/hvm/dm_op.h>

static const uint8_t dm_op_size[] = {
    [XEN_DMOP_create_ioreq_server] = sizeof(struct xen_dm_op_create_ioreq_server),
    [XEN_DMOP_get_ioreq_server_info] = sizeof(struct xen_dm_op_get_ioreq_server_info),
    [XEN_DMOP_map_io_range_to_ioreq_server] = sizeof(struct xen_dm_op_ioreq_server_range),
    [XEN_DMOP_unmap_io_range_from_ioreq_server] = sizeof(struct xen_dm_op_ioreq_server_range),
    [XEN_DMOP_set_ioreq_server_state] = sizeof(struct xen_dm_op_set_ioreq_server_state),
    [XEN_DMOP_destroy_ioreq_server] = sizeof(struct xen_dm_op_destroy_ioreq_server),
    [XEN_DMOP_remote_shutdown] = sizeof(struct xen_dm_op_remote_shutdown),
    [XEN_DMOP_nr_vcpus] = sizeof(struct xen_dm_op_nr_vcpus),
};

/* One operation, buffers checked: its own checks (Xen's ioreq_server_dm_op's order), then the work. */
static int dm_op_one(struct domain *d, struct domain *dm, struct xen_dm_op *op, bool *copy_back)
{
    switch (op->op) {
    case XEN_DMOP_create_ioreq_server: {
        struct xen_dm_op_create_ioreq_server *c = &op->u.create_ioreq_server;
        *copy_back = true;
        if (c->pad[0] || c->pad[1] || c->pad[2])
            return -XEN_EINVAL;
        return hvm_ioreq_server_create(d, dm, c->handle_bufioreq, &c->id);
    }
    case XEN_DMOP_get_ioreq_server_info: {
        struct xen_dm_op_get_ioreq_server_info *g = &op->u.get_ioreq_server_info;
        *copy_back = true;
        if (g->flags & ~XEN_DMOP_no_gfns)
            return -XEN_EINVAL;
        g->bufioreq_port = 0;           /* no buffered ioreqs; the gfns are not set */
        return hvm_ioreq_server_info(d, dm, g->id, g->flags & XEN_DMOP_no_gfns);
    }
    case XEN_DMOP_map_io_range_to_ioreq_server:
    case XEN_DMOP_unmap_io_range_from_ioreq_server: {
        const struct xen_dm_op_ioreq_server_range *r = &op->u.map_io_range_to_ioreq_server;
        if (r->pad || r->start > r->end)
            return -XEN_EINVAL;
        return hvm_ioreq_server_range(d, dm, r->id, op->op == XEN_DMOP_map_io_range_to_ioreq_server,
                                      r->type, r->start, r->end);
    }
    case XEN_DMOP_set_ioreq_server_state: {
        const struct xen_dm_op_set_ioreq_server_state *st = &op->u.set_ioreq_server_state;
        if (st->pad)
            return -XEN_EINVAL;
        return hvm_ioreq_server_set_state(d, dm, st->id, st->enabled != 0);
    }
    case XEN_DMOP_destroy_ioreq_server:
        if (op->u.destroy_ioreq_server.pad)
            return -XEN_EINVAL;
        return hvm_ioreq_server_destroy(d, dm, op->u.destroy_ioreq_server.id);
    case XEN_DMOP_remote_shutdown: {
        uint8_t reason = (uint8_t)op->u.remote_shutdown.reason;     /* as SCHEDOP_shutdown: any u8 */
        if (reason == SHUTDOWN_crash && d->state == DOM_RUNNING)
            snprintf(d->crash_why, sizeof(d->crash_why), "its device model d%u asked (dm_op remote_shutdown)",
                     dm->domain_id);
        domain_shutdown(d, reason);
        return 0;
    }
    case XEN_DMOP_nr_vcpus:
        *copy_back = true;
        op->u.nr_vcpus.vcpus = d->max_vcpus;
        return 0;
    default:
        return -XEN_EOPNOTSUPP;
    }
}

long do_dm_op(domid_t domid, uint32_t nr_bufs, guest_va_t bufs)
{
    struct domain *dm = current->domain, *d;
    struct xen_dm_op_buf buf[2];
    struct xen_dm_op op;
    const size_t hdr = offsetof(struct xen_dm_op, u);
    bool copy_back = false;
    int rc;

    if (nr_bufs > ARRAY_SIZE(buf))
        return -XEN_E2BIG;
    memset(buf, 0, sizeof(buf));
    if (nr_bufs && copy_from_guest(buf, bufs, nr_bufs * sizeof(buf[0])))
        return -XEN_EFAULT;
    /* Xen's rcu_lock_remote_domain_by_id, then the HVM check, then XSM's (privileged only). */
    if (!(d = get_domain_by_id(domid)))
        return -XEN_ESRCH;
    if (d == dm)
        return -XEN_EPERM;
    if (!is_hvm_domain(d))
        return -XEN_EINVAL;
    if (!dm_may_control(dm, d))
        return -XEN_EPERM;
    memset(&op, 0, sizeof(op));
    if (buf[0].size < hdr || copy_from_guest(&op, buf[0].h, hdr))
        return -XEN_EFAULT;
    if (op.op >= ARRAY_SIZE(dm_op_size))
        return -XEN_EOPNOTSUPP;
    if (buf[0].size < hdr + dm_op_size[op.op] ||
        copy_from_guest((char *)&op + hdr, buf[0].h + hdr, dm_op_size[op.op]))
        return -XEN_EFAULT;
    if (op.pad)
        return -XEN_EINVAL;
    rc = dm_op_one(d, dm, &op, &copy_back);
    if (!rc && copy_back && copy_to_guest(buf[0].h + hdr, (char *)&op + hdr, dm_op_size[op.op]))
        rc = -XEN_EFAULT;
    return rc;
}
