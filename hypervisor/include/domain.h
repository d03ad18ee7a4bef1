/* Domains and vCPUs: what the hypervisor keeps for each guest. */
#ifndef TANDEM_DOMAIN_H
#define TANDEM_DOMAIN_H

#include "types.h"
#include "regs.h"
#include "spinlock.h"
#include "config.h"
#include "arch_domain.h"
#include <tandem/xen.h>
#include <tandem/event_channel.h>
#include <tandem/domctl.h>         /* TANDEM_DOMCTL_MAX_DEVICES, TANDEM_DOMCTL_DEVTYPE_LEN */
#include "hypercall.h"             /* NR_HYPERCALLS */

struct evtchn;

/* The longest guest console line shown whole; a longer one is cut there (console.c, CON_CUT_MARK). */
#define CON_LINE_MAX 4096

struct guest_console {
    char buf[CON_LINE_MAX];
    size_t len;
};

/* vCPU pause flags: the vCPU runs only when none is set. */
#define VPF_blocked  (1U << 0)   /* SCHEDOP_block / poll */
#define VPF_down     (1U << 1)   /* not brought up, or VCPUOP_down */
#define VPF_paused   (1U << 2)   /* domain paused or dying */
#define VPF_debug    (1U << 3)   /* stopped by the debugger (gdbstub.c) */

struct vcpu {
    struct domain *domain;
    unsigned int vcpu_id;
    unsigned int pause_flags;
    bool is_running;
    struct vcpu *rq_next;           /* run queue link */
    unsigned int processor;         /* CPU whose run queue holds it */

    struct cpu_user_regs regs;      /* guest state while not on a CPU */

    /* Multicall state (common/multicall.c). */
    struct multicall_entry *mc_call;    /* the entry do_multicall is running (its stack copy), else NULL */
    bool hcall_preempted;           /* that entry's call asked for a continuation (Xen's hcall_preempted) */

    struct vcpu_info *vcpu_info;    /* in shared_info or registered page */
    mfn_t vcpu_info_mfn;            /* registered page, INVALID_MFN if legacy */
    uint64_t runstate_guest;        /* VA of the runstate area, 0 = none */
    int runstate;                   /* RUNSTATE_* */
    uint64_t runstate_entry_time;
    uint64_t runstate_time[4];

    /* Timers. */
    uint64_t singleshot_deadline;   /* ns, 0 = off */
    /*
     * The periodic timer, as Xen's: period 0 = off (a PV vCPU starts with
     * 10 ms: PV_DEFAULT_PERIOD_NS); periodic_next is the armed deadline
     * (0 = not armed: it is armed only while the vCPU runs, sched.c);
     * periodic_last is when the last periodic VIRQ_TIMER was sent.
     */
    uint64_t periodic_period, periodic_next, periodic_last;
    uint64_t poll_deadline;         /* SCHEDOP_poll timeout, 0 = none */
    uint64_t poll_mask[EVTCHN_2L_NR_CHANNELS / 64]; /* ports being polled (bitmap), cleared on wake */
    bool poll_high;                 /* also polls a FIFO port beyond the bitmap: any such event wakes it */
    bool polling;

    uint32_t virq_to_port[NR_VIRQS];

    /* Accounting (credit scheduler and `make bench`). */
    int64_t credit;
    uint64_t cpu_time_ns;
    uint64_t run_start;

    struct arch_vcpu arch;          /* x86 and guest-type state: arch code only */
};

enum domain_state { DOM_RUNNING, DOM_SHUTDOWN, DOM_DYING, DOM_DEAD };

/* Event counters, printed as COUNTERS lines by perfc.c (docs/benchmarks.md). */
/* One entry of the configuration's device list (tandem_domctl getdevice; domconfig_device). */
struct domain_device {
    char type[TANDEM_DOMCTL_DEVTYPE_LEN];   /* "vbd": NUL-terminated */
    uint32_t devid;
    uint32_t flags;                         /* TANDEM_DEVICE_* */
    domid_t backend;                        /* disk=/vif=: the driver domain; DOMID_INVALID: the store domain */
    uint64_t region_start, region_sectors;  /* TANDEM_DEVICE_region: 512-byte sectors */
    char serial[TANDEM_DOMCTL_SERIAL_LEN];  /* TANDEM_DEVICE_disk: NUL-terminated */
};

