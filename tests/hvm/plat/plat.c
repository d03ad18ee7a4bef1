/*
 * The HVM platform test guest (docs/hvm.md "Tests"): a small freestanding
 * long-mode kernel entered by Multiboot (head.S) that checks the virtual
 * platform from the inside and prints on the 16550 UART. Its command line
 * picks what it does:
 *   mode=checks     Multiboot information, CPUID leaves, TSC, every MMIO
 *                   instruction form the decoder takes, prefixed CPUID/RDMSR/
 *                   HLT/VMMCALL, the APIC (ID, version, APIC_BASE, SVR, timer
 *                   one-shot and periodic, self IPIs, ISR/EOI, TPR/PPR masking,
 *                   priority order, CR8), the UART's registers, string I/O
 *                   (REP OUTSB/INSB/INSL, forwards and backwards); then powers
 *                   off through port 0xf4 (0)
 *   mode=echo       echoes UART input by lines until Ctrl-D, then powers off
 *   mode=hole       reads guest-physical 0xfed00000 (no device there): killed
 *   mode=badinsn    ADD to an APIC register (not a MOV): killed, bytes named
 *   mode=wide       an 8-byte read of an APIC register: killed
 *   mode=apicmove   moves the APIC with IA32_APIC_BASE: killed
 *   mode=flood      a 100 us periodic APIC timer and exits in a loop for ever
 *                   (the control domain destroys it)
 *   mode=crash      writes 1 to port 0xf4: crashed
 *   mode=insbad     REP INSB into an address its page tables do not map: killed
 * Every failed check prints "plat: FAIL ..." and crashes the domain (0xf4 <- 1).
 */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdarg.h>

#define APIC            0xfee00000UL
#define APIC_ID         0x020
#define APIC_VER        0x030
#define APIC_TPR        0x080
#define APIC_PPR        0x0a0
#define APIC_EOI        0x0b0
#define APIC_SVR        0x0f0
#define APIC_ISR        0x100
#define APIC_IRR        0x200
#define APIC_ESR        0x280
#define APIC_ICR        0x300
#define APIC_LVTT       0x320
#define APIC_TMICT      0x380
#define APIC_TMCCT      0x390
#define APIC_TDCR       0x3e0
#define LVT_MASKED      (1u << 16)
#define LVT_PERIODIC    (1u << 17)
#define ICR_SELF        (1u << 18)

#define UART            0x3f8
#define V_TIMER         0x40
#define V_IPI           0x41
#define V_LOW           0x45
#define V_MID           0x50
#define V_HIGH          0x61

extern uint32_t mb_magic, mb_info;
extern uint64_t tsc_entry;
extern char apic_alias[];
extern char isr_13[], isr_0x40[], isr_0x41[], isr_0x45[], isr_0x50[], isr_0x61[], isr_0xff[];

struct frame {
    uint64_t r11, r10, r9, r8, rdi, rsi, rdx, rcx, rax, vec, err, rip, cs, rflags, rsp, ss;
};

static volatile uint64_t ticks, gp_count, gp_skip, ipi_count;
static volatile uint32_t isr_seen;              /* ISR word 2 as the IPI handler saw it */
static volatile int order[8];
static volatile unsigned int norder;
static struct { uint16_t lo, sel; uint8_t ist, type; uint16_t mid; uint32_t hi, zero; } idt[256]
    __attribute__((aligned(16)));

/* ---- ports, MSRs, CPUID ---- */
static inline void outb(uint16_t port, uint8_t v) { __asm__ volatile("outb %0, %1" :: "a"(v), "Nd"(port)); }
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" :: "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)) : "memory");
}
static inline void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

/*
 * ---- the APIC: one 32-bit MOV each way, in asm so the compiler cannot fold an access into a
 * CMP or TEST (the decoder takes MOV and MOVZX only, as the native kernel's accessors are) ----
 */
static inline uint32_t mmio_read32(const volatile void *p)
{
    uint32_t v;
    __asm__ volatile("movl %1, %0" : "=r"(v) : "m"(*(const volatile uint32_t *)p));
    return v;
}
static inline uint32_t apic_read(uint32_t reg)
{
    return mmio_read32((const volatile void *)(APIC + reg));
}
static inline void apic_write(uint32_t reg, uint32_t v)
{
    __asm__ volatile("movl %1, %0" : "=m"(*(volatile uint32_t *)(APIC + reg)) : "r"(v) : "memory");
}

