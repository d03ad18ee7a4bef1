/*
 * ioreq servers: an HVM domain's I/O handed to a device model in another
 * domain (Xen's ioreq server interface, docs/hvm.md "Device models: the
 * ioreq channel"). A server belongs to its target (d->arch.hvm) and is run
 * by one emulator domain (the one that created it). Its ioreq page is a
 * hypervisor frame owned by the target but never in the target's memory
 * (p2m): the device model maps it through XENMEM_acquire_resource. Each of
 * the target's vCPUs has a port in the target, bound by the device model,
 * whose target end is the hypervisor (evtchn_alloc_unbound_xen_port).
 *
 * The device model is not trusted: the page is read once per step (the
 * state byte, then data), states out of order or out of range kill the
 * target (never the device model), everything else it writes is ignored.
 *
 * Locking: hd->ioreq_lock guards the server slots and each server's
 * contents; it nests outside the target's event lock. The send consumer
 * (ioreq_notified) takes no lock: it only wakes the vCPU.
 */
#include "lib.h"
#include "domain.h"
#include "mm.h"
#include "sched.h"
#include "evtchn.h"
#include "arch_hooks.h"
#include "hvm.h"
#include "ioreq.h"
#include <tandem/errno.h>
#include <tandem/hvm/ioreq.h>
#include <tandem/hvm/dm_op.h>
#include <tandem/memory.h>

#define IOREQ_MAX_RANGES    64      /* per server, all types together */
#define IOREQ_LOG_MAX       5       /* complaints logged per server */

struct ioreq_range {
    uint32_t type;                  /* XEN_DMOP_IO_RANGE_* */
    uint64_t start, end;            /* inclusive */
};

struct hvm_ioreq_server {
    domid_t emulator;               /* the device model's domain */
    bool enabled;
    uint32_t gen;
    mfn_t mfn;                      /* the ioreq page */
    struct shared_iopage *page;
    uint32_t port[MAX_VCPUS];       /* the target's port per vCPU */
    unsigned int nr_ranges;
    unsigned int complaints;
    struct ioreq_range range[IOREQ_MAX_RANGES];
};
_Static_assert(sizeof(struct ioreq) == 32 && MAX_VCPUS * sizeof(struct ioreq) <= PAGE_SIZE,
               "one ioreq page holds every vCPU's slot");

/* Byte 30 of a slot: state (bits 0-3), data_is_ptr (4), dir (5), df (6) (tandem/hvm/ioreq.h). */
static volatile uint8_t *slot_byte(struct ioreq *p)
{
    return (volatile uint8_t *)p + 30;
}

static unsigned int slot_state(struct ioreq *p)
{
    return __atomic_load_n(slot_byte(p), __ATOMIC_ACQUIRE) & 0xf;
}

static void complain(struct domain *d, struct hvm_ioreq_server *s, unsigned int id, const char *what,
                     unsigned long a)
{
    if (s->complaints++ < IOREQ_LOG_MAX)
        printk(XENLOG_WARNING "d%u: ioreq server %u (device model d%u): %s (%#lx)%s\n", d->domain_id,
               id, s->emulator, what, a, s->complaints == IOREQ_LOG_MAX ? "; further ones not logged" : "");
}

/* ---- the vCPU side ---- */

static struct hvm_ioreq_server *claiming_server(struct hvm_domain *hd, uint8_t type, uint64_t addr,
                                                unsigned int size, unsigned int *id)
{
    uint32_t rtype = type == IOREQ_TYPE_PIO ? XEN_DMOP_IO_RANGE_PORT :
                     type == IOREQ_TYPE_COPY ? XEN_DMOP_IO_RANGE_MEMORY : XEN_DMOP_IO_RANGE_PCI;
    uint64_t first = rtype == XEN_DMOP_IO_RANGE_PCI ? addr >> 32 : addr;
    uint64_t last = rtype == XEN_DMOP_IO_RANGE_PCI ? first : addr + size - 1;

    if (last < first)
        return NULL;
    /* Newest first, as Xen's FOR_EACH_IOREQ_SERVER. */
    for (unsigned int i = HVM_IOREQ_MAX_SERVERS; i-- > 0;) {
        struct hvm_ioreq_server *s = hd->ioreq_server[i];
        if (!s || !s->enabled)
            continue;
        for (unsigned int r = 0; r < s->nr_ranges; r++)
            if (s->range[r].type == rtype && s->range[r].start <= first && last <= s->range[r].end) {
                *id = i;
                return s;
            }
    }
    return NULL;
}

