/*
 * io_string: string port I/O by a PV guest kernel, emulated as Xen's
 * x86_emulate with priv_op_ops' rep_ins/rep_outs and as the processor runs
 * it: rep ins/outs b/w/l with counts, DF=1, 32-bit addressing (0x67: EDI,
 * ESI and ECX, written back zero-extended), FS/GS overrides (bases from
 * set_segment_base), an SS override's fault being #SS; a destination page
 * not mapped -> #PF (W, CR2 = the first byte that cannot be written, rcx/rdi
 * showing the elements done, rip still at the instruction), a read-only
 * one -> #PF (P|W), an unmapped source -> #PF (read); non-canonical and
 * hypervisor-range addresses -> #GP(0); ports not permitted -> #GP(0), even
 * with a zero count, nothing moved; the bitmap's per-port answer for the
 * element size; a huge rep count is preempted (a timer event arrives with
 * the frame still on the instruction, part of the count done) and then
 * finishes; TF steps it one element at a time.
 * Ports: 0xcf8 (the domain's own address latch, 4-byte: reads what was
 * written), 0x80 (no device for a domU: reads all ones, writes dropped).
 */
#include "pt.h"
#include "pcicfg.h"
#include "upcall.h"
#include <tandem/physdev.h>

const char test_title[] = "io_string: rep ins/outs with counts, DF, 0x67, segment overrides, faults, preemption";

#define LOW_VA      0x400000UL      /* a data page (RW) at LOW_VA, none at +4K, a read-only page at +8K */
#define LOW_HOLE    (LOW_VA + 0x1000)
#define LOW_RO      (LOW_VA + 0x2000)
#define LATCH       0xcf8
#define NOPORT      0x80

struct sio {
    uint64_t rdi, rsi, rcx, rflags;
    bool faulted;
};

/* One string instruction (text in `insn`), registers in and out, DF as asked. */
#define RUN(insn, s, port, df)                                                          \
    do {                                                                                \
        unsigned long n0_ = last_trap.count;                                            \
        if (df)                                                                         \
            __asm__ __volatile__("std\n1: " insn "\n2: cld" ASM_EXTABLE(1b, 2b)         \
                                 : "+D"((s).rdi), "+S"((s).rsi), "+c"((s).rcx)          \
                                 : "d"(port) : "memory", "cc");                         \
        else                                                                            \
            __asm__ __volatile__("1: " insn "\n2:" ASM_EXTABLE(1b, 2b)                  \
                                 : "+D"((s).rdi), "+S"((s).rsi), "+c"((s).rcx)          \
                                 : "d"(port) : "memory", "cc");                         \
        (s).faulted = last_trap.count != n0_;                                           \
    } while (0)

static uint8_t buf[64] __attribute__((aligned(16)));
static uint32_t src[8] = { 0x80000010, 0x80000020, 0x80000030, 0x80000040, 0x80000050 };

static void want_regs(const char *what, const struct sio *s, uint64_t rdi, uint64_t rsi, uint64_t rcx)
{
    if (s->faulted)
        test_fail("%s: faulted (vector %u, error %#lx)", what, last_trap.vector, (unsigned long)last_trap.err);
    else if (s->rdi != rdi || s->rsi != rsi || s->rcx != rcx)
        test_fail("%s: rdi %#lx rsi %#lx rcx %#lx, want %#lx %#lx %#lx", what, (unsigned long)s->rdi,
                  (unsigned long)s->rsi, (unsigned long)s->rcx, (unsigned long)rdi, (unsigned long)rsi,
                  (unsigned long)rcx);
}

static void want_fault(const char *what, const struct sio *s, unsigned int vec, uint64_t err, uint64_t cr2,
                       uint64_t rdi, uint64_t rsi, uint64_t rcx)
{
    if (!s->faulted)
        test_fail("%s: no fault, want vector %u", what, vec);
    else if (last_trap.vector != vec || last_trap.err != err)
        test_fail("%s: vector %u error %#lx, want %u %#lx", what, last_trap.vector, (unsigned long)last_trap.err,
                  vec, (unsigned long)err);
    else if (vec == TRAP_page_fault && evt_vcpu->arch.cr2 != cr2)
        test_fail("%s: cr2 %#lx, want %#lx", what, (unsigned long)evt_vcpu->arch.cr2, (unsigned long)cr2);
    else if (s->rdi != rdi || s->rsi != rsi || s->rcx != rcx)
        test_fail("%s: after the fault rdi %#lx rsi %#lx rcx %#lx, want %#lx %#lx %#lx", what,
                  (unsigned long)s->rdi, (unsigned long)s->rsi, (unsigned long)s->rcx, (unsigned long)rdi,
                  (unsigned long)rsi, (unsigned long)rcx);
    else
        printk("%s: vector %u error %#lx as wanted\n", what, vec, (unsigned long)err);
}

