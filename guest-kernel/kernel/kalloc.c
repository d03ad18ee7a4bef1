/*
 * kalloc: small kernel allocations for code that wants malloc (the store
 * library's nodes and strings): power-of-two classes of 32 to 2048 bytes
 * carved from whole pages, each block led by a 16-byte header naming its
 * class; bigger requests take contiguous pages (the header then counts
 * them). Events are masked around the free lists (one vCPU).
 */
#include "kalloc.h"
#include "mm.h"

#define KA_HDR       16
#define KA_MIN_SHIFT 5                  /* 32 bytes */
#define KA_MAX_SHIFT 11                 /* 2048 bytes */
#define KA_CLASSES   (KA_MAX_SHIFT - KA_MIN_SHIFT + 1)
#define KA_BIG       0x80000000u        /* header flag: whole pages, count below */

struct ka_hdr {
    uint32_t tag;                       /* class index, or KA_BIG | pages */
    uint32_t magic;
    uint64_t pad;
};
#define KA_MAGIC 0x6b616c63u

static void *free_list[KA_CLASSES];

static unsigned int class_of(size_t total)
{
    unsigned int c = 0;

    while ((1UL << (KA_MIN_SHIFT + c)) < total)
        c++;
    return c;
}

/* A page split into blocks of class c, onto its free list; false if no page. */
static bool refill(unsigned int c)
{
    uint64_t pfn = alloc_page(PG_KERNEL);
    size_t sz = 1UL << (KA_MIN_SHIFT + c);
    char *p;

    if (!pfn)
        return false;
    p = pfn_to_virt(pfn);
    for (size_t off = 0; off + sz <= PAGE_SIZE; off += sz) {
        *(void **)(p + off) = free_list[c];
        free_list[c] = p + off;
    }
    return true;
}

void *kalloc(size_t size)
{
    size_t total = size + KA_HDR;
    struct ka_hdr *h;
    uint8_t m;

    if (size > (1UL << 30))
        return NULL;
    if (total > (1UL << KA_MAX_SHIFT)) {
        unsigned int pages = (unsigned int)((total + PAGE_SIZE - 1) / PAGE_SIZE);
        uint64_t pfn = alloc_pages(pages, PG_KERNEL);
        if (!pfn)
            return NULL;
        h = pfn_to_virt(pfn);
        h->tag = KA_BIG | pages;
    } else {
        unsigned int c = class_of(total);
        m = events_save();
        if (!free_list[c] && !refill(c)) {
            events_restore(m);
            return NULL;
        }
        h = free_list[c];
        free_list[c] = *(void **)h;
        events_restore(m);
        h->tag = c;
    }
    h->magic = KA_MAGIC;
    return (char *)h + KA_HDR;
}

void kfree(void *ptr)
{
    struct ka_hdr *h;
    uint8_t m;

    if (!ptr)
        return;
    h = (struct ka_hdr *)((char *)ptr - KA_HDR);
    if (h->magic != KA_MAGIC)
        kernel_panic("kfree of %p: not a kalloc block", ptr);
    h->magic = 0;
    if (h->tag & KA_BIG) {
        free_pages(virt_to_pfn(h), h->tag & ~KA_BIG, PG_KERNEL);
        return;
    }
    m = events_save();
    *(void **)h = free_list[h->tag];
    free_list[h->tag] = h;
    events_restore(m);
}
