/*
 * The hypervisor trace (common/trace.c; records, classes and the dump:
 * hypercall-abi/include/tandem/trace.h; docs/tracing.md). A trace point is
 * one test of trace_mask, predicted not taken, when its class is off.
 */
#ifndef TANDEM_TRACE_H
#define TANDEM_TRACE_H

#include "types.h"
#include <tandem/trace.h>

struct tandem_domctl;

extern uint32_t trace_mask;

void trace_record(unsigned int cls, unsigned int event, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);

/* TRACE(HYPERCALL, HC_ENTER, a0, a1, a2, a3): class TANDEM_TRC_<cls>, event TANDEM_TRCE_<event>. */
#define TRACE(cls, event, a0, a1, a2, a3)                                                   \
    do {                                                                                    \
        if (__builtin_expect(trace_mask & TANDEM_TRC_##cls, 0))                             \
            trace_record(__builtin_ctz(TANDEM_TRC_##cls), TANDEM_TRCE_##event, (a0), (a1),  \
                         (a2), (a3));                                                       \
    } while (0)

void trace_init(const char *classes, uint64_t buf_bytes);  /* boot: trace=, trace_buf= */
long trace_domctl(struct tandem_domctl *op, uint64_t arg); /* TANDEM_DOMCTL_trace_control/_read */
void trace_dump(void);          /* at machine stop: the buffers to TANDEM_TRACE_PORT, if present */

/* "hypercall,sched" -> mask; "all", "none"; false if a name is not a class. (Host-testable.) */
bool trace_parse_classes(const char *s, uint32_t *mask);

#endif