static void want_bytes(const char *what, const volatile uint8_t *p, unsigned int n, uint8_t v)
{
    for (unsigned int i = 0; i < n; i++)
        if (p[i] != v) {
            test_fail("%s: byte %u is %#x, want %#x", what, i, p[i], v);
            return;
        }
}

static void set_latch(uint32_t v)
{
    pio_out(LATCH, 4, v, NULL);
}

static uint32_t latch(void)
{
    return pio_in(LATCH, 4, NULL);
}

/* LOW_VA: RW data page, LOW_HOLE unmapped, LOW_RO read-only (one new L1/L2/L3 under L4 slot 0). */
static bool map_low_pages(void)
{
    unsigned int idx[2] = { 0, 2 };
    uint64_t ent[2], data = pt_free_mfn(), ro = pt_free_mfn(), l1, l2, l3;

    if (!data || !ro || !pt_fill(data, idx, ent, 0) || !pt_fill(ro, idx, ent, 0))
        return false;
    ent[0] = (data << 12) | L1_FLAGS_RW | PTE_US;
    ent[1] = (ro << 12) | L1_FLAGS_RO | PTE_US;
    l1 = pt_new_table(idx, ent, 2);
    idx[0] = L2_IDX(LOW_VA), ent[0] = (l1 << 12) | LX_FLAGS;
    l2 = pt_new_table(idx, ent, 1);
    idx[0] = L3_IDX(LOW_VA), ent[0] = (l2 << 12) | LX_FLAGS;
    l3 = pt_new_table(idx, ent, 1);
    if (!l1 || !l2 || !l3)
        return false;
    return expect_rc(mmu_update1(pt_maddr(pt_l4, L4_IDX(LOW_VA)), (l3 << 12) | LX_FLAGS), 0,
                     "link the low L3 into L4 slot 0");
}

static void counts_and_sizes(void)
{
    struct sio s;
    uint64_t b = (uint64_t)buf;

    memset(buf, 0, sizeof(buf));
    s = (struct sio){ .rdi = b + 1, .rcx = 5 };
    RUN("rep insb", s, NOPORT, 0);
    want_regs("rep insb x5", &s, b + 6, 0, 0);
    want_bytes("rep insb x5", buf + 1, 5, 0xff);
    want_bytes("rep insb x5 (neighbours)", buf, 1, 0);
    want_bytes("rep insb x5 (neighbours)", buf + 6, 10, 0);

    memset(buf, 0, sizeof(buf));
    s = (struct sio){ .rdi = b + 16, .rcx = 3 };
    RUN("rep insw", s, NOPORT, 0);
    want_regs("rep insw x3", &s, b + 22, 0, 0);
    want_bytes("rep insw x3", buf + 16, 6, 0xff);
    want_bytes("rep insw x3 (after)", buf + 22, 2, 0);

    set_latch(0x8000abcc);
    memset(buf, 0, sizeof(buf));
    s = (struct sio){ .rdi = b + 8, .rcx = 4 };
    RUN("rep insl", s, LATCH, 0);
    want_regs("rep insl x4", &s, b + 24, 0, 0);
    for (unsigned int i = 0; i < 4; i++)
        if (((uint32_t *)(buf + 8))[i] != 0x8000abcc)
            test_fail("rep insl x4: element %u %#x, want the latch 0x8000abcc", i, ((uint32_t *)(buf + 8))[i]);

    s = (struct sio){ .rdi = b, .rcx = 0 };
    RUN("rep insb", s, NOPORT, 0);
    want_regs("rep insb x0", &s, b, 0, 0);

    s = (struct sio){ .rsi = (uint64_t)src, .rcx = 3 };
    RUN("rep outsl", s, LATCH, 0);
    want_regs("rep outsl x3", &s, 0, (uint64_t)src + 12, 0);
    if (latch() != src[2])
        test_fail("rep outsl x3: latch %#x, want the last element %#x", latch(), src[2]);

    s = (struct sio){ .rsi = (uint64_t)src, .rcx = 7 };
    RUN("outsl", s, LATCH, 0);                  /* no rep: one element, rcx untouched */
    want_regs("outsl (no rep)", &s, 0, (uint64_t)src + 4, 7);
    if (latch() != src[0])
        test_fail("outsl: latch %#x, want %#x", latch(), src[0]);

    s = (struct sio){ .rdi = b, .rcx = 9 };
    RUN("insb", s, NOPORT, 0);
    want_regs("insb (no rep)", &s, b + 1, 0, 9);

    s = (struct sio){ .rsi = (uint64_t)src, .rcx = 5 };
    RUN("rep outsb", s, NOPORT, 0);
    want_regs("rep outsb x5", &s, 0, (uint64_t)src + 5, 0);
    s = (struct sio){ .rsi = (uint64_t)src, .rcx = 2 };
    RUN("rep outsw", s, NOPORT, 0);
    want_regs("rep outsw x2", &s, 0, (uint64_t)src + 4, 0);
    s = (struct sio){ .rsi = (uint64_t)src, .rcx = 2 };
    RUN("rep; .byte 0x66, 0x6f", s, NOPORT, 0);     /* 0x66 after rep: still outsw */
    want_regs("rep data16 outs x2", &s, 0, (uint64_t)src + 4, 0);
}

