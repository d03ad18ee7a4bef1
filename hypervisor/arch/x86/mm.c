/*
 * The core's address space and machine memory. mm_init() runs once on the
 * boot CPU while the shim's identity map is live: it sizes RAM, carves the
 * frame table, pool bitmap, M2P and new page tables from free RAM below
 * 4 GiB with a bump allocator, switches to the new tables (direct map, W^X
 * image, M2P), then hands all remaining free RAM to the frame pool.
 */
#include "lib.h"
#include "mm.h"
#include "processor.h"
#include "memmap.h"
#include "frame_pool.h"
#include "spinlock.h"
#include "domain.h"
#include "iommu.h"

uint64_t directmap_base;        /* 0 (identity) until the switch */
struct page_info *frame_table __pv_fast_data;
uint64_t max_page;
uint64_t *m2p_table;
uint64_t *idle_pg_table;

static struct frame_pool pool;
static spinlock_t pool_lock = SPIN_LOCK_UNLOCKED;
static uint64_t image_phys, total_frames;
static const struct boot_info *boot_bi;
extern char __image_start[], __image_end[], __text_end[], __rodata_end[];

/* ---- early bump allocator (identity-mapped frames below 4 GiB) ---- */
static uint64_t early_lo, early_hi, early_cur;

static paddr_t early_alloc(uint64_t size, uint64_t align)
{
    uint64_t p = ROUNDDOWN(early_cur - size, align);

    if (p < early_lo || p > early_cur)
        panic("early boot allocator exhausted (%lu bytes wanted)", (unsigned long)size);
    early_cur = p;
    memset((void *)p, 0, size);
    return p;
}

static mfn_t (*pt_alloc)(void);

static mfn_t pt_alloc_early(void)
{
    return early_alloc(PAGE_SIZE, PAGE_SIZE) >> PAGE_SHIFT;
}

static mfn_t pt_alloc_pool(void)
{
    mfn_t m = alloc_frames(0, DOMID_XEN);

    if (m == INVALID_MFN)
        panic("out of memory for hypervisor page tables");
    memset(mfn_to_virt(m), 0, PAGE_SIZE);
    return m;
}

paddr_t __pa(const void *va)
{
    uint64_t v = (uint64_t)va;

    if (v >= DIRECTMAP_VIRT_START && v < DIRECTMAP_VIRT_START + DIRECTMAP_SIZE)
        return v - DIRECTMAP_VIRT_START;
    if (v >= (uint64_t)__image_start && v < (uint64_t)__image_end)
        return image_phys + (v - (uint64_t)__image_start);
    return v;   /* identity, before the switch */
}

/* Returns the table the entry points to, creating it (with `upper` flags) if absent. */
static uint64_t *next_level(uint64_t *entry, uint64_t upper)
{
    if (!(*entry & _PAGE_PRESENT))
        *entry = (pt_alloc() << PAGE_SHIFT) | upper;
    return __va(*entry & PADDR_MASK);
}

/* Map [va, va+size) -> pa with 4 KiB (or 2 MiB when big) pages in `l4`. */
static void map_range(uint64_t *l4, uint64_t va, paddr_t pa, uint64_t size,
                      uint64_t flags, bool big)
{
    uint64_t upper = _PAGE_PRESENT | _PAGE_RW | (flags & _PAGE_USER);
    uint64_t step = big ? (1UL << L2_SHIFT) : PAGE_SIZE;

    for (uint64_t off = 0; off < size; off += step) {
        uint64_t v = va + off;
        uint64_t *l3 = next_level(&l4[L4_INDEX(v)], upper);
        uint64_t *l2 = next_level(&l3[L3_INDEX(v)], upper);
        if (big) {
            l2[L2_INDEX(v)] = (pa + off) | flags | _PAGE_PSE;
            continue;
        }
        uint64_t *l1 = next_level(&l2[L2_INDEX(v)], upper);
        l1[L1_INDEX(v)] = (pa + off) | flags;
    }
}

