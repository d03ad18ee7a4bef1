/* The vCPU scheduler: per-CPU run queues, a timer tick, block/wake. */
#ifndef TANDEM_SCHED_H
#define TANDEM_SCHED_H

#include "domain.h"

void sched_init(void);
void sched_add_vcpu(struct vcpu *v);
void sched_remove_vcpu(struct vcpu *v);
bool vcpu_runnable(const struct vcpu *v);
void vcpu_wake(struct vcpu *v);                 /* clears VPF_blocked */
void vcpu_block(struct vcpu *v);                /* sets VPF_blocked, reschedules */
void vcpu_pause_flag(struct vcpu *v, unsigned int flag, bool set);
void raise_resched(void);
void timer_interrupt(void);
void sched_recompute_timer(void);
/* VCPUOP_set/stop_periodic_timer (Xen's vcpu_set_periodic_timer): period_ns 0 stops it. */
void sched_set_periodic_timer(struct vcpu *v, uint64_t period_ns);
/* "running", "runnable", "blocked", "polling", "paused", "capped", "down", "dying". */
const char *sched_vcpu_state(const struct vcpu *v);
void sched_dump(void);                          /* the 'r' debug key */
/* Start running guests on this CPU; never returns. */
__noreturn void sched_start(void);
/* The current vCPU can never run again (its domain died): leave it. */
__noreturn void sched_leave_dead_vcpu(void);

#endif
