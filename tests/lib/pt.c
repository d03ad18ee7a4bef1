/* Page-table helpers for the PV MMU test kernels: see pt.h. */
#include "pt.h"

uint64_t pt_l4, pt_l3, pt_l2, pt_l1[2], pt_scratch_l1;
unsigned int pt_scratch_l2_slot;
uint64_t pt_boot_pages, pt_max_page;

static uint64_t next_free_pfn;
static uint64_t slot_used[SCRATCH_SLOTS / 64];

static const uint64_t *m2p = (const uint64_t *)MACH2PHYS_VIRT_START;

void *pt_boot_va(uint64_t mfn)
{
    uint64_t pfn;

    if (mfn >= pt_max_page)
        return NULL;
    pfn = m2p[mfn];
    if (pfn >= pt_boot_pages || pfn >= start_info->nr_pages || pfn_to_mfn(pfn) != mfn)
        return NULL;
    return (void *)(VIRT_BASE + pfn * 4096);
}

uint64_t pt_free_pfn(void)
{
    if (next_free_pfn <= pt_boot_pages) {
        test_error("pt: out of never-mapped frames");
        return 0;
    }
    return --next_free_pfn;
}

uint64_t pt_free_mfn(void)
{
    uint64_t pfn = pt_free_pfn();

    return pfn ? pfn_to_mfn(pfn) : 0;
}

uint64_t pt_scratch_base(void)
{
    return VIRT_BASE + ((uint64_t)pt_scratch_l2_slot << 21);
}

int pt_alloc_slot(void)
{
    /* From the top down: tests may use low slot numbers directly. */
    for (unsigned int s = SCRATCH_SLOTS; s-- > 0;)
        if (!(slot_used[s / 64] & (1UL << (s % 64)))) {
            slot_used[s / 64] |= 1UL << (s % 64);
            return (int)s;
        }
    test_error("pt: no free scratch slot");
    return -1;
}

void pt_free_slot(unsigned int slot)
{
    slot_used[slot / 64] &= ~(1UL << (slot % 64));
}

long uvm(uint64_t va, uint64_t val, uint64_t flags)
{
    return HYPERVISOR_update_va_mapping(va, val, flags);
}

long pt_map(unsigned int slot, uint64_t mfn, uint64_t flags)
{
    return uvm((uint64_t)pt_slot_va(slot), (mfn << 12) | flags, UVMF_INVLPG);
}

long pt_unmap(unsigned int slot)
{
    return uvm((uint64_t)pt_slot_va(slot), 0, UVMF_INVLPG);
}

static void *map_at_new_slot(uint64_t mfn, uint64_t flags)
{
    int s = pt_alloc_slot();
    long rc;

    if (s < 0)
        return NULL;
    if ((rc = pt_map(s, mfn, flags))) {
        test_error("pt: mapping mfn %#lx flags %#lx at scratch slot %d: %ld", (unsigned long)mfn,
                   (unsigned long)flags, s, rc);
        pt_free_slot(s);
        return NULL;
    }
    return pt_slot_va(s);
}

void *pt_map_rw(uint64_t mfn) { return map_at_new_slot(mfn, L1_FLAGS_RW); }
void *pt_map_ro(uint64_t mfn) { return map_at_new_slot(mfn, L1_FLAGS_RO); }

void pt_unmap_va(void *va)
{
    unsigned int slot = ((uint64_t)va - pt_scratch_base()) >> 12;
    long rc = pt_unmap(slot);

    if (rc)
        test_error("pt: unmapping scratch slot %u: %ld", slot, rc);
    pt_free_slot(slot);
}

uint64_t pt_read_entry(uint64_t table_mfn, unsigned int idx)
{
    const volatile uint64_t *t = pt_boot_va(table_mfn);
    uint64_t e;

    if (t)
        return t[idx];
    if (!(t = pt_map_ro(table_mfn)))
        return ~0UL;
    e = t[idx];
    pt_unmap_va((void *)t);
    return e;
}

bool pt_fill(uint64_t mfn, const unsigned int *idx, const uint64_t *entries, unsigned int n)
{
    uint64_t *t = pt_map_rw(mfn);

    if (!t)
        return false;
    memset(t, 0, 4096);
    for (unsigned int i = 0; i < n; i++)
        t[idx[i]] = entries[i];
    pt_unmap_va(t);
    return true;
}

uint64_t pt_new_table(const unsigned int *idx, const uint64_t *entries, unsigned int n)
{
    uint64_t mfn = pt_free_mfn();

    if (!mfn || !pt_fill(mfn, idx, entries, n))
        return 0;
    return mfn;
}

long mmu_update_fd(uint64_t ptr, uint64_t val, unsigned int foreigndom, unsigned int *done)
{
    struct mmu_update req = { ptr, val };

    return HYPERVISOR_mmu_update(&req, 1, done, foreigndom);
}

long mmu_update1(uint64_t ptr, uint64_t val)
{
    return mmu_update_fd(ptr, val, DOMID_SELF, NULL);
}

