/*
 * The hypervisor trace: per-CPU rings of fixed-size records
 * (hypercall-abi/include/tandem/trace.h, docs/tracing.md).
 *
 * Each CPU writes only its own ring, with interrupts off (the hypervisor
 * runs so; trace points are not used from the NMI handler): it is the
 * ring's single producer. Readers (trace_read, reset, the dump) take
 * trace_lock and consume from the other end: a single consumer. prod and
 * cons count records for ever; a slot is prod % capacity. A full ring
 * drops the new record and counts it lost, as xentrace's buffers do:
 * what was recorded first is kept.
 *
 * Off costs one load and one not-taken branch per trace point: trace_mask
 * lives in the fast paths' data page.
 */
#include "lib.h"
#include "trace.h"
#include "cpu.h"
#include "domain.h"
#include "mm.h"
#include "processor.h"
#include "spinlock.h"
#include "time.h"
#include "hypercall.h"
#include "guest_access.h"
#include <tandem/domctl.h>
#include <tandem/errno.h>

uint32_t trace_mask __pv_fast_data;

struct trace_ring {
    struct tandem_trace_rec *recs;  /* NULL until tracing is first enabled */
    uint64_t capacity;              /* records, a power of two */
    uint64_t prod;                  /* written by the ring's CPU only */
    uint64_t cons;                  /* written under trace_lock only */
    uint64_t lost;
    unsigned int order;             /* of the frames holding recs */
};

static struct trace_ring rings[NR_CPUS];
static spinlock_t trace_lock = SPIN_LOCK_UNLOCKED;
static unsigned int ring_order = 8;         /* 1 MiB per CPU unless trace_buf= says otherwise */
static unsigned int nr_rings;               /* CPUs with a ring: those up when tracing started */

#define RING_ORDER_MAX 14                   /* 64 MiB per CPU */

/* CPUs up now (one today: this is where SMP bring-up's count goes). */
static unsigned int cpus_up(void)
{
    return 1;
}

void trace_record(unsigned int cls, unsigned int event, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    struct percpu *pc = this_cpu();
    struct trace_ring *r = &rings[pc->cpu_id];
    const struct vcpu *v = pc->curr;
    struct tandem_trace_rec *rec;
    uint64_t prod = r->prod;

    if (!r->recs)
        return;                             /* a CPU that came up after tracing started */
    if (prod - __atomic_load_n(&r->cons, __ATOMIC_ACQUIRE) >= r->capacity) {
        __atomic_fetch_add(&r->lost, 1, __ATOMIC_RELAXED);
        return;
    }
    rec = &r->recs[prod & (r->capacity - 1)];
    rec->tsc = rdtsc();
    rec->cpu = (uint16_t)pc->cpu_id;
    rec->domid = v ? v->domain->domain_id : TANDEM_TRACE_IDLE;
    rec->vcpu = v ? (uint16_t)v->vcpu_id : TANDEM_TRACE_IDLE;
    rec->cls = (uint8_t)cls;
    rec->event = (uint8_t)event;
    rec->arg[0] = a0;
    rec->arg[1] = a1;
    rec->arg[2] = a2;
    rec->arg[3] = a3;
    __atomic_store_n(&r->prod, prod + 1, __ATOMIC_RELEASE);   /* the record before the count */
}

bool trace_parse_classes(const char *s, uint32_t *mask)
{
    static const struct { const char *name; uint32_t bit; } classes[] = {
        { "hypercall", TANDEM_TRC_HYPERCALL }, { "evtchn", TANDEM_TRC_EVTCHN },
        { "sched", TANDEM_TRC_SCHED }, { "vmexit", TANDEM_TRC_VMEXIT },
        { "ptval", TANDEM_TRC_PTVAL }, { "trap", TANDEM_TRC_TRAP },
        { "all", TANDEM_TRC_ALL }, { "none", 0 },
    };
    uint32_t m = 0;

    while (*s) {
        size_t n = 0;
        bool found = false;
        while (s[n] && s[n] != ',')
            n++;
        for (unsigned int i = 0; i < ARRAY_SIZE(classes) && !found; i++)
            if (strlen(classes[i].name) == n && !strncmp(s, classes[i].name, n)) {
                m |= classes[i].bit;
                found = true;
            }
        if (!found)
            return false;
        s += n;
        if (*s == ',' && *++s == 0)
            return false;                   /* a trailing comma */
    }
    *mask = m;
    return true;
}