/* ---- output on the UART ---- */
static void putc_uart(char c)
{
    while (!(inb(UART + 5) & 0x20))
        ;
    outb(UART, (uint8_t)c);
}

static void put_num(uint64_t v, unsigned int base, int width)
{
    char buf[24];
    int n = 0;

    do {
        buf[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    while (n < width)
        buf[n++] = '0';
    while (n)
        putc_uart(buf[--n]);
}

/* %s %u %lu %x %lx %c: enough for these lines. */
static void print(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        bool l = false;
        if (*fmt != '%') {
            putc_uart(*fmt);
            continue;
        }
        if (*++fmt == 'l') {
            l = true;
            fmt++;
        }
        switch (*fmt) {
        case 's': for (const char *s = va_arg(ap, const char *); *s; s++) putc_uart(*s); break;
        case 'c': putc_uart((char)va_arg(ap, int)); break;
        case 'u': put_num(l ? va_arg(ap, uint64_t) : va_arg(ap, uint32_t), 10, 1); break;
        case 'x': put_num(l ? va_arg(ap, uint64_t) : va_arg(ap, uint32_t), 16, 1); break;
        default: putc_uart('%'); putc_uart(*fmt); break;
        }
    }
    va_end(ap);
}

static __attribute__((noreturn)) void die(void)
{
    outb(0xf4, 1);
    for (;;)
        __asm__ volatile("cli; hlt");
}

#define CHECK(cond, ...) do { if (!(cond)) { print("plat: FAIL line %u: ", __LINE__); \
                                             print(__VA_ARGS__); print("\n"); die(); } } while (0)

static bool str_has(const char *s, const char *w)
{
    for (; *s; s++) {
        const char *a = s, *b = w;
        while (*b && *a == *b)
            a++, b++;
        if (!*b)
            return true;
    }
    return false;
}

/* ---- interrupts ---- */
void plat_isr(struct frame *f);
void plat_isr(struct frame *f)
{
    switch (f->vec) {
    case 13:
        gp_count++;
        f->rip += gp_skip;          /* past the instruction that faulted */
        return;
    case V_TIMER:
        ticks++;
        break;
    case V_IPI:
        isr_seen = apic_read(APIC_ISR + 0x20);
        ipi_count++;
        break;
    case 0xff:
        return;                     /* spurious: no EOI */
    default:
        if (norder < 8)
            order[norder++] = (int)f->vec;
        break;
    }
    apic_write(APIC_EOI, 0);
}

static void set_gate(unsigned int vec, void *h)
{
    uint64_t a = (uint64_t)h;

    idt[vec].lo = (uint16_t)a;
    idt[vec].sel = 0x08;
    idt[vec].type = 0x8e;
    idt[vec].mid = (uint16_t)(a >> 16);
    idt[vec].hi = (uint32_t)(a >> 32);
}

static void idt_init(void)
{
    struct __attribute__((packed)) { uint16_t limit; uint64_t base; } p = { sizeof(idt) - 1, (uint64_t)idt };

    set_gate(13, isr_13);
    set_gate(V_TIMER, isr_0x40);
    set_gate(V_IPI, isr_0x41);
    set_gate(V_LOW, isr_0x45);
    set_gate(V_MID, isr_0x50);
    set_gate(V_HIGH, isr_0x61);
    set_gate(0xff, isr_0xff);
    __asm__ volatile("lidt %0" :: "m"(p));
}

