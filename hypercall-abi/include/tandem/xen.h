/*
 * Core Xen x86_64 PV ABI as Tandem implements it: hypercall numbers,
 * start_info, shared_info, vcpu_info, selectors and memory layout.
 * Layouts are binary-identical to Xen's public xen.h / arch-x86 headers.
 * Depends only on <stdint.h>; compiles standalone as C99 and C++.
 */
#ifndef TANDEM_PUBLIC_XEN_H
#define TANDEM_PUBLIC_XEN_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif

/*
 * Every header here is usable from assembly (.S files define __ASSEMBLY__):
 * C declarations sit inside #ifndef __ASSEMBLY__, and a constant .S code
 * may use is written TANDEM_C(value, suffix), which drops the C suffix there.
 */
#ifdef __ASSEMBLY__
#define TANDEM_C(x, suffix) x
#else
#define TANDEM_C(x, suffix) x##suffix
#endif

/* Hypercall numbers (rax). Generated names: __HYPERVISOR_<name>. */
#define __HYPERVISOR_set_trap_table          0
#define __HYPERVISOR_mmu_update              1
#define __HYPERVISOR_set_gdt                 2
#define __HYPERVISOR_stack_switch            3
#define __HYPERVISOR_set_callbacks           4
#define __HYPERVISOR_fpu_taskswitch          5
#define __HYPERVISOR_sched_op_compat         6
#define __HYPERVISOR_platform_op             7
#define __HYPERVISOR_set_debugreg            8
#define __HYPERVISOR_get_debugreg            9
#define __HYPERVISOR_update_descriptor      10
#define __HYPERVISOR_memory_op              12
#define __HYPERVISOR_multicall              13
#define __HYPERVISOR_update_va_mapping      14
#define __HYPERVISOR_set_timer_op           15
#define __HYPERVISOR_event_channel_op_compat 16
#define __HYPERVISOR_xen_version            17
#define __HYPERVISOR_console_io             18
#define __HYPERVISOR_physdev_op_compat      19
#define __HYPERVISOR_grant_table_op         20
#define __HYPERVISOR_vm_assist              21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret                   23
#define __HYPERVISOR_vcpu_op                24
#define __HYPERVISOR_set_segment_base       25
#define __HYPERVISOR_mmuext_op              26
#define __HYPERVISOR_xsm_op                 27
#define __HYPERVISOR_nmi_op                 28
#define __HYPERVISOR_sched_op               29
#define __HYPERVISOR_callback_op            30
#define __HYPERVISOR_event_channel_op       32
#define __HYPERVISOR_physdev_op             33
#define __HYPERVISOR_domctl                 36
#define __HYPERVISOR_dm_op                  41   /* hvm/dm_op.h */

/* Tandem's own domain-control hypercall (not Xen's unstable domctl). */
#define __HYPERVISOR_tandem_domctl          48   /* arch_0 */

/*
 * The hypercall page (XEN_ELFNOTE_HYPERCALL_PAGE): one stub per number,
 * HYPERCALL_STUB_SIZE bytes apart; call hypercall_page + nr * HYPERCALL_STUB_SIZE.
 */
#define HYPERCALL_PAGE_SIZE   4096
#define HYPERCALL_STUB_SIZE   32

/* Flat selectors in the hypervisor-reserved part of every GDT. */
#define FLAT_RING3_CS32   0xe023
#define FLAT_RING3_CS64   0xe033
#define FLAT_RING3_DS32   0xe02b
#define FLAT_RING3_DS64   0x0000
#define FLAT_RING3_SS32   0xe02b
#define FLAT_RING3_SS64   0xe02b
#define FLAT_KERNEL_CS64  FLAT_RING3_CS64
#define FLAT_KERNEL_DS64  FLAT_RING3_DS64
#define FLAT_KERNEL_SS64  FLAT_RING3_SS64
#define FLAT_KERNEL_CS    FLAT_KERNEL_CS64
#define FLAT_KERNEL_SS    FLAT_KERNEL_SS64
#define FLAT_USER_CS      FLAT_RING3_CS64
#define FLAT_USER_SS      FLAT_RING3_SS64
#define FIRST_RESERVED_GDT_PAGE   14
#define FIRST_RESERVED_GDT_ENTRY  (FIRST_RESERVED_GDT_PAGE * 512)

/* The range every PV address space reserves for the hypervisor (L4 slots 256-271). */
#define HYPERVISOR_VIRT_START  TANDEM_C(0xFFFF800000000000, ULL)
#define HYPERVISOR_VIRT_END    TANDEM_C(0xFFFF880000000000, ULL)
#define MACH2PHYS_VIRT_START   TANDEM_C(0xFFFF800000000000, ULL)
#define MACH2PHYS_VIRT_END     TANDEM_C(0xFFFF804000000000, ULL)
#define INVALID_M2P_ENTRY      (~0UL)