static void build_reserved(const struct boot_info *bi, struct mem_range *res, unsigned *n)
{
    unsigned k = 0;

    /* Low 1 MiB (BIOS data, the Multiboot stub and its tables up to the image). */
    res[k++] = (struct mem_range){ 0, bi->boot_path == BOOT_PATH_MULTIBOOT ? bi->image_phys : 0x100000 };
    res[k++] = (struct mem_range){ bi->image_phys, bi->image_phys + ROUNDUP(bi->image_len, PAGE_SIZE) };
    for (unsigned i = 0; i < bi->nr_modules; i++)
        res[k++] = (struct mem_range){ ROUNDDOWN(bi->modules[i].start, PAGE_SIZE),
                                       ROUNDUP(bi->modules[i].start + bi->modules[i].len, PAGE_SIZE) };
    *n = k;
}

static void setup_early_allocator(const struct mem_range *free, int nfree)
{
    uint64_t best = 0;

    for (int i = 0; i < nfree; i++) {
        uint64_t s = free[i].start, e = MIN(free[i].end, 0x100000000UL);
        if (e > s && e - s > best) {
            best = e - s;
            early_lo = s;
            early_hi = e;
        }
    }
    if (best < (8UL << 20))
        panic("no free RAM block of 8 MiB below 4 GiB for boot structures");
    early_cur = early_hi;
}

static void map_image(uint64_t *l4)
{
    uint64_t start = (uint64_t)__image_start;
    uint64_t text = (uint64_t)__text_end - start, ro = (uint64_t)__rodata_end - start;
    uint64_t all = ROUNDUP((uint64_t)__image_end - start, PAGE_SIZE);
    uint64_t g = _PAGE_PRESENT | _PAGE_GLOBAL | _PAGE_ACCESSED;

    map_range(l4, start, image_phys, text, g, false);                            /* RX */
    map_range(l4, start + text, image_phys + text, ro - text, g | _PAGE_NX, false);  /* R  */
    map_range(l4, start + ro, image_phys + ro, all - ro,
              g | _PAGE_NX | _PAGE_RW | _PAGE_DIRTY, false);                     /* RW */
}

static void map_directmap(uint64_t *l4, const struct boot_info *bi)
{
    uint64_t rw = _PAGE_PRESENT | _PAGE_RW | _PAGE_NX | _PAGE_GLOBAL | _PAGE_ACCESSED | _PAGE_DIRTY;
    uint64_t top = max_page << PAGE_SHIFT;

    for (uint64_t pa = 0; pa < top; pa += 1UL << L2_SHIFT) {
        bool want = pa < (2UL << 20);
        for (unsigned i = 0; i < bi->nr_mem && !want; i++)
            want = bi->mem[i].base < pa + (1UL << L2_SHIFT) && bi->mem[i].base + bi->mem[i].len > pa;
        if (want)
            map_range(l4, DIRECTMAP_VIRT_START + pa, pa, 1UL << L2_SHIFT, rw, true);
    }
}

static void map_m2p(uint64_t *l4)
{
    uint64_t size = ROUNDUP(max_page * 8, 1UL << L2_SHIFT);
    paddr_t pa = early_alloc(size, 1UL << L2_SHIFT);

    /* Guests read it from ring 3: user, read-only, no execute. */
    map_range(l4, M2P_VIRT_START, pa, size,
              _PAGE_PRESENT | _PAGE_USER | _PAGE_NX | _PAGE_ACCESSED | _PAGE_GLOBAL, true);
    m2p_table = (uint64_t *)(DIRECTMAP_VIRT_START + pa);
    memset((void *)pa, 0xff, size);     /* INVALID_M2P_ENTRY everywhere */
}

