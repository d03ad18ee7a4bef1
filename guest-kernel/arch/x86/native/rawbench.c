/*
 * The benchmark program's platform side on the native kernel, and the raw
 * native scenarios (docs/benchmarks.md, sections 2 and 3).
 *
 * kbench's hooks (kernel/kbench.c): the platform is "native" (the harness
 * says plat=hvm_npt or hvm_shadow under Tandem), the TSC rate is the one
 * timer.c found, and under Tandem's HVM (CPUID 0x40000000 "TandemHV") the
 * counters are the domain's, read with VMMCALL HVMCALL_counters
 * (tandem/hvmcall.h): VM exits by reason, full TLB flushes, shadow paging.
 *
 * mode=rawbench: the old bench/native kernel's scenarios, the bare hardware
 * transitions the PV scenarios are compared with (native.null_loop,
 * syscall, int_iret, cr3_reload, pt_write, page_fault, ctxsw; native.boot
 * = the TSC when they start). They run with interrupts off on rawbench's
 * own IDT (the kernel's, with #PF, int 0x81 and int 0x82 replaced), its own
 * SYSCALL target (a bare sysretq) and its own L4 (the kernel half of the
 * current one; slot 0: the ring-3 loops' page, a user stack, and the region
 * whose 4 KiB entries the #PF and PTE scenarios write), then give the
 * kernel everything back.
 */
#include "native.h"
#include "mm.h"
#include "kbench.h"
#include <tandem/hvmcall.h>

#define RB_VA           0x40000000UL    /* rawbench_loops.S */
#define RB_PAGES        16384           /* 32 L1 tables: page_fault runs at most this many */
#define RB_L1S          (RB_PAGES / 512)
#define RB_USER_CODE    0x1000UL        /* the ring-3 loops' page */
#define RB_USER_DATA    0x2000UL        /* their result, then the stack up to RB_USER_TOP */
#define RB_USER_TOP     0x6000UL
#define VEC_NULL_INT    0x81
#define VEC_USER_EXIT   0x82
#define MSR_STAR        0xC0000081
#define MSR_LSTAR       0xC0000082
#define P_              0x1UL
#define RW_             0x2UL
#define US_             0x4UL

struct rb_ctx {
    uint64_t rsp, cr3;
};

/* rawbench_loops.S */
uint64_t rb_loop_null(uint64_t n);
uint64_t rb_loop_cr3(uint64_t n, uint64_t cr3);
uint64_t rb_loop_ptwrite(uint64_t n, uint64_t *pte, uint64_t va, uint64_t val);
uint64_t rb_loop_fault(uint64_t n, uint64_t va);
uint64_t rb_loop_ctxsw(uint64_t n);
uint64_t rb_enter_user(uint64_t fn, uint64_t n, uint64_t result, uint64_t user_rsp);
void rb_thread_b_loop(void), rb_pf_entry(void), rb_syscall_entry(void), rb_null_int_entry(void);
void rb_user_exit_entry(void);
extern char rb_user_page[], rb_user_null[], rb_user_syscall[], rb_user_int[];

/* Shared with rawbench_loops.S. */
struct rb_ctx rb_ctx_a, rb_ctx_b;
uint64_t rb_fault_pte, rb_orig_pf, rb_user_cs, rb_user_ss;
uint64_t rb_fault_l1[RB_PAGES] __attribute__((aligned(4096)));

static uint64_t rb_l4[512] __attribute__((aligned(4096))), rb_l4_b[512] __attribute__((aligned(4096)));
static uint64_t rb_l3[512] __attribute__((aligned(4096)));
static uint64_t rb_l2_user[512] __attribute__((aligned(4096))), rb_l2_region[512] __attribute__((aligned(4096)));
static uint64_t rb_l1_user[512] __attribute__((aligned(4096)));
static uint8_t rb_user_data[RB_USER_TOP - RB_USER_DATA] __attribute__((aligned(4096)));
static uint8_t rb_fault_frame[4096] __attribute__((aligned(4096)));
static uint8_t rb_stack[16384] __attribute__((aligned(16)));           /* TSS.RSP0 for the int scenarios */
static uint8_t rb_thread_b_stack[16384] __attribute__((aligned(16)));
static uint8_t rb_idt[4096] __attribute__((aligned(16)));

static uint64_t pa_of(const void *va)
{
    return virt_to_pfn(va) << PAGE_SHIFT | ((uint64_t)va & (PAGE_SIZE - 1));
}

/* ---- kbench's platform hooks ---- */

static bool under_tandem(void)
{
    static int known = -1;
    uint32_t r[4];

    if (known < 0) {
        cpuid(0x40000000, r);
        known = r[0] >= 0x40000000 && r[1] == 0x646e6154 && r[2] == 0x56486d65;   /* "TandemHV" */
    }
    return known;
}

const char *kbench_platform_name(void)
{
    return under_tandem() ? "hvm" : "native";
}

uint64_t kbench_platform_tsc_khz(void)
{
    return native_tsc_khz;
}

static union {
    struct hvm_counters h;
    uint8_t bytes[4096];
} hc_buf __attribute__((aligned(4096)));
static char hc_names[KBENCH_MAX_COUNTERS][HVM_COUNTER_NAME_LEN];