static void direction_down(void)
{
    struct sio s;
    uint64_t b = (uint64_t)buf;

    set_latch(0x80001234);
    memset(buf, 0, sizeof(buf));
    s = (struct sio){ .rdi = b + 16, .rcx = 3 };   /* elements at +16, +12, +8 */
    RUN("rep insl", s, LATCH, 1);
    want_regs("DF=1 rep insl x3", &s, b + 4, 0, 0);
    for (unsigned int i = 2; i <= 4; i++)
        if (((uint32_t *)buf)[i] != 0x80001234)
            test_fail("DF=1 rep insl x3: dword %u %#x", i, ((uint32_t *)buf)[i]);
    if (((uint32_t *)buf)[1] || ((uint32_t *)buf)[5])
        test_fail("DF=1 rep insl x3 wrote outside +8..+19");

    s = (struct sio){ .rsi = (uint64_t)&src[4], .rcx = 5 };    /* src[4] first, src[0] last */
    RUN("rep outsl", s, LATCH, 1);
    want_regs("DF=1 rep outsl x5", &s, 0, (uint64_t)src - 4, 0);
    if (latch() != src[0])
        test_fail("DF=1 rep outsl x5: latch %#x, want the last (lowest) element %#x", latch(), src[0]);

    memset(buf, 0, sizeof(buf));
    s = (struct sio){ .rdi = b + 10, .rcx = 4 };
    RUN("rep insb", s, NOPORT, 1);
    want_regs("DF=1 rep insb x4", &s, b + 6, 0, 0);
    want_bytes("DF=1 rep insb x4", buf + 7, 4, 0xff);
    want_bytes("DF=1 rep insb x4 (below)", buf + 6, 1, 0);
}

static void addr32(void)
{
    volatile uint32_t *low = (volatile uint32_t *)LOW_VA;
    struct sio s;

    /* 0x67: EDI/ECX; the upper halves are ignored and written back zero. */
    set_latch(0x8000beec);
    low[4] = low[5] = low[6] = 0;
    s = (struct sio){ .rdi = 0xdead000000000000UL | (LOW_VA + 16), .rcx = 0x1234000000000002UL };
    RUN("addr32 rep insl", s, LATCH, 0);
    want_regs("addr32 rep insl x2", &s, LOW_VA + 24, 0, 0);
    if (low[4] != 0x8000beec || low[5] != 0x8000beec || low[6])
        test_fail("addr32 rep insl x2: %#x %#x %#x", low[4], low[5], low[6]);

    low[8] = 0x80000123;
    low[9] = 0x80000456;
    s = (struct sio){ .rsi = 0xffff000000000000UL | (LOW_VA + 32), .rcx = 0xffffffff00000002UL };
    RUN("addr32 rep outsl", s, LATCH, 0);
    want_regs("addr32 rep outsl x2", &s, 0, LOW_VA + 40, 0);
    if (latch() != 0x80000456)
        test_fail("addr32 rep outsl x2: latch %#x", latch());

    /* A zero ECX (upper half set): nothing moves; Xen zero-extends rcx. */
    s = (struct sio){ .rdi = LOW_VA, .rcx = 0x100000000UL };
    RUN("addr32 rep insb", s, NOPORT, 0);
    want_regs("addr32 rep insb, ecx 0", &s, LOW_VA, 0, 0);
}