/* The rings of the CPUs up now, once; frames taken at run time are the hypervisor's from then on. */
static int rings_alloc(bool at_boot)
{
    unsigned int n = cpus_up(), done;

    if (nr_rings)
        return 0;
    for (done = 0; done < n; done++) {
        mfn_t m = alloc_frames(ring_order, DOMID_XEN);
        if (m == INVALID_MFN)
            break;
        rings[done].recs = mfn_to_virt(m);
        rings[done].order = ring_order;
        rings[done].capacity = ((uint64_t)PAGE_SIZE << ring_order) / sizeof(struct tandem_trace_rec);
        /* capacity must be a power of two: 48-byte records in 2^k pages give 2^k * 85.33; round down */
        while (rings[done].capacity & (rings[done].capacity - 1))
            rings[done].capacity &= rings[done].capacity - 1;
    }
    if (done < n) {
        while (done--) {
            free_frames(__pa(rings[done].recs) >> PAGE_SHIFT, rings[done].order);
            rings[done].recs = NULL;
        }
        return -XEN_ENOMEM;
    }
    if (!at_boot)
        domain_frame_baseline_take((uint64_t)n << ring_order);
    __atomic_store_n(&nr_rings, n, __ATOMIC_RELEASE);
    return 0;
}

void trace_init(const char *classes, uint64_t buf_bytes)
{
    uint32_t mask = 0;

    if (buf_bytes) {
        unsigned int order = 0;
        while (order < RING_ORDER_MAX && ((uint64_t)PAGE_SIZE << order) < buf_bytes)
            order++;
        ring_order = order;
    }
    if (!classes[0])
        return;
    if (!trace_parse_classes(classes, &mask)) {
        printk(XENLOG_WARNING "trace=%s: classes are hypercall, evtchn, sched, vmexit, ptval, trap, all, none;"
               " tracing stays off\n", classes);
        return;
    }
    if (!mask)
        return;
    if (rings_alloc(true)) {
        printk(XENLOG_WARNING "trace: no memory for %u KiB per CPU: tracing stays off\n",
               (unsigned int)(PAGE_SIZE << ring_order) / 1024);
        return;
    }
    trace_mask = mask;
    printk("trace: classes %#x on, %lu records (%u KiB) per CPU\n", mask,
           (unsigned long)rings[0].capacity, (unsigned int)(PAGE_SIZE << ring_order) / 1024);
}

static void totals(uint64_t *unread, uint64_t *lost)
{
    *unread = *lost = 0;
    for (unsigned int c = 0; c < nr_rings; c++) {
        *unread += __atomic_load_n(&rings[c].prod, __ATOMIC_ACQUIRE) - rings[c].cons;
        *lost += __atomic_load_n(&rings[c].lost, __ATOMIC_RELAXED);
    }
}

static bool all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;

    while (n--)
        if (*b++)
            return false;
    return true;
}

static long trace_control(struct tandem_domctl_trace_control *tc)
{
    uint32_t op = tc->op, classes = tc->classes;
    long rc = 0;

    if (!all_zero(&tc->nr_cpus, sizeof(*tc) - offsetof(struct tandem_domctl_trace_control, nr_cpus)))
        return -XEN_EINVAL;
    if (op == TANDEM_TRACEOP_enable ? (!classes || (classes & ~TANDEM_TRC_ALL)) : classes != 0)
        return -XEN_EINVAL;
    if (op > TANDEM_TRACEOP_reset)
        return -XEN_EINVAL;
    switch (op) {
    case TANDEM_TRACEOP_enable:
        if ((rc = rings_alloc(false)))
            return rc;
        __atomic_store_n(&trace_mask, classes, __ATOMIC_RELEASE);
        break;
    case TANDEM_TRACEOP_disable:
        __atomic_store_n(&trace_mask, 0, __ATOMIC_RELEASE);
        break;
    case TANDEM_TRACEOP_reset:
        for (unsigned int c = 0; c < nr_rings; c++) {
            __atomic_store_n(&rings[c].cons, __atomic_load_n(&rings[c].prod, __ATOMIC_ACQUIRE),
                             __ATOMIC_RELEASE);
            __atomic_store_n(&rings[c].lost, 0, __ATOMIC_RELAXED);
        }
        break;
    default:
        break;
    }
    tc->classes = trace_mask;
    tc->nr_cpus = nr_rings;
    tc->rec_size = sizeof(struct tandem_trace_rec);
    tc->tsc_khz = tsc_khz;
    tc->capacity = nr_rings ? rings[0].capacity : 0;
    totals(&tc->unread, &tc->lost);
    return 0;
}