unsigned int kbench_platform_counters(const char **names, uint64_t *vals, unsigned int max)
{
    static uint64_t calls;
    unsigned int n;
    int64_t rc;

    if (!under_tandem())
        return 0;
    __asm__ __volatile__("vmmcall" : "=a"(rc) : "a"((uint64_t)HVMCALL_counters), "D"(pa_of(&hc_buf)),
                         "S"(sizeof(hc_buf)) : "memory");
    if (rc)
        return 0;
    calls++;
    n = hc_buf.h.count < max ? hc_buf.h.count : max;
    for (unsigned int i = 0; i < n; i++) {
        const struct hvm_counter *c = &hc_buf.h.entry[i];
        uint64_t v = c->value;
        memcpy(hc_names[i], c->name, HVM_COUNTER_NAME_LEN);
        hc_names[i][HVM_COUNTER_NAME_LEN - 1] = 0;
        /* Each call's own VMMCALL exit (and its VMRUN's flush) is in the counts: not the benchmark's. */
        if (!strcmp(hc_names[i], "exits") || !strcmp(hc_names[i], "exit.vmmcall") ||
            !strcmp(hc_names[i], "tlb_flush"))
            v -= v >= calls ? calls : v;
        names[i] = hc_names[i];
        vals[i] = v;
    }
    return n;
}

/* ---- mode=rawbench ---- */

struct result {
    uint64_t iters, total, overhead;
};

static uint64_t warmup(uint64_t n)
{
    return n < 100 ? n : n / 10;
}

static void report(const char *name, const struct result *r)
{
    int64_t d = (int64_t)(r->total - r->overhead);
    uint64_t mag = d < 0 ? -(uint64_t)d : (uint64_t)d, x100 = (mag * 100 + r->iters / 2) / r->iters;

    printk("BENCH scenario=native.%s iters=%lu total=%lu overhead=%lu per_op=%s%lu.%02lu unit=tsc\n", name,
           (unsigned long)r->iters, (unsigned long)r->total, (unsigned long)r->overhead, d < 0 ? "-" : "",
           (unsigned long)(x100 / 100), (unsigned long)(x100 % 100));
}

static void set_gate(unsigned int vec, void (*fn)(void), unsigned int dpl, uint16_t cs)
{
    uint8_t *g = rb_idt + vec * 16;
    uint64_t a = (uint64_t)fn;

    g[0] = (uint8_t)a;
    g[1] = (uint8_t)(a >> 8);
    g[2] = (uint8_t)cs;
    g[3] = (uint8_t)(cs >> 8);
    g[4] = 0;
    g[5] = (uint8_t)(0x8e | dpl << 5);
    memcpy(g + 6, (uint8_t[2]){ (uint8_t)(a >> 16), (uint8_t)(a >> 24) }, 2);
    memcpy(g + 8, (uint32_t[1]){ (uint32_t)(a >> 32) }, 4);
    memset(g + 12, 0, 4);
}

static uint64_t gate_target(const uint8_t *g)
{
    return (uint64_t)g[0] | (uint64_t)g[1] << 8 | (uint64_t)g[6] << 16 | (uint64_t)g[7] << 24 |
           (uint64_t)g[8] << 32 | (uint64_t)g[9] << 40 | (uint64_t)g[10] << 48 | (uint64_t)g[11] << 56;
}

static void region_reset(void)
{
    memset(rb_fault_l1, 0, sizeof(rb_fault_l1));
    write_cr3(read_cr3());
}

static uint64_t in_user(const char *fn, uint64_t n)
{
    volatile uint64_t *result = (volatile uint64_t *)rb_user_data;

    *result = 0;
    rb_enter_user(RB_USER_CODE + (uint64_t)(fn - rb_user_page), n, RB_USER_DATA, RB_USER_TOP);
    return *result;
}