static void overrides(void)
{
    volatile uint32_t *low = (volatile uint32_t *)LOW_VA;
    struct sio s;

    low[12] = 0x80000aa0;
    low[13] = 0x80000bb0;
    CHECK_RC(HC2(set_segment_base, SEGBASE_FS, LOW_VA), 0, "set_segment_base(FS, LOW_VA)");
    s = (struct sio){ .rsi = 48, .rcx = 2 };
    RUN("rep outsl %%fs:(%%rsi), %%dx", s, LATCH, 0);
    want_regs("rep outsl fs: x2", &s, 0, 56, 0);
    if (latch() != 0x80000bb0)
        test_fail("rep outsl fs: x2: latch %#x, want %#x (read at FS base + rsi)", latch(), 0x80000bb0);

    CHECK_RC(HC2(set_segment_base, SEGBASE_GS_KERNEL, LOW_VA + 40), 0, "set_segment_base(GS kernel)");
    s = (struct sio){ .rsi = 8, .rcx = 1 };
    RUN("rep outsl %%gs:(%%rsi), %%dx", s, LATCH, 0);
    want_regs("rep outsl gs: x1", &s, 0, 12, 0);
    if (latch() != 0x80000aa0)
        test_fail("rep outsl gs: x1: latch %#x, want %#x (read at GS base + rsi)", latch(), 0x80000aa0);

    /* ds/es/ss/cs have no base in 64-bit code. */
    s = (struct sio){ .rsi = (uint64_t)&src[1], .rcx = 1 };
    RUN("rep outsl %%es:(%%rsi), %%dx", s, LATCH, 0);
    want_regs("rep outsl es: x1", &s, 0, (uint64_t)&src[2], 0);
    if (latch() != src[1])
        test_fail("rep outsl es:: latch %#x, want %#x", latch(), src[1]);

    /* FS base + offset beyond the canonical range: #GP(0); through SS: #SS(0). */
    CHECK_RC(HC2(set_segment_base, SEGBASE_FS, 0x00007ffffffff000UL), 0, "set_segment_base(FS, top of the lower half)");
    s = (struct sio){ .rsi = 0x2000, .rcx = 1 };
    RUN("rep outsb %%fs:(%%rsi), %%dx", s, NOPORT, 0);
    want_fault("rep outsb fs: non-canonical", &s, TRAP_gp_fault, 0, 0, 0, 0x2000, 1);
    s = (struct sio){ .rsi = 0x0000800000000000UL, .rcx = 1 };
    RUN("rep outsb %%ss:(%%rsi), %%dx", s, NOPORT, 0);
    want_fault("rep outsb ss: non-canonical", &s, 12, 0, 0, 0, 0x0000800000000000UL, 1);
    CHECK_RC(HC2(set_segment_base, SEGBASE_FS, 0), 0, "set_segment_base(FS, 0)");
    CHECK_RC(HC2(set_segment_base, SEGBASE_GS_KERNEL, 0), 0, "set_segment_base(GS kernel, 0)");
}

