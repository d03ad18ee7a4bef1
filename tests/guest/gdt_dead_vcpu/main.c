/*
 * gdt_dead_vcpu (hostile): a vCPU's set_gdt frames are shown in the
 * per-CPU GDT area while it runs. When its domain dies the frames go back
 * to the free pool; the area must not keep mapping them (the next owner's
 * data would sit in the CPU's live GDT, writable by the hypervisor's
 * mapping). The domain installs a two-page GDT, replaces it with a one-page
 * one (the first pair is released while the vCPU runs), loads a selector
 * from it, installs a pair sharing that frame (which must stay shown: a
 * selector still loads from it) and powers off while the CPU has nothing else to run: the audit
 * at power-off checks that every page of the GDT area shows the zero page
 * or a descriptor page in use, and the final report that every frame came
 * back.
 */
#include "pt.h"

const char test_title[] = "hostile: a dead vCPU's GDT frames leave the per-CPU GDT area";

void test_main(void)
{
    static const unsigned int idx[] = { 1 };
    static const uint64_t data_desc[] = { 0x00cff2000000ffffULL };   /* ring-3 data */
    uint64_t pair[2], one;
    uint16_t sel;

    if (!pt_init())
        return;
    pair[0] = pt_new_table(idx, data_desc, 1);
    pair[1] = pt_new_table(NULL, NULL, 0);
    one = pt_new_table(idx, data_desc, 1);
    if (!pair[0] || !pair[1] || !one) {
        test_error("no free frames for the GDTs");
        return;
    }
    CHECK_RC(HC2(set_gdt, pair, 1024), 0, "set_gdt of two frames");
    CHECK_RC(HC2(set_gdt, &one, 512), 0, "set_gdt of one other frame (the pair is released)");
    __asm__ __volatile__("mov %1, %%fs; mov %%fs, %0" : "=r"(sel) : "r"(0x0bU));
    if (sel != 0x0b)
        test_fail("fs is %#x after loading 0xb from the new GDT", sel);
    /* The released pair is an ordinary page again: it can be mapped writable. */
    {
        void *w = pt_map_rw(pair[0]);
        if (!w)
            test_fail("a released GDT frame cannot be mapped writable");
        else
            pt_unmap_va(w);
    }
    /* A new GDT sharing a frame with the old one: that frame stays shown. */
    {
        uint64_t two[2] = { one, pair[1] };
        CHECK_RC(HC2(set_gdt, two, 1024), 0, "set_gdt keeping the current frame first");
        __asm__ __volatile__("mov %1, %%fs; mov %%fs, %0" : "=r"(sel) : "r"(0x0bU));
        if (sel != 0x0b)
            test_fail("fs is %#x after loading 0xb from a frame kept across set_gdt", sel);
    }
    __asm__ __volatile__("mov %0, %%fs" :: "r"(0U));
    printk("gdt_dead_vcpu: powering off with GDT frame %#lx loaded\n", (unsigned long)one);
    test_success();
}
