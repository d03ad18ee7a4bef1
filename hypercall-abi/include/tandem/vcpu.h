/*
 * vcpu_op hypercall (number 24): bring vCPUs up and down, per-vCPU timers,
 * and the guest-memory areas the hypervisor keeps up to date.
 * Numbers and layouts are Xen's; the prose is Tandem's.
 *
 * Call: vcpu_op(cmd, vcpuid, arg); vcpuid names a vCPU of the calling
 * domain (-ENOENT if it does not exist); arg is the guest VA of the struct
 * named beside the op, or 0 where none is listed.
 */
#ifndef TANDEM_PUBLIC_VCPU_H
#define TANDEM_PUBLIC_VCPU_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif
#include "xen.h"

#define VCPUOP_initialise                     0  /* IN: struct vcpu_guest_context (5168 bytes) */
#define VCPUOP_up                             1  /* make an initialised vCPU runnable */
#define VCPUOP_down                           2  /* stop it (synchronous only on itself) */
#define VCPUOP_is_up                          3  /* returns 1 if up, 0 if down, <0 if no such vCPU */
#define VCPUOP_get_runstate_info              4  /* OUT: struct vcpu_runstate_info */
#define VCPUOP_register_runstate_memory_area  5  /* IN: vcpu_register_runstate_memory_area */
#define VCPUOP_set_periodic_timer             6  /* IN: struct vcpu_set_periodic_timer */
#define VCPUOP_stop_periodic_timer            7  /* no arg */
#define VCPUOP_set_singleshot_timer           8  /* IN: struct vcpu_set_singleshot_timer */
#define VCPUOP_stop_singleshot_timer          9  /* no arg */
#define VCPUOP_register_vcpu_info            10  /* IN: struct vcpu_register_vcpu_info */
#define VCPUOP_send_nmi                      11  /* no arg */
#define VCPUOP_get_physid                    12  /* OUT: struct vcpu_get_physid */
#define VCPUOP_register_vcpu_time_memory_area 13 /* IN: vcpu_register_time_memory_area */
/* Newer Xen only; optional, advertised by XENFEAT bits 18 and 19. */
#define VCPUOP_register_runstate_phys_area   14  /* IN: as op 5, using addr.p */
#define VCPUOP_register_vcpu_time_phys_area  15  /* IN: as op 13, using addr.p */

/* Run states; time[] below is indexed by them. */
#define RUNSTATE_running   0    /* on a physical CPU */
#define RUNSTATE_runnable  1    /* wants a CPU, has none */
#define RUNSTATE_blocked   2    /* waiting for an event (SCHEDOP_block/poll) */
#define RUNSTATE_offline   3    /* neither: down, paused, or otherwise held */

/*
 * Set in state_entry_time while the hypervisor rewrites a registered
 * runstate area, if the guest enabled VMASST_TYPE_runstate_update_flag;
 * readers retry while it is set.
 */
#define XEN_RUNSTATE_UPDATE (1ULL << 63)

#ifndef __ASSEMBLY__
/* 48 bytes. */
struct vcpu_runstate_info {
    int32_t  state;             /* OUT: RUNSTATE_* */
    uint32_t pad;
    uint64_t state_entry_time;  /* OUT: system time (ns) the state began */
    uint64_t time[4];           /* OUT: ns spent in each RUNSTATE_* so far */
};
typedef struct vcpu_runstate_info vcpu_runstate_info_t;

/*
 * VCPUOP_register_runstate_memory_area: the hypervisor copies this vCPU's
 * vcpu_runstate_info to addr.v every time it is scheduled (so a reader
 * always sees RUNSTATE_running). Re-registering replaces the old area and
 * must succeed (Linux registers twice for the boot CPU). addr.v == 0
 * unregisters.
 */
struct vcpu_register_runstate_memory_area {
    union {
        uint64_t v;             /* IN: guest VA (op 5) */
        uint64_t p;             /* IN: guest physical address (op 14) */
    } addr;
};
typedef struct vcpu_register_runstate_memory_area vcpu_register_runstate_memory_area_t;

/*
 * VCPUOP_set_periodic_timer: fire VIRQ_TIMER every period_ns while the
 * vCPU runs (periods under 1 ms may be refused with -EINVAL). Every PV
 * vCPU starts with a 10 ms period (Xen's default 100 Hz tick); it never
 * wakes a blocked vCPU. VCPUOP_stop_periodic_timer stops it; its
 * returning 0 is how Linux picks the vcpu_op clock-event device.
 */
struct vcpu_set_periodic_timer {
    uint64_t period_ns;         /* IN */
};
typedef struct vcpu_set_periodic_timer vcpu_set_periodic_timer_t;
#endif

/*
 * VCPUOP_set_singleshot_timer: fire VIRQ_TIMER once at timeout_abs_ns
 * (system time). A deadline already passed fires at once, also with
 * VCPU_SSHOTTMR_future set: since Xen 4.18 the flag is ignored (older Xen
 * failed the call with -ETIME). Linux calls it with flags 0 and BUG()s on
 * any error.
 */
