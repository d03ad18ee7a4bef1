/*
 * mmu_memory_op: what a PV domU may learn about memory (Xen's
 * common/memory.c and arch/x86/x86_64/mm.c):
 *  - maximum_ram_page: max_page, the M2P covers it;
 *  - current_reservation / maximum_reservation for DOMID_SELF and for its
 *    own id; -ESRCH for unknown domains and DOMID_XEN; -EFAULT for a bad
 *    argument;
 *  - machphys_mapping: the whole read-only M2P area
 *    0xFFFF800000000000-0xFFFF804000000000 and, for a domU,
 *    max_mfn = MACH2PHYS_NR_ENTRIES - 1 (only the hardware domain gets
 *    max_page - 1);
 *  - machphys_mfn_list: one frame per 2 MiB of M2P, each 2 MiB aligned and
 *    not the domain's; 0 room -> 0 entries;
 *  - memory_map: one RAM entry from 0 covering the reservation; a buffer
 *    of 0 entries gets 0 entries (no error), a bad buffer -EFAULT;
 *  - maximum_gpfn: (shared_info->arch.max_pfn ?: 1) - 1 - the guest
 *    publishes max_pfn there (Linux does), Xen reports it back.
 */
#include "pt.h"

const char test_title[] = "memory_op: memory_map, maximum_ram_page, reservations, machphys_*, maximum_gpfn";

struct e820 { uint64_t addr, size; uint32_t type; } __attribute__((packed));