static void faults(void)
{
    volatile uint8_t *low = (volatile uint8_t *)LOW_VA;
    struct sio s;

    /* Progress up to the hole: 4 bytes done, CR2 = the hole, rcx 6 left. */
    for (unsigned int i = 0xff8; i < 0x1000; i++)
        low[i] = 0;
    s = (struct sio){ .rdi = LOW_VA + 0xffc, .rcx = 10 };
    RUN("rep insb", s, NOPORT, 0);
    want_fault("rep insb into a hole", &s, TRAP_page_fault, PFEC_write, LOW_HOLE, LOW_HOLE, 0, 6);
    want_bytes("rep insb into a hole (done part)", low + 0xffc, 4, 0xff);
    want_bytes("rep insb into a hole (before)", low + 0xff8, 4, 0);

    /* An element across the page end: nothing of it, CR2 = the first missing byte. */
    s = (struct sio){ .rdi = LOW_VA + 0xffe, .rcx = 2 };
    low[0xffe] = low[0xfff] = 0;
    RUN("rep insl", s, LATCH, 0);
    want_fault("rep insl across into a hole", &s, TRAP_page_fault, PFEC_write, LOW_HOLE, LOW_VA + 0xffe, 0, 2);
    want_bytes("rep insl across into a hole (nothing written)", low + 0xffe, 2, 0);

    /* DF=1 down from the read-only page into the data page: the first element faults. */
    s = (struct sio){ .rdi = LOW_RO + 1, .rcx = 3 };
    RUN("rep insb", s, NOPORT, 1);
    want_fault("rep insb into a read-only page", &s, TRAP_page_fault, PFEC_present | PFEC_write, LOW_RO + 1,
               LOW_RO + 1, 0, 3);
    s = (struct sio){ .rdi = LOW_RO, .rcx = 1 };
    RUN("insb", s, NOPORT, 0);
    want_fault("insb into a read-only page", &s, TRAP_page_fault, PFEC_present | PFEC_write, LOW_RO, LOW_RO, 0, 1);

    /* A source in the hole: a read fault (no P, no W); the read-only page reads fine. */
    s = (struct sio){ .rsi = LOW_VA + 0xffe, .rcx = 4 };
    RUN("rep outsb", s, NOPORT, 0);
    want_fault("rep outsb from a hole", &s, TRAP_page_fault, 0, LOW_HOLE, 0, LOW_HOLE, 2);
    s = (struct sio){ .rsi = LOW_RO, .rcx = 4 };
    RUN("rep outsb", s, NOPORT, 0);
    want_regs("rep outsb from a read-only page", &s, 0, LOW_RO + 4, 0);

    /* Non-canonical and hypervisor-range destinations: #GP(0), nothing done. */
    s = (struct sio){ .rdi = 0x0000800000000000UL, .rcx = 2 };
    RUN("rep insb", s, NOPORT, 0);
    want_fault("rep insb to a non-canonical address", &s, TRAP_gp_fault, 0, 0, 0x0000800000000000UL, 0, 2);
    s = (struct sio){ .rdi = 0x00007fffffffffffUL, .rcx = 1 };
    RUN("insw", s, NOPORT, 0);
    want_fault("insw across the canonical end", &s, TRAP_gp_fault, 0, 0, 0x00007fffffffffffUL, 0, 1);
    s = (struct sio){ .rsi = 0xffff800000001000UL, .rcx = 1 };
    RUN("rep outsb", s, NOPORT, 0);
    want_fault("rep outsb from the hypervisor's range", &s, TRAP_gp_fault, 0, 0, 0, 0xffff800000001000UL, 1);
}

static uint8_t bitmap[8192 + 1];

static void permission(void)
{
    struct physdev_set_iobitmap bm = { .bitmap = (uint64_t)bitmap, .nr_ports = 65536 };
    uint64_t b = (uint64_t)buf;
    struct sio s;

    CHECK_RC(pcicfg_set_iopl(0), 0, "set_iopl 0");
    memset(buf, 0, sizeof(buf));
    s = (struct sio){ .rdi = b, .rcx = 4 };
    RUN("rep insb", s, NOPORT, 0);
    want_fault("rep insb, IOPL 0, no bitmap", &s, TRAP_gp_fault, 0, 0, b, 0, 4);
    want_bytes("rep insb, IOPL 0 (nothing written)", buf, 4, 0);
    s = (struct sio){ .rdi = b, .rcx = 0 };
    RUN("rep insb", s, NOPORT, 0);
    want_fault("rep insb x0, IOPL 0 (the check comes first)", &s, TRAP_gp_fault, 0, 0, b, 0, 0);
    s = (struct sio){ .rsi = (uint64_t)src, .rcx = 2 };
    RUN("rep outsl", s, LATCH, 0);
    want_fault("rep outsl, IOPL 0, no bitmap", &s, TRAP_gp_fault, 0, 0, 0, (uint64_t)src, 2);

    memset(bitmap, 0xff, sizeof(bitmap));
    bitmap[NOPORT >> 3] &= ~(1U << (NOPORT & 7));     /* port 0x80 only */
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_set_iobitmap, &bm), 0, "set_iobitmap (port 0x80)");
    s = (struct sio){ .rdi = b, .rcx = 3 };
    RUN("rep insb", s, NOPORT, 0);
    want_regs("rep insb x3, bitmap allows 0x80", &s, b + 3, 0, 0);
    s = (struct sio){ .rdi = b, .rcx = 3 };
    RUN("rep insw", s, NOPORT, 0);
    want_fault("rep insw, 0x81 denied by the bitmap", &s, TRAP_gp_fault, 0, 0, b, 0, 3);
    bm.nr_ports = 0;
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_set_iobitmap, &bm), 0, "set_iobitmap nr_ports 0");
    CHECK_RC(pcicfg_set_iopl(1), 0, "set_iopl 1");
}

