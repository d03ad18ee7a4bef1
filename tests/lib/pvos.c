/*
 * pvdrivers/include/pvos.h for the test kernels (one vCPU, one thread):
 * pages from a small static pool inside the image (mapped at the kernel's
 * base like the rest of it), event channels through multidom.h's per-port
 * handlers, waiting by SCHEDOP_block with events masked around the check.
 * Grants are not offered (-ENOSYS): the store tests need none.
 * Counts what a driver costs (event sends, blocks) in pvos_stats, for the
 * store benchmarks. md_init() must have run first.
 */
#include "pvos.h"
#include "multidom.h"
#include "test_pvos.h"
#include <tandem/errno.h>

#define POOL_PAGES 8
#define PVOS_PORTS 256
#define KERNEL_BASE 0xffffffff80000000UL

static uint8_t pool[POOL_PAGES][4096] __attribute__((aligned(4096)));
static bool pool_used[POOL_PAGES];
static struct { pvos_event_fn fn; void *ctx; } handlers[PVOS_PORTS];

struct pvos_stats pvos_stats;

void *pvos_page_alloc(void)
{
    for (unsigned int i = 0; i < POOL_PAGES; i++)
        if (!pool_used[i]) {
            pool_used[i] = true;
            memset(pool[i], 0, sizeof(pool[i]));
            return pool[i];
        }
    return NULL;
}

void pvos_page_free(void *page)
{
    for (unsigned int i = 0; i < POOL_PAGES; i++)
        if (page == pool[i])
            pool_used[i] = false;
}

uint64_t pvos_page_mfn(const void *page)
{
    return pfn_to_mfn(((uint64_t)page - KERNEL_BASE) / PAGE_SIZE);
}

int pvos_grant_page(uint16_t domid, const void *page, bool readonly)
{
    (void)domid, (void)page, (void)readonly;
    return -XEN_ENOSYS;
}

int pvos_grant_end(int ref)
{
    (void)ref;
    return -XEN_ENOSYS;
}

void *pvos_grant_map(uint16_t domid, uint32_t ref, bool readonly, int *err)
{
    (void)domid, (void)ref, (void)readonly;
    *err = -XEN_ENOSYS;
    return NULL;
}

int pvos_grant_unmap(void *va)
{
    (void)va;
    return -XEN_ENOSYS;
}

int pvos_evtchn_alloc_unbound(uint16_t remote, uint32_t *port)
{
    return (int)md_alloc_unbound(remote, port);
}

int pvos_evtchn_bind_interdomain(uint16_t remote, uint32_t remote_port, uint32_t *port)
{
    return (int)md_bind_interdomain(remote, remote_port, port);
}

static void dispatch(uint32_t port)
{
    pvos_stats.upcalls++;
    if (port < PVOS_PORTS && handlers[port].fn)
        handlers[port].fn(port, handlers[port].ctx);
}

int pvos_evtchn_handle(uint32_t port, pvos_event_fn fn, void *ctx)
{
    if (port >= PVOS_PORTS || !fn)
        return -XEN_EINVAL;
    md_events_off();
    handlers[port].fn = fn;
    handlers[port].ctx = ctx;
    md_events_on();
    md_bind(port, dispatch);
    return 0;
}

int pvos_evtchn_notify(uint32_t port)
{
    pvos_stats.notifies++;
    return (int)md_send(port);
}

void pvos_evtchn_close(uint32_t port)
{
    if (port < PVOS_PORTS)
        handlers[port].fn = NULL;
    md_close(port);
}

bool pvos_wait_until(struct pvos_wait *w, bool (*cond)(void *arg), void *arg, uint64_t deadline_ns)
{
    (void)w;
    for (;;) {
        md_events_off();
        if (cond(arg)) {
            md_events_on();
            return true;
        }
        if (deadline_ns && md_now() >= deadline_ns) {
            md_events_on();
            return false;
        }
        /* No deadline: wake every second anyway (a timer is harmless; the check repeats). */
        HC1(set_timer_op, deadline_ns ? deadline_ns : md_now() + MD_MS(1000));
        pvos_stats.blocks++;
        HC2(sched_op, SCHEDOP_block, 0);    /* events on again; pending upcalls run on the way back */
    }
}

void pvos_wake(struct pvos_wait *w)
{
    (void)w;            /* the event that ran the handler already woke the vCPU */
}

uint64_t pvos_now_ns(void)
{
    return md_now();
}

void pvos_log(const char *fmt, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk("%s\n", buf);
}