void rawbench_run(const char *args)
{
    struct { uint16_t limit; uint64_t base; } __attribute__((packed)) old_idt, idt;
    uint64_t n = 10000, old_cr3 = read_cr3(), old_lstar = rdmsr(MSR_LSTAR), star = rdmsr(MSR_STAR);
    uint64_t boot_tsc = rdtsc(), *cur_l4 = pfn_to_virt(old_cr3 >> PAGE_SHIFT), *sp;
    const char *p = args;
    uint16_t cs;
    uint8_t flags;
    struct result r;

    for (; p && *p; p++)
        if ((p == args || p[-1] == ' ') && !strncmp(p, "iters=", 6))
            n = strtoul(p + 6, NULL, 0);
    if (!n || n > 10000000) {
        printk("BENCH error rawbench: iters= 1 to 10000000\n");
        return;
    }
    printk("BENCH scenario=native.boot iters=1 total=%lu overhead=0 per_op=%lu unit=tsc\n",
           (unsigned long)boot_tsc, (unsigned long)boot_tsc);
    printk("BENCH clock tsc_khz=%lu\n", (unsigned long)native_tsc_khz);

    /* Tables: the kernel half as it is, slot 0 ours. */
    memcpy(rb_l4, cur_l4, sizeof(rb_l4));
    rb_l4[0] = pa_of(rb_l3) | P_ | RW_ | US_;
    rb_l3[0] = pa_of(rb_l2_user) | P_ | RW_ | US_;
    rb_l3[1] = pa_of(rb_l2_region) | P_ | RW_ | US_;
    rb_l2_user[0] = pa_of(rb_l1_user) | P_ | RW_ | US_;
    rb_l1_user[RB_USER_CODE >> PAGE_SHIFT] = pa_of(rb_user_page) | P_ | US_;
    for (uint64_t va = RB_USER_DATA; va < RB_USER_TOP; va += PAGE_SIZE)
        rb_l1_user[va >> PAGE_SHIFT] = pa_of(rb_user_data + (va - RB_USER_DATA)) | P_ | RW_ | US_;
    for (unsigned int i = 0; i < RB_L1S; i++)
        rb_l2_region[i] = pa_of(&rb_fault_l1[i * 512]) | P_ | RW_;
    memcpy(rb_l4_b, rb_l4, sizeof(rb_l4_b));
    rb_fault_pte = pa_of(rb_fault_frame) | P_ | RW_;

    /* The CPU: its IDT with our three gates, our SYSCALL target, our RSP0, our L4; IF off. */
    flags = events_save();
    __asm__ __volatile__("sidt %0" : "=m"(old_idt));
    __asm__ __volatile__("mov %%cs, %0" : "=r"(cs));
    memcpy(rb_idt, (void *)old_idt.base, old_idt.limit + 1U < sizeof(rb_idt) ? old_idt.limit + 1U : sizeof(rb_idt));
    rb_orig_pf = gate_target(rb_idt + 14 * 16);
    set_gate(14, rb_pf_entry, 0, cs);
    set_gate(VEC_NULL_INT, rb_null_int_entry, 3, cs);
    set_gate(VEC_USER_EXIT, rb_user_exit_entry, 3, cs);
    idt.limit = sizeof(rb_idt) - 1;
    idt.base = (uint64_t)rb_idt;
    rb_user_cs = ((star >> 48) + 16) | 3;       /* SYSRET's selectors: the kernel's own user segments */
    rb_user_ss = ((star >> 48) + 8) | 3;
    __asm__ __volatile__("lidt %0" : : "m"(idt) : "memory");
    wrmsr(MSR_LSTAR, (uint64_t)rb_syscall_entry);
    cpu_set_kernel_stack((uint64_t)(rb_stack + sizeof(rb_stack)));
    write_cr3(pa_of(rb_l4));

    rb_loop_null(warmup(n));
    r = (struct result){ n, rb_loop_null(n), 0 };
    report("null_loop", &r);
    in_user(rb_user_syscall, warmup(n));
    r = (struct result){ n, in_user(rb_user_syscall, n), in_user(rb_user_null, n) };
    report("syscall", &r);
    in_user(rb_user_int, warmup(n));
    r = (struct result){ n, in_user(rb_user_int, n), in_user(rb_user_null, n) };
    report("int_iret", &r);
    rb_loop_cr3(warmup(n), pa_of(rb_l4));
    r = (struct result){ n, rb_loop_cr3(n, pa_of(rb_l4)), rb_loop_null(n) };
    report("cr3_reload", &r);
    rb_loop_ptwrite(warmup(n), &rb_fault_l1[0], RB_VA, rb_fault_pte);
    r = (struct result){ n, rb_loop_ptwrite(n, &rb_fault_l1[0], RB_VA, rb_fault_pte), rb_loop_null(n) };
    report("pt_write", &r);
    r.iters = n < RB_PAGES ? n : RB_PAGES;      /* each iteration faults on a fresh page */
    region_reset();
    rb_loop_fault(warmup(r.iters), RB_VA);
    region_reset();
    r.overhead = rb_loop_null(r.iters);
    r.total = rb_loop_fault(r.iters, RB_VA);
    region_reset();
    report("page_fault", &r);
    /* Thread B starts in rb_thread_b_loop with zeroed callee-saved registers, on the second L4. */
    sp = (uint64_t *)(rb_thread_b_stack + sizeof(rb_thread_b_stack));
    *--sp = (uint64_t)rb_thread_b_loop;
    for (int i = 0; i < 6; i++)
        *--sp = 0;
    rb_ctx_b = (struct rb_ctx){ (uint64_t)sp, pa_of(rb_l4_b) };
    rb_ctx_a.cr3 = pa_of(rb_l4);
    rb_loop_ctxsw(warmup(n));
    r = (struct result){ 2 * n, rb_loop_ctxsw(n), rb_loop_null(n) };   /* a round trip is two switches */
    report("ctxsw", &r);

    write_cr3(old_cr3);
    cpu_set_kernel_stack((uint64_t)pfn_to_virt(current_thread->stack_pfn) + THREAD_STACK_PAGES * PAGE_SIZE);
    wrmsr(MSR_LSTAR, old_lstar);
    __asm__ __volatile__("lidt %0" : : "m"(old_idt) : "memory");
    events_restore(flags);
    printk("BENCH done\n");
}