static void init_frame_table(const struct mem_range *free, int nfree)
{
    for (uint64_t m = 0; m < max_page; m++)
        frame_table[m].owner = DOMID_XEN, frame_table[m].next = frame_table[m].prev = ~0UL, frame_table[m].linear_pt_count = 0;
    /* Every frame of usable RAM is RAM, even the hypervisor's own (it is not free). */
    for (unsigned int i = 0; i < boot_bi->nr_mem; i++) {
        const struct bi_mem_region *r = &boot_bi->mem[i];
        if (r->type != BI_MEM_USABLE)
            continue;
        for (uint64_t m = ROUNDUP(r->base, PAGE_SIZE) >> PAGE_SHIFT;
             m < MIN((r->base + r->len) >> PAGE_SHIFT, max_page); m++)
            frame_table[m].flags = PGF_ram;
    }
    for (int i = 0; i < nfree; i++) {
        uint64_t s = free[i].start >> PAGE_SHIFT, e = free[i].end >> PAGE_SHIFT;
        e = MIN(e, max_page);
        for (uint64_t m = s; m < e; m++) {
            frame_table[m].flags = PGF_ram;
            frame_table[m].owner = DOMID_INVALID;
        }
        if (e > s) {
            pool_free_range(&pool, s, e - s);
            total_frames += e - s;
        }
    }
    /* Boot structures carved from the top of the early block stay the hypervisor's. */
    for (uint64_t m = early_cur >> PAGE_SHIFT; m < early_hi >> PAGE_SHIFT; m++)
        frame_table[m].owner = DOMID_XEN, frame_table[m].flags |= PGF_allocated;
    pool_reserve_range(&pool, early_cur >> PAGE_SHIFT, (early_hi - early_cur) >> PAGE_SHIFT);
}

