/*
 * set_gdt and update_descriptor: guest descriptor tables. Frames given to
 * set_gdt become PGT_seg_desc_page (so the guest can no longer write them
 * except through update_descriptor) after every descriptor is checked as
 * Xen does: code/data segments get DPL 3 (nothing runs in rings 0-2 for a
 * PV guest), call gates, TSS and LDT descriptors are refused.
 */
#include "lib.h"
#include "pv.h"
#include "mm.h"
#include "cpu.h"
#include "hypercall.h"
#include "guest_access.h"
#include <tandem/xen.h>
#include <tandem/errno.h>

static bool gdt_has(const struct vcpu *v, mfn_t m)
{
    for (unsigned int i = 0; i < v->arch.pv.gdt_nr_frames; i++)
        if (v->arch.pv.gdt_frames[i] == m)
            return true;
    return false;
}

/*
 * Drop the references of frames a GDT no longer uses. First no CPU's GDT
 * area may show them (a CPU that last ran a now dead vCPU would otherwise
 * keep mapping frames about to be freed), except a CPU whose running vCPU
 * still has the frame in its own GDT; then the types and references go.
 */
static void release_gdt(const mfn_t *frames, unsigned int nr)
{
    for (unsigned int c = 0; c < NR_CPUS; c++) {
        const struct vcpu *running = percpu_data[c].curr;
        for (unsigned int i = 0; i < nr; i++)
            if (!running || !gdt_has(running, frames[i]))
                cpu_gdt_forget_frame(c, frames[i]);
    }
    for (unsigned int i = 0; i < nr; i++)
        put_page_and_type(frames[i]);
}

void pv_load_gdt(struct vcpu *v)
{
    struct vcpu_gdt g = { v->arch.pv.gdt_frames, v->arch.pv.gdt_nr_frames };

    cpu_load_guest_gdt(&g);
}

/* Install `entries` descriptors from `frames` as v's GDT (the frames are checked and typed). */
int pv_set_gdt_frames(struct vcpu *v, const uint64_t *frames, unsigned int entries)
{
    unsigned int nr = DIV_ROUND_UP(entries, 512), old_nr = v->arch.pv.gdt_nr_frames, i;
    mfn_t old[FIRST_RESERVED_GDT_PAGE];
    int rc = 0;

    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -XEN_EINVAL;
    for (i = 0; i < nr; i++)
        if ((rc = get_page_and_type(frames[i], v->domain, PGT_seg_desc_page)))
            break;
    if (rc) {
        while (i--)
            put_page_and_type(frames[i]);
        return rc;
    }
    /* The new GDT is in place (and loaded, for the running vCPU) before the old one goes. */
    memcpy(old, v->arch.pv.gdt_frames, old_nr * sizeof(old[0]));
    if (nr)
        memcpy(v->arch.pv.gdt_frames, frames, nr * sizeof(frames[0]));
    v->arch.pv.gdt_nr_frames = nr;
    v->arch.pv.gdt_entries = entries;
    if (v == current)
        pv_load_gdt(v);
    release_gdt(old, old_nr);
    return 0;
}

long do_set_gdt(guest_va_t frame_list, uint64_t entries)
{
    uint64_t frames[FIRST_RESERVED_GDT_PAGE];
    unsigned int nr;

    if (entries > FIRST_RESERVED_GDT_ENTRY)
        return -XEN_EINVAL;
    nr = DIV_ROUND_UP(entries, 512);
    if (nr && copy_from_guest(frames, frame_list, nr * sizeof(frames[0])))
        return -XEN_EFAULT;
    return pv_set_gdt_frames(current, frames, entries);
}

long do_update_descriptor(uint64_t maddr, uint64_t desc)
{
    struct domain *d = current->domain;
    mfn_t mfn = maddr >> PAGE_SHIFT;
    struct page_info *pg;
    unsigned int type;

    if ((maddr & 7) || !mfn_valid(mfn) || !pv_descriptor_fixup(&desc))
        return -XEN_EINVAL;
    pg = mfn_to_page(mfn);
    if (!get_page(pg, d))
        return -XEN_EINVAL;
    /* A descriptor page in use stays one; any other page must be writable. */
    type = pg->type == PGT_seg_desc_page && pg->type_count ? PGT_seg_desc_page : PGT_writable_page;
    if (get_page_type(pg, type)) {
        put_page(pg);
        return -XEN_EINVAL;
    }
    WRITE_ONCE(*(uint64_t *)((char *)mfn_to_virt(mfn) + (maddr & ~PAGE_MASK)), desc);
    put_page_type(pg);
    put_page(pg);
    return 0;
}