#ifndef __ASSEMBLY__
/* Domain identifiers. */
typedef uint16_t domid_t;
#endif
#define DOMID_FIRST_RESERVED TANDEM_C(0x7FF0, U)
#define DOMID_SELF           TANDEM_C(0x7FF0, U)
#define DOMID_IO             TANDEM_C(0x7FF1, U)
#define DOMID_XEN            TANDEM_C(0x7FF2, U)
#define DOMID_COW            TANDEM_C(0x7FF3, U)
#define DOMID_INVALID        TANDEM_C(0x7FF4, U)
#define DOMID_IDLE           TANDEM_C(0x7FFF, U)

/*
 * mmu_update: the request type is ptr's bits 2:0 (ptr & 7: an 8-byte PTE's
 * address leaves them free), as Xen's do_mmu_update reads it (Xen's header
 * says ptr[1:0]: types 0-3 are defined, 4-7 are refused with -ENOSYS).
 */
#define MMU_NORMAL_PT_UPDATE        0
#define MMU_MACHPHYS_UPDATE         1
#define MMU_PT_UPDATE_PRESERVE_AD   2
#define MMU_PT_UPDATE_NO_TRANSLATE  3
#ifndef __ASSEMBLY__
struct mmu_update {
    uint64_t ptr;       /* IN: machine address of the PTE | request type (bits 2:0) */
    uint64_t val;       /* IN: new contents */
};
typedef struct mmu_update mmu_update_t;
#endif

/* mmuext_op commands. */
#define MMUEXT_PIN_L1_TABLE      0
#define MMUEXT_PIN_L2_TABLE      1
#define MMUEXT_PIN_L3_TABLE      2
#define MMUEXT_PIN_L4_TABLE      3
#define MMUEXT_UNPIN_TABLE       4
#define MMUEXT_NEW_BASEPTR       5
#define MMUEXT_TLB_FLUSH_LOCAL   6
#define MMUEXT_INVLPG_LOCAL      7
#define MMUEXT_TLB_FLUSH_MULTI   8
#define MMUEXT_INVLPG_MULTI      9
#define MMUEXT_TLB_FLUSH_ALL    10
#define MMUEXT_INVLPG_ALL       11
#define MMUEXT_FLUSH_CACHE      12
#define MMUEXT_SET_LDT          13
#define MMUEXT_NEW_USER_BASEPTR 15
#define MMUEXT_CLEAR_PAGE       16
#define MMUEXT_COPY_PAGE        17
#define MMUEXT_FLUSH_CACHE_GLOBAL 18
#define MMUEXT_MARK_SUPER       19
#define MMUEXT_UNMARK_SUPER     20
#ifndef __ASSEMBLY__
struct mmuext_op {
    uint32_t cmd;               /* IN */
    uint32_t pad0;
    union {
        uint64_t mfn;           /* IN: PIN_*, UNPIN, NEW_*BASEPTR, CLEAR/COPY_PAGE */
        uint64_t linear_addr;   /* IN: INVLPG_*, SET_LDT */
    } arg1;
    union {
        uint32_t nr_ents;       /* IN: SET_LDT */
        uint64_t vcpumask;      /* IN: guest pointer, TLB_FLUSH_MULTI / INVLPG_MULTI */
        uint64_t src_mfn;       /* IN: COPY_PAGE */
    } arg2;
};
typedef struct mmuext_op mmuext_op_t;
#endif

/* update_va_mapping flags. */
#define UVMF_NONE          0UL
#define UVMF_TLB_FLUSH     1UL
#define UVMF_INVLPG        2UL
#define UVMF_FLUSHTYPE_MASK 3UL
#define UVMF_MULTI         0UL
#define UVMF_LOCAL         0UL
#define UVMF_ALL           4UL

/* vm_assist. */
#define VMASST_CMD_enable   0
#define VMASST_CMD_disable  1
#define VMASST_TYPE_4gb_segments        0
#define VMASST_TYPE_4gb_segments_notify 1
#define VMASST_TYPE_writable_pagetables 2
#define VMASST_TYPE_pae_extended_cr3    3
#define VMASST_TYPE_architectural_iopl  4
#define VMASST_TYPE_runstate_update_flag 5
#define VMASST_TYPE_m2p_strict          32

#ifndef __ASSEMBLY__
/* multicall entry: 64 bytes. */
struct multicall_entry {
    uint64_t op;        /* IN */
    int64_t  result;    /* OUT */
    uint64_t args[6];   /* IN (five used on x86_64) */
};
typedef struct multicall_entry multicall_entry_t;

/* Trap table entry for set_trap_table: 16 bytes. */
struct trap_info {
    uint8_t  vector;    /* exception vector */
    uint8_t  flags;     /* bits 0-1: DPL; bit 2: mask events on entry */
    uint16_t cs;        /* code selector */
    uint32_t pad;
    uint64_t address;   /* handler; 0 ends the table */
};
typedef struct trap_info trap_info_t;
#endif
#define TI_GET_DPL(ti)  ((ti)->flags & 3)
#define TI_GET_IF(ti)   ((ti)->flags & 4)
#define TI_SET_IF(ti, i) ((ti)->flags = (uint8_t)(((ti)->flags & ~4) | ((i) ? 4 : 0)))

