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
