/*
 * 4 KiB paging for the page-table tests: BENCH_VA is mapped through
 * FAULT_L1S L1 tables (initially empty), and a second L4 sharing the boot
 * identity map gives the context-switch test a real CR3 change.
 */
#include "native.h"

extern uint64_t boot_pml4[512], boot_pdpt[512];

uint64_t bench_l1[FAULT_PAGES] ALIGNED(4096);
uint64_t fault_pte;
static uint64_t bench_pd[512] ALIGNED(4096);
static uint64_t second_l4[512] ALIGNED(4096);
static uint8_t fault_frame[4096] ALIGNED(4096);

void paging_init(void)
{
    for (unsigned i = 0; i < FAULT_L1S; i++)
        bench_pd[i] = (uint64_t)&bench_l1[i * 512] | PTE_P | PTE_RW;
    boot_pdpt[BENCH_VA >> 30] = (uint64_t)bench_pd | PTE_P | PTE_RW | PTE_U;
    second_l4[0] = boot_pml4[0];
    fault_pte = (uint64_t)fault_frame | PTE_P | PTE_RW;
    write_cr3(read_cr3());
}

void paging_reset_region(void)
{
    memset(bench_l1, 0, sizeof(bench_l1));
    write_cr3(read_cr3());
}

uint64_t paging_second_l4(void)
{
    return (uint64_t)second_l4;
}
