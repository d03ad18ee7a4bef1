/*
 * Page-table entry bits and the hypervisor's virtual memory layout, all
 * inside the range Xen reserves in every PV address space (L4 slots 256-271).
 *
 *   0xFFFF800000000000  slot 256  read-only M2P, mapped user-readable for guests
 *   0xFFFF82C000000000  slot 261  ioremap area (LAPIC, ...), 1 GiB
 *   0xFFFF82C080000000  slot 261  per-CPU GDT: 14 guest pages (set_gdt) + 2 of the hypervisor
 *   0xFFFF82C080080000  slot 261  per-CPU LDT: 16 pages, the running vCPU's LDT frames (MMUEXT_SET_LDT)
 *   0xFFFF82D080200000  slot 261  hypervisor image (text RX, rodata R, data RW)
 *   0xFFFF830000000000  slot 262  direct map of all RAM (RW, NX, supervisor)
 */
#ifndef TANDEM_PAGE_H
#define TANDEM_PAGE_H

#include "types.h"
#include "bootinfo.h"
#include "config.h"

#define _PAGE_PRESENT   (1UL << 0)
#define _PAGE_RW        (1UL << 1)
#define _PAGE_USER      (1UL << 2)
#define _PAGE_PWT       (1UL << 3)
#define _PAGE_PCD       (1UL << 4)
#define _PAGE_ACCESSED  (1UL << 5)
#define _PAGE_DIRTY     (1UL << 6)
#define _PAGE_PSE       (1UL << 7)
#define _PAGE_PAT       (1UL << 7)   /* in L1 entries */
#define _PAGE_GLOBAL    (1UL << 8)
#define _PAGE_GUEST_KERNEL (1UL << 52)  /* Xen's software bit ("flag bit 12" = PTE bit 52) */
#define _PAGE_NX        (1UL << 63)
#define PADDR_MASK      0x000FFFFFFFFFF000UL

#define L1_SHIFT 12
#define L2_SHIFT 21
#define L3_SHIFT 30
#define L4_SHIFT 39
#define L1_INDEX(va) (((va) >> L1_SHIFT) & 511)
#define L2_INDEX(va) (((va) >> L2_SHIFT) & 511)
#define L3_INDEX(va) (((va) >> L3_SHIFT) & 511)
#define L4_INDEX(va) (((va) >> L4_SHIFT) & 511)

#define HV_L4_FIRST_SLOT   256
#define HV_L4_LAST_SLOT    271
#define M2P_VIRT_START     0xFFFF800000000000UL
#define M2P_VIRT_SIZE      0x0000004000000000UL   /* 256 GiB */
#define IOREMAP_VIRT_START 0xFFFF82C000000000UL
#define IOREMAP_VIRT_SIZE  0x0000000040000000UL
#define GDT_VIRT_START     0xFFFF82C080000000UL   /* per CPU: 16 pages (64 KiB) */
#define LDT_VIRT_START     (GDT_VIRT_START + NR_CPUS * 16 * PAGE_SIZE)   /* per CPU: 16 pages */
#define DIRECTMAP_VIRT_START 0xFFFF830000000000UL
#define DIRECTMAP_SIZE       0x0000008000000000UL   /* 512 GiB: RAM above is ignored */

/* Before the core's own tables are live the direct map is the identity map. */
extern uint64_t directmap_base;
static inline void *__va(paddr_t pa) { return (void *)(uintptr_t)(pa + directmap_base); }
static inline void *mfn_to_virt(mfn_t mfn) { return __va(mfn << PAGE_SHIFT); }
paddr_t __pa(const void *va);

static inline bool is_canonical(uint64_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}
static inline bool in_hv_range(uint64_t va)
{
    return va >= 0xFFFF800000000000UL && va < 0xFFFF880000000000UL;
}

#endif
