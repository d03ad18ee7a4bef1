/*
 * hvm_irq: a device model (d0, PV) that drives the interrupt lines of the
 * HVM guest d1 (tests/hvm/irq) with XEN_DMOP_set_isa_irq_level and
 * XEN_DMOP_set_pci_intx_level, as asked on port 0x520 (its ioreq server),
 * and writes into d1's memory through a foreign mapping of a guest frame.
 * First every refusal of the two sub-ops (Xen's codes) and of the mapping.
 * Command line:
 *   want=poweroff (default)  d1 must power off (its checks passed);
 *   want=killed              d1 must be killed (the hostile guest);
 *   role=unpriv              (an unprivileged PV domain): both sub-ops and
 *                            a mapping of d1's memory refused -EPERM.
 */
#include "multidom.h"
#include "pt.h"
#include <tandem/hvm/dm_op.h>
#include <tandem/hvm/ioreq.h>
#include <tandem/memory.h>

const char test_title[] = "a device model raising an HVM guest's interrupt lines";

#define HVM     1
#define PORT    0x520
#define MAGIC   0x7a11ed00c0ffee11ULL
#define GFN     0x800

static volatile unsigned long events;
static struct ioreq *slot;
static uint32_t lport;
static uint16_t sid;
static unsigned int nr_requests, nr_raises;

static void on_event(uint32_t port)
{
    (void)port;
    events++;
}

static long dm_op_sz(domid_t d, struct xen_dm_op *op, size_t size)
{
    struct xen_dm_op_buf b = { (uint64_t)op, size };
    return HYPERVISOR_dm_op(d, 1, &b);
}

static long isa(domid_t d, unsigned int irq, unsigned int level)
{
    struct xen_dm_op op = { .op = XEN_DMOP_set_isa_irq_level };

    op.u.set_isa_irq_level = (struct xen_dm_op_set_isa_irq_level){ (uint8_t)irq, (uint8_t)level };
    return dm_op_sz(d, &op, sizeof(op));
}

static long intx(domid_t d, unsigned int seg, unsigned int bus, unsigned int dev, unsigned int pin,
                 unsigned int level)
{
    struct xen_dm_op op = { .op = XEN_DMOP_set_pci_intx_level };

    op.u.set_pci_intx_level = (struct xen_dm_op_set_pci_intx_level){ (uint16_t)seg, (uint8_t)bus, (uint8_t)dev,
                                                                     (uint8_t)pin, (uint8_t)level };
    return dm_op_sz(d, &op, sizeof(op));
}

static long simple(uint32_t cmd, uint16_t id, uint8_t arg)
{
    struct xen_dm_op op = { .op = cmd };

    if (cmd == XEN_DMOP_set_ioreq_server_state)
        op.u.set_ioreq_server_state = (struct xen_dm_op_set_ioreq_server_state){ id, arg, 0 };
    else
        op.u.destroy_ioreq_server.id = id;
    return dm_op_sz(HVM, &op, sizeof(op));
}