/*
 * Xen's arch_ioreq_server_get_type_addr: with the enable bit of the 0xcf8
 * latch set, an access to 0xcfc-0xcff is a configuration cycle of the
 * function the latch names: a server claiming that SBDF gets it as
 * IOREQ_TYPE_PCI_CONFIG, addr = SBDF << 32 | register. Otherwise (or if no
 * server claims the function) it is port I/O like any other.
 */
static struct hvm_ioreq_server *pci_config_server(struct hvm_domain *hd, uint8_t *type, uint64_t *addr,
                                                  unsigned int size, unsigned int *id)
{
    uint32_t cf8 = hd->pci_cf8;
    uint64_t pci = ((uint64_t)((cf8 >> 8) & 0xffff) << 32) | (cf8 & 0xfc) | (*addr & 3);
    struct hvm_ioreq_server *s;

    if (*type != IOREQ_TYPE_PIO || (*addr & ~3ULL) != 0xcfc || !(cf8 & 0x80000000u))
        return NULL;
    if ((s = claiming_server(hd, IOREQ_TYPE_PCI_CONFIG, pci, size, id))) {
        *type = IOREQ_TYPE_PCI_CONFIG;
        *addr = pci;
    }
    return s;
}

bool hvm_ioreq_claims(struct domain *d, uint8_t type, uint64_t addr, unsigned int size)
{
    unsigned int id;
    bool r;

    if (!is_hvm_domain(d))
        return false;
    spin_lock(&d->arch.hvm->ioreq_lock);
    r = claiming_server(d->arch.hvm, type, addr, size, &id) != NULL;
    spin_unlock(&d->arch.hvm->ioreq_lock);
    return r;
}

static bool send(struct vcpu *v, uint8_t type, uint64_t addr, unsigned int size, bool read, uint64_t data,
                 unsigned int dest_gpr, unsigned int dest_size, const struct hvm_string_wait *str)
{
    struct domain *d = v->domain;
    struct hvm_domain *hd = d->arch.hvm;
    struct hvm_ioreq_wait *w = &v->arch.hvm->ioreq;
    struct hvm_ioreq_server *s;
    struct ioreq *p;
    unsigned int id, st;
    uint32_t port;

    if (size == 0 || size > 8 || w->pending)
        return false;
    spin_lock(&hd->ioreq_lock);
    /* The PCI config address latch (Xen's hvm_access_cf8): kept, and the write goes on as port I/O. */
    if (type == IOREQ_TYPE_PIO && addr == 0xcf8 && size == 4 && !read)
        hd->pci_cf8 = (uint32_t)data;
    if (!(s = pci_config_server(hd, &type, &addr, size, &id)) &&
        !(s = claiming_server(hd, type, addr, size, &id))) {
        spin_unlock(&hd->ioreq_lock);
        return false;
    }
    p = &s->page->vcpu_ioreq[v->vcpu_id];
    if ((st = slot_state(p)) != STATE_IOREQ_NONE)
        complain(d, s, id, "slot not free before a request (a state nobody asked for): overwritten", st);
    port = s->port[v->vcpu_id];
    p->addr = addr;
    if (str && str->ptr)
        p->data = data;                 /* the buffer's guest-physical address */
    else
        p->data = read ? 0 : data & (size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1);
    p->count = str ? str->count : 1;
    p->size = size;
    p->vp_eport = port;
    p->_pad0 = 0;
    p->type = type;
    *w = (struct hvm_ioreq_wait){ .pending = true, .server = (uint8_t)id, .gen = s->gen,
                                  .last_state = STATE_IOREQ_READY, .read = read, .size = (uint8_t)size,
                                  .dest_gpr = (uint8_t)dest_gpr, .dest_size = (uint8_t)dest_size };
    if (str)
        w->str = *str;
    /* Blocked before the request is visible: an answer on another CPU wakes it (never lost). */
    vcpu_block(v);
    __atomic_store_n(slot_byte(p), (uint8_t)(STATE_IOREQ_READY | (str && str->ptr ? 1u << 4 : 0) |
                                            (read ? 1u << 5 : 0) | (str && str->df ? 1u << 6 : 0)),
                     __ATOMIC_RELEASE);
    hd->ioreq_sent++;
    spin_unlock(&hd->ioreq_lock);
    evtchn_notify_xen_port(d, port);
    return true;
}

