/*
 * Tandem's hypervisor trace (docs/tracing.md): per-CPU buffers of
 * fixed-size records, the classes and events they hold, the two
 * tandem_domctl commands that control and read them (domctl.h), and the
 * binary dump the hypervisor writes to its trace port (an ISA debug console
 * at TANDEM_TRACE_PORT, `tools/tandem-run --trace FILE`) when the machine
 * stops. tools/tandem-trace turns a dump into Chrome trace-event JSON.
 * Xen's equivalent is xentrace (TRC_* classes, t_buf per CPU); the record
 * layout here is Tandem's own.
 */
#ifndef TANDEM_PUBLIC_TRACE_H
#define TANDEM_PUBLIC_TRACE_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif

/* Classes: a bit each; the mask says which are recorded. */
#define TANDEM_TRC_HYPERCALL  (1U << 0)   /* every hypercall's entry and exit */
#define TANDEM_TRC_EVTCHN     (1U << 1)   /* event sends, ports set pending, upcalls */
#define TANDEM_TRC_SCHED      (1U << 2)   /* context switches, blocks, wakes */
#define TANDEM_TRC_VMEXIT     (1U << 3)   /* HVM: each VM exit and the VMRUN after it */
#define TANDEM_TRC_PTVAL      (1U << 4)   /* page-table (and descriptor) page validations */
#define TANDEM_TRC_TRAP       (1U << 5)   /* PV bounces: exceptions and system calls to the guest kernel */
#define TANDEM_TRC_ALL        0x3fU

/*
 * Events, by class. arg[] as listed; unlisted args are 0.
 *   HYPERCALL  1 enter  (nr, arg1, arg2, arg3)
 *              2 exit   (nr, result)              result: the value returned (a continuation's: nr)
 *   EVTCHN     1 send   (port, remote domid, remote port)  an EVTCHNOP_send by the recorded domain
 *              2 pending (domid, vcpu, port)      a port newly set pending, on the target's vCPU
 *              3 upcall (vcpu)                     the event callback entered (a delivery)
 *   SCHED      1 switch (prev domid, prev vcpu, next domid, next vcpu); 0xffff: the idle vCPU
 *              2 block  ()                        the recorded vCPU blocks (SCHEDOP_block/poll)
 *              3 wake   (domid, vcpu)             a blocked vCPU made runnable
 *   VMEXIT     1 exit   (exit code, guest rip, exitinfo1, exitinfo2)
 *              2 resume (exit code handled)       the next VMRUN of the vCPU
 *   PTVAL      1 begin  (type, mfn)               type: 1-4 = L1-L4 table, 5 = descriptor page
 *              2 end    (type, mfn, result)       result 0, -ERESTART (continued later), or the error
 *   TRAP       1 exception (vector, error code, cr2 for #PF)   bounced to the guest kernel
 *              2 syscall ()                       a user SYSCALL bounced to the guest kernel
 */
#define TANDEM_TRCE_HC_ENTER     1
#define TANDEM_TRCE_HC_EXIT      2
#define TANDEM_TRCE_EV_SEND      1
#define TANDEM_TRCE_EV_PENDING   2
#define TANDEM_TRCE_EV_UPCALL    3
#define TANDEM_TRCE_SCHED_SWITCH 1
#define TANDEM_TRCE_SCHED_BLOCK  2
#define TANDEM_TRCE_SCHED_WAKE   3
#define TANDEM_TRCE_VM_EXIT      1
#define TANDEM_TRCE_VM_RESUME    2
#define TANDEM_TRCE_PT_BEGIN     1
#define TANDEM_TRCE_PT_END       2
#define TANDEM_TRCE_TRAP_EXC     1
#define TANDEM_TRCE_TRAP_SYSCALL 2

#define TANDEM_TRACE_IDLE 0xffffU         /* domid/vcpu of the idle vCPU */

/* The ISA debug console (QEMU isa-debugcon) the dump goes to; it reads back 0xe9 when present. */
#define TANDEM_TRACE_PORT 0x4e9

#ifndef __ASSEMBLY__
/*
 * One record. 48 bytes:
 *   0 tsc  8 cpu  10 domid  12 vcpu  14 cls (class bit number)  15 event  16 arg[4]
 * domid/vcpu: the vCPU running on that CPU when the record was made
 * (TANDEM_TRACE_IDLE for none).
 */
struct tandem_trace_rec {
    uint64_t tsc;               /* the CPU's time stamp counter */
    uint16_t cpu;
    uint16_t domid;
    uint16_t vcpu;
    uint8_t  cls;               /* 0 = HYPERCALL ... 5 = TRAP: the bit number of the class */
    uint8_t  event;             /* TANDEM_TRCE_* of that class */
    uint64_t arg[4];
};

/*
 * The dump, little-endian, in this order:
 *   struct tandem_trace_dump_hdr
 *   nr_names x struct tandem_trace_name     (domains: every one the machine had)
 *   nr_hcnames x struct tandem_trace_name   (hypercall numbers: id = the number)
 *   nr_cpus x { struct tandem_trace_cpu_hdr, nr_records x struct tandem_trace_rec }
 *   the 8 bytes TANDEM_TRACE_END
 * Records of a CPU are in the order they were made; the oldest unread
 * first (a reader that drained some through trace_read took those).
 */
#define TANDEM_TRACE_MAGIC   "TNDMTRC1"
#define TANDEM_TRACE_END     "TNDMEND!"
#define TANDEM_TRACE_VERSION 1

struct tandem_trace_dump_hdr {
    char     magic[8];          /* TANDEM_TRACE_MAGIC */
    uint32_t version;           /* TANDEM_TRACE_VERSION */
    uint32_t rec_size;          /* sizeof(struct tandem_trace_rec) */
    uint64_t tsc_khz;           /* TSC ticks per millisecond */
    uint32_t nr_cpus;
    uint32_t classes;           /* the mask when the dump was made */
    uint32_t nr_names;
    uint32_t nr_hcnames;
    uint64_t pad;
};                              /* 48 bytes */

struct tandem_trace_name {
    uint32_t id;                /* domid, or hypercall number */
    char     name[28];          /* NUL-terminated, NUL-padded */
};                              /* 32 bytes */

struct tandem_trace_cpu_hdr {
    uint32_t cpu;
    uint32_t pad;
    uint64_t nr_records;
    uint64_t lost;              /* records not made because the buffer was full */
};                              /* 24 bytes */
#endif

#endif
