/* CPUID faulting on the physical CPU (arch/x86/cpuid_faulting.c). */
#ifndef TANDEM_CPUID_FAULTING_H
#define TANDEM_CPUID_FAULTING_H

#include "types.h"

/* At boot, once: find the hardware's mechanism (logged), leave it off. */
void cpuid_faulting_probe(void);
/* True if the CPU can make CPUID fault at CPL > 0 (then it is offered to guests). */
bool cpuid_faulting_available(void);
/* Turn it on or off for what runs next (no-op without the hardware). */
void cpuid_faulting_set(bool on);

#endif