bool hvm_ioreq_send(struct vcpu *v, uint8_t type, uint64_t addr, unsigned int size, bool read,
                    uint64_t data, unsigned int dest_gpr, unsigned int dest_size)
{
    return send(v, type, addr, size, read, data, dest_gpr, dest_size, NULL);
}

bool hvm_ioreq_send_string(struct vcpu *v, uint16_t port, uint64_t data, const struct hvm_string_wait *s)
{
    if (!s->active || !s->count || (!s->ptr && s->count != 1) || s->count > PAGE_SIZE)
        return false;
    return send(v, IOREQ_TYPE_PIO, port, s->size, s->in, data, HVM_IOREQ_NO_GPR, 0, s);
}

static bool waiter_kill(struct vcpu *v, const char *why)
{
    char msg[128];

    snprintf(msg, sizeof(msg), "its device model %s while v%u waited for an I/O answer", why, v->vcpu_id);
    v->arch.hvm->ioreq.pending = false;
    domain_crash(v->domain, msg, NULL);
    return false;
}

bool hvm_ioreq_resume(struct vcpu *v, struct cpu_user_regs *regs)
{
    struct hvm_domain *hd = v->domain->arch.hvm;
    struct hvm_ioreq_wait *w = &v->arch.hvm->ioreq;
    struct hvm_ioreq_server *s;
    struct ioreq *p;
    unsigned int st;
    uint64_t val;

    if (!w->pending)
        return true;
    spin_lock(&hd->ioreq_lock);
    s = hd->ioreq_server[w->server];
    if (!s || s->gen != w->gen) {
        spin_unlock(&hd->ioreq_lock);
        return waiter_kill(v, "destroyed its ioreq server");
    }
    p = &s->page->vcpu_ioreq[v->vcpu_id];
    st = slot_state(p);
    if (st == STATE_IOREQ_READY || st == STATE_IOREQ_INPROCESS) {
        /* Not answered (a spurious wake-up): block, then look once more (an answer meanwhile wakes it). */
        vcpu_block(v);
        if ((st = slot_state(p)) != STATE_IORESP_READY) {
            if (st >= w->last_state && st <= STATE_IOREQ_INPROCESS) {
                w->last_state = (uint8_t)st;
                spin_unlock(&hd->ioreq_lock);
                return false;
            }
        }
        vcpu_wake(v);
    }
    if (st != STATE_IORESP_READY) {
        char why[64];
        spin_unlock(&hd->ioreq_lock);
        snprintf(why, sizeof(why), "%s (%u after %u)", st == STATE_IOREQ_NONE || st < w->last_state ?
                 "moved the request's state backwards" : "wrote a garbage request state", st, w->last_state);
        return waiter_kill(v, why);
    }
    val = READ_ONCE(p->data);
    __atomic_store_n(slot_byte(p), STATE_IOREQ_NONE, __ATOMIC_RELEASE);
    w->pending = false;
    spin_unlock(&hd->ioreq_lock);
    if (w->str.active) {
        struct hvm_string_wait str = w->str;
        w->str.active = false;
        hvm_string_io_done(v, regs, &str, val);
        return v->domain->state == DOM_RUNNING;
    }
    if (w->read)
        hvm_ioreq_write_gpr(regs, w->dest_gpr, w->dest_size,
                            w->size == 8 ? val : val & ((1ULL << (w->size * 8)) - 1));
    return true;
}

/* The device model sent on v's port (evtchn consumer; its event lock held, ours not). */
static void ioreq_notified(struct vcpu *v, uint32_t port)
{
    struct hvm_domain *hd;

    if (!v || !v->arch.hvm || !(hd = v->domain->arch.hvm))
        return;
    if (READ_ONCE(v->arch.hvm->ioreq.pending)) {
        vcpu_wake(v);
        return;
    }
    /* An answer nobody asked for: ignored (the next request overwrites the slot). */
    if (hd->ioreq_spurious++ < IOREQ_LOG_MAX)
        printk(XENLOG_WARNING "d%uv%u: device model notified port %u with no request pending: ignored%s\n",
               v->domain->domain_id, v->vcpu_id, port,
               hd->ioreq_spurious == IOREQ_LOG_MAX ? " (further ones not logged)" : "");
}

