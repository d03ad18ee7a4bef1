/*
 * Guest LDTs (MMUEXT_SET_LDT) and the descriptors the hypervisor reads on a
 * guest's behalf, as Xen's pv/descriptor-tables.c, pv/mm.c
 * (pv_map_ldt_shadow_page) and pv/emulate.c (pv_emul_read_descriptor).
 *
 * SET_LDT only records the guest linear base and the number of entries.
 * LDTR points at this CPU's 16-page LDT area, whose pages are not present
 * until the processor (or the hypervisor) touches them: the #PF in the area
 * maps the guest page found at base + offset through the vCPU's kernel page
 * tables, after taking a PGT_seg_desc_page type reference to it, which
 * checks every descriptor in it as a GDT page is checked (and which only a
 * page with no writable mapping can take). A page that cannot be had is the
 * guest's fault: #PF at base + offset (or #GP for an offset beyond the
 * canonical range), as Xen's handle_ldt_mapping_fault; in the hypervisor
 * (a selector reload, the return to the guest) the fixups handle it.
 * The references are the vCPU's until its LDT changes, it dies, or a mapping
 * of a descriptor page goes away (then every LDT of the domain is dropped
 * and faults back in, as Xen's put_page_from_l1e).
 */
#include "lib.h"
#include "pv.h"
#include "mm.h"
#include "cpu.h"
#include "traps.h"
#include "processor.h"
#include "guest_access.h"
#include <tandem/xen.h>
#include <tandem/errno.h>

#define PFEC_user       (1U << 2)
#define PFEC_reserved   (1U << 3)

/* Descriptor fields (the high word: access rights and flags). */
#define DESC_HI(d)      ((uint32_t)((d) >> 32))
#define SEG_S           (1U << 12)      /* code/data, not system */
#define SEG_P           (1U << 15)
#define SEG_CODE        (1U << 11)
#define SEG_TYPE_BIT1   (1U << 9)       /* code: readable; data: writable */
#define SEG_EXPDOWN     (1U << 10)      /* data only */
#define SEG_L           (1U << 21)
#define SEG_DB          (1U << 22)
#define SEG_G           (1U << 23)

static uint64_t desc_base(uint64_t d)
{
    uint32_t a = (uint32_t)d, b = DESC_HI(d);

    return (a >> 16) | ((uint64_t)(b & 0xff) << 16) | (b & 0xff000000U);
}

static uint64_t desc_limit(uint64_t d)
{
    uint64_t l = ((uint32_t)d & 0xffff) | (DESC_HI(d) & 0xf0000);

    return DESC_HI(d) & SEG_G ? (l << 12) | 0xfff : l;
}

/* Drop v's LDT frames (the CPU area first); true if any was mapped. */
bool pv_destroy_ldt(struct vcpu *v)
{
    bool any = false;

    for (unsigned int i = 0; i < ARRAY_SIZE(v->arch.pv.ldt_frames); i++) {
        mfn_t m = v->arch.pv.ldt_frames[i];
        if (!m)
            continue;
        for (unsigned int c = 0; c < NR_CPUS; c++)
            cpu_ldt_forget_frame(c, m);
        v->arch.pv.ldt_frames[i] = 0;
        put_page_and_type(m);
        any = true;
    }
    return any;
}

void pv_load_ldt(struct vcpu *v)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(v->arch.pv.ldt_frames); i++)
        cpu_ldt_map_frame(i, v->arch.pv.ldt_frames[i]);
    cpu_load_ldt(v->arch.pv.ldt_ents);
}

void pv_set_ldt(struct vcpu *v, uint64_t base, unsigned int ents)
{
    if (v->arch.pv.ldt_base == base && v->arch.pv.ldt_ents == ents)
        return;         /* as Xen: the same LDT again keeps its mappings */
    pv_destroy_ldt(v);
    v->arch.pv.ldt_base = base;
    v->arch.pv.ldt_ents = ents;
    if (v == current)
        pv_load_ldt(v);
}

/*
 * Xen's pv_map_ldt_shadow_page: page `page` of v's LDT from the guest page
 * that maps ldt_base + page * 4K in v's kernel page tables (whatever mode v
 * is in), typed as a descriptor page. False if that page is not mapped,
 * not v's domain's, or cannot be a descriptor page (a writable mapping, a
 * page table, a descriptor check_descriptor refuses).
 */
static bool map_ldt_page(struct vcpu *v, unsigned int page)
{
    struct domain *d = v->domain;
    uint64_t la = v->arch.pv.ldt_base + (uint64_t)page * PAGE_SIZE, e;
    mfn_t table, m;
    unsigned int idx;

    if (v->arch.pv.ldt_frames[page])
        return true;
    if (!is_canonical(la) || in_hv_range(la) || !v->arch.pv.kernel_l4 ||
        pv_walk_pte(d, v->arch.pv.kernel_l4, la, &table, &idx))
        return false;
    e = ((uint64_t *)mfn_to_virt(table))[idx];
    m = (e & PADDR_MASK) >> PAGE_SHIFT;
    if (!(e & _PAGE_PRESENT) || !mfn_valid(m) || get_page_and_type(m, d, PGT_seg_desc_page))
        return false;
    v->arch.pv.ldt_frames[page] = m;
    return true;
}

