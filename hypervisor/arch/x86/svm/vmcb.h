/*
 * The AMD SVM virtual machine control block (AMD APM vol. 2, appendix B):
 * the control area at 0x000 and the state-save area at 0x400. Offsets are
 * checked by BUILD_BUG_ON in svm.c.
 */
#ifndef TANDEM_SVM_VMCB_H
#define TANDEM_SVM_VMCB_H

#include "types.h"
#include "processor.h"     /* EFER_LMA and the other EFER bits */

struct vmcb_seg {
    uint16_t sel;
    uint16_t attr;                  /* descriptor bits 40-47 in 0-7, bits 52-55 in 8-11 */
    uint32_t limit;
    uint64_t base;
};

struct vmcb {
    /* control area */
    uint32_t cr_intercepts;         /* 0x000: reads 0-15, writes 16-31 */
    uint32_t dr_intercepts;         /* 0x004 */
    uint32_t exc_intercepts;        /* 0x008 */
    uint32_t intercepts1;           /* 0x00c: INTERCEPT1_* */
    uint32_t intercepts2;           /* 0x010: INTERCEPT2_* */
    uint8_t  res0[0x3c - 0x14];
    uint16_t pause_filter_thresh;   /* 0x03c */
    uint16_t pause_filter_count;    /* 0x03e */
    uint64_t iopm_base_pa;          /* 0x040 */
    uint64_t msrpm_base_pa;         /* 0x048 */
    uint64_t tsc_offset;            /* 0x050 */
    uint32_t asid;                  /* 0x058 */
    uint8_t  tlb_control;           /* 0x05c */
    uint8_t  res1[3];
    uint64_t vintr;                 /* 0x060: V_TPR, V_IRQ (8), V_INTR_MASKING (24) */
    uint64_t int_state;             /* 0x068: bit 0 interrupt shadow */
    uint64_t exitcode;              /* 0x070 */
    uint64_t exitinfo1;             /* 0x078 */
    uint64_t exitinfo2;             /* 0x080 */
    uint64_t exitintinfo;           /* 0x088 */
    uint64_t np_enable;             /* 0x090: bit 0 nested paging */
    uint8_t  res2[0xa8 - 0x98];
    uint64_t eventinj;              /* 0x0a8 */
    uint64_t n_cr3;                 /* 0x0b0 */
    uint64_t lbr_virt;              /* 0x0b8 */
    uint32_t clean;                 /* 0x0c0: clean bits (TCG ignores them; we keep 0) */
    uint32_t res3;
    uint64_t nrip;                  /* 0x0c8: next RIP (not saved under TCG) */
    uint8_t  insn_len;              /* 0x0d0 */
    uint8_t  insn_bytes[15];
    uint8_t  res4[0x400 - 0xe0];
    /* state-save area */
    struct vmcb_seg es, cs, ss, ds, fs, gs, gdtr, ldtr, idtr, tr;  /* 0x400 - 0x49f */
    uint8_t  res5[0x4cb - 0x4a0];
    uint8_t  cpl;                   /* 0x4cb */
    uint32_t res6;
    uint64_t efer;                  /* 0x4d0 */
    uint8_t  res7[0x548 - 0x4d8];
    uint64_t cr4;                   /* 0x548 */
    uint64_t cr3;                   /* 0x550 */
    uint64_t cr0;                   /* 0x558 */
    uint64_t dr7;                   /* 0x560 */
    uint64_t dr6;                   /* 0x568 */
    uint64_t rflags;                /* 0x570 */
    uint64_t rip;                   /* 0x578 */
    uint8_t  res8[0x5d8 - 0x580];
    uint64_t rsp;                   /* 0x5d8 */
    uint8_t  res9[0x5f8 - 0x5e0];
    uint64_t rax;                   /* 0x5f8 */
    uint64_t star, lstar, cstar, sfmask, kernel_gs_base;   /* 0x600 - 0x627 */
    uint64_t sysenter_cs, sysenter_esp, sysenter_eip;      /* 0x628 - 0x63f */
    uint64_t cr2;                   /* 0x640 */
    uint8_t  res10[0x668 - 0x648];
    uint64_t g_pat;                 /* 0x668 */
    uint8_t  res11[0x1000 - 0x670];
};