long mmuext_fd(unsigned int cmd, uint64_t arg1, uint64_t arg2, unsigned int foreigndom, unsigned int *done)
{
    struct mmuext_op op = { .cmd = cmd };

    op.arg1.mfn = arg1;
    op.arg2.src_mfn = arg2;
    return HYPERVISOR_mmuext_op(&op, 1, done, foreigndom);
}

long mmuext1(unsigned int cmd, uint64_t arg1, uint64_t arg2)
{
    return mmuext_fd(cmd, arg1, arg2, DOMID_SELF, NULL);
}

long memop(unsigned int cmd, void *arg)
{
    return HYPERVISOR_memory_op(cmd, arg);
}

bool probe_read(const volatile void *p, uint64_t *val)
{
    unsigned long n = last_trap.count;
    uint64_t v = 0;

    __asm__ __volatile__("1: movq (%1), %0\n2:" ASM_EXTABLE(1b, 2b) : "+r"(v) : "r"(p) : "memory");
    if (last_trap.count != n)
        return false;
    if (val)
        *val = v;
    return true;
}

bool probe_write(volatile void *p, uint64_t val)
{
    unsigned long n = last_trap.count;

    __asm__ __volatile__("1: movq %1, (%0)\n2:" ASM_EXTABLE(1b, 2b) :: "r"(p), "r"(val) : "memory");
    return last_trap.count == n;
}

bool expect_rc(long rc, long want, const char *fmt, ...)
{
    char what[160];
    va_list ap;

    if (rc == want)
        return true;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    test_fail("%s: got %ld, want %ld", what, rc, want);
    return false;
}

unsigned int pt_m2p_frames(uint64_t *mfns, unsigned int max)
{
    struct xen_machphys_mfn_list l = { .max_extents = max, .extent_start = (uint64_t)mfns };
    long rc = memop(XENMEM_machphys_mfn_list, &l);

    if (rc) {
        test_error("pt: machphys_mfn_list: %ld", rc);
        return 0;
    }
    if (!l.nr_extents)
        test_error("pt: machphys_mfn_list lists no frames");
    return l.nr_extents;
}

uint64_t pt_unowned_mfn(uint64_t from)
{
    for (uint64_t m = from; m > 0x100; m--)
        if (m < pt_max_page && m2p[m] == INVALID_M2P_ENTRY)
            return m;
    test_error("pt: no frame with an invalid M2P entry below %#lx", (unsigned long)from);
    return 0;
}

uint64_t pt_read_cr3(void)
{
    uint64_t v;

    __asm__ __volatile__("mov %%cr3, %0" : "=r"(v));
    return v;
}

bool pt_init(void)
{
    const volatile uint64_t *l4, *l3, *l2;
    uint64_t e;
    unsigned int s;
    long rc;

    if ((rc = traps_set(TRAP_page_fault, 0)) || (rc = traps_set(TRAP_gp_fault, 0))) {
        test_error("pt: set_trap_table: %ld", rc);
        return false;
    }
    pt_max_page = HYPERVISOR_memory_op(XENMEM_maximum_ram_page, NULL);
    pt_boot_pages = 1;          /* enough for pt_boot_va of the L4 below */
    l4 = (const volatile uint64_t *)start_info->pt_base;
    pt_l4 = pt_va_to_mfn((const void *)l4);
    pt_boot_pages = start_info->nr_pages;   /* refined below */
    e = l4[L4_IDX(VIRT_BASE)];
    if (!(e & PTE_P) || !(l3 = pt_boot_va(pt_l3 = PTE_MFN(e)))) {
        test_error("pt: L4[%lu] %#lx does not lead to a boot-region L3", L4_IDX(VIRT_BASE), (unsigned long)e);
        return false;
    }
    e = l3[L3_IDX(VIRT_BASE)];
    if (!(e & PTE_P) || !(l2 = pt_boot_va(pt_l2 = PTE_MFN(e)))) {
        test_error("pt: L3[%lu] %#lx does not lead to a boot-region L2", L3_IDX(VIRT_BASE), (unsigned long)e);
        return false;
    }
    for (s = 0; s < 512 && (l2[s] & PTE_P); s++)
        ;
    if (s < 1 || s == 512) {
        test_error("pt: boot L2 has %u leading present entries", s);
        return false;
    }
    pt_l1[0] = PTE_MFN(l2[0]);
    pt_l1[1] = s > 1 ? PTE_MFN(l2[1]) : 0;
    pt_boot_pages = s * 512UL;
    next_free_pfn = start_info->nr_pages;
    pt_scratch_l2_slot = s;
    /* A fresh, all-zero frame becomes the scratch L1 when linked (validated on the way). */
    if (!(pt_scratch_l1 = pt_free_mfn()))
        return false;
    if ((rc = mmu_update1(pt_maddr(pt_l2, s), (pt_scratch_l1 << 12) | LX_FLAGS))) {
        test_error("pt: linking the scratch L1 into L2[%u]: %ld", s, rc);
        return false;
    }
    return true;
}