#define _VCPU_SSHOTTMR_future 0
#define VCPU_SSHOTTMR_future  (1U << _VCPU_SSHOTTMR_future)
#ifndef __ASSEMBLY__
struct vcpu_set_singleshot_timer {
    uint64_t timeout_abs_ns;    /* IN: absolute system time, ns */
    uint32_t flags;             /* IN: VCPU_SSHOTTMR_* */
    uint32_t pad;
};
typedef struct vcpu_set_singleshot_timer vcpu_set_singleshot_timer_t;

/*
 * VCPUOP_register_vcpu_info: move this vCPU's struct vcpu_info (64 bytes,
 * xen.h) out of shared_info to machine frame <mfn> at byte <offset>; it
 * must not cross the page end and must be 8-byte aligned (-ENXIO); offset
 * >= 4096 is -EINVAL. Allowed once per vCPU (-EBUSY after).
 * On success the hypervisor copies the old contents across, sets
 * evtchn_pending_sel to all ones and marks an upcall pending, and from
 * then on uses only the new copy.
 */
struct vcpu_register_vcpu_info {
    uint64_t mfn;               /* IN: frame holding the new vcpu_info */
    uint32_t offset;            /* IN: byte offset within the frame */
    uint32_t rsvd;              /* IN: ignored (Linux leaves it uninitialised) */
};
typedef struct vcpu_register_vcpu_info vcpu_register_vcpu_info_t;

/*
 * VCPUOP_get_physid: APIC and ACPI ids of the physical CPU a pinned vCPU
 * runs on; -EINVAL unless the caller is the hardware domain and the vCPU
 * is pinned (so always -EINVAL for an ordinary domU).
 */
struct vcpu_get_physid {
    uint64_t phys_id;           /* OUT: bits 31:0 APIC id, 63:32 ACPI id */
};
typedef struct vcpu_get_physid vcpu_get_physid_t;
#endif
#define xen_vcpu_physid_to_x86_apicid(physid) ((uint32_t)(physid))
#define xen_vcpu_physid_to_x86_acpiid(physid) ((uint32_t)((physid) >> 32))

#ifndef __ASSEMBLY__
/*
 * VCPUOP_register_vcpu_time_memory_area: a second copy of this vCPU's
 * struct vcpu_time_info (xen.h), updated together with the one in
 * vcpu_info under the same version protocol, e.g. for a user-mapped vDSO
 * page. Failure is tolerated by Linux.
 */
struct vcpu_register_time_memory_area {
    union {
        uint64_t v;             /* IN: guest VA (op 13) */
        uint64_t p;             /* IN: guest physical address (op 15) */
    } addr;
};
typedef struct vcpu_register_time_memory_area vcpu_register_time_memory_area_t;

/*
 * VCPUOP_initialise: the first register state of a vCPU that is still down
 * (how a kernel starts its secondary vCPUs), then VCPUOP_up. Layout is Xen's
 * x86_64 struct vcpu_guest_context; its register block is Xen's x86_64
 * struct cpu_user_regs, named vcpu_user_regs here (200 bytes).
 */
struct vcpu_user_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint32_t error_code;        /* private */
    uint32_t entry_vector;      /* private */
    uint64_t rip;               /* IN */
    uint16_t cs, pad0[1];       /* IN: code selector (RPL raised to 3) */
    uint8_t  saved_upcall_mask;
    uint8_t  pad1[3];
    uint64_t rflags;            /* IN: IF always set, IOPL cleared */
    uint64_t rsp;               /* IN */
    uint16_t ss, pad2[3];       /* IN */
    uint16_t es, pad3[3];
    uint16_t ds, pad4[3];
    uint16_t fs, pad5[3];
    uint16_t gs, pad6[3];
};
#endif

#define VGCF_i387_valid                (1U << 0)   /* fpu_ctxt holds an FXSAVE image */
#define VGCF_in_kernel                 (1U << 2)   /* start in guest kernel mode (required) */
#define VGCF_failsafe_disables_events  (1U << 3)
#define VGCF_syscall_disables_events   (1U << 4)
#define VGCF_online                    (1U << 5)   /* bring the vCPU up at once */

#ifndef __ASSEMBLY__
struct vcpu_guest_context {
    uint8_t  fpu_ctxt[512];                 /* IN: FXSAVE image if VGCF_i387_valid */
    uint64_t flags;                         /* IN: VGCF_* */
    struct vcpu_user_regs user_regs;        /* IN */
    struct trap_info trap_ctxt[256];        /* IN: virtual IDT (address 0 = none) */
    uint64_t ldt_base, ldt_ents;            /* IN: only an empty LDT is accepted */
    uint64_t gdt_frames[16], gdt_ents;      /* IN: as set_gdt */
    uint64_t kernel_ss, kernel_sp;          /* IN: as stack_switch */
    uint64_t ctrlreg[8];                    /* IN: [3] kernel L4, [1] user L4 (cr3 format) */
    uint64_t debugreg[8];                   /* IN: ignored by Tandem (use set_debugreg) */
    uint64_t event_callback_eip;            /* IN */
    uint64_t failsafe_callback_eip;         /* IN */
    uint64_t syscall_callback_eip;          /* IN */
    uint64_t vm_assist;                     /* IN: VMASST_TYPE_* bitmap */
    uint64_t fs_base, gs_base_kernel, gs_base_user;   /* IN */
};
#endif

#endif