/* Wait with HLT (interrupts on) until *what reaches n. */
static void wait_for(volatile uint64_t *what, uint64_t n)
{
    while (*what < n)
        __asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* ---- the checks ---- */
struct mb_info { uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
                 uint32_t syms[4], mmap_length, mmap_addr; };
struct __attribute__((packed)) mb_mmap { uint32_t size; uint64_t addr, len; uint32_t type; };

static const char *check_multiboot(void)
{
    const struct mb_info *mi = (const struct mb_info *)(uintptr_t)mb_info;
    unsigned int n = 0;
    bool high = false;

    CHECK(mb_magic == 0x2badb002, "boot magic %x", mb_magic);
    CHECK((mi->flags & 0x45) == 0x45, "Multiboot flags %x (want MEM, CMDLINE, MMAP)", mi->flags);
    for (uint32_t off = 0; off < mi->mmap_length; n++) {
        const struct mb_mmap *m = (const struct mb_mmap *)(uintptr_t)(mi->mmap_addr + off);
        if (m->type == 1 && m->addr == 0x100000 && m->len == (uint64_t)mi->mem_upper << 10)
            high = true;
        off += m->size + 4;
    }
    CHECK(high && mi->mem_lower == 639, "memory map: no RAM at 1 MiB of mem_upper %u KiB", mi->mem_upper);
    print("plat: multiboot: mem_lower %u KiB, mem_upper %u KiB, %u map entries, command line '%s'\n",
          mi->mem_lower, mi->mem_upper, n, (const char *)(uintptr_t)mi->cmdline);
    return (const char *)(uintptr_t)mi->cmdline;
}

static void check_cpuid(void)
{
    uint32_t a, b, c, d;

    cpuid(1, &a, &b, &c, &d);
    CHECK(d & (1u << 9), "CPUID 1 EDX has no APIC");
    CHECK(!(c & (1u << 21)) && !(c & (1u << 24)), "CPUID 1 ECX offers x2APIC or TSC-deadline (%x)", c);
    cpuid(0x40000000, &a, &b, &c, &d);
    CHECK(a >= 0x40000010, "CPUID 0x40000000 max %x", a);
    cpuid(0x40000010, &a, &b, &c, &d);
    CHECK(a != 0 && b == 1000000, "CPUID 0x40000010: TSC %u kHz, APIC %u kHz", a, b);
    print("plat: cpuid: APIC, no x2APIC, no TSC-deadline; leaf 0x40000010: TSC %u kHz, APIC timer %u kHz\n",
          a, b);
}

/* Intercepted instructions with redundant prefixes: each must resume right after itself. */
static void check_prefixed(void)
{
    uint32_t a = 0x40000000, b, c = 0, d;
    uint32_t lo, hi;
    uint64_t t;

    /* 66 2e 0f a2: stepping only 2 bytes would run CPUID again with eax = 0x40000010 */
    __asm__ volatile(".byte 0x66, 0x2e, 0x0f, 0xa2" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    CHECK(a == 0x40000010, "prefixed CPUID: eax %x", a);
    /* 3e 48 0f 32: RDMSR APIC_BASE with DS and REX.W */
    __asm__ volatile(".byte 0x3e, 0x48, 0x0f, 0x32" : "=a"(lo), "=d"(hi) : "c"(0x1b));
    CHECK(lo == 0xfee00900 && hi == 0, "prefixed RDMSR: %x:%x", hi, lo);
    /* 2e 66 0f 30: WRMSR of the same APIC_BASE */
    __asm__ volatile(".byte 0x2e, 0x66, 0x0f, 0x30" :: "a"(lo), "d"(hi), "c"(0x1b));
    /* 3e 0f 01 d9: VMMCALL 99 -> -ENOSYS */
    t = 99;
    __asm__ volatile(".byte 0x3e, 0x0f, 0x01, 0xd9" : "+a"(t) :: "memory");
    CHECK(t == (uint64_t)-38, "prefixed VMMCALL: rax %lx", t);
    /* 3e f4: HLT until the one-shot APIC timer (armed here) */
    apic_write(APIC_TDCR, 0xb);
    apic_write(APIC_LVTT, V_TIMER);
    t = ticks;
    apic_write(APIC_TMICT, 500000);
    __asm__ volatile("sti; .byte 0x3e, 0xf4; cli" ::: "memory");
    while (ticks == t)
        __asm__ volatile("sti; hlt; cli" ::: "memory");
    print("plat: prefixed CPUID, RDMSR, WRMSR, VMMCALL and HLT stepped over whole\n");
}

static void check_tsc(void)
{
    uint64_t t0 = rdtsc(), m = rdmsr(0x10), t1 = rdtsc();

    CHECK(tsc_entry < (1ULL << 40), "TSC at entry %lx: not near 0", tsc_entry);
    CHECK(t0 > tsc_entry && t0 <= m && m <= t1, "TSC %lx, MSR %lx, TSC %lx", t0, m, t1);
    wrmsr(0x10, 1ULL << 44);
    t0 = rdtsc();
    CHECK(t0 >= (1ULL << 44) && t0 < (1ULL << 44) + (1ULL << 40), "TSC after WRMSR %lx", t0);
    print("plat: tsc: started near 0 (%lu), RDMSR between RDTSCs, WRMSR moves it\n", tsc_entry);
}

/* Every MOV/MOVZX form on an APIC register (the timer's initial count, timer masked). */
static void check_mmio_forms(void)
{
    volatile uint32_t *ticr = (volatile uint32_t *)(APIC + APIC_TMICT);
    uint64_t r, base = APIC, idx = APIC_TMICT / 4;
    uint32_t v;

    apic_write(APIC_LVTT, LVT_MASKED | V_TIMER);
    /* C7 imm32, then 8B */
    __asm__ volatile("movl $0x12345678, (%0)" :: "r"(ticr) : "memory");
    CHECK(mmio_read32(ticr) == 0x12345678, "C7/8B: %x", mmio_read32(ticr));
    /* 89 with REX.R (r9d), disp8 */
    __asm__ volatile("mov $0xa1b2c3d4, %%r9d; mov %%r9d, 0x10(%0)" :: "r"(APIC + APIC_TMICT - 0x10)
                     : "r9", "memory");
    /* 8B into a 64-bit register's low half: the upper half is zeroed */
    r = ~0ULL;
    __asm__ volatile("mov (%1), %k0" : "+r"(r) : "r"(ticr));
    CHECK(r == 0xa1b2c3d4, "89 REX.R / 8B zero-extension: %lx", r);
    /* SIB with index*4, no displacement; 8B with REX.R|B into r10d */
    __asm__ volatile("movl $0x0badf00d, (%0,%1,4)" :: "r"(base), "r"(idx) : "memory");
    __asm__ volatile("mov (%1,%2,4), %%r10d; mov %%r10, %0" : "=r"(r) : "r"(base), "r"(idx) : "r10");
    CHECK(r == 0x0badf00d, "SIB: %lx", r);
    /* disp32 off a base */
    __asm__ volatile("movl $0x11223344, 0x380(%0)" :: "r"(base) : "memory");
    CHECK(mmio_read32(ticr) == 0x11223344, "disp32: %x", mmio_read32(ticr));
    /* RIP-relative, through the alias at 1 GiB, both ways */
    __asm__ volatile("movl $0x55667788, apic_alias+0x380(%%rip)" ::: "memory");
    __asm__ volatile("mov apic_alias+0x380(%%rip), %0" : "=r"(v));
    CHECK(v == 0x55667788, "RIP-relative: %x", v);
    /* 66 C7 imm16 merges the low half; 0F B7 and 0F B6 (with REX.W) zero-extend */
    __asm__ volatile("movw $0xbeef, (%0)" :: "r"(ticr) : "memory");
    __asm__ volatile("movzwl (%1), %0" : "=r"(v) : "r"(ticr));
    CHECK(v == 0xbeef && mmio_read32(ticr) == 0x5566beef, "66 C7 / 0F B7: %x, %x", v, mmio_read32(ticr));
    r = ~0ULL;
    __asm__ volatile("movzbq 1(%1), %0" : "=r"(r) : "r"(ticr));
    CHECK(r == 0xbe, "REX.W 0F B6: %lx", r);
    /* 8A into AH (no REX), 88 from SIL (REX), C6 imm8, segment override FS */
    r = 0x1111;
    __asm__ volatile("mov 2(%1), %%ah" : "+a"(r) : "b"(ticr));
    CHECK(r == 0x6611, "8A AH: %lx", r);
    __asm__ volatile("mov $0x99, %%esi; mov %%sil, 3(%0)" :: "r"(ticr) : "rsi", "memory");
    __asm__ volatile("movb $0x42, (%0)" :: "r"(ticr) : "memory");
    __asm__ volatile("mov %%fs:(%1), %0" : "=r"(v) : "r"(ticr));
    CHECK(v == 0x9966be42, "88 SIL / C6 / FS override: %x", v);
    /* 66 89 from a 16-bit register, 66 8B back */
    __asm__ volatile("mov $0x7777, %%dx; mov %%dx, 2(%0)" :: "r"(ticr) : "rdx", "memory");
    r = ~0ULL;
    __asm__ volatile("mov 2(%1), %w0" : "+r"(r) : "r"(ticr));
    CHECK(r == 0xffffffffffff7777, "66 89 / 66 8B: %lx", r);
    /* A3 and A1: eAX to and from an absolute moffs64 */
    __asm__ volatile("mov $0x31415926, %%eax; movabs %%eax, 0xfee00380" ::: "rax", "memory");
    __asm__ volatile("movabs 0xfee00380, %%eax" : "=a"(v));
    CHECK(v == 0x31415926, "A3/A1 moffs: %x", v);
    apic_write(APIC_TMICT, 0);
    print("plat: mmio: C7 89 8B 88 8A C6 A1 A3 66 0F-B6 0F-B7, REX.R/B/W, SIB, disp8/32, RIP-relative, FS: all decoded\n");
}

static void check_apic(void)
{
    uint64_t base = rdmsr(0x1b), t;
    uint32_t c1, c2;

    CHECK(base == 0xfee00900, "APIC_BASE %lx", base);
    wrmsr(0x1b, base);                      /* the same value: accepted */
    gp_skip = 2;
    gp_count = 0;
    wrmsr(0x1b, base | (1u << 10));         /* x2APIC: not offered, #GP */
    CHECK(gp_count == 1, "x2APIC enable gave no #GP");
    CHECK(apic_read(APIC_ID) == 0, "APIC ID %x", apic_read(APIC_ID));
    CHECK((apic_read(APIC_VER) & 0xff) == 0x14 && ((apic_read(APIC_VER) >> 16) & 0xff) == 5,
          "APIC version %x", apic_read(APIC_VER));
    apic_write(APIC_SVR, 0x1ff);            /* enabled, spurious vector 0xff */
    CHECK(apic_read(APIC_SVR) == 0x1ff, "SVR %x", apic_read(APIC_SVR));
    print("plat: apic: APIC_BASE %lx, same value accepted, x2APIC #GP, ID 0, version 0x14, SVR enabled\n", base);

    /* one-shot: 50 ms, counting down, then the count reads 0 */
    apic_write(APIC_TDCR, 0xb);             /* divide by 1 */
    apic_write(APIC_LVTT, V_TIMER);
    t = ticks;
    apic_write(APIC_TMICT, 50000000);
    c1 = apic_read(APIC_TMCCT);
    CHECK(c1 <= 50000000 && ticks == t, "one-shot current count %u", c1);
    wait_for(&ticks, t + 1);
    CHECK(apic_read(APIC_TMCCT) == 0, "one-shot count after expiry %u", apic_read(APIC_TMCCT));
    CHECK(apic_read(APIC_ISR + 0x20) == 0, "ISR after EOI %x", apic_read(APIC_ISR + 0x20));
    print("plat: apic timer: one-shot fired once, count 0 after, ISR clear after EOI\n");

    /* periodic: 1 ms with divide 16, five ticks */
    apic_write(APIC_TDCR, 0x3);             /* divide by 16 */
    apic_write(APIC_LVTT, V_TIMER | LVT_PERIODIC);
    t = ticks;
    apic_write(APIC_TMICT, 62500);
    wait_for(&ticks, t + 5);
    c2 = apic_read(APIC_TMCCT);
    CHECK(c2 <= 62500 && apic_read(APIC_TMICT) == 62500, "periodic current count %u", c2);
    apic_write(APIC_LVTT, LVT_MASKED | V_TIMER);
    apic_write(APIC_TMICT, 0);
    print("plat: apic timer: periodic ticked 5 times, count reloads\n");

    /* a self IPI: ISR has its bit while the handler runs, EOI clears it */
    apic_write(APIC_ICR, ICR_SELF | V_IPI);
    __asm__ volatile("sti; nop; nop; cli" ::: "memory");
    CHECK(ipi_count == 1, "self IPI taken %lu times", ipi_count);
    CHECK(isr_seen == (1u << (V_IPI - 64)), "ISR in the handler %x", isr_seen);
    CHECK(apic_read(APIC_ISR + 0x20) == 0, "ISR after EOI %x", apic_read(APIC_ISR + 0x20));
    print("plat: apic: self IPI delivered, in ISR during its handler, cleared by EOI\n");

    /* TPR: 0x50 holds back classes <= 5, a higher one goes through */
    apic_write(APIC_TPR, 0x50);
    apic_write(APIC_ICR, ICR_SELF | V_LOW);
    apic_write(APIC_ICR, ICR_SELF | V_MID);
    apic_write(APIC_ICR, ICR_SELF | V_HIGH);
    __asm__ volatile("sti; nop; nop; cli" ::: "memory");
    CHECK(norder == 1 && order[0] == V_HIGH, "with TPR 0x50: %u taken, first %x", norder, order[0]);
    CHECK(apic_read(APIC_IRR + 0x20) == ((1u << (V_LOW - 64)) | (1u << (V_MID - 80 + 16))),
          "IRR with TPR 0x50: %x", apic_read(APIC_IRR + 0x20));
    CHECK(apic_read(APIC_PPR) == 0x50, "PPR %x", apic_read(APIC_PPR));
    /* CR8 is the TPR's class: lowering it to 4 lets 0x50 through but not 0x45 */
    __asm__ volatile("mov %0, %%cr8" :: "r"(4UL));
    CHECK(apic_read(APIC_TPR) == 0x40, "TPR after CR8 4: %x", apic_read(APIC_TPR));
    __asm__ volatile("sti; nop; nop; cli" ::: "memory");
    CHECK(norder == 2 && order[1] == V_MID, "with CR8 4: %u taken", norder);
    apic_write(APIC_TPR, 0);
    __asm__ volatile("mov %%cr8, %0" : "=r"(t));
    CHECK(t == 0, "CR8 after TPR 0: %lu", t);
    __asm__ volatile("sti; nop; nop; cli" ::: "memory");
    CHECK(norder == 3 && order[2] == V_LOW, "with TPR 0: %u taken", norder);
    /* two at once go highest first */
    norder = 0;
    apic_write(APIC_ICR, ICR_SELF | V_LOW);
    apic_write(APIC_ICR, ICR_SELF | V_HIGH);
    __asm__ volatile("sti; nop; nop; cli" ::: "memory");
    CHECK(norder == 2 && order[0] == V_HIGH && order[1] == V_LOW, "priority order %x %x", order[0], order[1]);
    CHECK(apic_read(APIC_ESR) == 0, "ESR %x", apic_read(APIC_ESR));
    print("plat: apic: TPR and CR8 mask by class, PPR, highest vector first\n");
}

static void check_uart(void)
{
    CHECK((inb(UART + 5) & 0x60) == 0x60, "LSR %x", inb(UART + 5));
    CHECK((inb(UART + 2) & 0x0f) == 0x01, "IIR %x", inb(UART + 2));
    outb(UART + 2, 0x07);                   /* FIFOs on */
    CHECK((inb(UART + 2) & 0xc0) == 0xc0, "IIR with FIFOs %x", inb(UART + 2));
    outb(UART + 3, 0x80);                   /* DLAB */
    outb(UART, 0x01);
    outb(UART + 1, 0x00);
    CHECK(inb(UART) == 0x01 && inb(UART + 1) == 0x00, "divisor latch");
    outb(UART + 3, 0x03);                   /* 8N1 */
    CHECK(inb(UART + 3) == 0x03, "LCR %x", inb(UART + 3));
    outb(UART + 7, 0x5a);
    CHECK(inb(UART + 7) == 0x5a, "SCR %x", inb(UART + 7));
    CHECK(!(inb(UART + 5) & 0x01), "LSR says input is waiting, none was typed");
    print("plat: uart: LSR THRE|TEMT, IIR, FIFO, divisor latch, LCR, scratch\n");
}

/* The CMOS clock (hypervisor/arch/x86/hvm/vrtc.c): the hypervisor's wall clock, not settable. */
static uint8_t cmos(uint8_t reg)
{
    outb(0x70, (uint8_t)(0x80 | reg));
    return inb(0x71);
}

static bool bcd_ok(uint8_t v, unsigned int lo, unsigned int hi)
{
    unsigned int b = (v >> 4) * 10 + (v & 0x0f);

    return (v & 0x0f) <= 9 && (v >> 4) <= 9 && b >= lo && b <= hi;
}

static void check_rtc(void)
{
    uint8_t sec, min, hour, day, mon, year, cent, bin;
    uint16_t w;

    CHECK(cmos(0x0a) == 0x26, "status A %x", cmos(0x0a));
    CHECK(cmos(0x0b) == 0x02, "status B %x (want BCD, 24-hour)", cmos(0x0b));
    CHECK(cmos(0x0d) == 0x80, "status D %x", cmos(0x0d));
    sec = cmos(0); min = cmos(2); hour = cmos(4); day = cmos(7); mon = cmos(8); year = cmos(9); cent = cmos(0x32);
    CHECK(bcd_ok(sec, 0, 59) && bcd_ok(min, 0, 59) && bcd_ok(hour, 0, 23) && bcd_ok(day, 1, 31) &&
          bcd_ok(mon, 1, 12) && bcd_ok(year, 0, 99) && cent == 0x20 && year >= 0x24,
          "time %x:%x:%x %x.%x.%x%x", hour, min, sec, day, mon, cent, year);
    CHECK(bcd_ok(cmos(6), 1, 7), "weekday %x", cmos(6));
    /* Not settable: a write to the seconds is ignored (a valid BCD value reads back). */
    outb(0x70, 0);
    outb(0x71, 0x99);
    CHECK(bcd_ok(cmos(0), 0, 59), "seconds %x after writing 0x99", cmos(0));
    /* Binary mode, then back. */
    outb(0x70, 0x0b);
    outb(0x71, 0x06);
    bin = cmos(8);
    CHECK(bin >= 1 && bin <= 12 && bin == (mon >> 4) * 10 + (mon & 0x0f), "binary month %u (BCD %x)", bin, mon);
    outb(0x70, 0x0b);
    outb(0x71, 0x02);
    /* CMOS RAM keeps a byte; a 2-byte read of the data port is all ones; the index port reads 0xff. */
    outb(0x70, 0x40);
    outb(0x71, 0xa5);
    CHECK(cmos(0x40) == 0xa5, "CMOS RAM 0x40 %x", cmos(0x40));
    __asm__ volatile("inw %1, %0" : "=a"(w) : "Nd"((uint16_t)0x71));
    CHECK(w == 0xffff, "a word read of 0x71 %x", w);
    CHECK(inb(0x70) == 0xff, "the index port reads %x", inb(0x70));
    print("plat: rtc: 20%x%x-%x%x-%x%x, BCD and binary, not settable, CMOS RAM\n", year >> 4, year & 15,
          mon >> 4, mon & 15, day >> 4, day & 15);
}

/* INS/OUTS, emulated element by element through the guest's page tables. */
static void check_string_io(void)
{
    static const char msg[] = "plat: this line went out by REP OUTSB\n";
    static uint8_t buf[640];
    static uint32_t words[4];
    const char *si = msg;
    uint64_t cnt = sizeof(msg) - 1;
    uint8_t *di = buf;

    __asm__ volatile("rep outsb" : "+S"(si), "+c"(cnt) : "d"(UART) : "memory");
    CHECK(si == msg + sizeof(msg) - 1 && cnt == 0, "REP OUTSB left rsi +%lu, rcx %lu",
          (uint64_t)(si - msg), cnt);
    si = "+";
    __asm__ volatile("fs outsb" : "+S"(si) : "d"(0xe9) : "memory");     /* one, FS override */
    CHECK(*(si - 1) == '+', "OUTSB with FS");
    cnt = 600;                                      /* more than one exit's batch */
    __asm__ volatile("rep insb" : "+D"(di), "+c"(cnt) : "d"(0x80) : "memory");
    CHECK(di == buf + 600 && cnt == 0, "REP INSB left rdi +%lu, rcx %lu", (uint64_t)(di - buf), cnt);
    for (unsigned int i = 0; i < 600; i++)
        CHECK(buf[i] == 0xff, "REP INSB byte %u = %x", i, buf[i]);
    CHECK(buf[600] == 0, "REP INSB wrote past its count");
    di = buf + 603;
    cnt = 3;
    __asm__ volatile("std; rep insb; cld" : "+D"(di), "+c"(cnt) : "d"(0x80) : "memory");
    CHECK(di == buf + 600 && buf[601] == 0xff && buf[603] == 0xff && buf[604] == 0,
          "backwards REP INSB: rdi %lx", (uint64_t)di);
    di = (uint8_t *)words;
    cnt = 3;
    __asm__ volatile("rep insl" : "+D"(di), "+c"(cnt) : "d"(0x80) : "memory");
    CHECK(words[0] == 0xffffffff && words[2] == 0xffffffff && words[3] == 0, "REP INSL %x %x",
          words[0], words[3]);
    print("\nplat: string I/O: REP OUTSB, OUTSB with FS, REP INSB over two exits, backwards, REP INSL\n");
}

static void echo(void)
{
    char line[128];
    unsigned int n = 0;
    uint64_t t;

    apic_write(APIC_SVR, 0x1ff);
    apic_write(APIC_TDCR, 0xb);
    apic_write(APIC_LVTT, V_TIMER | LVT_PERIODIC);
    apic_write(APIC_TMICT, 10000000);       /* 100 Hz: poll the UART every tick */
    print("plat: echo: type lines, Ctrl-D ends\n");
    for (;;) {
        while (!(inb(UART + 5) & 0x01)) {
            t = ticks;
            wait_for(&ticks, t + 1);
        }
        char c = (char)inb(UART);
        if (c == 4) {
            print("plat: echo: end of input, powering off\n");
            outb(0xf4, 0);
            die();
        }
        if (c == '\n' || c == '\r') {
            line[n] = 0;
            print("plat: got '%s'\n", line);
            n = 0;
        } else if (n + 1 < sizeof(line)) {
            line[n++] = c;
        }
    }
}

static __attribute__((noreturn)) void flood(void)
{
    uint32_t a, b, c, d;

    apic_write(APIC_SVR, 0x1ff);
    apic_write(APIC_TDCR, 0xb);
    apic_write(APIC_LVTT, V_TIMER | LVT_PERIODIC);
    apic_write(APIC_TMICT, 1);              /* 1 ns: the hypervisor holds it to 100 us */
    print("plat: flooding exits\n");
    __asm__ volatile("sti");
    for (;;) {
        cpuid(0, &a, &b, &c, &d);
        (void)apic_read(APIC_TMCCT);
        (void)inb(0x80);
    }
}

void plat_main(void);
void plat_main(void)
{
    const char *cl;

    idt_init();
    print("plat: long mode, entered by Multiboot\n");
    cl = check_multiboot();
    if (str_has(cl, "mode=echo"))
        echo();
    if (str_has(cl, "mode=flood"))
        flood();
    if (str_has(cl, "mode=hole")) {
        print("plat: reading guest-physical 0xfed00000 (no device)\n");
        (void)mmio_read32((const volatile void *)0xfed00000UL);
        CHECK(0, "still running after the read");
    }
    if (str_has(cl, "mode=badinsn")) {
        print("plat: ADD to the APIC's timer count\n");
        __asm__ volatile("addl $1, (%0)" :: "r"(APIC + APIC_TMICT) : "memory");
        CHECK(0, "still running after the ADD");
    }
    if (str_has(cl, "mode=wide")) {
        print("plat: an 8-byte read of an APIC register\n");
        uint64_t q;
        __asm__ volatile("movq %1, %0" : "=r"(q) : "m"(*(volatile uint64_t *)(APIC + APIC_TMICT)));
        (void)q;
        CHECK(0, "still running after the read");
    }
    if (str_has(cl, "mode=apicmove")) {
        print("plat: moving the APIC to 0xfec00000\n");
        wrmsr(0x1b, 0xfec00900);
        CHECK(0, "still running after the move");
    }
    if (str_has(cl, "mode=insbad")) {
        uint8_t *di = (uint8_t *)0x80000000UL;  /* 2 GiB: nothing mapped there */
        uint64_t cnt = 4;
        print("plat: REP INSB into an unmapped buffer\n");
        __asm__ volatile("rep insb" : "+D"(di), "+c"(cnt) : "d"(0x80) : "memory");
        CHECK(0, "still running after the INSB");
    }
    if (str_has(cl, "mode=crash")) {
        print("plat: isa-debug-exit 1\n");
        outb(0xf4, 1);
        CHECK(0, "still running after port 0xf4");
    }
    check_cpuid();
    check_tsc();
    check_uart();
    check_rtc();
    check_apic();
    check_mmio_forms();
    check_prefixed();
    check_string_io();
    print("plat: all checks passed, powering off\n");
    outb(0xf4, 0);
    CHECK(0, "still running after port 0xf4 0");
}
