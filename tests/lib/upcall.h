/*
 * Event channels and time for the in-QEMU test kernels: shared_info
 * mapping, an event callback that records what it was given, pvclock, and
 * thin wrappers for the calls the event/timer tests make.
 *
 * Usage:
 *   evt_map_shared_info();            (every port masked, events masked)
 *   CHECK_RC(evt_register_callback(), 0, "register the event callback");
 *   evt_bind_ipi(&port); evt_unmask(port); evt_events_on();
 *   ... upcalls.count, upcalls.port_hits[port] ...
 *
 * The callback runs the 2-level scan of the hypervisor's vcpu_info for
 * vCPU 0 (evt_vcpu: shared_info->vcpu_info[0], or the area given to
 * VCPUOP_register_vcpu_info once a test points evt_vcpu there).
 */
#ifndef TANDEM_TEST_UPCALL_H
#define TANDEM_TEST_UPCALL_H

#include "test.h"
#include <tandem/event_channel.h>
#include <tandem/vcpu.h>

#define EVT_TRACKED_PORTS 256

struct upcall_record {
    unsigned long count;                        /* upcalls taken */
    unsigned long port_hits[EVT_TRACKED_PORTS]; /* deliveries per port (ports below 256) */
    unsigned long empty;                        /* upcalls that found no port to handle */
    uint64_t rip, cs, rflags, rsp;              /* the last upcall's bounce frame */
    uint8_t mask_on_entry;                      /* evtchn_upcall_mask inside the callback */
};
extern volatile struct upcall_record upcalls;
extern struct vcpu_info *volatile evt_vcpu;
/* Called at the end of every upcall (events masked), if set: a test's own work. */
extern void (*volatile upcall_hook)(void);

/* Map shared_info over a page of ours; set evt_vcpu; mask every port. */
void evt_map_shared_info(void);
/* CALLBACKTYPE_event = the recording callback. */
long evt_register_callback(void);
/* Events on (upcall mask 0) with a hypercall if one is pending; events off. */
void evt_events_on(void);
void evt_events_off(void);

long evt_bind_ipi(uint32_t *port);
long evt_bind_virq(uint32_t virq, uint32_t *port);
long evt_send(uint32_t port);
long evt_unmask(uint32_t port);
long evt_close(uint32_t port);
uint32_t evt_status(uint32_t port, uint32_t *vcpu);     /* EVTCHNSTAT_*, or ~0 on error */

bool evt_pending(uint32_t port);
bool evt_masked(uint32_t port);
void evt_mask(uint32_t port);
void evt_clear_pending(uint32_t port);
bool evt_sel(uint32_t port);        /* port's word bit in evt_vcpu->evtchn_pending_sel */

/* System time (ns) from evt_vcpu->time, Xen's pvclock formula. */
uint64_t evt_now(void);

/* SCHEDOP_poll on ports[0..n) with an absolute timeout (0 = none). */
long evt_poll(const uint32_t *ports, uint32_t n, uint64_t timeout);
/* Poll (events masked) until port is pending or deadline passes; true if pending. */
bool evt_wait_port(uint32_t port, uint64_t deadline);
long evt_block(void);

static inline long evt_set_timer(uint64_t deadline) { return HC1(set_timer_op, deadline); }

#endif