/* intercepts1 */
#define INTERCEPT1_INTR         (1u << 0)
#define INTERCEPT1_NMI          (1u << 1)
#define INTERCEPT1_SMI          (1u << 2)
#define INTERCEPT1_INIT         (1u << 3)
#define INTERCEPT1_VINTR        (1u << 4)
#define INTERCEPT1_CPUID        (1u << 18)
#define INTERCEPT1_INVD         (1u << 22)
#define INTERCEPT1_HLT          (1u << 24)
#define INTERCEPT1_INVLPG       (1u << 25)
#define INTERCEPT1_INVLPGA      (1u << 26)
#define INTERCEPT1_IOIO         (1u << 27)
#define INTERCEPT1_MSR          (1u << 28)
#define INTERCEPT1_TASKSWITCH   (1u << 29)
#define INTERCEPT1_SHUTDOWN     (1u << 31)
/* intercepts2 */
#define INTERCEPT2_VMRUN        (1u << 0)
#define INTERCEPT2_VMMCALL      (1u << 1)
#define INTERCEPT2_VMLOAD       (1u << 2)
#define INTERCEPT2_VMSAVE       (1u << 3)
#define INTERCEPT2_STGI         (1u << 4)
#define INTERCEPT2_CLGI         (1u << 5)
#define INTERCEPT2_SKINIT       (1u << 6)
#define INTERCEPT2_MONITOR      (1u << 10)
#define INTERCEPT2_MWAIT        (1u << 11)
#define INTERCEPT2_XSETBV       (1u << 13)

#define VINTR_TPR_MASK          0xfULL
#define VINTR_IRQ               (1ULL << 8)
#define VINTR_PRIO_SHIFT        16
#define VINTR_IGN_TPR           (1ULL << 20)
#define VINTR_MASKING           (1ULL << 24)
#define VINTR_VECTOR_SHIFT      32
#define TLB_CONTROL_FLUSH_ALL   1

/* exit codes */
#define VMEXIT_CR0_READ     0x000   /* 0x000-0x00f reads of CR0-CR15, 0x010-0x01f writes */
#define VMEXIT_CR15_WRITE   0x01f
#define VMEXIT_EXCP_PF      0x04e
#define VMEXIT_EXCP_UD      0x046
#define VMEXIT_INTR         0x060
#define VMEXIT_VINTR        0x064
#define VMEXIT_NMI          0x061
#define VMEXIT_SMI          0x062
#define VMEXIT_INIT         0x063
#define VMEXIT_CPUID        0x072
#define VMEXIT_INVD         0x076
#define VMEXIT_HLT          0x078
#define VMEXIT_INVLPG       0x079
#define VMEXIT_INVLPGA      0x07a
#define VMEXIT_IOIO         0x07b
#define VMEXIT_MSR          0x07c
#define VMEXIT_TASK_SWITCH  0x07d
#define VMEXIT_SHUTDOWN     0x07f
#define VMEXIT_VMRUN        0x080
#define VMEXIT_VMMCALL      0x081
#define VMEXIT_VMLOAD       0x082
#define VMEXIT_VMSAVE       0x083
#define VMEXIT_STGI         0x084
#define VMEXIT_CLGI         0x085
#define VMEXIT_SKINIT       0x086
#define VMEXIT_MONITOR      0x08a
#define VMEXIT_MWAIT        0x08b
#define VMEXIT_XSETBV       0x08d
#define VMEXIT_NPF          0x400
#define VMEXIT_INVALID      ((uint64_t)-1)

/* EXITINFO1 of IOIO */
#define IOIO_IN             (1u << 0)
#define IOIO_STR            (1u << 2)
#define IOIO_REP            (1u << 3)
#define IOIO_SZ_SHIFT       4       /* bits 4-6: 8, 16, 32 bits */

/* EVENTINJ */
#define EVENTINJ_VALID      (1ULL << 31)
#define EVENTINJ_EV         (1ULL << 11)
#define EVENTINJ_TYPE_INTR  (0ULL << 8)
#define EVENTINJ_TYPE_EXC   (3ULL << 8)

#define MSR_VM_CR           0xc0010114
#define MSR_VM_HSAVE_PA     0xc0010117
#define EFER_SVME           (1UL << 12)

#endif
