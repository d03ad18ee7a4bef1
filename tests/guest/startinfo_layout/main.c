/*
 * startinfo_layout: what the domain builder hands a PV domU (xen.h
 * start_info; xg_dom_core.c / xg_dom_x86.c layout): magic, sizes, the
 * p2m consistent with the read-only M2P, the order p2m | start_info |
 * xenstore | console | page tables, read-only page tables and M2P, the
 * hypercall page stubs, and the command line. Run with dom_mem=48M.
 */
#include "traps.h"

const char test_title[] = "start_info contents and the start-of-day layout";

#define VIRT_BASE 0xffffffff80000000UL
#define WANT_PAGES (48UL << 8)                  /* dom_mem=48M in expect */
#define WANT_CMDLINE "tandem.test=startinfo answer=42"

static uint64_t va_pfn(uint64_t va) { return (va - VIRT_BASE) >> 12; }

/* Write *p = *p (harmless if it succeeds); the write must #PF with P|W. */
static void want_ro(volatile uint64_t *p, const char *what)
{
    unsigned long n = last_trap.count;
    uint64_t v = *p;

    __asm__ __volatile__("1: movq %1, (%0); 2:" ASM_EXTABLE(1b, 2b) :: "r"(p), "r"(v) : "memory");
    if (last_trap.count != n + 1 || last_trap.vector != TRAP_page_fault)
        test_fail("%s: writing did not #PF", what);
    else if ((last_trap.err & (PFEC_present | PFEC_write)) != (PFEC_present | PFEC_write) || (last_trap.err & 4))
        test_fail("%s: #PF error code %#lx, want P|W in kernel mode", what, (unsigned long)last_trap.err);
}

void test_main(void)
{
    static const uint8_t stub17[] = { 0x51, 0x41, 0x53, 0xb8, 0x11, 0, 0, 0, 0x0f, 0x05, 0x41, 0x5b, 0x59, 0xc3 };
    static const uint8_t stub23[] = { 0x51, 0x41, 0x53, 0x50, 0xb8, 0x17, 0, 0, 0, 0x0f, 0x05 };
    const struct start_info *si = start_info;
    const uint64_t *p2m = (const uint64_t *)si->mfn_list;
    const uint64_t *m2p = (const uint64_t *)MACH2PHYS_VIRT_START;
    uint64_t si_pfn = va_pfn((uint64_t)si), bad = 0;

    CHECK_RC(traps_set(TRAP_page_fault, 0), 0, "set_trap_table(#PF)");

    if (strcmp(si->magic, "xen-3.0-x86_64"))
        test_fail("magic is not xen-3.0-x86_64");
    CHECK_RC(si->nr_pages, WANT_PAGES, "nr_pages for dom_mem=48M");
    if (!si->shared_info || (si->shared_info & 0xfff))
        test_fail("shared_info machine address %#lx is not a page", (unsigned long)si->shared_info);
    if (si->flags & (SIF_PRIVILEGED | SIF_INITDOMAIN))
        test_fail("flags %#x: privileged/initdomain set for a domU", si->flags);
    if (!si->console.domU.mfn || !si->console.domU.evtchn)
        test_fail("console mfn %#lx evtchn %u: want both nonzero", (unsigned long)si->console.domU.mfn,
                  si->console.domU.evtchn);
    if (strcmp(si->cmd_line, WANT_CMDLINE))
        test_fail("cmd_line '%s', want '" WANT_CMDLINE "'", si->cmd_line);

    /* The p2m and the M2P agree on every page. */
    if (si->mfn_list & 0xfff || si->mfn_list < VIRT_BASE)
        test_fail("mfn_list %#lx not a page in the boot region", (unsigned long)si->mfn_list);
    for (uint64_t pfn = 0; pfn < si->nr_pages; pfn++)
        if (m2p[p2m[pfn]] != pfn && !bad++)
            test_fail("m2p[p2m[%lu] = %#lx] = %#lx", (unsigned long)pfn, (unsigned long)p2m[pfn],
                      (unsigned long)m2p[p2m[pfn]]);

    /* Builder order: p2m, start_info, xenstore, console, page tables (L4 first). */
    if ((uint64_t)si != si->mfn_list + ((si->nr_pages * 8 + 4095) & ~4095UL))
        test_fail("start_info at %p does not follow the p2m", (const void *)si);
    if (si->store_mfn && mfn_to_pfn(si->store_mfn) != si_pfn + 1)
        test_fail("xenstore page is pfn %#lx, want %#lx", (unsigned long)mfn_to_pfn(si->store_mfn),
                  (unsigned long)si_pfn + 1);
    if (si->store_evtchn != 0)      /* booted without a configuration: no store domain */
        test_fail("store_evtchn %u without a store domain, want 0", si->store_evtchn);
    if (mfn_to_pfn(si->console.domU.mfn) != si_pfn + 2)
        test_fail("console page is pfn %#lx, want %#lx", (unsigned long)mfn_to_pfn(si->console.domU.mfn),
                  (unsigned long)si_pfn + 2);
    if (si->pt_base != (uint64_t)si + 3 * PAGE_SIZE)
        test_fail("pt_base %#lx, want start_info + 3 pages", (unsigned long)si->pt_base);
    if (si->nr_pt_frames < 4)
        test_fail("nr_pt_frames %lu: want at least L4, L3, L2, L1", (unsigned long)si->nr_pt_frames);

    /* Our L4 holds Xen's slots (256: the M2P) and is read-only to us, as is the M2P. */
    if (!(((volatile uint64_t *)si->pt_base)[256] & 1))
        test_fail("L4 slot 256 (Xen's M2P) not present in our L4");
    want_ro((volatile uint64_t *)si->pt_base + 511, "the L4 page");
    want_ro((volatile uint64_t *)MACH2PHYS_VIRT_START + p2m[0], "the M2P");

    if (memcmp(hypercall_page + __HYPERVISOR_xen_version * HYPERCALL_STUB_SIZE, stub17, sizeof(stub17)))
        test_fail("hypercall page stub 17 is not push rcx; push r11; mov $17,%%eax; syscall; pop r11; pop rcx; ret");
    for (unsigned int i = sizeof(stub17); i < 32; i++)
        if ((uint8_t)hypercall_page[17 * 32 + i] != 0xcc) {
            test_fail("hypercall page stub 17: byte %u is not int3 padding", i);
            break;
        }
    if (memcmp(hypercall_page + __HYPERVISOR_iret * HYPERCALL_STUB_SIZE, stub23, sizeof(stub23)))
        test_fail("hypercall page stub 23 (iret) is not push rcx; push r11; push rax; mov $23,%%eax; syscall");
    test_success();
}
