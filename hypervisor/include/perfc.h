/*
 * Event counters (struct domain_counters in domain.h), printed as
 * machine-parsable COUNTERS lines that `make bench` collects:
 *   COUNTERS d=1 hypercalls=N bounces=N upcalls=N pt_validations=N tlb_flushes=N cr3_switches=N ptwr=N emul=N
 *   COUNTERS d=1 mm_restarts=N mm_teardown_restarts=N
 *   COUNTERS d=1 hc.<name>=N ...            (hypercalls made, by name; only those made)
 *   COUNTERS d=1 tsc.<name>=N ...           (TSC ticks inside them; `make DEBUG=1` builds)
 * Meanings: docs/benchmarks.md, "Counters".
 */
#ifndef TANDEM_PERFC_H
#define TANDEM_PERFC_H

struct domain;

void perfc_dump_domain(struct domain *d);
void perfc_dump(void);          /* every domain, live or dead */

#endif
