/*
 * syscall_compat: SYSCALL from 32-bit (compatibility-mode) guest user code.
 * The CPU sends it to MSR_CSTAR, which only AMD CPUs use (Intel raises #UD
 * in compatibility mode), so TCG's `-cpu max` (AuthenticAMD) and an Intel
 * model (syscall_compat_intel) take different paths. Both must end in the
 * guest: with a CALLBACKTYPE_syscall32 callback the bounce goes there (Xen's
 * rule; frame CS 0xe023, rip after the instruction); without one, #UD at the
 * SYSCALL instruction. Never a hypervisor fault: before the fix CSTAR was 0,
 * so on AMD a guest's compat SYSCALL jumped to address 0 in ring 0, on the
 * guest's page tables and stack. SYSENTER from the same code faults in the
 * guest too (#GP with SYSENTER_CS 0, or #UD on AMD in long mode).
 */
#include "test.h"
#include "upcall.h"
#include <tandem/callback.h>

#ifndef WANT_VENDOR
#define WANT_VENDOR "AuthenticAMD"
#endif

const char test_title[] = "SYSCALL from 32-bit guest user code (MSR_CSTAR), vendor " WANT_VENDOR;

#define UCODE   0x400000UL
#define USTACK  0x401000UL
#define PRESENT 1UL
#define RW      2UL
#define USER    4UL
#define ACC     0x20UL
#define DIRTY   0x40UL
#define NX      (1UL << 63)

/* 32-bit code: mov $7, %eax; syscall; jmp .   at +0x10: sysenter; jmp . */
static const uint8_t ucode32[] = { 0xb8, 7, 0, 0, 0, 0x0f, 0x05, 0xeb, 0xfe };
static const uint8_t ucode32_sysenter[] = { 0x0f, 0x34, 0xeb, 0xfe };

extern char syscall32_cb[], trap_6[], trap_13[], trap_14[];
void run_user32(uint64_t rip, uint64_t rsp);
void trap_record(const uint64_t *frame, unsigned int vector, int has_err);

static uint8_t kstack[8192] __attribute__((aligned(16)));

struct rec {
    uint64_t w[8];              /* rcx, r11, [error], rip, cs, rflags, rsp, ss */
    unsigned int vector;        /* 0x100: the syscall32 callback */
};
static struct rec recs[4];
static unsigned int nrec;

void trap_record(const uint64_t *frame, unsigned int vector, int has_err)
{
    if (nrec < 4) {
        memcpy(recs[nrec].w, frame, (has_err ? 8 : 7) * 8);
        recs[nrec].vector = vector;
        nrec++;
    }
}

static uint64_t first_free_pfn(void)
{
    return (start_info->pt_base - 0xffffffff80000000UL) / PAGE_SIZE + start_info->nr_pt_frames + 1;
}

static void *pfn_va(uint64_t pfn) { return (void *)(0xffffffff80000000UL + pfn * PAGE_SIZE); }
static uint64_t pfn_ma(uint64_t pfn) { return pfn_to_mfn(pfn) * PAGE_SIZE; }

static long set_cb(unsigned int type, uint64_t addr)
{
    struct callback_register r = { .type = type, .address = addr };

    return HC2(callback_op, CALLBACKOP_register, &r);
}

static bool vendor_is(const char *want)
{
    uint32_t a = 0, b, c = 0, d;
    char v[13];

    __asm__ __volatile__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    memcpy(v, &b, 4); memcpy(v + 4, &d, 4); memcpy(v + 8, &c, 4); v[12] = 0;
    printk("syscall_compat: CPU vendor %s\n", v);
    return !strcmp(v, want);
}

static void check(const struct rec *r, const char *what, unsigned int vector, uint64_t rip)
{
    const uint64_t *w = r->w + (vector == 13 || vector == 14 ? 1 : 0);

    if (r->vector != vector) {
        test_fail("%s: vector %#x, want %#x", what, r->vector, vector);
        return;
    }
    if (w[2] != rip)
        test_fail("%s: frame rip %lx, want %lx", what, w[2], rip);
    if ((w[3] & 0xffff) != FLAT_RING3_CS32)
        test_fail("%s: frame cs %lx, want 0xe023 (32-bit user code)", what, w[3]);
    if (w[5] != USTACK + PAGE_SIZE)
        test_fail("%s: frame rsp %lx, want %lx", what, w[5], USTACK + PAGE_SIZE);
}

