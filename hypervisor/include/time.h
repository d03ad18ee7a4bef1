/* Time: TSC calibrated against the PIT, system time in ns since boot, local APIC timer. */
#ifndef TANDEM_TIME_H
#define TANDEM_TIME_H

#include "types.h"

void time_init(void);
uint64_t now_ns(void);                 /* 0 until time_init has run */
uint64_t tsc_to_ns(uint64_t tsc);
extern uint64_t tsc_khz;
extern uint64_t boot_tsc;
extern uint64_t boot_wallclock;
/* pvclock parameters: ns = ((tsc - boot_tsc) << shift) * mul >> 32 */
extern uint32_t tsc_to_system_mul;
extern int8_t tsc_shift;

void apic_init(void);
void apic_timer_oneshot(uint64_t deadline_ns);   /* program the next tick */
void apic_eoi(void);
#define TIMER_VECTOR    0xEF
#define SPURIOUS_VECTOR 0xFF

#endif