/* The ones every hypercall and bounce bumps first: with hypercall_by_nr they stay in struct domain's first page. */
struct domain_counters {
    uint64_t hypercalls;
    uint64_t bounces, upcalls, pt_validations, tlb_flushes, cr3_switches, ptwr_emulations;
    uint64_t priv_emulations;
    uint64_t mm_restarts;           /* MMU requests preempted partway through a table validation */
    uint64_t mm_teardown_restarts;  /* table teardowns (unpin, unlink, old base pointer) preempted */
    uint64_t reuse_flushes;         /* flushes before a frame changed type or was reused (tlbflush_if_cached) */
    uint64_t hypercall_by_nr[NR_HYPERCALLS];
    uint64_t hypercall_tsc[NR_HYPERCALLS]; /* TSC ticks inside each hypercall; TANDEM_DEBUG builds only */
    uint64_t mmu_entries;           /* mmu_update requests carried out (a call may carry many) */
    uint64_t cr3_baseptr;           /* of cr3_switches: new kernel base pointers loaded (MMUEXT_NEW_BASEPTR) */
};

struct domain {
    domid_t domain_id;
    char name[32];
    spinlock_t lock;                /* state, shutdown_reason, crash_why, destroyed: the life-cycle moves */
    spinlock_t event_lock;          /* evtchn[] (ports' state and binding), vCPUs' virq_to_port (evtchn.c) */
    spinlock_t page_alloc_lock;     /* page_list, tot_pages (Xen's page_alloc_lock) */
    spinlock_t con_lock;            /* con[], con_recent*, con_tokens, con_refill_ns, con_dropped, ring out side */
    enum domain_state state;
    int shutdown_reason;            /* SHUTDOWN_*, -1 while running */
    /*
     * Read or bumped on every hypercall, bounce and page-table update: here,
     * beside state, in the structure's first page (docs/architecture.md,
     * "The PV fast paths").
     */
    struct domain_counters ctr;
    struct arch_domain arch;        /* x86 and guest-type state: arch code only */
    char crash_why[256];            /* whole: the builder's ELF reasons are long */
    /* SCHEDOP_shutdown calls refused (the hang report: a kernel looping on a failed shutdown). */
    unsigned long shutdown_refused;
    uint64_t shutdown_refused_arg;      /* the last refused call's argument */
    bool is_privileged;
    bool paused;

    uint64_t tot_pages, max_pages;
    uint64_t page_list;             /* first owned frame, ~0 = none */

    struct shared_info *shared_info;
    mfn_t shared_info_mfn;
    mfn_t console_mfn, store_mfn;
    uint32_t console_port, store_port;
    /*
     * How it reaches its store (docs/xenstore.md, "How a domain reaches its
     * store"): store_domid serves it (itself for the store domain,
     * DOMID_INVALID without one); store_waiting from its build, paused,
     * until the first unpause (the store domain's, once it is introduced).
     */
    domid_t store_domid;
    bool store_waiting;
    /*
     * The domain that runs this one's device model (config dm=, Xen's XSM
     * target relation: the device model's d->target), DOMID_INVALID
     * without: it may use dm_op, acquire_resource and foreign mappings on
     * this domain as the privileged domain may (dm_may_control).
     */
    domid_t dm_domid;
    /*
     * An HVM domain with emulated devices (config disk=) is built paused
     * until its device model (dm_domid) first enables an ioreq server on it
     * (hvm/ioreq.c), as Xen's toolstack unpauses a domain once its QEMU is up.
     */
    bool dm_waiting;
    uint64_t build_pages;           /* pages it was built with (memory=; getstoreinfo target_kib) */
    unsigned int nr_devices;
    struct domain_device devices[TANDEM_DOMCTL_MAX_DEVICES];
    uint64_t vm_assist;

    unsigned int max_vcpus;
    struct vcpu *vcpu[MAX_VCPUS];

