/* The page tables the core is entered with (entry contract in bootinfo.h). */
#include "efiboot.h"

#define PTE_P       0x001ull
#define PTE_RW      0x002ull
#define PTE_PS      0x080ull
#define PTE_ADDR    0x000ffffffffff000ull
#define SZ_512G     (512 * SZ_1G)

/* Page-table pages are handed out from one TANDEM_MEM_TYPE allocation. */
struct pt_pool {
    UINT64 next, end;
};

static UINT64 *pt_alloc(struct pt_pool *pool)
{
    UINT64 *p;

    if (pool->next >= pool->end)
        return NULL;
    p = (UINT64 *)(UINTN)pool->next;
    pool->next += EFI_PAGE_SIZE;
    return p;   /* the pool was zeroed */
}

/* The table one level down from entry `idx` of `table`, created if missing. */
static UINT64 *pt_next(struct pt_pool *pool, UINT64 *table, UINTN idx)
{
    UINT64 *t;

    if (table[idx] & PTE_P)
        return (UINT64 *)(UINTN)(table[idx] & PTE_ADDR);
    t = pt_alloc(pool);
    if (t)
        table[idx] = (UINT64)(UINTN)t | PTE_P | PTE_RW;
    return t;
}

/* Maps one page of 4 KiB (level 1) or 2 MiB (level 2) at va -> pa. */
static BOOLEAN pt_map(struct pt_pool *pool, UINT64 *pml4, UINT64 va, UINT64 pa, int level)
{
    UINT64 *t = pml4;

    for (int shift = 39; shift > 12 + 9 * (level - 1); shift -= 9) {
        t = pt_next(pool, t, (va >> shift) & 511);
        if (!t)
            return FALSE;
    }
    t[(va >> (12 + 9 * (level - 1))) & 511] = pa | PTE_P | PTE_RW | (level == 2 ? PTE_PS : 0);
    return TRUE;
}

/* Upper bound on the table pages needed; the image may straddle table boundaries. */
static UINT64 pt_pages(UINT64 ident_top, UINT64 image_len)
{
    UINT64 ident = (ident_top + SZ_512G - 1) / SZ_512G + ident_top / SZ_1G;
    UINT64 image = 2 + (image_len / SZ_1G + 2) + (image_len / SZ_2M + 2);

    return 1 + ident + image;
}

EFI_STATUS paging_build(const struct core_image *ci, UINT64 ident_top, UINT64 *cr3)
{
    UINT64 bytes = pt_pages(ident_top, ci->len) * EFI_PAGE_SIZE;
    struct pt_pool pool;
    UINT64 *pml4;
    EFI_STATUS st = efi_alloc_low(bytes, TANDEM_MEM_TYPE, EFI_PAGE_SIZE, &pool.next);

    if (EFI_ERROR(st))
        return st;
    ZeroMem((void *)(UINTN)pool.next, bytes);
    pool.end = pool.next + bytes;
    pml4 = pt_alloc(&pool);
    for (UINT64 a = 0; a < ident_top; a += SZ_2M)
        if (!pt_map(&pool, pml4, a, a, 2))
            return EFI_OUT_OF_RESOURCES;
    for (UINT64 off = 0; off < ci->len; off += EFI_PAGE_SIZE)
        if (!pt_map(&pool, pml4, HV_IMAGE_VA + off, ci->phys + off, 1))
            return EFI_OUT_OF_RESOURCES;
    *cr3 = (UINT64)(UINTN)pml4;
    return EFI_SUCCESS;
}