/* v's LDT page holding entry idx, mapped now if need be (v must be current); NULL if none. */
static const uint64_t *ldt_page(struct vcpu *v, unsigned int idx)
{
    unsigned int page = idx / 512;

    if (idx >= v->arch.pv.ldt_ents)
        return NULL;                    /* XSA-298: never beyond the LDT's limit */
    if (!v->arch.pv.ldt_frames[page] && (v != current || !map_ldt_page(v, page)))
        return NULL;
    if (v == current)
        cpu_ldt_map_frame(page, v->arch.pv.ldt_frames[page]);
    return mfn_to_virt(v->arch.pv.ldt_frames[page]);
}

/*
 * The #PF hook (arch/x86/traps.c): a supervisor access to this CPU's LDT
 * area. Returns true when handled: the page is mapped now (the access is
 * retried), or, in guest mode, the fault went to the guest. False leaves
 * the fault to the usual paths (a hypervisor fixup).
 */
__pv_fast bool pv_ldt_fault(struct cpu_user_regs *regs, uint64_t cr2)
{
    struct percpu *pc = this_cpu();
    struct vcpu *v = current;
    uint64_t off;

    if (!v || !pc->ldt_virt || cr2 < pc->ldt_virt || cr2 >= pc->ldt_virt + 16 * PAGE_SIZE ||
        (regs->error_code & (PFEC_user | PFEC_reserved)))
        return false;
    off = cr2 - pc->ldt_virt;
    if ((off >> 3) < v->arch.pv.ldt_ents && ldt_page(v, off >> 3))
        return true;
    if (!guest_mode(regs))
        return false;
    pv_ldt_fault_to_guest(v, regs, off);
    return true;
}

void pv_ldt_fault_to_guest(struct vcpu *v, struct cpu_user_regs *regs, uint64_t off)
{
    uint64_t la = v->arch.pv.ldt_base + off;

    if (!is_canonical(la)) {
        /* As Xen: the access would leave the canonical range: #GP(selector, TI set). */
        pv_inject_exception(v, regs, TRAP_gp_fault, true, (off & ~7UL) | 4);
        return;
    }
    pv_inject_exception(v, regs, TRAP_page_fault, true, regs->error_code);
    v->vcpu_info->arch.cr2 = la;        /* the guest's address, not the area's */
}

/*
 * A read-only L1 mapping of a descriptor page in use went away (Xen's
 * put_page_from_l1e): every LDT of d is dropped, to be faulted in again
 * through the guest's current mappings.
 */
void pv_ldt_mapping_gone(struct domain *d)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i])
            pv_destroy_ldt(d->vcpu[i]);
}

/*
 * The descriptor selector sel names for v, as the processor reads it (Xen's
 * pv_emul_read_descriptor): the LDT only below its limit (XSA-298), the GDT
 * as this CPU's GDT area shows it (the vCPU's frames, zeros, and the
 * hypervisor's own entries). False for the NUL selector and anything the
 * processor could not read.
 */
bool pv_read_descriptor(struct vcpu *v, uint16_t sel, uint64_t *desc)
{
    unsigned int idx = sel >> 3;
    const uint64_t *t;

    if (sel & 4) {
        if (!(t = ldt_page(v, idx)))
            return false;
        *desc = READ_ONCE(t[idx % 512]);
        return true;
    }
    if (sel < 4)
        return false;
    if (idx >= FIRST_RESERVED_GDT_ENTRY) {
        *desc = this_cpu()->gdt[idx];
        return true;
    }
    if (idx / 512 >= v->arch.pv.gdt_nr_frames) {
        *desc = 0;                      /* the zero page */
        return true;
    }
    t = mfn_to_virt(v->arch.pv.gdt_frames[idx / 512]);
    *desc = READ_ONCE(t[idx % 512]);
    return true;
}

/*
 * The linear address of [off, off + len) through a segment the guest
 * loaded with selector sel, as the processor forms it (for the emulators:
 * instruction fetch through CS, memory operands). In 64-bit code only FS
 * and GS have a base (`base64`, from the MSRs) and there is no limit, only
 * the canonical check; elsewhere the descriptor is read again (Xen reads it
 * at emulation time too) and must be a present code or data segment that
 * allows the access, and the range must lie inside its limit (expand-down
 * data segments: above it). Returns 0, or the vector to raise (error code
 * 0): #GP, or #SS for a stack access.
 */
