/*
 * vcpu_info_register: VCPUOP_register_vcpu_info as Xen 4.19 does it
 * (common/domain.c: common_vcpu_op, map_guest_area, vcpu_info_populate).
 * The refusals (the -ENXIO, -EACCES and -EBUSY ones are in vcpu_info_errors):
 *   -EFAULT   the argument cannot be read;
 *   -EINVAL   mfn/offset do not form an address in frame mfn (offset >= 4096);
 *   -EBUSY    this vCPU already registered one (checked before the rest);
 *   -ENXIO    the 64-byte vcpu_info would cross the page, or is not 8-byte aligned;
 *   -EINVAL   the frame is not a page of the caller's;
 *   -EACCES   the frame cannot take the writable type (a page table).
 * On success the old contents are copied, evtchn_pending_sel is set to all
 * ones and evtchn_upcall_pending to 1, and from then on the hypervisor
 * reads and writes only the new copy (event flags, upcall mask, CR2, pvclock).
 */
#include "upcall.h"
#include "traps.h"

const char test_title[] = "register_vcpu_info: refusals, relocation, the hypervisor uses the new copy";

#define MS 1000000ULL
#define OFF 192

static uint8_t page[4096] __attribute__((aligned(4096)));

static uint64_t va_to_mfn(uint64_t va) { return pfn_to_mfn((va - 0xffffffff80000000UL) >> 12); }

static long reg(uint64_t mfn, uint32_t offset)
{
    struct vcpu_register_vcpu_info r = { .mfn = mfn, .offset = offset };
    return HC3(vcpu_op, VCPUOP_register_vcpu_info, 0, &r);
}

static bool ours(uint64_t mfn)
{
    uint64_t pfn = mfn_to_pfn(mfn);
    return pfn < start_info->nr_pages && pfn_to_mfn(pfn) == mfn;
}

