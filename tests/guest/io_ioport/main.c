/*
 * io_ioport: port I/O of the driver domain, Xen's two steps
 * (pv/emul-priv-op.c): guest_io_okay - the virtual IOPL, or the port's bit
 * clear in the PHYSDEVOP_set_iobitmap bitmap, the port below nr_ports -
 * else #GP; then admin_io_okay - ports of an I/O BAR of a function it owns
 * are the real ones, others read all ones. The q35 AHCI's BAR4 holds its
 * index/data pair (ICH9 IDP at BAR4+0x10/+0x14): index 0x10 then data
 * reads the VS register, which its memory BAR (ABAR, BAR5) shows at offset 0x10 too.
 * set_iobitmap refusals as Xen: nr_ports above 65536 or a bitmap outside
 * guest space -EINVAL, an unreadable argument -EFAULT.
 */
#include "pt.h"
#include "pcicfg.h"
#include <tandem/physdev.h>

const char test_title[] = "io_ioport: an owned I/O BAR by virtual IOPL and by I/O bitmap";

static uint8_t bitmap[8192 + 1];

static long set_bitmap(const void *bm, uint32_t nr)
{
    struct physdev_set_iobitmap b = { .bitmap = (uint64_t)bm, .nr_ports = nr };

    return HC2(physdev_op, PHYSDEVOP_set_iobitmap, &b);
}

static void allow(unsigned int first, unsigned int last)
{
    for (unsigned int p = first; p <= last; p++)
        bitmap[p >> 3] &= ~(1U << (p & 7));
}

/* VS through the index/data pair; *f: faulted. */
static uint32_t idp_vs(unsigned int io, bool *f)
{
    bool f2;
    uint32_t v;

    pio_out(io + 0x10, 4, 0x10, f);
    v = pio_in(io + 0x14, 4, &f2);
    *f |= f2;
    return v;
}

void test_main(void)
{
    int sata, slot;
    unsigned int io;
    uint32_t vs_mmio, v;
    volatile uint32_t *abar;
    bool f;

    if (!pt_init())
        return;
    CHECK_RC(traps_set_exceptions(), 0, "set_trap_table(exceptions)");
    pio_in(0xcfc, 4, &f);
    if (!f)
        test_fail("inl 0xcfc with IOPL 0 and no bitmap did not fault");
    CHECK_RC(pcicfg_set_iopl(1), 0, "set_iopl 1");
    if ((sata = pcicfg_find(0x8086, 0x2922)) < 0) {
        test_fail("q35 AHCI (8086:2922) not found");
        return;
    }
    io = pcicfg_read(sata, 0x20, 4) & ~3U;
    pcicfg_write(sata, 0x04, 2, pcicfg_read(sata, 0x04, 2) | 3);     /* I/O and memory decode */
    slot = pt_alloc_slot();
    CHECK_RC(pt_map(slot, (pcicfg_read(sata, 0x24, 4) & ~0xfUL) >> 12, L1_FLAGS_RW | PTE_PCD | PTE_PWT), 0,
             "map the ABAR");
    abar = pt_slot_va(slot);
    vs_mmio = abar[0x10 / 4];
    printk("AHCI at %#x: I/O BAR %#x, VS %#x\n", sata, io, vs_mmio);
    if ((v = idp_vs(io, &f)) != vs_mmio || f)
        test_fail("VS through the I/O BAR with IOPL 1: %#x (fault %d), want %#x", v, f, vs_mmio);
    if ((v = pio_in(0x80, 1, &f)) != 0xff || f)
        test_fail("inb 0x80 (no BAR) with IOPL 1: %#x (fault %d), want 0xff", v, f);
    CHECK_RC(pcicfg_set_iopl(0), 0, "set_iopl 0");
    idp_vs(io, &f);
    if (!f)
        test_fail("I/O BAR access with IOPL 0 and no bitmap did not fault");

    memset(bitmap, 0xff, sizeof(bitmap));
    allow(io + 0x10, io + 0x17);
    CHECK_RC(set_bitmap(bitmap, 65536), 0, "set_iobitmap (AHCI index/data ports allowed)");
    if ((v = idp_vs(io, &f)) != vs_mmio || f)
        test_fail("VS through the I/O BAR by bitmap: %#x (fault %d), want %#x", v, f, vs_mmio);
    pio_in(0x80, 1, &f);
    if (!f)
        test_fail("inb 0x80, its bitmap bit set: did not fault");
    pio_in(io + 0x16, 4, &f);
    if (!f)
        test_fail("inl at io+0x16 (io+0x18, io+0x19 denied by the bitmap): did not fault");
    CHECK_RC(set_bitmap(bitmap, io + 0x14), 0, "set_iobitmap covering ports below io+0x14 only");
    pio_out(io + 0x10, 4, 0x10, &f);
    if (f)
        test_fail("outl to io+0x10 (below nr_ports) faulted");
    pio_in(io + 0x14, 4, &f);
    if (!f)
        test_fail("inl at io+0x14 (at nr_ports) did not fault");
    CHECK_RC(set_bitmap(bitmap, 65537), -XEN_EINVAL, "set_iobitmap nr_ports 65537");
    CHECK_RC(set_bitmap((void *)0xffff800000000000UL, 16), -XEN_EINVAL, "set_iobitmap in hypervisor space");
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_set_iobitmap, 0x1000), -XEN_EFAULT, "set_iobitmap from an unmapped address");
    CHECK_RC(set_bitmap(bitmap, 0), 0, "set_iobitmap nr_ports 0 (none)");
    idp_vs(io, &f);
    if (!f)
        test_fail("I/O BAR access after the bitmap is dropped did not fault");
    test_success();
}