/* Frame pushed for the iret hypercall (72 bytes at rsp). */
#define VGCF_in_syscall (TANDEM_C(1, U) << 8)
#define VGCF_IN_SYSCALL VGCF_in_syscall
#ifndef __ASSEMBLY__
struct iret_context {
    uint64_t rax, r11, rcx, flags, rip, cs, rflags, rsp, ss;
};

/* Guest-visible time, per vCPU: 32 bytes (pvclock). */
struct vcpu_time_info {
    uint32_t version;           /* odd while being updated */
    uint32_t pad0;
    uint64_t tsc_timestamp;     /* TSC at the last update */
    uint64_t system_time;       /* ns since boot at tsc_timestamp */
    uint32_t tsc_to_system_mul; /* 0.32 fraction: ns = (shifted ticks * mul) >> 32 */
    int8_t   tsc_shift;
    uint8_t  flags;
    uint8_t  pad1[2];
};
#endif
#define XEN_PVCLOCK_TSC_STABLE_BIT  (1 << 0)
#define XEN_PVCLOCK_GUEST_STOPPED   (1 << 1)

#ifndef __ASSEMBLY__
struct arch_vcpu_info {
    uint64_t cr2;       /* OUT: fault address of the last #PF injected */
    uint64_t pad;
};

/* Per-vCPU event and time state: 64 bytes. */
struct vcpu_info {
    uint8_t  evtchn_upcall_pending;  /* set by hypervisor, cleared by guest */
    uint8_t  evtchn_upcall_mask;     /* guest's "interrupts disabled" */
    uint8_t  pad0[6];
    uint64_t evtchn_pending_sel;     /* one bit per word of evtchn_pending */
    struct arch_vcpu_info arch;
    struct vcpu_time_info time;
};
#endif

#define XEN_LEGACY_MAX_VCPUS 32

#ifndef __ASSEMBLY__
struct arch_shared_info {
    uint64_t max_pfn;
    uint64_t pfn_to_mfn_frame_list_list;
    uint64_t nmi_reason;
    uint64_t p2m_cr3;
    uint64_t p2m_vaddr;
    uint64_t p2m_generation;
};

/* One page shared by the hypervisor and each domain: 3136 bytes used. */
struct shared_info {
    struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
    uint64_t evtchn_pending[64];
    uint64_t evtchn_mask[64];
    uint32_t wc_version;
    uint32_t wc_sec;
    uint32_t wc_nsec;
    uint32_t wc_sec_hi;
    struct arch_shared_info arch;
};
#endif

/* start_info: what the domain builder hands the kernel in rsi. 1168 bytes. */
#define MAX_GUEST_CMDLINE 1024
#ifndef __ASSEMBLY__
struct start_info {
    char     magic[32];         /* "xen-3.0-x86_64" */
    uint64_t nr_pages;          /* total pages given to the domain */
    uint64_t shared_info;       /* MACHINE address of shared_info */
    uint32_t flags;             /* SIF_* */
    uint32_t pad0;
    uint64_t store_mfn;         /* xenstore ring frame */
    uint32_t store_evtchn;
    uint32_t pad1;
    union {
        struct {
            uint64_t mfn;       /* console ring frame */
            uint32_t evtchn;    /* console event channel */
            uint32_t pad;
        } domU;
        struct {
            uint32_t info_off;
            uint32_t info_size;
        } dom0;
    } console;
    uint64_t pt_base;           /* VA of the bootstrap L4 */
    uint64_t nr_pt_frames;      /* number of bootstrap page-table frames */
    uint64_t mfn_list;          /* VA of the p2m array */
    uint64_t mod_start;         /* VA (or PFN with SIF_MOD_START_PFN) of the initrd */
    uint64_t mod_len;           /* initrd length in bytes */
    char     cmd_line[MAX_GUEST_CMDLINE];
    uint64_t first_p2m_pfn;
    uint64_t nr_p2m_frames;
};
typedef struct start_info start_info_t;
#endif
#define SIF_PRIVILEGED      (1 << 0)
#define SIF_INITDOMAIN      (1 << 1)
#define SIF_MULTIBOOT_MOD   (1 << 2)
#define SIF_MOD_START_PFN   (1 << 3)
#define SIF_VIRT_P2M_4TOOLS (1 << 4)
#define XEN_START_INFO_MAGIC "xen-3.0-x86_64"

/* console_io commands. */
#define CONSOLEIO_write 0
#define CONSOLEIO_read  1

/* set_segment_base. */
#define SEGBASE_FS          0
#define SEGBASE_GS_USER     1
#define SEGBASE_GS_KERNEL   2
#define SEGBASE_GS_USER_SEL 3

#endif
