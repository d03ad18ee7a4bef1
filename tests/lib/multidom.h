/*
 * Helpers for test kernels that run as several domains at once (a `config`
 * line in their expect file): the command line's key=value arguments,
 * pvclock time and sleeping, event channels with a per-port upcall handler,
 * and tandem_domctl.
 *
 * Usage:
 *   md_init();                              (shared_info mapped, event callback set, all ports masked)
 *   md_bind(port, handler);                 (unmask; handler runs in the upcall, events masked)
 *   md_events_on();  ...  md_sleep_ns(ms(10));
 *   md_wait(&flag_or_counter_condition ...) - see md_block_until
 */
#ifndef TANDEM_TEST_MULTIDOM_H
#define TANDEM_TEST_MULTIDOM_H

#include "test.h"
#include <tandem/event_channel.h>
#include <tandem/domctl.h>

#define MD_MS(n) ((uint64_t)(n) * 1000000ULL)

/* The value of key= on the kernel command line into buf (def when absent); returns buf. */
const char *md_arg(const char *key, const char *def, char *buf, size_t size);
unsigned long md_arg_ul(const char *key, unsigned long def);
bool md_arg_is(const char *key, const char *value);

/* Map shared_info, install the event callback, mask every port; events stay off. */
void md_init(void);
void md_events_on(void);
void md_events_off(void);

/* System time in ns (vCPU 0's pvclock); the TSC. */
uint64_t md_now(void);
static inline uint64_t md_rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
/* Block (costing no CPU) for ns, taking upcalls meanwhile; events are on afterwards. */
void md_sleep_ns(uint64_t ns);
/* Block until *flag is non-zero or the deadline (system time) passes; true if it was set. */
bool md_block_until(volatile unsigned long *counter, unsigned long want, uint64_t deadline);

/* Event channels: each returns 0 or a negated XEN_E*. */
typedef void (*md_handler_t)(uint32_t port);
void md_bind(uint32_t port, md_handler_t h);        /* handler, then unmask */
long md_alloc_unbound(domid_t remote, uint32_t *port);
long md_bind_interdomain(domid_t remote, uint32_t remote_port, uint32_t *port);
long md_bind_virq(uint32_t virq, uint32_t *port);
long md_send(uint32_t port);
long md_close(uint32_t port);
/* EVTCHNSTAT_* of (dom, port) with its far end, or a negated XEN_E*. */
long md_status(domid_t dom, uint32_t port, domid_t *far_dom, uint32_t *far_port);
bool md_pending(uint32_t port);
void md_clear_pending(uint32_t port);

/* tandem_domctl: getdomaininfo of the first domain with id >= domid, pause/unpause/destroy. */
long md_domctl(uint32_t cmd, domid_t domid, struct tandem_domctl *op);
long md_dominfo(domid_t domid, struct tandem_domctl_getdomaininfo *info);  /* exactly domid, or -ESRCH */
/* tandem_domctl getstoreinfo of domid, getdevice `index` of domid (u zero but for index). */
long md_storeinfo(domid_t domid, struct tandem_domctl_getstoreinfo *info);
long md_getdevice(domid_t domid, uint32_t index, struct tandem_domctl_getdevice *dev);

#endif
