/* Shared by the memory files of the guest kernel (page_alloc.c, kmap.c, mm.c); mm.h is the interface. */
#ifndef GUEST_MM_PRIVATE_H
#define GUEST_MM_PRIVATE_H

#include "mm.h"

#define L3_INDEX(va) (((va) >> 30) & 511)
#define L2_INDEX(va) (((va) >> 21) & 511)
#define L1_INDEX(va) (((va) >> 12) & 511)

extern uint64_t mm_nr_pages;            /* pfns the kernel manages: start_info nr_pages, at most 1 GiB */

/* The allocator's boot side (kmap.c's mm_init): the bitmap in the first free pages of the
 * boot region, pages [first_free + bitmap, boot_end) free; later pfns [from, to) once mapped. */
void page_alloc_init(uint64_t first_free, uint64_t boot_end, uint64_t nr_pt_frames);
void page_alloc_release(uint64_t from, uint64_t to);
uint64_t page_alloc_nr_free(void);

/* The kernel mapping of the table an entry points at. */
#define pte_table(e) ((uint64_t *)pfn_to_virt(pte_pfn(e)))

#endif
