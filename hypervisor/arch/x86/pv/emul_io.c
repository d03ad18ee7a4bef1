/*
 * Port I/O by a PV guest (in/out trap with #GP since the guest runs in
 * ring 3 with IOPL 0), Xen's two checks in pv/emul-priv-op.c: first
 * guest_io_okay, the vCPU's own I/O privilege (the virtual IOPL of
 * PHYSDEVOP_set_iopl, or the port's bit clear in the bitmap of
 * PHYSDEVOP_set_iobitmap): without it the instruction faults. Then what
 * the port does: 0xcf8-0xcff are the domain's mediated configuration
 * access; ports of an I/O BAR of a function the domain owns are the real
 * ports (admin_io_okay / ioports_access_permitted); anything else reads
 * as all ones and drops writes, as an absent device.
 */
#include "lib.h"
#include "pv.h"
#include "pci.h"
#include "guest_access.h"
#include "processor.h"
#include "page.h"
#include "hypercall.h"
#include <tandem/physdev.h>
#include <tandem/errno.h>

static bool iopl_ok(const struct vcpu *v)
{
    /* Xen's iopl_ok: the guest kernel counts as CPL 1 (CPL 0 with architectural_iopl), user as CPL 3. */
    unsigned int cpl = v->arch.pv.in_kernel ? (pv_architectural_iopl(v->domain) ? 0 : 1) : 3;

    return v->arch.pv.iopl >= cpl;
}

bool pv_io_privileged(const struct vcpu *v)
{
    return iopl_ok(v);
}

/* Xen's guest_io_okay: IOPL, else the I/O bitmap (a set bit denies, as in a TSS). */
static bool guest_io_okay(const struct vcpu *v, unsigned int port, unsigned int bytes)
{
    uint16_t x;

    if (iopl_ok(v))
        return true;
    if (port + bytes > v->arch.pv.iobmp_limit)
        return false;
    /* An unreadable bitmap denies (Xen reads it as ~0). */
    if (copy_from_guest(&x, v->arch.pv.iobmp + (port >> 3), sizeof(x)))
        return false;
    return !(x & (((1U << bytes) - 1) << (port & 7)));
}

static bool touches_pci_ports(unsigned int port, unsigned int bytes)
{
    return port + bytes > 0xcf8 && port <= 0xcff;
}

static uint32_t io_read(struct domain *d, unsigned int port, unsigned int bytes)
{
    if (touches_pci_ports(port, bytes))
        return pci_guest_io_read(d, port, bytes);
    if (!ioports_access_permitted(d, port, port + bytes - 1))
        return bytes == 4 ? ~0U : (1U << (8 * bytes)) - 1;
    return bytes == 4 ? inl(port) : bytes == 2 ? inw(port) : inb(port);
}

static void io_write(struct domain *d, unsigned int port, unsigned int bytes, uint32_t val)
{
    if (touches_pci_ports(port, bytes))
        pci_guest_io_write(d, port, bytes, val);
    else if (!ioports_access_permitted(d, port, port + bytes - 1))
        return;
    else if (bytes == 4)
        outl(port, val);
    else if (bytes == 2)
        outw(port, val);
    else
        outb(port, val);
}

/* in/out with an immediate port (e4-e7) or %dx (ec-ef); false: not allowed (#GP). */
bool pv_emulate_io(struct vcpu *v, struct cpu_user_regs *r, uint8_t op, uint8_t imm, bool opsz16)
{
    bool in = (op & 0xf6) == 0xe4 || (op & 0xfe) == 0xec;
    unsigned int bytes = (op & 1) ? (opsz16 ? 2 : 4) : 1;
    unsigned int port = (op & 8) ? (uint16_t)r->rdx : imm;

    if (!guest_io_okay(v, port, bytes))
        return false;
    if (in) {
        uint32_t val = io_read(v->domain, port, bytes);
        uint64_t mask = bytes == 4 ? 0xffffffffUL : bytes == 2 ? 0xffff : 0xff;
        /* A 32-bit result clears the upper half of %rax, 8/16-bit ones merge. */
        r->rax = bytes == 4 ? val : (r->rax & ~mask) | val;
    } else {
        io_write(v->domain, port, bytes, (uint32_t)r->rax);
    }
    return true;
}

