/*
 * Page-table helpers for the PV MMU test kernels (tests/guest/mmu_*).
 *
 * What a test kernel can rely on (Xen's start-of-day layout, checked by
 * startinfo_layout): pfn i of the boot region is mapped at VIRT_BASE + i*4K,
 * the bootstrap tables are L4, L3, L2, L1s from start_info->pt_base, and the
 * domain owns every pfn of its p2m. The pfns beyond the boot region are the
 * domain's but mapped nowhere: free to become page tables.
 *
 * pt_init() (call it first) installs a #PF handler for the probes, finds
 * the boot tables and links one fresh L1 (the "scratch L1") into the first
 * free slot of the boot L2, which gives 512 scratch virtual pages at
 * pt_scratch_base(); pt_map()/pt_map_rw()/pt_map_ro() map frames there with
 * update_va_mapping. The helpers allocate slots from 511 down, so a test
 * may use small slot numbers directly.
 */
#ifndef TANDEM_TEST_PT_H
#define TANDEM_TEST_PT_H

#include "traps.h"
#include <tandem/memory.h>

#define VIRT_BASE       0xffffffff80000000UL

#define PTE_P           (1UL << 0)
#define PTE_RW          (1UL << 1)
#define PTE_US          (1UL << 2)
#define PTE_PWT         (1UL << 3)
#define PTE_PCD         (1UL << 4)
#define PTE_A           (1UL << 5)
#define PTE_D           (1UL << 6)
#define PTE_PSE         (1UL << 7)      /* L2/L3 */
#define PTE_PAT         (1UL << 7)      /* L1 */
#define PTE_G           (1UL << 8)
#define PTE_NX          (1UL << 63)
#define PTE_ADDR        0x000ffffffffff000UL
#define PTE_MFN(e)      (((e) & PTE_ADDR) >> 12)

#define L1_FLAGS_RW     (PTE_P | PTE_RW | PTE_A | PTE_D)
#define L1_FLAGS_RO     (PTE_P | PTE_A)
#define LX_FLAGS        (PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D)   /* upper levels, as the builder */

#define L4_IDX(va) (((va) >> 39) & 511)
#define L3_IDX(va) (((va) >> 30) & 511)
#define L2_IDX(va) (((va) >> 21) & 511)
#define L1_IDX(va) (((va) >> 12) & 511)

#define SCRATCH_SLOTS   512

/* Set up everything below; reports ERROR and returns false if the layout is not as expected. */
bool pt_init(void);

/* The bootstrap tables (mfns) and the scratch L1. */
extern uint64_t pt_l4, pt_l3, pt_l2, pt_l1[2], pt_scratch_l1;
extern unsigned int pt_scratch_l2_slot;     /* index in pt_l2 of the scratch L1 */
extern uint64_t pt_boot_pages;              /* pfns mapped by the boot region */
extern uint64_t pt_max_page;                /* XENMEM_maximum_ram_page */

/* VA of a boot-region frame (NULL if the frame is not in the boot region). */
void *pt_boot_va(uint64_t mfn);
static inline uint64_t pt_va_to_mfn(const void *va) { return pfn_to_mfn(((uint64_t)va - VIRT_BASE) >> 12); }

/* A frame of the domain never mapped anywhere (taken from the top of the p2m), or 0. */
uint64_t pt_free_mfn(void);
uint64_t pt_free_pfn(void);                 /* same, as a pfn */

/* Scratch window: slot -> VA, and update_va_mapping of one slot. */
uint64_t pt_scratch_base(void);
static inline void *pt_slot_va(unsigned int slot) { return (void *)(pt_scratch_base() + slot * 4096UL); }
int pt_alloc_slot(void);                    /* a free slot (from 511 down), or -1 */
void pt_free_slot(unsigned int slot);
long pt_map(unsigned int slot, uint64_t mfn, uint64_t flags);  /* UVMF_INVLPG */
long pt_unmap(unsigned int slot);
/* Map a frame at a fresh slot (ERROR and NULL on failure); unmap and release the slot. */
void *pt_map_rw(uint64_t mfn);
void *pt_map_ro(uint64_t mfn);
void pt_unmap_va(void *va);

/* Read entry idx of any table of ours (maps it read-only for the read if needed). */
uint64_t pt_read_entry(uint64_t table_mfn, unsigned int idx);
/* A fresh frame (never mapped) holding entries[0..n) at indexes idx[0..n) (rest zero). */
uint64_t pt_new_table(const unsigned int *idx, const uint64_t *entries, unsigned int n);
/* Fill a frame of ours through a temporary RW mapping (the frame must not be a page table). */
bool pt_fill(uint64_t mfn, const unsigned int *idx, const uint64_t *entries, unsigned int n);

/* Machine address of entry idx of a table, for mmu_update. */
static inline uint64_t pt_maddr(uint64_t mfn, unsigned int idx) { return (mfn << 12) | (idx * 8UL); }

/* Single-request hypercall wrappers. */
long mmu_update1(uint64_t ptr, uint64_t val);
long mmu_update_fd(uint64_t ptr, uint64_t val, unsigned int foreigndom, unsigned int *done);
long mmuext1(unsigned int cmd, uint64_t arg1, uint64_t arg2);
long mmuext_fd(unsigned int cmd, uint64_t arg1, uint64_t arg2, unsigned int foreigndom, unsigned int *done);
long uvm(uint64_t va, uint64_t val, uint64_t flags);
long memop(unsigned int cmd, void *arg);

/* Accesses that may fault: true if done, false if they took a #PF (or #GP). */
bool probe_read(const volatile void *p, uint64_t *val);
bool probe_write(volatile void *p, uint64_t val);

/* CHECK_RC with a formatted description; returns true if rc == want. */
bool expect_rc(long rc, long want, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Frames of the hypervisor: the M2P's frames from XENMEM_machphys_mfn_list (count returned). */
unsigned int pt_m2p_frames(uint64_t *mfns, unsigned int max);
/* A frame below max_page the M2P marks invalid (not any domain's), searching down from `from`. */
uint64_t pt_unowned_mfn(uint64_t from);

/* mov %cr3 (emulated): the kernel L4 in use. */
uint64_t pt_read_cr3(void);

#endif