    struct evtchn **evtchn;         /* EVTCHN_MAX_BUCKETS port buckets (common/evtchn_private.h) */
    uint32_t valid_evtchns;         /* ports with a bucket: 0 up to this */
    bool evtchn_fifo_on;            /* the FIFO ABI is in use (common/evtchn_fifo.c) */
    struct evtchn_fifo_domain *evtchn_fifo; /* its state, from the first init_control to the domain's end */
    struct grant_table *grant_table;    /* grant_table.h */
    struct domain_iommu *iommu;     /* DMA tables while it has devices behind an IOMMU (iommu.h) */
    unsigned int weight, cap;       /* scheduler parameters */
    int64_t cap_budget;             /* ns it may still run this period (cap only) */
    bool destroyed;                 /* killed (tandem_domctl, or domain 0 ended): not a crash */
    bool destroying;                /* a CPU is doing a step of domain_destroy (claimed under d->lock) */

    struct guest_console con[2];    /* line buffers: [0] console_io, [1] console ring */
    uint32_t con_recent[2][16];     /* hashes of lines recently shown, per source */
    unsigned int con_recent_pos[2];
    struct { char buf[256]; unsigned int head, tail; } con_in;  /* typed for it, not yet taken */
    uint64_t con_tokens;            /* console bytes it may write now (console.c's rate limit) */
    uint64_t con_refill_ns;         /* when con_tokens was last topped up; 0 = never */
    uint64_t con_dropped;           /* console_io bytes dropped since the last notice */

    /*
     * The teardown of a stopped domain, done in steps from the scheduler
     * (Xen's d->arch.rel_priv): domain_destroy() and
     * domain_relinquish_memory() resume where the last step stopped.
     */
    struct {
        bool started;               /* vCPUs off the run queue, event channels closed */
        unsigned int phase, vcpu;   /* pv/mm.c's progress */
        uint64_t next;              /* next frame of page_list to visit, ~0 = end */
        uint64_t zombies, pages;    /* frames left to their last mapper; tot_pages at the start */
    } rel;
    struct domain *next_in_list;
};

extern struct domain *domain_list;

struct domain *domain_create(domid_t id, const char *name, bool privileged,
                             uint64_t max_pages, unsigned int max_vcpus);
struct domain *get_domain_by_id(domid_t id);
struct vcpu *vcpu_create(struct domain *d, unsigned int id);
/* Copy v's runstate into its registered area (vcpu_op.c). */
void vcpu_write_runstate(struct vcpu *v);
/* Refresh v's pvclock record (vcpu_info time) from the TSC (vcpu_op.c); v's vcpu_info must be mapped. */
void update_vcpu_system_time(struct vcpu *v);
/* Guest misbehaviour: print a dump with `why`, kill the domain, never return to it. */
void domain_crash(struct domain *d, const char *why, const struct cpu_user_regs *regs);
/* The same, with one more line after the registers (the frame the guest built, say); detail may be NULL. */
void domain_crash_detail(struct domain *d, const char *why, const struct cpu_user_regs *regs,
                         const char *detail);
void domain_shutdown(struct domain *d, int reason);
/* One bounded step of a stopped domain's teardown (the scheduler's); true once it is DOM_DEAD. */
bool domain_destroy(struct domain *d);
/*
 * Destroy on request (tandem_domctl destroy, or domain 0 ending): stop the
 * domain at once with `why` kept as its fate; the scheduler frees it once
 * no CPU runs it. Returns 0, or -1 if it was already stopping.
 */
int domain_kill(struct domain *d, const char *why);
/* Frames free when no domain exists (set once at boot); the final report checks them. */
void domain_set_frame_baseline(uint64_t frames);
/* Frames the hypervisor took for itself after boot (e.g. trace buffers): not a domain's. */
void domain_frame_baseline_take(uint64_t frames);
/* Print the frame count against the baseline; true if every domain frame came back. */
bool domain_frames_report(void);
unsigned int domains_alive(void);
uint64_t domain_cpu_time(const struct domain *d);    /* ns, all its vCPUs */
void domain_pause(struct domain *d);
void domain_unpause(struct domain *d);

/* The vCPU whose state is in this CPU's guest frame. */
struct vcpu *current_vcpu(void);
#define current current_vcpu()

/* Xen's XSM_DM_PRIV / XSM_TARGET default: privileged, or d's configured device-model domain. */
static inline bool dm_may_control(const struct domain *dm, const struct domain *d)
{
    return dm->is_privileged || (d->dm_domid != DOMID_INVALID && d->dm_domid == dm->domain_id);
}

#endif