void mm_init(const struct boot_info *bi)
{
    static struct mem_range free[BI_MAX_MEM_REGIONS + BI_MAX_MODULES + 4];
    struct mem_range res[BI_MAX_MODULES + 4];
    unsigned nres;
    int nfree;
    uint64_t top;

    boot_bi = bi;
    image_phys = bi->image_phys;
    build_reserved(bi, res, &nres);
    nfree = memmap_free_ranges(bi->mem, bi->nr_mem, res, nres, 0, DIRECTMAP_SIZE,
                               free, ARRAY_SIZE(free));
    if (nfree <= 0)
        panic("no usable RAM in the memory map");
    top = memmap_highest_ram(bi->mem, bi->nr_mem);
    max_page = MIN(top, DIRECTMAP_SIZE) >> PAGE_SHIFT;
    setup_early_allocator(free, nfree);

    frame_table = (struct page_info *)early_alloc(ROUNDUP(max_page * sizeof(struct page_info), PAGE_SIZE), PAGE_SIZE);
    pool_init(&pool, (uint64_t *)early_alloc(ROUNDUP(DIV_ROUND_UP(max_page, 64) * 8, PAGE_SIZE), PAGE_SIZE), max_page);

    pt_alloc = pt_alloc_early;
    idle_pg_table = (uint64_t *)early_alloc(PAGE_SIZE, PAGE_SIZE);
    /* Every hypervisor slot gets its L3 now, so guest L4s can share them forever. */
    for (unsigned s = HV_L4_FIRST_SLOT; s <= HV_L4_LAST_SLOT; s++)
        idle_pg_table[s] = (pt_alloc() << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_RW |
                           (s == L4_INDEX(M2P_VIRT_START) ? _PAGE_USER : 0);
    map_image(idle_pg_table);
    map_directmap(idle_pg_table, bi);
    map_m2p(idle_pg_table);

    write_cr4(read_cr4() | X86_CR4_PGE);
    write_cr3((uint64_t)idle_pg_table);
    /* From here on only the core's mappings exist: identity pointers are dead. */
    directmap_base = DIRECTMAP_VIRT_START;
    frame_table = (struct page_info *)__va((paddr_t)frame_table);
    pool.bitmap = (uint64_t *)__va((paddr_t)pool.bitmap);
    idle_pg_table = (uint64_t *)__va((paddr_t)idle_pg_table);
    init_frame_table(free, nfree);
    pt_alloc = pt_alloc_pool;
    printk("Memory: %lu MiB free for domains, frame table %lu frames, M2P at %#lx\n",
           (unsigned long)(pool.nr_free >> 8), (unsigned long)max_page, M2P_VIRT_START);
}

/* Map [va, va+size) -> pa in the hypervisor's shared slots (4 KiB pages). */
void hv_map_pages(uint64_t va, paddr_t pa, uint64_t size, uint64_t flags)
{
    map_range(idle_pg_table, va, pa, size, flags, false);
}

/* The L1 entry of a hypervisor VA mapped with 4 KiB pages (it must exist). */
uint64_t *hv_l1e(uint64_t va)
{
    uint64_t *l3 = __va(idle_pg_table[L4_INDEX(va)] & PADDR_MASK);
    uint64_t *l2 = __va(l3[L3_INDEX(va)] & PADDR_MASK);
    uint64_t *l1 = __va(l2[L2_INDEX(va)] & PADDR_MASK);

    return &l1[L1_INDEX(va)];
}

void init_guest_l4_slots(uint64_t *l4)
{
    for (unsigned s = HV_L4_FIRST_SLOT; s <= HV_L4_LAST_SLOT; s++)
        l4[s] = idle_pg_table[s];
}

void *ioremap(paddr_t pa, size_t len)
{
    static uint64_t next = IOREMAP_VIRT_START;
    uint64_t off = pa & ~PAGE_MASK, va = next;

    len = ROUNDUP(len + off, PAGE_SIZE);
    BUG_ON(next + len > IOREMAP_VIRT_START + IOREMAP_VIRT_SIZE);
    map_range(idle_pg_table, va, pa - off, len,
              _PAGE_PRESENT | _PAGE_RW | _PAGE_PCD | _PAGE_PWT | _PAGE_NX | _PAGE_GLOBAL, false);
    next += len;
    return (void *)(va + off);
}

/* ---- frame allocator ---- */
mfn_t alloc_frames(unsigned order, uint16_t owner)
{
    unsigned long flags = spin_lock_irqsave(&pool_lock);
    int64_t m = pool_alloc(&pool, order);

    spin_unlock_irqrestore(&pool_lock, flags);
    uint64_t stamp = 0;

    if (m < 0)
        return INVALID_MFN;
    for (uint64_t i = 0; i < (1UL << order); i++) {
        struct page_info *pg = &frame_table[m + i];
        BUG_ON(pg->flags & PGF_allocated);
        stamp = MAX(stamp, pg->tlbflush_timestamp);
        pg->owner = owner;
        pg->flags = PGF_ram | PGF_allocated;
        pg->type = PGT_none;
        pg->count = pg->type_count = 0;
        pg->order = i ? 0 : order;
        pg->next = pg->prev = ~0UL;
    }
    /* No frame goes to anyone while a CPU may still hold a translation of it (Xen's alloc_heap_pages). */
    tlbflush_if_cached(stamp);
    return m;
}

void free_frames(mfn_t mfn, unsigned order)
{
    unsigned long flags;

    for (uint64_t i = 0; i < (1UL << order); i++) {
        struct page_info *pg = &frame_table[mfn + i];
        BUG_ON(!(pg->flags & PGF_allocated));
        /* A domain's frame may still be cached by the guest; the hypervisor's never are. */
        pg->tlbflush_timestamp = pg->owner == DOMID_XEN ? 0 : tlbflush_current_time();
        pg->flags = PGF_ram;
        pg->owner = DOMID_INVALID;
        pg->type = PGT_none;
        pg->count = pg->type_count = 0;
        m2p_table[mfn + i] = INVALID_M2P_ENTRY;
    }
    flags = spin_lock_irqsave(&pool_lock);
    pool_free(&pool, mfn, order);
    spin_unlock_irqrestore(&pool_lock, flags);
}

uint64_t free_frame_count(void) { return pool.nr_free; }
uint64_t total_frame_count(void) { return total_frames; }

void *xzalloc_bytes(size_t size)
{
    unsigned order = 0;
    mfn_t m;

    while ((PAGE_SIZE << order) < size)
        order++;
    m = alloc_frames(order, DOMID_XEN);
    if (m == INVALID_MFN)
        return NULL;
    frame_table[m].flags |= PGF_xenheap;
    memset(mfn_to_virt(m), 0, PAGE_SIZE << order);
    return mfn_to_virt(m);
}

void xfree(void *p)
{
    mfn_t m;

    if (!p)
        return;
    m = __pa(p) >> PAGE_SHIFT;
    BUG_ON(!(frame_table[m].flags & PGF_xenheap));
    free_frames(m, frame_table[m].order);
}

/* ---- domain memory ---- */
/* Under d->page_alloc_lock (page_list, tot_pages); the allocator's pool_lock nests inside. */
mfn_t alloc_domheap_pages(struct domain *d, unsigned int order)
{
    uint64_t n = 1UL << order;
    mfn_t m = INVALID_MFN;

    spin_lock(&d->page_alloc_lock);
    if (d->tot_pages + n <= d->max_pages && (m = alloc_frames(order, d->domain_id)) != INVALID_MFN) {
        for (mfn_t f = m; f < m + n; f++) {
            memset(mfn_to_virt(f), 0, PAGE_SIZE);
            frame_table[f].order = 0;       /* each frame is given back (and freed) on its own */
            frame_table[f].next = d->page_list;
            frame_table[f].prev = ~0UL;
            if (d->page_list != ~0UL)
                frame_table[d->page_list].prev = f;
            d->page_list = f;
        }
        d->tot_pages += n;
    }
    spin_unlock(&d->page_alloc_lock);
    return m;
}

mfn_t alloc_domheap_page(struct domain *d)
{
    return alloc_domheap_pages(d, 0);
}

/* Unlink m from d's page list in O(1) (a guest may give back 65,536 frames in one call). */
static void page_list_del(struct domain *d, mfn_t m)
{
    struct page_info *pg = &frame_table[m];

    ASSERT(spin_is_mine(&d->page_alloc_lock));
    BUG_ON(pg->prev == ~0UL ? d->page_list != m : frame_table[pg->prev].next != m);
    if (pg->prev == ~0UL)
        d->page_list = pg->next;
    else
        frame_table[pg->prev].next = pg->next;
    if (pg->next != ~0UL)
        frame_table[pg->next].prev = pg->prev;
    pg->next = pg->prev = ~0UL;
}

/*
 * Takes one frame away from d: freed now if nothing references it, else
 * left as a zombie that the last put_page frees (pv/mm.c). The caller has
 * checked through the frame table that d owns m; of two CPUs giving the
 * same frame back, the one that marks it a zombie first does it (the
 * other gets false).
 */
bool domain_release_page(struct domain *d, mfn_t m)
{
    spin_lock(&d->page_alloc_lock);
    if (page_flags_update(&frame_table[m], 0, PGF_zombie) & PGF_zombie) {
        spin_unlock(&d->page_alloc_lock);
        return false;
    }
    page_list_del(d, m);
    spin_unlock(&d->page_alloc_lock);
    /* Its devices lose it now, even if it lives on as a zombie (Xen's guest_remove_page). */
    iommu_page_released(d, m);
    /* A validation left partway holds the frame otherwise: undone preemptibly (current's mm_pending). */
    if (current->arch.pv.mm_pending)
        pv_drop_partial(&frame_table[m]);
    else
        pv_drop_partial_preemptible(current, &frame_table[m]);
    /* As Xen: the domain is charged for the frame until it is really freed. */
    page_free_if_zombie(&frame_table[m]);
    return true;
}

void free_domheap_pages(struct domain *d)
{
    spin_lock(&d->page_alloc_lock);
    while (d->page_list != ~0UL) {
        mfn_t m = d->page_list;
        d->page_list = frame_table[m].next;
        free_frames(m, 0);
    }
    d->tot_pages = 0;
    spin_unlock(&d->page_alloc_lock);
}

void mm_release_boot_modules(void)
{
    /* Module frames were never given to the pool; give them now that every domain is built. */
    for (unsigned i = 0; i < boot_bi->nr_modules; i++) {
        uint64_t s = ROUNDUP(boot_bi->modules[i].start, PAGE_SIZE) >> PAGE_SHIFT;
        uint64_t e = ROUNDDOWN(boot_bi->modules[i].start + boot_bi->modules[i].len, PAGE_SIZE) >> PAGE_SHIFT;
        for (uint64_t m = s; m < e && m < max_page; m++) {
            frame_table[m].flags = PGF_ram;
            frame_table[m].owner = DOMID_INVALID;
        }
        if (e > s && e <= max_page) {
            pool_free_range(&pool, s, e - s);
            total_frames += e - s;
        }
    }
}
