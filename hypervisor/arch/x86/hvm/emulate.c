/*
 * The HVM instruction decoder (docs/hvm.md "The decoder"): just enough x86
 * to emulate the guest's accesses to emulated MMIO (the local APIC page)
 * and to find the length of the instructions SVM intercepts, since QEMU
 * TCG saves no next RIP (DESIGN.md section 6). The bytes come from the
 * guest's own memory through its own page tables (hvm_fetch_insn): nothing
 * here trusts them. An instruction outside the small set below is refused,
 * and the caller kills the domain with a dump naming the bytes.
 *
 * MMIO forms: MOV r/m8,r8 (88), MOV r/m,r (89), MOV r8,r/m8 (8A), MOV r,r/m
 * (8B), MOV r/m8,imm8 (C6 /0), MOV r/m,imm (C7 /0), MOVZX r,r/m8 (0F B6),
 * MOVZX r,r/m16 (0F B7), MOV between AL/eAX and an absolute moffs (A0-A3,
 * what compilers emit for a constant address); prefixes 66, 67 (64-bit code only), the segment
 * overrides, REX.W/R/X/B; ModRM with SIB, disp8, disp32, RIP-relative.
 * The guest-physical address is the fault's, so the effective address
 * itself is never computed: only the operand, the size and the length.
 *
 * String I/O (INS, OUTS, with REP): the prefixes give the segment and the
 * address size (TCG's IOIO EXITINFO1 does not name the segment), each
 * element goes through the guest's page tables, at most STRING_IO_BATCH
 * elements an exit (a longer REP runs again from where it stopped, as an
 * interrupted one does on hardware).
 */
#include "lib.h"
#include "domain.h"
#include "hvm.h"
#include <tandem/hvm/ioreq.h>
#include "insn_decode.h"

#define MAX_INSN HVM_MAX_INSN

/* "8b 05 10 00 00 00" for the log. */
static void hex_bytes(char *out, size_t outlen, const uint8_t *b, unsigned int n)
{
    size_t at = 0;

    out[0] = 0;
    for (unsigned int i = 0; i < n && at + 4 < outlen; i++)
        at += (size_t)snprintf(out + at, outlen - at, "%s%02x", i ? " " : "", b[i]);
    if (!n)
        snprintf(out, outlen, "(none readable)");
}

static void refuse(struct vcpu *v, const struct cpu_user_regs *regs, const char *what, const char *why,
                   const uint8_t *b, unsigned int n)
{
    char hex[3 * MAX_INSN + 16];

    hex_bytes(hex, sizeof(hex), b, n);
    printk(XENLOG_ERR "d%uv%u: %s at rip %#lx not emulated (%s): bytes %s\n", v->domain->domain_id,
           v->vcpu_id, what, (unsigned long)regs->rip, why, hex);
}

bool hvm_step_over(struct vcpu *v, struct cpu_user_regs *regs, enum hvm_insn which)
{
    static const struct { const char *name; uint8_t op[3]; unsigned int len; } known[] = {
        [HVM_INSN_CPUID] = { "CPUID", { 0x0f, 0xa2 }, 2 },
        [HVM_INSN_RDMSR] = { "RDMSR", { 0x0f, 0x32 }, 2 },
        [HVM_INSN_WRMSR] = { "WRMSR", { 0x0f, 0x30 }, 2 },
        [HVM_INSN_HLT] = { "HLT", { 0xf4 }, 1 },
        [HVM_INSN_VMMCALL] = { "VMMCALL", { 0x0f, 0x01, 0xd9 }, 3 },
    };
    uint8_t b[MAX_INSN];
    unsigned int n = hvm_fetch_insn(v, regs->rip, b, sizeof(b));
    unsigned int len = hvm_insn_len(b, n, hvm_code_bits(v) == 64, known[which].op, known[which].len);

    if (len) {
        hvm_step(v, regs, len);
        return true;
    }
    refuse(v, regs, known[which].name, "the intercepted instruction is not there", b, n);
    return false;
}

/* The emulated MMIO ranges, guest-physical. */
static const struct mmio_range {
    uint64_t base, size;
    bool (*read)(struct vcpu *v, uint64_t off, unsigned int size, uint64_t *val);
    bool (*write)(struct vcpu *v, uint64_t off, unsigned int size, uint64_t val);
} mmio_ranges[] = {
    { HVM_LAPIC_BASE, 0x1000, vlapic_mmio_read, vlapic_mmio_write },
    { HVM_IOAPIC_BASE, 0x1000, vioapic_mmio_read, vioapic_mmio_write },
};

/*
 * An access to a range a device model claims (hvm/ioreq.c): the request goes
 * out with the decoded destination (AH..BH for a byte register 4-7 without
 * REX), then RIP steps over it; the register is written when the answer
 * comes. The whole access must lie in one claimed range.
 */
