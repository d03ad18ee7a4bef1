/* What tests/lib/pvos.c counts: the store benchmark's cost per round trip. */
#ifndef TANDEM_TEST_PVOS_H
#define TANDEM_TEST_PVOS_H

#include <stdint.h>

struct pvos_stats {
    uint64_t notifies;          /* EVTCHNOP_send through pvos_evtchn_notify */
    uint64_t blocks;            /* SCHEDOP_block in pvos_wait_until */
    uint64_t upcalls;           /* handled events on pvos ports */
};
extern struct pvos_stats pvos_stats;

#endif
