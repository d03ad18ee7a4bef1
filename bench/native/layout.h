/* Memory layout and selectors of the native benchmark kernel, shared by C and assembly. */
#ifndef NATIVE_LAYOUT_H
#define NATIVE_LAYOUT_H

/* GDT selectors. SYSRET needs user code32, user data, user code64 in that order. */
#define SEL_KCODE   0x08
#define SEL_KDATA   0x10
#define SEL_UCODE32 0x18
#define SEL_UDATA   0x23        /* 0x20 | RPL 3 */
#define SEL_UCODE   0x2b        /* 0x28 | RPL 3 */
#define SEL_TSS     0x30

/* Vectors used by the benchmarks (both DPL 3 gates). */
#define VEC_NULL_INT  0x81      /* handler is a bare iretq */
#define VEC_USER_EXIT 0x82      /* ring 3 -> back to the kernel caller of enter_user */

/*
 * Region for the page-table tests: 4 KiB pages from BENCH_VA, one L1 table per
 * 2 MiB, FAULT_L1S tables. The page-fault test touches each page once, so it
 * runs at most FAULT_PAGES iterations.
 */
#define BENCH_VA     0x40000000
#define FAULT_L1S    64
#define FAULT_PAGES  (FAULT_L1S * 512)

#define PTE_P   0x1
#define PTE_RW  0x2
#define PTE_U   0x4
#define PTE_PS  0x80

/* isa-debug-exit values: QEMU exits with (value << 1) | 1. */
#define EXIT_DONE  0x10         /* status 33 */
#define EXIT_FATAL 0x11         /* status 35 */

#endif