static bool mmio_forward(struct vcpu *v, struct cpu_user_regs *regs, uint64_t gpa,
                         const struct hvm_mmio_insn *in, const uint8_t *b, unsigned int n)
{
    unsigned int gpr = in->dsize == 1 && !in->rex && in->reg >= 4 && in->reg < 8 ?
                       HVM_IOREQ_GPR_AH + in->reg - 4 : in->reg;
    uint64_t val = !in->write ? 0 : in->imm ? in->immval : hvm_reg_read(regs, in->reg, in->size, in->rex);

    if (!hvm_ioreq_send(v, IOREQ_TYPE_COPY, gpa, in->size, !in->write, val, in->write ? HVM_IOREQ_NO_GPR : gpr,
                        in->dsize)) {
        refuse(v, regs, "MMIO access", "it runs past the device model's range", b, n);
        return false;
    }
    hvm_step(v, regs, in->len);
    v->domain->arch.hvm->mmio_emulated++;
    return true;
}

bool hvm_emulate_mmio(struct vcpu *v, struct cpu_user_regs *regs, uint64_t gpa, uint32_t pfec)
{
    const struct mmio_range *m = NULL;
    struct hvm_mmio_insn in;
    uint8_t b[MAX_INSN];
    unsigned int n;
    const char *why;
    uint64_t val;

    for (unsigned int i = 0; i < ARRAY_SIZE(mmio_ranges); i++)
        if (gpa - mmio_ranges[i].base < mmio_ranges[i].size)
            m = &mmio_ranges[i];
    if (!m && !hvm_ioreq_claims(v->domain, IOREQ_TYPE_COPY, gpa, 1))
        return false;                   /* nothing there: the caller kills it */
    n = hvm_fetch_insn(v, regs->rip, b, sizeof(b));
    if (pfec & HVM_PFEC_FETCH) {
        refuse(v, regs, "instruction fetch from MMIO", "code in a device page", b, n);
        return false;
    }
    if ((why = hvm_decode_mmio(b, n, hvm_code_bits(v), &in))) {
        refuse(v, regs, "MMIO access", why, b, n);
        return false;
    }
    if (in.write != !!(pfec & HVM_PFEC_WRITE)) {
        refuse(v, regs, "MMIO access", "the instruction's direction is not the fault's", b, n);
        return false;
    }
    if (!m)
        return mmio_forward(v, regs, gpa, &in, b, n);
    if (gpa - m->base + in.size > m->size) {
        refuse(v, regs, "MMIO access", "it runs past the device's page", b, n);
        return false;
    }
    if (in.write) {
        val = in.imm ? in.immval : hvm_reg_read(regs, in.reg, in.size, in.rex);
        if (!m->write(v, gpa - m->base, in.size, val)) {
            refuse(v, regs, "MMIO write", "the device refused it", b, n);
            return false;
        }
    } else {
        if (!m->read(v, gpa - m->base, in.size, &val)) {
            refuse(v, regs, "MMIO read", "the device refused it", b, n);
            return false;
        }
        val &= in.size == 8 ? ~0ULL : (1ULL << (8 * in.size)) - 1;  /* MOVZX: zero-extended */
        hvm_reg_write(regs, in.reg, in.dsize, in.rex, val);
    }
    hvm_step(v, regs, in.len);
    v->domain->arch.hvm->mmio_emulated++;
    return true;
}

#define STRING_IO_BATCH 512

/* n bytes between the guest-virtual gva (through its page tables, at its CPL) and buf. */
static bool copy_virt(struct vcpu *v, uint64_t gva, void *buf, unsigned int n, bool to_guest)
{
    struct hvm_paging pg;
    uint8_t *p = buf;

    hvm_get_paging(v, &pg);
    while (n) {
        struct hvm_walk w;
        unsigned int chunk = MIN(n, (unsigned int)(PAGE_SIZE - (gva & (PAGE_SIZE - 1))));
        uint32_t acc = (to_guest ? HVM_PFEC_WRITE : 0) | (pg.cpl == 3 ? HVM_PFEC_USER : 0);

        if (hvm_walk(v, gva, acc, HVM_WALK_SET_AD, &w) != HVM_WALK_OK)
            return false;
        if (to_guest ? !hvm_copy_to_guest(v->domain, w.gpa, p, chunk)
                     : !hvm_copy_from_guest(v->domain, p, w.gpa, chunk))
            return false;
        gva += chunk;
        p += chunk;
        n -= chunk;
    }
    return true;
}

/*
 * INS/OUTS on a port a device model claims, as Xen's hvmemul_rep_ins/outs:
 * the elements from the current one to the end of its page (in the
 * direction DF gives) go out as one request with the buffer's
 * guest-physical address (data_is_ptr); the device model moves them, and
 * the answer advances the registers (hvm_string_io_done). The buffer is
 * checked here as the hypervisor's own copy would check it: mapped in the
 * guest's page tables with the access the instruction makes, and guest
 * memory. An element straddling two pages goes alone, its value carried in
 * the request (OUT) or the answer (IN).
 */
