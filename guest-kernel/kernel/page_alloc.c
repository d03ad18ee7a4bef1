/*
 * The guest kernel's page allocator: a bitmap over the pfns the boot region
 * leaves free (kmap.c hands them over at boot, page_alloc_init and
 * page_alloc_release), with a count of pages in use by kind. Pages come out
 * zeroed. Events are masked around the bitmap (one vCPU).
 */
#include "mm.h"
#include "mm_private.h"

uint64_t mm_nr_pages;                   /* pages managed (start_info mm_nr_pages, capped) */
static uint64_t *free_map;              /* bit set = free */
static uint64_t alloc_cursor, nr_free;
static uint64_t kind_count[NR_PAGE_KINDS];

/* Whole pages, 8 bytes at a time (a quarter of the work of rep stosb/movsb in instructions). */
static void clear_pages(void *p, uint64_t n)
{
    uint64_t cnt = n * PAGE_SIZE / 8;

    __asm__ __volatile__("rep stosq" : "+D"(p), "+c"(cnt) : "a"(0UL) : "memory");
}

void copy_page(void *dst, const void *src)
{
    uint64_t cnt = PAGE_SIZE / 8;

    __asm__ __volatile__("rep movsq" : "+D"(dst), "+S"(src), "+c"(cnt) :: "memory");
}

static inline bool pfn_free(uint64_t p) { return free_map[p / 64] & (1UL << (p % 64)); }
static inline void set_free(uint64_t p) { free_map[p / 64] |= 1UL << (p % 64); }
static inline void set_used(uint64_t p) { free_map[p / 64] &= ~(1UL << (p % 64)); }

uint64_t alloc_pages(unsigned n, enum page_kind kind)
{
    uint8_t m = events_save();
    uint64_t start = 0, run = 0, p = alloc_cursor;

    for (uint64_t scanned = 0; scanned < mm_nr_pages + n; scanned++, p++) {
        if (p >= mm_nr_pages) {
            p = 0;
            run = 0;
        }
        if (!pfn_free(p)) {
            run = 0;
            continue;
        }
        if (run++ == 0)
            start = p;
        if (run == n) {
            for (uint64_t i = start; i < start + n; i++)
                set_used(i);
            nr_free -= n;
            kind_count[kind] += n;
            alloc_cursor = start + n;
            events_restore(m);
            clear_pages(pfn_to_virt(start), n);
            return start;
        }
    }
    events_restore(m);
    return 0;
}

uint64_t alloc_page(enum page_kind kind)
{
    return alloc_pages(1, kind);
}

void free_pages(uint64_t pfn, unsigned n, enum page_kind kind)
{
    uint8_t m = events_save();

    for (uint64_t p = pfn; p < pfn + n; p++) {
        if (p >= mm_nr_pages || pfn_free(p))
            kernel_panic("freeing pfn %lx twice", (unsigned long)p);
        set_free(p);
    }
    nr_free += n;
    kind_count[kind] -= n;
    events_restore(m);
}

void mm_get_info(struct meminfo *mi)
{
    mi->total = start_info->nr_pages;
    mi->free = nr_free;
    mi->page_tables = kind_count[PG_PT];
    mi->user = kind_count[PG_USER];
    mi->kernel = kind_count[PG_KERNEL] + (start_info->nr_pages - mm_nr_pages);
}

void mm_report(void)
{
    struct meminfo mi;

    thread_reap_dead();
    mm_get_info(&mi);
    printk("guest memory: %lu pages (%lu MiB): %lu free, %lu page tables, %lu user, %lu kernel\n",
           (unsigned long)mi.total, (unsigned long)(mi.total >> 8), (unsigned long)mi.free,
           (unsigned long)mi.page_tables, (unsigned long)mi.user, (unsigned long)mi.kernel);
}

void page_alloc_init(uint64_t first_free, uint64_t boot_end, uint64_t nr_pt_frames)
{
    uint64_t map_pages = (mm_nr_pages + 8 * PAGE_SIZE - 1) / (8 * PAGE_SIZE);

    /* The bitmap lives in the first free pages of the boot region. */
    free_map = pfn_to_virt(first_free);
    memset(free_map, 0, map_pages * PAGE_SIZE);
    for (uint64_t p = first_free + map_pages; p < boot_end; p++)
        set_free(p);
    nr_free = boot_end - first_free - map_pages;
    kind_count[PG_KERNEL] = first_free + map_pages - nr_pt_frames;
    kind_count[PG_PT] = nr_pt_frames;
    alloc_cursor = first_free + map_pages;
}

void page_alloc_release(uint64_t from, uint64_t to)
{
    for (uint64_t p = from; p < to; p++)
        set_free(p);
    nr_free += to - from;
}

uint64_t page_alloc_nr_free(void)
{
    return nr_free;
}