/* ---- servers ---- */

static void server_free(struct domain *d, struct hvm_ioreq_server *s)
{
    struct page_info *pg = mfn_to_page(s->mfn);

    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (s->port[i])
            evtchn_free_xen_port(d, s->port[i]);
    /*
     * The hypervisor's reference goes, then the frame is given back (as
     * domain_relinquish_memory gives shared_info back): freed now, or by the
     * device model's last unmap. A zombie can no longer be mapped.
     */
    put_page_and_type(s->mfn);
    page_flags_update(pg, 0, PGF_zombie);
    page_free_if_zombie(pg);
    xfree(s);
}

/* Under hd->ioreq_lock: slot id empty, s gone; a vCPU waiting on it is killed (why). */
static void server_destroy(struct domain *d, unsigned int id, const char *why)
{
    struct hvm_domain *hd = d->arch.hvm;
    struct hvm_ioreq_server *s = hd->ioreq_server[id];

    hd->ioreq_server[id] = NULL;
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpu[i];
        if (v && v->arch.hvm && v->arch.hvm->ioreq.pending && v->arch.hvm->ioreq.server == id)
            waiter_kill(v, why);
    }
    server_free(d, s);
}

int hvm_ioreq_server_create(struct domain *d, struct domain *dm, unsigned int handle_bufioreq, uint16_t *id)
{
    struct hvm_domain *hd = d->arch.hvm;
    struct hvm_ioreq_server *s;
    unsigned int i;
    int rc = 0;

    if (handle_bufioreq > HVM_IOREQSRV_BUFIOREQ_ATOMIC)
        return -XEN_EINVAL;
    if (handle_bufioreq != HVM_IOREQSRV_BUFIOREQ_OFF)
        return -XEN_EOPNOTSUPP;         /* no buffered ioreqs (docs/hvm.md) */
    if (!(s = xzalloc(struct hvm_ioreq_server)))
        return -XEN_ENOMEM;
    if ((s->mfn = alloc_frames(0, d->domain_id)) == INVALID_MFN) {
        xfree(s);
        return -XEN_ENOMEM;
    }
    s->page = mfn_to_virt(s->mfn);
    memset(s->page, 0, PAGE_SIZE);
    arch_share_page_with_guest(s->mfn);     /* a writable-type reference: never a page table */
    s->emulator = dm->domain_id;
    spin_lock(&hd->ioreq_lock);
    for (i = 0; i < HVM_IOREQ_MAX_SERVERS && hd->ioreq_server[i]; i++)
        ;
    if (i == HVM_IOREQ_MAX_SERVERS)
        rc = -XEN_ENOSPC;
    for (unsigned int v = 0; !rc && v < d->max_vcpus; v++) {
        int port = evtchn_alloc_unbound_xen_port(d, v, dm->domain_id, ioreq_notified);
        if (port < 0)
            rc = port;
        else
            s->page->vcpu_ioreq[v].vp_eport = s->port[v] = (uint32_t)port;
    }
    if (!rc) {
        s->gen = ++hd->ioreq_gen;
        hd->ioreq_server[i] = s;
        *id = (uint16_t)i;
    }
    spin_unlock(&hd->ioreq_lock);
    if (rc)
        server_free(d, s);
    else
        printk("d%u: ioreq server %u created by d%u (ioreq page mfn %#lx, port %u for v0)\n",
               d->domain_id, i, dm->domain_id, (unsigned long)s->mfn, s->port[0]);
    return rc;
}

/* Under hd->ioreq_lock: server id of d if dm runs it; rc -ENOENT (none) or -EPERM (another's). */
static struct hvm_ioreq_server *server_of(struct domain *d, struct domain *dm, unsigned int id, int *rc)
{
    struct hvm_ioreq_server *s = id < HVM_IOREQ_MAX_SERVERS ? d->arch.hvm->ioreq_server[id] : NULL;