static void refusals(void)
{
    struct xen_dm_op op = { .op = XEN_DMOP_set_isa_irq_level };
    int s = pt_alloc_slot();

    expect_rc(isa(HVM, 16, 1), -XEN_EINVAL, "set_isa_irq_level, line 16");
    expect_rc(isa(HVM, 255, 0), -XEN_EINVAL, "set_isa_irq_level, line 255");
    expect_rc(isa(HVM, 5, 2), -XEN_EINVAL, "set_isa_irq_level, level 2");
    expect_rc(dm_op_sz(HVM, &op, 8 + 1), -XEN_EFAULT, "set_isa_irq_level, buffer 1 byte short");
    expect_rc(isa(0, 5, 1), -XEN_EPERM, "set_isa_irq_level on itself");
    expect_rc(isa(0x7fe0, 5, 1), -XEN_ESRCH, "set_isa_irq_level on an unknown domain");
    expect_rc(intx(HVM, 1, 0, 3, 0, 1), -XEN_EINVAL, "set_pci_intx_level, segment 1");
    expect_rc(intx(HVM, 0, 1, 3, 0, 1), -XEN_EINVAL, "set_pci_intx_level, bus 1");
    expect_rc(intx(HVM, 0, 0, 32, 0, 1), -XEN_EINVAL, "set_pci_intx_level, device 32");
    expect_rc(intx(HVM, 0, 0, 3, 4, 1), -XEN_EINVAL, "set_pci_intx_level, INTx 4");
    expect_rc(intx(HVM, 0, 0, 3, 0, 2), -XEN_EINVAL, "set_pci_intx_level, level 2");
    op.op = XEN_DMOP_set_pci_intx_level;
    expect_rc(dm_op_sz(HVM, &op, 8 + 5), -XEN_EFAULT, "set_pci_intx_level, buffer 1 byte short");
    op.op = 10;
    expect_rc(dm_op_sz(HVM, &op, sizeof(op)), -XEN_EOPNOTSUPP, "set_pci_link_route (not here)");
    /* Success with nothing listening: lines up and down before the guest has set anything up. */
    expect_rc(isa(HVM, 7, 1), 0, "raise ISA 7");
    expect_rc(isa(HVM, 7, 1), 0, "raise ISA 7 again (no change)");
    expect_rc(isa(HVM, 7, 0), 0, "lower ISA 7");
    expect_rc(isa(HVM, 7, 0), 0, "lower ISA 7 again (no change)");
    expect_rc(intx(HVM, 0, 0, 31, 3, 1), 0, "raise 00:1f INTD");
    expect_rc(intx(HVM, 0, 0, 31, 3, 0), 0, "lower 00:1f INTD");
    /* Mapping its memory: a guest frame beyond it, and the same frame as our own. */
    expect_rc(mmu_update_fd(pt_maddr(pt_scratch_l1, s), (4096UL << 12) | L1_FLAGS_RW, HVM, NULL), -XEN_EINVAL,
              "map d1's gfn 4096 (beyond its 16 MiB)");
    expect_rc(mmu_update_fd(pt_maddr(pt_scratch_l1, s), (~0UL >> 28 << 12) | L1_FLAGS_RW, HVM, NULL), -XEN_EINVAL,
              "map d1's gfn 2^36 - 1");
    pt_free_slot((unsigned int)s);
    printk("dm: every refusal as Xen's\n");
}

/* Write MAGIC into d1's gfn GFN through a writable foreign mapping, then unmap it. */
static void write_guest(void)
{
    int s = pt_alloc_slot();

    expect_rc(mmu_update_fd(pt_maddr(pt_scratch_l1, s), ((uint64_t)GFN << 12) | L1_FLAGS_RW, HVM, NULL), 0,
              "map d1's gfn 0x800 writable");
    *(volatile uint64_t *)pt_slot_va((unsigned int)s) = MAGIC;
    expect_rc(pt_unmap((unsigned int)s), 0, "unmap d1's gfn 0x800");
    pt_free_slot((unsigned int)s);
    printk("dm: wrote d1's gfn 0x800 through a foreign mapping\n");
}

static void flood(void)
{
    uint32_t x = 777;

    for (unsigned int i = 0; i < 2000; i++) {
        x = x * 1103515245u + 12345u;
        if (x & 0x10000)
            expect_rc(isa(HVM, (x >> 8) & 15, (x >> 20) & 1), 0, "flood: an ISA line");
        else
            expect_rc(intx(HVM, 0, 0, (x >> 8) & 31, (x >> 13) & 3, (x >> 20) & 1), 0, "flood: an INTx line");
    }
    for (unsigned int i = 0; i < 16; i++)
        isa(HVM, i, 0);
    for (unsigned int d = 0; d < 32; d++)
        for (unsigned int p = 0; p < 4; p++)
            intx(HVM, 0, 0, d, p, 0);
    printk("dm: flooded d1's lines 2000 times, all low again\n");
}

static unsigned int state_of(void)
{
    return __atomic_load_n((volatile uint8_t *)slot + 30, __ATOMIC_ACQUIRE) & 0xf;
}

static void set_state(unsigned int st)
{
    uint8_t *b = (uint8_t *)slot + 30;
    __atomic_store_n(b, (uint8_t)((*b & ~0xf) | st), __ATOMIC_RELEASE);
}

static void serve(void)
{
    uint32_t cmd = (uint32_t)slot->data, line = cmd & 0xff;

    nr_requests++;
    if (slot->type != IOREQ_TYPE_PIO || slot->addr != PORT || slot->size != 4)
        test_fail("request %u: type %u addr %#lx size %u", nr_requests, slot->type, (unsigned long)slot->addr,
                  slot->size);
    if (slot->dir == IOREQ_READ) {
        slot->data = nr_requests;
    } else {
        switch (cmd >> 8) {
        case 0: break;
        case 1: nr_raises++; expect_rc(isa(HVM, line, 1), 0, "raise an ISA line"); break;
        case 2: expect_rc(isa(HVM, line, 0), 0, "lower an ISA line"); break;
        case 3: nr_raises++; expect_rc(intx(HVM, 0, 0, 3, 0, 1), 0, "raise 00:03 INTA"); break;
        case 4: expect_rc(intx(HVM, 0, 0, 3, 0, 0), 0, "lower 00:03 INTA"); break;
        case 5: write_guest(); break;
        case 6: flood(); break;
        default: test_fail("request %u: command %#x", nr_requests, cmd); break;
        }
    }
    set_state(STATE_IORESP_READY);
    md_send(lport);
}