/* PHYSDEVOP_set_iobitmap (Xen's do_physdev_op): the bitmap is read at each access. */
long pv_set_iobitmap(struct vcpu *v, guest_va_t arg)
{
    struct physdev_set_iobitmap b;

    if (copy_from_guest(&b, arg, sizeof(b)))
        return -XEN_EFAULT;
    /* Xen: guest_handle_okay over IOBMP_BYTES (8 KiB), at most 65536 ports. */
    if (!guest_range_ok(b.bitmap, 0x2000) || b.nr_ports > 65536)
        return -XEN_EINVAL;
    v->arch.pv.iobmp = b.bitmap;
    v->arch.pv.iobmp_limit = b.nr_ports;
    return 0;
}

/*
 * String I/O: ins (6c/6d) and outs (6e/6f), with rep, 0x66, 0x67 and (for
 * outs) a segment override, as Xen's x86_emulate with priv_op_ops' rep_ins /
 * rep_outs: the port permission first (even for a zero count); each element
 * through its segment (ES for ins, whatever an override says; DS default
 * for outs) as pv_seg_linear forms it: in 64-bit code only FS and GS have a
 * base, elsewhere the descriptor's base, limit, type and presence count;
 * index and count registers of the address size (16, 32 or 64 bits; a
 * 32-bit write zero-extends, a 16-bit one merges), stepping down with DF.
 * A fault is the guest's, raised as the processor would with the registers
 * showing the elements done and rip still at the instruction: #GP(0) (#SS
 * through SS) for a segment or canonical violation or an address in the
 * hypervisor's range (Xen's __addr_ok), #PF with the first unusable byte in
 * CR2 and the processor's error code (P for a protection fault, W for ins)
 * for a page the guest could not access; for ins the destination is checked
 * before the port is read, so a faulting element reads nothing. A rep
 * instruction with elements left gives the CPU back when
 * hypercall_preempt_check() says so (and after each element under TF, as
 * the processor's single step): rip stays, the guest runs it on.
 */
#define PFEC_PRESENT    (1U << 0)
#define PFEC_WRITE      (1U << 1)

static uint16_t live_selector(uint8_t seg)
{
    uint16_t s = 0;

    switch (seg) {
    case 0x26: __asm__ __volatile__("mov %%es, %0" : "=r"(s)); break;
    case 0x3e: __asm__ __volatile__("mov %%ds, %0" : "=r"(s)); break;
    case 0x64: __asm__ __volatile__("mov %%fs, %0" : "=r"(s)); break;
    case 0x65: __asm__ __volatile__("mov %%gs, %0" : "=r"(s)); break;
    }
    return s;
}

/* May guest code (CPL 3) access page `va` through the loaded page tables? If not, *pfec says why. */
static bool page_accessible(uint64_t va, bool write, uint32_t *pfec)
{
    mfn_t m = (read_cr3() & PADDR_MASK) >> PAGE_SHIFT;

    *pfec = write ? PFEC_WRITE : 0;
    for (int shift = 39; shift >= 12; shift -= 9) {
        uint64_t e = READ_ONCE(((const uint64_t *)mfn_to_virt(m))[(va >> shift) & 511]);
        if (!(e & _PAGE_PRESENT))
            return false;
        if (!(e & _PAGE_USER) || (write && !(e & _PAGE_RW))) {
            *pfec |= PFEC_PRESENT;
            return false;
        }
        m = (e & PADDR_MASK) >> PAGE_SHIFT;
        if (shift == 12 || (e & _PAGE_PSE))
            break;
        if (!mfn_valid(m))
            return false;
    }
    return true;
}

/* The #PF an access to [la, la + len) raises: false with the first bad byte's page, or true if none would. */
static bool range_accessible(uint64_t la, unsigned int len, bool write, uint64_t *cr2, uint32_t *pfec)
{
    uint64_t last = la + len - 1;

    for (uint64_t a = la; ; a = (a & PAGE_MASK) + PAGE_SIZE) {
        if (!page_accessible(a, write, pfec)) {
            *cr2 = a;
            return false;
        }
        if ((a & PAGE_MASK) == (last & PAGE_MASK))
            return true;
    }
}