#define BIG_DWORDS (2U << 20 >> 2)      /* 2 MiB of insl */
static uint32_t big[BIG_DWORDS];
extern const char big_insn[];

static void preemption(void)
{
    uint32_t port;
    uint64_t t0, rcx = BIG_DWORDS, rdi = (uint64_t)big;
    unsigned long before;

    set_latch(0x8000f00c);
    CHECK_RC(evt_register_callback(), 0, "register the event callback");
    CHECK_RC(evt_bind_virq(VIRQ_TIMER, &port), 0, "bind VIRQ_TIMER");
    CHECK_RC(evt_unmask(port), 0, "unmask the timer port");
    before = upcalls.port_hits[port];
    evt_events_on();
    t0 = evt_now();
    CHECK_RC(evt_set_timer(t0 + 20000000), 0, "timer in 20 ms");
    __asm__ __volatile__(".globl big_insn\nbig_insn: rep insl" : "+D"(rdi), "+c"(rcx) : "d"(LATCH) : "memory");
    evt_events_off();
    printk("rep insl x%u: %lu ms, %lu timer upcalls, the last at rip %#lx (the instruction: %#lx)\n", BIG_DWORDS,
           (unsigned long)((evt_now() - t0) / 1000000), upcalls.port_hits[port] - before, (unsigned long)upcalls.rip,
           (unsigned long)big_insn);
    if (rcx || rdi != (uint64_t)&big[BIG_DWORDS])
        test_fail("huge rep insl: rcx %#lx rdi %#lx at the end", (unsigned long)rcx, (unsigned long)rdi);
    if (big[0] != 0x8000f00c || big[BIG_DWORDS / 2] != 0x8000f00c || big[BIG_DWORDS - 1] != 0x8000f00c)
        test_fail("huge rep insl: data %#x %#x %#x", big[0], big[BIG_DWORDS / 2], big[BIG_DWORDS - 1]);
    if (upcalls.port_hits[port] == before)
        test_fail("huge rep insl: the timer event never came");
    else if (upcalls.rip != (uint64_t)big_insn)
        test_fail("huge rep insl: the timer event came at rip %#lx, not inside the instruction (%#lx): "
                  "the hypervisor held the CPU", (unsigned long)upcalls.rip, (unsigned long)big_insn);
}

static void single_step(void)
{
    unsigned long before;
    uint64_t rcx = 3, rdi = (uint64_t)buf;

    /*
     * TF: one element per step, as the processor: #DB after each element,
     * with rip still on the instruction until the last, then one #DB per
     * instruction (pushf, and, popf): 6 in all.
     */
    CHECK_RC(traps_set(1, 0), 0, "install #DB");
    before = last_trap.count;
    __asm__ __volatile__("pushf\n\torq $0x100, (%%rsp)\n\tpopf\n"
                         "31:\trep insb\n"
                         "32:\tpushf\n"
                         "33:\tandq $~0x100, (%%rsp)\n"
                         "34:\tpopf\n"
                         "35:\n"
                         ASM_EXTABLE(31b, 31b) ASM_EXTABLE(32b, 32b) ASM_EXTABLE(33b, 33b)
                         ASM_EXTABLE(34b, 34b) ASM_EXTABLE(35b, 35b)
                         : "+D"(rdi), "+c"(rcx) : "d"(NOPORT) : "memory", "cc");
    if (rcx || rdi != (uint64_t)buf + 3)
        test_fail("TF rep insb x3: rcx %lu rdi %#lx", (unsigned long)rcx, (unsigned long)rdi);
    if (last_trap.count - before != 6 || last_trap.vector != 1)
        test_fail("TF rep insb x3: %lu traps (last vector %u), want 6 #DB", last_trap.count - before,
                  last_trap.vector);
    else
        printk("TF rep insb x3: 6 #DB (3 elements, 3 instructions)\n");
}

void test_main(void)
{
    if (!pt_init() || !map_low_pages())
        return;
    evt_map_shared_info();
    CHECK_RC(traps_set_exceptions(), 0, "set_trap_table(exceptions)");
    CHECK_RC(pcicfg_set_iopl(1), 0, "set_iopl 1");
    counts_and_sizes();
    direction_down();
    addr32();
    overrides();
    faults();
    permission();
    single_step();
    preemption();
    printk("io_string: checks done\n");
    test_success();
}