static long trace_read(struct tandem_domctl_trace_read *tr)
{
    struct trace_ring *r;
    uint64_t prod, cons, n, first;

    if (!all_zero(&tr->nr, sizeof(*tr) - offsetof(struct tandem_domctl_trace_read, nr)))
        return -XEN_EINVAL;
    if (!tr->max || tr->cpu >= (nr_rings ? nr_rings : cpus_up()))
        return -XEN_EINVAL;
    if (!nr_rings)
        return 0;                           /* never enabled: nothing recorded */
    r = &rings[tr->cpu];
    prod = __atomic_load_n(&r->prod, __ATOMIC_ACQUIRE);
    cons = r->cons;
    n = prod - cons;
    if (n > tr->max)
        n = tr->max;
    if (n > TANDEM_TRACE_READ_MAX)
        n = TANDEM_TRACE_READ_MAX;
    /* At most two pieces: up to the ring's end, then from its start. */
    first = r->capacity - (cons & (r->capacity - 1));
    if (first > n)
        first = n;
    if (copy_to_guest(tr->buf, &r->recs[cons & (r->capacity - 1)], first * sizeof(*r->recs)) ||
        (n > first && copy_to_guest(tr->buf + first * sizeof(*r->recs), r->recs, (n - first) * sizeof(*r->recs))))
        return -XEN_EFAULT;                 /* nothing consumed */
    __atomic_store_n(&r->cons, cons + n, __ATOMIC_RELEASE);
    tr->nr = (uint32_t)n;
    tr->lost = __atomic_load_n(&r->lost, __ATOMIC_RELAXED);
    tr->unread = prod - cons - n;
    return 0;
}

long trace_domctl(struct tandem_domctl *op, uint64_t arg)
{
    unsigned long f;
    long rc;

    if (op->domid != 0)
        return -XEN_EINVAL;
    f = spin_lock_irqsave(&trace_lock);
    rc = op->cmd == TANDEM_DOMCTL_trace_control ? trace_control(&op->u.trace_control)
                                                : trace_read(&op->u.trace_read);
    spin_unlock_irqrestore(&trace_lock, f);
    if (rc)
        return rc;
    return copy_to_guest(arg, op, sizeof(*op)) ? -XEN_EFAULT : 0;
}

static void port_write(const void *p, size_t n)
{
    const uint8_t *b = p;

    while (n--)
        outb(TANDEM_TRACE_PORT, *b++);
}

static void name_write(uint32_t id, const char *name)
{
    struct tandem_trace_name rec = { .id = id };

    strlcpy(rec.name, name, sizeof(rec.name));
    port_write(&rec, sizeof(rec));
}

/*
 * The dump, at machine stop (trace.h describes it). Only when tracing ran
 * and the trace port answers: QEMU's isa-debugcon reads back 0xe9, an
 * absent port all ones.
 */
void trace_dump(void)
{
    struct tandem_trace_dump_hdr h = { .magic = TANDEM_TRACE_MAGIC, .version = TANDEM_TRACE_VERSION,
                                       .rec_size = sizeof(struct tandem_trace_rec) };
    uint64_t total = 0, lost = 0;
    unsigned int nr_hc = 0;

    if (!nr_rings || inb(TANDEM_TRACE_PORT) != 0xe9)
        return;
    h.classes = trace_mask;
    trace_mask = 0;                         /* nothing more is recorded: the counts stay true */
    h.tsc_khz = tsc_khz;
    h.nr_cpus = nr_rings;
    for (struct domain *d = domain_list; d; d = d->next_in_list)
        h.nr_names++;
    for (unsigned int nr = 0; nr < NR_HYPERCALLS; nr++)
        nr_hc += strcmp(hypercall_name(nr), "unknown") != 0;
    h.nr_hcnames = nr_hc;
    port_write(&h, sizeof(h));
    for (struct domain *d = domain_list; d; d = d->next_in_list)
        name_write(d->domain_id, d->name);
    for (unsigned int nr = 0; nr < NR_HYPERCALLS; nr++)
        if (strcmp(hypercall_name(nr), "unknown"))
            name_write(nr, hypercall_name(nr));
    for (unsigned int c = 0; c < nr_rings; c++) {
        struct trace_ring *r = &rings[c];
        struct tandem_trace_cpu_hdr ch = { .cpu = c, .lost = r->lost };
        uint64_t prod = __atomic_load_n(&r->prod, __ATOMIC_ACQUIRE);
        ch.nr_records = prod - r->cons;
        port_write(&ch, sizeof(ch));
        for (uint64_t i = r->cons; i != prod; i++)
            port_write(&r->recs[i & (r->capacity - 1)], sizeof(*r->recs));
        total += ch.nr_records;
        lost += ch.lost;
    }
    port_write(TANDEM_TRACE_END, 8);
    printk("trace: %lu records (%lu lost) of %u CPU%s written to the trace port\n", (unsigned long)total,
           (unsigned long)lost, nr_rings, nr_rings == 1 ? "" : "s");
}