void test_main(void)
{
    const uint64_t *m2p = (const uint64_t *)MACH2PHYS_VIRT_START;
    uint64_t nr = start_info->nr_pages, frames[64];
    domid_t self = DOMID_SELF, one = 1, unknown = 0x1234, xen = DOMID_XEN;
    long cur, max;
    struct xen_machphys_mapping mm;
    struct xen_machphys_mfn_list ml;
    struct xen_memory_map map;
    struct e820 e[4];
    volatile struct shared_info *si;
    uint64_t si_mfn = start_info->shared_info >> 12;

    if (!pt_init())
        return;
    if (pt_max_page <= pfn_to_mfn(nr - 1) || pt_max_page > (1UL << 40))
        test_fail("maximum_ram_page %#lx implausible", (unsigned long)pt_max_page);
    if (m2p[pfn_to_mfn(nr - 1)] != nr - 1)
        test_fail("M2P disagrees with the p2m");

    cur = memop(XENMEM_current_reservation, &self);
    expect_rc(cur, (long)nr, "current_reservation(DOMID_SELF) = nr_pages");
    expect_rc(memop(XENMEM_current_reservation, &one), cur, "current_reservation(own id)");
    max = memop(XENMEM_maximum_reservation, &self);
    if (max < cur)
        test_fail("maximum_reservation %ld < current %ld", max, cur);
    expect_rc(memop(XENMEM_maximum_reservation, &one), max, "maximum_reservation(own id)");
    expect_rc(memop(XENMEM_current_reservation, &unknown), -XEN_ESRCH, "current_reservation(unknown)");
    expect_rc(memop(XENMEM_maximum_reservation, &xen), -XEN_ESRCH, "maximum_reservation(DOMID_XEN)");
    expect_rc(memop(XENMEM_maximum_gpfn, &unknown), -XEN_ESRCH, "maximum_gpfn(unknown)");
    expect_rc(memop(XENMEM_current_reservation, (void *)0xffff830000000000UL), -XEN_EFAULT,
              "current_reservation(arg in the hypervisor)");

    expect_rc(memop(XENMEM_machphys_mapping, &mm), 0, "machphys_mapping");
    if (mm.v_start != MACH2PHYS_VIRT_START || mm.v_end != MACH2PHYS_VIRT_END ||
        mm.max_mfn != (MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) / 8 - 1)
        test_fail("machphys_mapping %#lx-%#lx max_mfn %#lx, want %#llx-%#llx max_mfn %#llx", (unsigned long)mm.v_start,
                  (unsigned long)mm.v_end, (unsigned long)mm.max_mfn, MACH2PHYS_VIRT_START, MACH2PHYS_VIRT_END,
                  (MACH2PHYS_VIRT_END - MACH2PHYS_VIRT_START) / 8 - 1);
    expect_rc(memop(XENMEM_machphys_mapping, (void *)0xffff800000000000UL), -XEN_EFAULT,
              "machphys_mapping into the M2P");

    ml = (struct xen_machphys_mfn_list){ .max_extents = 0, .extent_start = (uint64_t)frames };
    expect_rc(memop(XENMEM_machphys_mfn_list, &ml), 0, "machphys_mfn_list, no room");
    expect_rc(ml.nr_extents, 0, "entries with no room");
    ml = (struct xen_machphys_mfn_list){ .max_extents = 64, .extent_start = (uint64_t)frames };
    expect_rc(memop(XENMEM_machphys_mfn_list, &ml), 0, "machphys_mfn_list");
    expect_rc(ml.nr_extents, (pt_max_page * 8 + (1 << 21) - 1) >> 21, "machphys_mfn_list entries (2 MiB each)");
    for (unsigned int i = 0; i < ml.nr_extents; i++)
        if (!frames[i] || frames[i] & 511 || frames[i] >= pt_max_page || m2p[frames[i]] != INVALID_M2P_ENTRY)
            test_fail("machphys_mfn_list[%u] = %#lx: not a 2 MiB aligned hypervisor frame", i,
                      (unsigned long)frames[i]);
    ml = (struct xen_machphys_mfn_list){ .max_extents = 4, .extent_start = 0xffff830000000000UL };
    expect_rc(memop(XENMEM_machphys_mfn_list, &ml), -XEN_EFAULT, "machphys_mfn_list into the hypervisor");

    map = (struct xen_memory_map){ .nr_entries = 4, .buffer = (uint64_t)e };
    expect_rc(memop(XENMEM_memory_map, &map), 0, "memory_map");
    if (map.nr_entries != 1 || e[0].addr != 0 || e[0].type != 1 || e[0].size < (uint64_t)cur << 12)
        test_fail("memory_map: %u entries, first %#lx+%#lx type %u", map.nr_entries, (unsigned long)e[0].addr,
                  (unsigned long)e[0].size, e[0].type);
    map = (struct xen_memory_map){ .nr_entries = 0, .buffer = (uint64_t)e };
    expect_rc(memop(XENMEM_memory_map, &map), 0, "memory_map with room for 0 entries");
    expect_rc(map.nr_entries, 0, "memory_map entries written with room for 0");
    map = (struct xen_memory_map){ .nr_entries = 2, .buffer = 0xffff830000000000UL };
    expect_rc(memop(XENMEM_memory_map, &map), -XEN_EFAULT, "memory_map into the hypervisor");

    /* maximum_gpfn follows shared_info->arch.max_pfn. */
    si = pt_map_rw(si_mfn);
    if (!si)
        return;
    si->arch.max_pfn = nr;
    expect_rc(memop(XENMEM_maximum_gpfn, &self), (long)nr - 1, "maximum_gpfn with max_pfn = nr_pages");
    si->arch.max_pfn = nr + 4096;
    expect_rc(memop(XENMEM_maximum_gpfn, &self), (long)nr + 4095, "maximum_gpfn with max_pfn = nr_pages + 4096");
    si->arch.max_pfn = 0;
    expect_rc(memop(XENMEM_maximum_gpfn, &one), 0, "maximum_gpfn with max_pfn = 0");
    si->arch.max_pfn = nr;
    pt_unmap_va((void *)si);
    expect_rc(memop(XENMEM_machine_memory_map, &map), -XEN_EPERM, "machine_memory_map (privileged)");
    test_success();
}
