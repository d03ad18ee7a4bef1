/* Firmware memory map -> free RAM ranges (pure: no allocation, host-testable). */
#ifndef TANDEM_MEMMAP_H
#define TANDEM_MEMMAP_H

#include "types.h"
#include "bootinfo.h"

struct mem_range {
    uint64_t start;     /* inclusive */
    uint64_t end;       /* exclusive; start >= end means empty */
};

/*
 * Free RAM: the parts of BI_MEM_USABLE regions inside [min_addr, max_addr)
 * that no other region type and no `reserved` range touches (where usable
 * and non-usable overlap, non-usable wins, as with E820). Ranges are merged,
 * shrunk inward to 4 KiB boundaries, sorted, and written to `out`.
 * `map` may be unsorted and overlapping (n up to BI_MAX_MEM_REGIONS or
 * more; cost is O((n + nres)^2), no allocation). Zero-length entries are
 * ignored; an entry whose base + len wraps is ignored if usable and clipped
 * to the top of the address space otherwise (so it still excludes).
 * Returns the number of ranges written, or -XEN_ENOSPC if more than max_out
 * are needed (then `out` holds the first max_out).
 */
int memmap_free_ranges(const struct bi_mem_region *map, unsigned n,
                       const struct mem_range *reserved, unsigned nres,
                       uint64_t min_addr, uint64_t max_addr,
                       struct mem_range *out, unsigned max_out);

/* End of the highest USABLE, ACPI or NVS region (0 if none; wrapping entries ignored). */
uint64_t memmap_highest_ram(const struct bi_mem_region *map, unsigned n);

#endif