void test_main(void)
{
    struct vcpu_info *old, *nv;
    uint64_t mfn = va_to_mfn((uint64_t)page), l4 = va_to_mfn(start_info->pt_base), foreign = 0x200;
    struct vcpu_register_vcpu_info r = { .mfn = mfn, .offset = OFF };
    uint32_t p, t, ver;
    unsigned long n;

    evt_map_shared_info();
    old = evt_vcpu;
    nv = (struct vcpu_info *)(page + OFF);
    CHECK_RC(evt_register_callback(), 0, "register the event callback");
    CHECK_RC(traps_set(TRAP_page_fault, 0), 0, "install a #PF handler");
    if (!ours(mfn) || ours(foreign) || !ours(l4))
        test_error("frame setup: page %#lx ours %d, %#lx ours %d, L4 %#lx ours %d",
                   (unsigned long)mfn, ours(mfn), (unsigned long)foreign, ours(foreign),
                   (unsigned long)l4, ours(l4));

    /* Refusals: nothing may be registered by any of them. */
    CHECK_RC(HC3(vcpu_op, VCPUOP_register_vcpu_info, 0, 0x1000), -XEN_EFAULT, "argument unmapped");
    CHECK_RC(HC3(vcpu_op, VCPUOP_register_vcpu_info, 1, &r), -XEN_ENOENT, "vCPU 1 (none)");
    CHECK_RC(reg(mfn, 4096), -XEN_EINVAL, "offset 4096 (beyond the frame)");
    CHECK_RC(reg(mfn, 0xffffffff), -XEN_EINVAL, "offset 0xffffffff");
    CHECK_RC(reg(foreign, 0), -XEN_EINVAL, "a frame that is not ours (the hypervisor image)");
    CHECK_RC(reg(1ULL << 36, 0), -XEN_EINVAL, "a frame beyond RAM");

    /* Success: the contents move, with every selector bit and upcall_pending set. */
    old->evtchn_upcall_pending = 0;
    old->evtchn_pending_sel = 0;
    old->arch.cr2 = 0x1234;
    memset(page, 0x5a, sizeof(page));
    CHECK_RC(reg(mfn, OFF), 0, "register_vcpu_info(our page, offset 192)");
    if (nv->evtchn_upcall_pending != 1)
        test_fail("new vcpu_info: evtchn_upcall_pending %u, want 1", nv->evtchn_upcall_pending);
    if (nv->evtchn_pending_sel != ~0UL)
        test_fail("new vcpu_info: evtchn_pending_sel %#lx, want all ones", (unsigned long)nv->evtchn_pending_sel);
    if (nv->evtchn_upcall_mask != 1)
        test_fail("new vcpu_info: upcall mask %u, want 1 (copied)", nv->evtchn_upcall_mask);
    if (nv->arch.cr2 != 0x1234)
        test_fail("new vcpu_info: cr2 %#lx, want the old 0x1234 (copied)", (unsigned long)nv->arch.cr2);
    ver = nv->time.version;
    if (ver == 0 || (ver & 1) || nv->time.tsc_to_system_mul != old->time.tsc_to_system_mul)
        test_fail("new vcpu_info: pvclock version %u mul %#x (old mul %#x)", ver,
                  nv->time.tsc_to_system_mul, old->time.tsc_to_system_mul);
    if (((uint8_t *)nv)[-1] != 0x5a || page[OFF + 64] != 0x5a)
        test_fail("register_vcpu_info wrote outside the 64 bytes at the offset");
    evt_vcpu = nv;

    /* Only once per vCPU (the exact codes: vcpu_info_errors). */
    if (reg(mfn, 0) >= 0)
        test_fail("register_vcpu_info a second time succeeded");
    CHECK_RC(reg(mfn, 4096), -XEN_EINVAL, "again with offset 4096 (address check comes first)");

    /* Events: the spurious upcall from the registration, then delivery through the new copy. */
    n = upcalls.count;
    evt_events_on();
    if (upcalls.count != n + 1)
        test_fail("enabling events in the new vcpu_info: %lu upcalls, want 1", upcalls.count - n);
    if (nv->evtchn_upcall_pending || nv->evtchn_pending_sel)
        test_fail("the upcall did not consume the new copy's flags");
    evt_events_off();
    CHECK_RC(evt_bind_ipi(&p), 0, "bind_ipi");
    CHECK_RC(evt_unmask(p), 0, "unmask it");
    CHECK_RC(evt_send(p), 0, "send with events masked (new copy)");
    if (nv->evtchn_upcall_pending != 1 || !evt_sel(p))
        test_fail("send: new copy upcall_pending %u, selector %d", nv->evtchn_upcall_pending, evt_sel(p));
    if (old->evtchn_upcall_pending || old->evtchn_pending_sel)
        test_fail("send: the old vcpu_info in shared_info was written (pending %u sel %#lx)",
                  old->evtchn_upcall_pending, (unsigned long)old->evtchn_pending_sel);
    old->evtchn_upcall_mask = 0;        /* the old copy's mask means nothing now */
    n = upcalls.count;
    CHECK_RC(HC2(xen_version, 0, 0), 0x00040013, "xen_version with only the old mask cleared");
    if (upcalls.count != n)
        test_fail("the old vcpu_info's mask still controls delivery");
    nv->evtchn_upcall_mask = 0;
    barrier();
    CHECK_RC(HC2(xen_version, 0, 0), 0x00040013, "xen_version with the new mask cleared");
    if (upcalls.count != n + 1 || upcalls.port_hits[p] != 1)
        test_fail("delivery through the new copy: %lu upcalls, port hit %lu times",
                  upcalls.count - n, upcalls.port_hits[p]);
    if (upcalls.mask_on_entry != 1)
        test_fail("the event callback ran with the new copy's mask %u, want 1", upcalls.mask_on_entry);
    evt_events_off();

    /* CR2 goes to the new copy. */
    __asm__ __volatile__("1: mov 0x1000, %%rax\n2:" ASM_EXTABLE(1b, 2b) ::: "rax", "memory");
    if (nv->arch.cr2 != 0x1000)
        test_fail("#PF at 0x1000: new copy cr2 %#lx", (unsigned long)nv->arch.cr2);
    if (old->arch.cr2 != 0x1234)
        test_fail("#PF at 0x1000: the old copy's cr2 changed to %#lx", (unsigned long)old->arch.cr2);

    /* pvclock: kept in the new copy across a sleep; SCHEDOP_block unmasks the new copy. */
    CHECK_RC(evt_bind_virq(VIRQ_TIMER, &t), 0, "bind VIRQ_TIMER");
    CHECK_RC(evt_unmask(t), 0, "unmask it");
    ver = nv->time.version;
    n = upcalls.port_hits[t];
    {
        uint64_t t0 = evt_now(), limit = t0 + 2000 * MS;
        CHECK_RC(evt_set_timer(t0 + 10 * MS), 0, "set_timer_op(now + 10 ms)");
        while (upcalls.port_hits[t] == n && evt_now() < limit) {
            evt_events_off();
            if (upcalls.port_hits[t] != n)
                break;
            CHECK_RC(evt_block(), 0, "SCHEDOP_block");
            if (nv->evtchn_upcall_mask != 0)
                test_fail("SCHEDOP_block left the new copy's mask at %u", nv->evtchn_upcall_mask);
        }
        if (upcalls.port_hits[t] == n)
            test_fail("VIRQ_TIMER never arrived through the new vcpu_info");
        if (evt_now() < t0 + 10 * MS)
            test_fail("woke %lu us before the deadline by the new copy's clock",
                      (unsigned long)((t0 + 10 * MS - evt_now()) / 1000));
    }
    if (nv->time.version == ver || (nv->time.version & 1))
        test_fail("the new copy's pvclock was not updated when the vCPU was scheduled in (version %u -> %u)",
                  ver, nv->time.version);
    test_success();
}