    *rc = !s ? -XEN_ENOENT : s->emulator != dm->domain_id ? -XEN_EPERM : 0;
    return *rc ? NULL : s;
}

static bool range_overlaps(const struct hvm_ioreq_server *s, uint32_t type, uint64_t a, uint64_t b)
{
    for (unsigned int r = 0; r < s->nr_ranges; r++)
        if (s->range[r].type == type && s->range[r].start <= b && a <= s->range[r].end)
            return true;
    return false;
}

/* As Xen's rangeset: adjacent ranges join, so an access is claimed if one range holds it. */
static int range_map(struct hvm_ioreq_server *s, uint32_t type, uint64_t a, uint64_t b)
{
    if (range_overlaps(s, type, a, b))
        return -XEN_EEXIST;
    for (unsigned int r = 0; r < s->nr_ranges;) {
        struct ioreq_range *x = &s->range[r];
        if (x->type == type && ((a && x->end == a - 1) || (b != ~0ULL && x->start == b + 1))) {
            a = MIN(a, x->start);
            b = MAX(b, x->end);
            *x = s->range[--s->nr_ranges];      /* only if one went: no room is needed below */
            continue;
        }
        r++;
    }
    if (s->nr_ranges == IOREQ_MAX_RANGES)
        return -XEN_ENOSPC;
    s->range[s->nr_ranges++] = (struct ioreq_range){ type, a, b };
    return 0;
}

/* As Xen's rangeset: [a, b] must lie inside one claimed range; that range may split in two. */
static int range_unmap(struct hvm_ioreq_server *s, uint32_t type, uint64_t a, uint64_t b)
{
    for (unsigned int r = 0; r < s->nr_ranges; r++) {
        struct ioreq_range *x = &s->range[r];
        if (x->type != type || a < x->start || b > x->end)
            continue;
        if (a > x->start && b < x->end) {
            if (s->nr_ranges == IOREQ_MAX_RANGES)
                return -XEN_ENOSPC;
            s->range[s->nr_ranges++] = (struct ioreq_range){ type, b + 1, x->end };
            x->end = a - 1;
        } else if (a > x->start) {
            x->end = a - 1;
        } else if (b < x->end) {
            x->start = b + 1;
        } else {
            *x = s->range[--s->nr_ranges];
        }
        return 0;
    }
    return -XEN_ENOENT;
}

/* ---- the server operations dm_op decodes (hvm/dm.c; ioreq.h has their contract) ---- */

int hvm_ioreq_server_info(struct domain *d, struct domain *dm, unsigned int id, bool no_gfns)
{
    int rc;

    spin_lock(&d->arch.hvm->ioreq_lock);
    /* The page is never in the guest's memory: only acquire_resource reaches it. */
    if (server_of(d, dm, id, &rc) && !no_gfns)
        rc = -XEN_EOPNOTSUPP;
    spin_unlock(&d->arch.hvm->ioreq_lock);
    return rc;
}

int hvm_ioreq_server_range(struct domain *d, struct domain *dm, unsigned int id, bool map, uint32_t type,
                           uint64_t start, uint64_t end)
{
    struct hvm_ioreq_server *s;
    int rc;

    spin_lock(&d->arch.hvm->ioreq_lock);
    if ((s = server_of(d, dm, id, &rc))) {
        if (type > XEN_DMOP_IO_RANGE_PCI)
            rc = -XEN_EINVAL;
        else
            rc = map ? range_map(s, type, start, end) : range_unmap(s, type, start, end);
    }
    spin_unlock(&d->arch.hvm->ioreq_lock);
    return rc;
}

int hvm_ioreq_server_set_state(struct domain *d, struct domain *dm, unsigned int id, bool enabled)
{
    struct hvm_ioreq_server *s;
    int rc;

    spin_lock(&d->arch.hvm->ioreq_lock);
    if ((s = server_of(d, dm, id, &rc))) {
        s->enabled = enabled;
        for (unsigned int i = 0; i < d->max_vcpus; i++)
            s->page->vcpu_ioreq[i].vp_eport = s->port[i];
    }
    spin_unlock(&d->arch.hvm->ioreq_lock);
    if (!rc && enabled && d->dm_waiting && dm->domain_id == d->dm_domid) {
        /* Its device model is up: the domain built paused for it runs (docs/devmodel.md). */
        d->dm_waiting = false;
        printk("d%u: its device model d%u enabled ioreq server %u: running\n", d->domain_id, dm->domain_id, id);
        domain_unpause(d);
    }
    return rc;
}