int pv_seg_linear(struct vcpu *v, uint16_t sel, bool long_mode, bool fsgs, uint64_t base64, uint64_t off,
                  unsigned int len, enum pv_seg_access acc, uint64_t *linear)
{
    unsigned int fault = acc == PV_SEG_STACK ? TRAP_stack_error : TRAP_gp_fault;
    uint64_t d, lim, last;
    uint32_t b;

    if (long_mode) {
        *linear = (fsgs ? base64 : 0) + off;
        return is_canonical(*linear) && is_canonical(*linear + len - 1) ? 0 : (int)fault;
    }
    if (!pv_read_descriptor(v, sel, &d))
        return fault;
    b = DESC_HI(d);
    if (!(b & SEG_S) || !(b & SEG_P))
        return fault;
    switch (acc) {
    case PV_SEG_EXEC:
        if (!(b & SEG_CODE))
            return fault;
        break;
    case PV_SEG_READ:
        if ((b & SEG_CODE) && !(b & SEG_TYPE_BIT1))
            return fault;               /* execute-only code */
        break;
    case PV_SEG_WRITE: case PV_SEG_STACK:
        if ((b & SEG_CODE) || !(b & SEG_TYPE_BIT1))
            return fault;               /* code, read-only data */
        break;
    }
    off = (uint32_t)off;
    last = off + len - 1;
    lim = desc_limit(d);
    if (!(b & SEG_CODE) && (b & SEG_EXPDOWN)) {
        uint64_t top = b & SEG_DB ? 0xffffffffULL : 0xffffULL;
        if (off <= lim || last > top)
            return fault;
    } else if (last > lim || last < off) {
        return fault;
    }
    *linear = (uint32_t)(desc_base(d) + off);
    return 0;
}

/*
 * The instruction bytes at the guest's CS:rip (Xen's emulators fetch through
 * pv_emul_read_descriptor of CS): up to n, fewer when the limit or the next
 * page stops them; 0 when CS is not a present code segment or nothing is
 * readable. *long_mode says whether the code is 64-bit.
 */
unsigned int pv_insn_fetch(struct vcpu *v, const struct cpu_user_regs *regs, uint8_t *buf, unsigned int n,
                           bool *long_mode)
{
    uint64_t d, la;
    unsigned int room;

    if (!pv_read_descriptor(v, regs->cs, &d) || !(DESC_HI(d) & SEG_S) || !(DESC_HI(d) & SEG_P) ||
        !(DESC_HI(d) & SEG_CODE))
        return 0;
    *long_mode = DESC_HI(d) & SEG_L;
    if (!*long_mode) {
        uint64_t lim = desc_limit(d), eip = (uint32_t)regs->rip;
        if (eip > lim)
            return 0;
        n = MIN((uint64_t)n, lim - eip + 1);
    }
    if (pv_seg_linear(v, regs->cs, *long_mode, false, 0, regs->rip, n, PV_SEG_EXEC, &la))
        return 0;
    if (!copy_from_guest(buf, la, n))
        return n;
    room = PAGE_SIZE - (la & ~PAGE_MASK);
    return room < n && !copy_from_guest(buf, la, room) ? room : 0;
}

/*
 * The iretq to the guest faulted on a selector of the frame (CS or SS not
 * usable, an LDT page that cannot be mapped): as Xen's pre-exception table
 * (.Lft0 in restore_all_guest), the fault is delivered to the guest as if
 * its first instruction at the frame's rip had raised it, the frame's
 * selectors shown as they were. The general registers were restored for
 * the iretq, so the exception's frame (regs, which overlaps the lower part
 * of the guest frame) holds the guest's: they are moved back first.
 */
void pv_iret_fault(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;
    struct percpu *pc = this_cpu();
    struct cpu_user_regs *g = guest_cpu_regs();
    unsigned int vec = regs->entry_vector;
    uint32_t err = regs->error_code;
    uint64_t cr2 = read_cr2();

    memmove(g, regs, offsetof(struct cpu_user_regs, error_code));
    g->error_code = err;
    g->entry_vector = vec;
    if (vec < 32 && vec != TRAP_page_fault && !v->arch.pv.trap_ctxt[vec].address) {
        /* Nothing to deliver it to: say it was the return, with the frame as the guest built it. */
        char why[96], frame[224];
        snprintf(why, sizeof(why), "%s (vector %u) on the return to the frame it built, no handler",
                 exception_names[vec], vec);
        snprintf(frame, sizeof(frame), "the frame it returned to: rip %#lx cs %#lx rflags %#lx rsp %#lx ss %#lx; "
                 "error code %#x (for #GP/#NP/#SS: the selector refused)", (unsigned long)g->rip,
                 (unsigned long)g->cs, (unsigned long)g->rflags, (unsigned long)g->rsp, (unsigned long)g->ss, err);
        domain_crash_detail(v->domain, why, g, frame);
        resume_guest(g);
    }
    if (vec == TRAP_page_fault && pc->ldt_virt && cr2 >= pc->ldt_virt && cr2 < pc->ldt_virt + 16 * PAGE_SIZE)
        pv_ldt_fault_to_guest(v, g, cr2 - pc->ldt_virt);
    else
        pv_inject_exception(v, g, vec, vec >= 10 && vec <= 14, err);
    resume_guest(g);
}