void test_main(void)
{
    uint64_t p = first_free_pfn();
    uint64_t l4 = p, l3 = p + 1, l2 = p + 2, l1 = p + 3, code = p + 4, stack = p + 5;
    uint64_t *t;
    struct mmuext_op op;
    bool amd = !strcmp(WANT_VENDOR, "AuthenticAMD");
    struct trap_info traps[] = {
        { .vector = 6, .cs = FLAT_KERNEL_CS, .address = (uint64_t)trap_6 },
        { .vector = 13, .cs = FLAT_KERNEL_CS, .address = (uint64_t)trap_13 },
        { .vector = 14, .cs = FLAT_KERNEL_CS, .address = (uint64_t)trap_14 },
        { 0 },
    };

    if (!vendor_is(WANT_VENDOR)) {
        test_error("this test wants CPU vendor %s (expect: cpu MODEL)", WANT_VENDOR);
        return;
    }
    evt_map_shared_info();
    for (uint64_t i = l4; i <= stack; i++)
        memset(pfn_va(i), 0, PAGE_SIZE);
    ((uint64_t *)pfn_va(l4))[0] = pfn_ma(l3) | PRESENT | RW | USER | ACC | DIRTY;
    ((uint64_t *)pfn_va(l3))[0] = pfn_ma(l2) | PRESENT | RW | USER | ACC | DIRTY;
    ((uint64_t *)pfn_va(l2))[UCODE >> 21] = pfn_ma(l1) | PRESENT | RW | USER | ACC | DIRTY;
    t = pfn_va(l1);
    t[(UCODE >> 12) & 511] = pfn_ma(code) | PRESENT | USER | ACC;
    t[(USTACK >> 12) & 511] = pfn_ma(stack) | PRESENT | RW | USER | ACC | DIRTY | NX;
    memcpy(pfn_va(code), ucode32, sizeof(ucode32));
    memcpy((uint8_t *)pfn_va(code) + 0x10, ucode32_sysenter, sizeof(ucode32_sysenter));
    for (uint64_t i = l4; i <= l1; i++)
        CHECK_RC(HC3(update_va_mapping, pfn_va(i), pfn_ma(i) | PRESENT | USER | ACC, UVMF_INVLPG), 0,
                 "map a table page read-only");
    op = (struct mmuext_op){ .cmd = MMUEXT_PIN_L4_TABLE, .arg1.mfn = pfn_to_mfn(l4) };
    CHECK_RC(HC4(mmuext_op, &op, 1, NULL, DOMID_SELF), 0, "pin the user L4");
    op = (struct mmuext_op){ .cmd = MMUEXT_NEW_USER_BASEPTR, .arg1.mfn = pfn_to_mfn(l4) };
    CHECK_RC(HC4(mmuext_op, &op, 1, NULL, DOMID_SELF), 0, "NEW_USER_BASEPTR");
    CHECK_RC(HC2(stack_switch, FLAT_KERNEL_SS, kstack + sizeof(kstack)), 0, "stack_switch");
    CHECK_RC(HC1(set_trap_table, traps), 0, "set_trap_table (#UD, #GP, #PF)");

    /* 1. A 64-bit syscall callback only: the 32-bit SYSCALL gets #UD at the instruction. */
    CHECK_RC(set_cb(CALLBACKTYPE_syscall, (uint64_t)syscall32_cb), 0, "register the syscall callback");
    nrec = 0;
    run_user32(UCODE, USTACK + PAGE_SIZE);
    if (nrec != 1)
        test_fail("no syscall32 callback: %u records, want one #UD", nrec);
    else
        check(&recs[0], "no syscall32 callback", 6, UCODE + 5);

    /* 2. With a syscall32 callback: AMD bounces there; Intel hardware raises #UD instead. */
    CHECK_RC(set_cb(CALLBACKTYPE_syscall32, (uint64_t)syscall32_cb), 0, "register the syscall32 callback");
    nrec = 0;
    run_user32(UCODE, USTACK + PAGE_SIZE);
    if (nrec != 1)
        test_fail("with a syscall32 callback: %u records, want one", nrec);
    else if (amd || recs[0].vector == 0x100)
        check(&recs[0], "syscall32 callback", 0x100, UCODE + 7);
    else    /* Intel hardware; QEMU's TCG goes through CSTAR for every vendor */
        check(&recs[0], "SYSCALL in compatibility mode (Intel: #UD)", 6, UCODE + 5);
    if (amd && nrec == 1 && recs[0].vector == 0x100 && recs[0].w[0] != UCODE + 7)
        test_fail("syscall32 callback: frame rcx %lx, want the return address %lx", recs[0].w[0], UCODE + 7);

    /* 3. SYSENTER: #GP (Intel, SYSENTER_CS 0) or #UD (AMD in long mode), in the guest. */
    CHECK_RC(set_cb(CALLBACKTYPE_sysenter, (uint64_t)syscall32_cb), 0, "register the sysenter callback");
    nrec = 0;
    run_user32(UCODE + 0x10, USTACK + PAGE_SIZE);
    if (nrec != 1)
        test_fail("SYSENTER: %u records, want one #GP or #UD", nrec);
    else if (recs[0].vector == 13)
        check(&recs[0], "SYSENTER (#GP)", 13, UCODE + 0x10);
    else
        check(&recs[0], "SYSENTER (#UD)", 6, UCODE + 0x10);
    evt_vcpu->evtchn_upcall_mask = 1;
    printk("syscall_compat: %s\n", "compat SYSCALL and SYSENTER ended in the guest every time");
    test_success();
}