static int string_io_forward(struct vcpu *v, uint16_t port, bool in, struct hvm_string_wait *sw, uint64_t gva,
                             uint64_t count)
{
    struct hvm_paging pg;
    struct hvm_walk w;
    unsigned int off = gva & (PAGE_SIZE - 1), size = sw->size;
    uint64_t n;

    if (off + size > PAGE_SIZE) {
        uint32_t val = 0;
        if (!in && !copy_virt(v, gva, &val, size, false))
            return HVM_IO_KILL;
        sw->ptr = false;
        sw->count = 1;
        sw->gva = gva;
        return hvm_ioreq_send_string(v, port, val, sw) ? HVM_IO_SENT : HVM_IO_KILL;
    }
    hvm_get_paging(v, &pg);
    if (hvm_walk(v, gva, (in ? HVM_PFEC_WRITE : 0) | (pg.cpl == 3 ? HVM_PFEC_USER : 0), HVM_WALK_SET_AD, &w) !=
            HVM_WALK_OK ||
        (w.gpa >> PAGE_SHIFT) >= v->domain->arch.hvm->nr_pages)
        return HVM_IO_KILL;
    n = sw->df ? off / size + 1 : (PAGE_SIZE - off) / size;
    sw->ptr = true;
    sw->count = (uint32_t)MIN(n, count);
    return hvm_ioreq_send_string(v, port, w.gpa, sw) ? HVM_IO_SENT : HVM_IO_KILL;
}

void hvm_string_io_done(struct vcpu *v, struct cpu_user_regs *regs, const struct hvm_string_wait *s,
                        uint64_t val)
{
    uint64_t *ptr = s->in ? &regs->rdi : &regs->rsi;
    uint64_t step = s->df ? (uint64_t)-(int64_t)s->size : s->size;

    if (!s->ptr && s->in) {
        uint32_t x = (uint32_t)val;
        if (!copy_virt(v, s->gva, &x, s->size, true)) {
            domain_crash(v->domain, "INS to a device model: its buffer is no longer mapped (or not writable)",
                         regs);
            return;
        }
    }
    *ptr = (*ptr + step * s->count) & s->amask;     /* zero-extended, as hvm_string_io's own steps */
    if (s->rep)
        regs->rcx = (regs->rcx - s->count) & s->amask;
    if (!s->rep || !(regs->rcx & s->amask))
        regs->rip = s->next;
}

int hvm_string_io(struct vcpu *v, struct cpu_user_regs *regs, uint16_t port, unsigned int size,
                  uint32_t info, uint64_t next)
{
    uint8_t b[MAX_INSN];
    unsigned int n = hvm_fetch_insn(v, regs->rip, b, sizeof(b)), bits = hvm_code_bits(v);
    struct hvm_string_insn si;
    const char *why = hvm_decode_string_io(b, n, bits, &si);
    bool in = info & 1, rep;
    uint64_t amask, count, *ptr, step, base;

    if (!why && (si.in != in || si.size != size))
        why = "the bytes at RIP are not the string I/O the exit names";
    if (why) {
        refuse(v, regs, "INS/OUTS", why, b, n);
        return HVM_IO_KILL;
    }
    rep = si.rep;
    base = bits == 64 && si.seg < 4 ? 0 : hvm_seg_base(v, si.seg);
    amask = si.asz == 64 ? ~0ULL : 0xffffffffULL;
    ptr = in ? &regs->rdi : &regs->rsi;
    step = (regs->rflags & X86_EFLAGS_DF) ? (uint64_t)-(int64_t)size : size;
    count = rep ? regs->rcx & amask : 1;
    if (count && !hvm_port_io_has_device(port) && hvm_ioreq_claims(v->domain, IOREQ_TYPE_PIO, port, size)) {
        struct hvm_string_wait sw = { .active = true, .in = in, .rep = rep, .size = (uint8_t)size,
                                      .df = (regs->rflags & X86_EFLAGS_DF) != 0, .amask = amask, .next = next };
        int r = string_io_forward(v, port, in, &sw, base + (*ptr & amask), count);
        if (r == HVM_IO_KILL)
            goto unmapped;
        return r;
    }
    for (unsigned int k = 0; count && k < STRING_IO_BATCH; k++, count--) {
        uint32_t val = 0;
        uint64_t gva = base + (*ptr & amask);

        if (!in && !copy_virt(v, gva, &val, size, false))
            goto unmapped;
        hvm_port_io(v, regs, port, size, in, &val);
        if (in && !copy_virt(v, gva, &val, size, true))
            goto unmapped;
        *ptr = (*ptr + step) & amask;   /* a 32-bit address register is written zero-extended */
        if (rep)
            regs->rcx = (regs->rcx - 1) & amask;
        if (v->domain->state != DOM_RUNNING)
            return HVM_IO_DONE;         /* the exit port ended it */
    }
    return count ? HVM_IO_AGAIN : HVM_IO_DONE;
unmapped:
    refuse(v, regs, "INS/OUTS", "its buffer is not mapped (or not writable) in its page tables", b, n);
    return HVM_IO_KILL;
}
