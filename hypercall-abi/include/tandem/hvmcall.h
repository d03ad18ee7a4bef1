/*
 * HVMCALL_counters: what an HVM guest may read of its own domain's event
 * counters (docs/hvm.md, "Counters for benchmarks"). A benchmark takes two
 * snapshots and their difference is the events of what ran in between.
 *
 * Call: VMMCALL from guest ring 0 with rax = HVMCALL_counters, rdi = the
 * guest-physical address of a struct hvm_counters (8-byte aligned), rsi =
 * the bytes there (16 to HVM_COUNTERS_MAX_BYTES). Returns in rax 0, or
 * -EINVAL (misaligned, too small or too large a buffer) or -EFAULT (not all
 * of it in the domain's memory); on an error nothing is written.
 *
 * The hypervisor fills the header and as many entries as fit, always the
 * same entries in the same order for a domain: "exits" (all VM exits),
 * "exit.REASON" for every reason it counts (zero ones too), "tlb_flush"
 * (full TLB flushes: every VMRUN under TCG, which has no flush-by-ASID),
 * "ioreq" (requests forwarded to a device model: each is a round trip
 * through the device model's domain), then, with shadow paging, "shadow.NAME" for each shadow-paging counter.
 * Every count includes this call's own VMMCALL exit.
 */
#ifndef TANDEM_PUBLIC_HVMCALL_H
#define TANDEM_PUBLIC_HVMCALL_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif

#define HVMCALL_counters        3
#define HVM_COUNTERS_VERSION    1
#define HVM_COUNTERS_MAX_BYTES  16384
#define HVM_COUNTER_NAME_LEN    24

#define HVM_COUNTERS_NPT        0       /* hvm_counters.paging */
#define HVM_COUNTERS_SHADOW     1

#ifndef __ASSEMBLY__
struct hvm_counter {
    char name[HVM_COUNTER_NAME_LEN];    /* NUL-terminated */
    uint64_t value;
};

struct hvm_counters {
    uint32_t version;       /* HVM_COUNTERS_VERSION */
    uint32_t count;         /* entries written */
    uint32_t available;     /* entries the hypervisor has: more than count if the buffer is short */
    uint32_t paging;        /* HVM_COUNTERS_NPT or HVM_COUNTERS_SHADOW */
    struct hvm_counter entry[];
};
#endif

#endif