/* Serve until d1 ends: 1 if it powered off, -1 if it was killed, 0 if gone (unknown). */
static int run(void)
{
    struct tandem_domctl_getdomaininfo i;
    unsigned long seen = 0;

    for (uint64_t deadline = md_now() + MD_MS(120000); md_now() < deadline;) {
        md_block_until(&events, seen + 1, md_now() + MD_MS(20));
        seen = events;
        if (state_of() == STATE_IOREQ_READY)
            serve();
        long rc = md_dominfo(HVM, &i);
        if (rc == -XEN_ESRCH || (!rc && (i.flags & (TANDEM_DOMINF_shutdown | TANDEM_DOMINF_dying)))) {
            /* Gone already (torn down right after it stopped): the hypervisor's log says how. */
            int how = rc ? 0 : (i.flags & TANDEM_DOMINF_shutdown) && i.shutdown_reason == SHUTDOWN_poweroff ? 1 : -1;
            printk("dm: d1 ended (%s) after %u requests, %u lines raised\n",
                   how > 0 ? "powered off" : how < 0 ? "killed" : "gone", nr_requests, nr_raises);
            return how;
        }
    }
    test_fail("d1 still running after 120 s (%u requests)", nr_requests);
    return -2;
}

static bool setup(void)
{
    struct xen_dm_op op = { .op = XEN_DMOP_create_ioreq_server };
    uint64_t mfn = 0;
    int s = pt_alloc_slot();

    expect_rc(dm_op_sz(HVM, &op, sizeof(op)), 0, "create a server");
    sid = op.u.create_ioreq_server.id;
    memset(&op, 0, sizeof(op));
    op.op = XEN_DMOP_map_io_range_to_ioreq_server;
    op.u.map_io_range_to_ioreq_server = (struct xen_dm_op_ioreq_server_range){ sid, 0, XEN_DMOP_IO_RANGE_PORT,
                                                                               PORT, PORT + 7 };
    expect_rc(dm_op_sz(HVM, &op, sizeof(op)), 0, "claim 0x520-0x527");
    struct xen_mem_acquire_resource r = { .domid = HVM, .type = XENMEM_resource_ioreq_server, .id = sid,
                                          .nr_frames = 1, .frame = XENMEM_resource_ioreq_server_frame_ioreq(0),
                                          .frame_list = (uint64_t)&mfn };
    expect_rc(HYPERVISOR_memory_op(XENMEM_acquire_resource, &r), 0, "acquire the ioreq page");
    if (!mfn || s < 0)
        return false;
    expect_rc(mmu_update_fd(pt_maddr(pt_scratch_l1, s) | MMU_PT_UPDATE_NO_TRANSLATE, (mfn << 12) | L1_FLAGS_RW,
                            HVM, NULL), 0, "map the ioreq page");
    slot = (struct ioreq *)pt_slot_va((unsigned int)s);
    expect_rc(md_bind_interdomain(HVM, slot->vp_eport, &lport), 0, "bind the port of slot 0");
    md_bind(lport, on_event);
    expect_rc(simple(XEN_DMOP_set_ioreq_server_state, sid, 1), 0, "enable the server");
    return true;
}

static void unprivileged(void)
{
    int s = pt_alloc_slot();

    expect_rc(isa(HVM, 5, 1), -XEN_EPERM, "set_isa_irq_level unprivileged");
    expect_rc(intx(HVM, 0, 0, 3, 0, 1), -XEN_EPERM, "set_pci_intx_level unprivileged");
    expect_rc(isa(0, 5, 1), -XEN_EINVAL, "set_isa_irq_level on a PV domain");
    expect_rc(mmu_update_fd(pt_maddr(pt_scratch_l1, s), ((uint64_t)GFN << 12) | L1_FLAGS_RO, HVM, NULL), -XEN_EPERM,
              "map d1's memory unprivileged");
    pt_free_slot((unsigned int)s);
    printk("unpriv: refused\n");
    test_success();
}

void test_main(void)
{
    int end;

    md_init();
    md_events_on();
    if (!pt_init())
        return;
    if (md_arg_is("role", "unpriv")) {
        unprivileged();
        return;
    }
    refusals();
    if (!setup())
        return;
    printk("dm: serving d1\n");
    end = run();
    if (end == -2 || (md_arg_is("want", "killed") ? end > 0 : end < 0))
        test_fail("d1 did not end as wanted");
    test_success();
}