static void put_sized(uint64_t *reg, unsigned int ad, uint64_t val)
{
    *reg = ad == 8 ? val : ad == 4 ? (uint32_t)val : (*reg & ~0xffffUL) | (val & 0xffff);
}

enum pv_string_result pv_emulate_string_io(struct vcpu *v, struct cpu_user_regs *r, const struct pv_insn_prefix *p,
                                           uint8_t op, bool long_mode)
{
    bool in = !(op & 2);
    unsigned int bytes = (op & 1) ? (p->opsz16 ? 2 : 4) : 1, port = (uint16_t)r->rdx, ad;
    uint8_t seg = in ? 0x26 : p->seg ? p->seg : 0x3e;
    bool fsgs = seg == 0x64 || seg == 0x65;
    uint16_t sel = seg == 0x2e ? (uint16_t)r->cs : seg == 0x36 ? (uint16_t)r->ss : live_selector(seg);
    uint64_t *idx = in ? &r->rdi : &r->rsi, mask, count, base = 0, desc, la, cr2;
    uint32_t val, pfec;

    if (!guest_io_okay(v, port, bytes))
        return PV_STRING_GP;            /* #GP(0), before anything else (a zero count too) */
    if (long_mode) {
        ad = p->adsz ? 4 : 8;
        if (fsgs)
            base = rdmsr(seg == 0x64 ? MSR_FS_BASE : MSR_GS_BASE);
    } else {
        if (!pv_read_descriptor(v, r->cs, &desc))
            return PV_STRING_GP;
        ad = (((desc >> 54) & 1) ^ p->adsz) ? 4 : 2;     /* CS.D: 32-bit default */
    }
    mask = ad == 8 ? ~0UL : ad == 4 ? 0xffffffffUL : 0xffffUL;
    count = p->rep ? r->rcx & mask : 1;
    if (!count) {
        put_sized(&r->rcx, ad, 0);      /* as Xen: a 32-bit count is zero-extended */
        return PV_STRING_DONE;
    }
    for (;;) {
        int vec = pv_seg_linear(v, sel, long_mode, fsgs, base, *idx & mask, bytes,
                                in ? PV_SEG_WRITE : PV_SEG_READ, &la);

        if (vec || !guest_range_ok(la, bytes)) {
            pv_inject_exception(v, r, seg == 0x36 ? TRAP_stack_error : TRAP_gp_fault, true, 0);
            return PV_STRING_FAULT;
        }
        val = 0;
        if (in) {
            if (!range_accessible(la, bytes, true, &cr2, &pfec))
                goto page_fault;
            val = io_read(v->domain, port, bytes);
            if (copy_to_guest(la, &val, bytes)) {
                if (range_accessible(la, bytes, true, &cr2, &pfec)) {
                    cr2 = la;           /* the mapping changed meanwhile */
                    pfec = PFEC_WRITE | PFEC_PRESENT;
                }
                goto page_fault;
            }
        } else {
            if (copy_from_guest(&val, la, bytes)) {
                if (range_accessible(la, bytes, false, &cr2, &pfec)) {
                    cr2 = la;
                    pfec = PFEC_PRESENT;
                }
                goto page_fault;
            }
            io_write(v->domain, port, bytes, val);
        }
        put_sized(idx, ad, *idx + ((r->rflags & X86_EFLAGS_DF) ? -(uint64_t)bytes : bytes));
        if (!p->rep)
            return PV_STRING_DONE;
        put_sized(&r->rcx, ad, --count);
        if (!count)
            return PV_STRING_DONE;
        if ((r->rflags & X86_EFLAGS_TF) || hypercall_preempt_check())
            return PV_STRING_AGAIN;
    }
page_fault:
    pv_inject_exception(v, r, TRAP_page_fault, true, pfec);
    v->vcpu_info->arch.cr2 = cr2;       /* the guest's address (not the hardware's CR2) */
    return PV_STRING_FAULT;
}