int hvm_ioreq_server_destroy(struct domain *d, struct domain *dm, unsigned int id)
{
    char why[48];
    int rc;

    snprintf(why, sizeof(why), "d%u destroyed ioreq server %u", dm->domain_id, id);
    spin_lock(&d->arch.hvm->ioreq_lock);
    if (server_of(d, dm, id, &rc))
        server_destroy(d, id, why);
    spin_unlock(&d->arch.hvm->ioreq_lock);
    return rc;
}

/* ---- the page through XENMEM_acquire_resource, the audit, teardown ---- */

unsigned int hvm_ioreq_resource_max_frames(struct domain *d)
{
    return is_hvm_domain(d) ? 2 : 0;    /* frame 0: the buffered page (never here), 1: the ioreq page */
}

int hvm_ioreq_resource_frames(struct domain *d, unsigned int id, uint64_t frame, unsigned int nr,
                              uint64_t *mfns)
{
    struct hvm_ioreq_server *s;
    int rc;

    spin_lock(&d->arch.hvm->ioreq_lock);
    s = server_of(d, current->domain, id, &rc);
    for (unsigned int i = 0; s && !rc && i < nr; i++) {
        if (frame + i == XENMEM_resource_ioreq_server_frame_ioreq(0))
            mfns[i] = s->mfn;
        else
            rc = frame + i == XENMEM_resource_ioreq_server_frame_bufioreq ? -XEN_ENOENT : -XEN_EINVAL;
    }
    spin_unlock(&d->arch.hvm->ioreq_lock);
    return rc;
}

void hvm_ioreq_frames(struct domain *d, void (*fn)(void *ctx, mfn_t m), void *ctx)
{
    if (!is_hvm_domain(d))
        return;
    for (unsigned int i = 0; i < HVM_IOREQ_MAX_SERVERS; i++)
        if (d->arch.hvm->ioreq_server[i])
            fn(ctx, d->arch.hvm->ioreq_server[i]->mfn);
}

void hvm_ioreq_domain_destroy(struct domain *d)
{
    if (!is_hvm_domain(d))
        return;
    spin_lock(&d->arch.hvm->ioreq_lock);
    for (unsigned int i = 0; i < HVM_IOREQ_MAX_SERVERS; i++)
        if (d->arch.hvm->ioreq_server[i])
            server_destroy(d, i, "went with its domain");
    spin_unlock(&d->arch.hvm->ioreq_lock);
    if (d->arch.hvm->ioreq_sent)
        printk("d%u (%s): %lu I/O requests forwarded to device models\n", d->domain_id, d->name,
               (unsigned long)d->arch.hvm->ioreq_sent);
}

void hvm_ioreq_emulator_gone(struct domain *dm)
{
    char why[48];

    snprintf(why, sizeof(why), "d%u died", dm->domain_id);
    for (struct domain *d = domain_list; d; d = d->next_in_list) {
        if (d == dm || !is_hvm_domain(d) || d->state == DOM_DEAD)
            continue;
        spin_lock(&d->arch.hvm->ioreq_lock);
        for (unsigned int i = 0; i < HVM_IOREQ_MAX_SERVERS; i++) {
            struct hvm_ioreq_server *s = d->arch.hvm->ioreq_server[i];
            if (s && s->emulator == dm->domain_id) {
                printk("d%u: ioreq server %u destroyed: its device model d%u died\n", d->domain_id, i,
                       dm->domain_id);
                server_destroy(d, i, why);
            }
        }
        spin_unlock(&d->arch.hvm->ioreq_lock);
        /* Its configured device model (dm=, or the driver domain serving its disks) is gone for good. */
        if (d->dm_domid == dm->domain_id && d->state == DOM_RUNNING) {
            char msg[48];
            snprintf(msg, sizeof(msg), "its device model d%u died", dm->domain_id);
            domain_crash(d, msg, NULL);
        }
    }
}
