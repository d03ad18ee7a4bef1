/*
 * user_syscall: guest user mode with a user L4 of its own (one code page,
 * one stack page), and what comes back from it (Xen's rules,
 * ../shared/reference/xen-pv-abi.md 2.7, 2.8):
 *  - SYSCALL from user mode reaches CALLBACKTYPE_syscall on the
 *    stack_switch stack in kernel mode, frame rcx, r11, rip, cs, rflags,
 *    rsp, ss with rcx = rip = the next instruction, r11 = user rflags,
 *    CS 0xe033, rax untouched; events masked with CALLBACKF_mask_events,
 *    not without; iret with VGCF_in_syscall resumes user mode with rax;
 *  - SYSCALL with no syscall callback: #UD at the SYSCALL instruction,
 *    delivered to the kernel on the same stack;
 *  - a user page fault: #PF with the U bit, cr2 in vcpu_info;
 *  - the user L4 maps no kernel memory: a read of the kernel faults.
 */
#include "test.h"
#include "upcall.h"
#include <tandem/callback.h>

const char test_title[] = "SYSCALL and exceptions from guest user mode";

#define UCODE   0x400000UL
#define USTACK  0x401000UL          /* the stack page; rsp starts at its top */
#define PRESENT 1UL
#define RW      2UL
#define USER    4UL
#define ACC     0x20UL
#define DIRTY   0x40UL
#define NX      (1UL << 63)

/*
 * User code (offsets from UCODE):
 *  0x00  mov $1, %eax; syscall; add $1, %eax; syscall; jmp .
 *  0x20  mov 0x12345000, %eax; jmp .                         (#PF, not present)
 *  0x40  mov 0xffffffff80000000, %rax; jmp .                 (kernel memory: #PF)
 */
static const uint8_t ucode_main[] = { 0xb8, 1, 0, 0, 0, 0x0f, 0x05, 0x83, 0xc0, 0x01, 0x0f, 0x05, 0xeb, 0xfe };
static const uint8_t ucode_pf[] = { 0x8b, 0x04, 0x25, 0x00, 0x50, 0x34, 0x12, 0xeb, 0xfe };
static const uint8_t ucode_kern[] = { 0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x80, 0xeb, 0xfe };

extern char syscall_cb[], trap_6[], trap_14[];
void run_user(uint64_t rip, uint64_t rsp);
long cb_record(const uint64_t *frame, uint64_t rax);
void trap_record(const uint64_t *frame, unsigned int vector, int has_err);

static uint8_t kstack[8192] __attribute__((aligned(16)));

struct rec {
    uint64_t w[8];              /* the frame as delivered (rcx first) */
    const uint64_t *at;         /* where it was */
    uint64_t rax;
    uint8_t mask;               /* evtchn_upcall_mask inside the handler */
    unsigned int vector;
};
static struct rec recs[4];
static unsigned int nrec;
static long resume_rax;         /* cb_record: resume user mode once with this rax (0: never) */

long cb_record(const uint64_t *frame, uint64_t rax)
{
    long r = resume_rax;

    if (nrec < 4) {
        memcpy(recs[nrec].w, frame, 7 * 8);
        recs[nrec].at = frame;
        recs[nrec].rax = rax;
        recs[nrec].mask = evt_vcpu->evtchn_upcall_mask;
        recs[nrec].vector = 0x100;
        nrec++;
    }
    resume_rax = 0;
    return r;
}

void trap_record(const uint64_t *frame, unsigned int vector, int has_err)
{
    if (nrec < 4) {
        memcpy(recs[nrec].w, frame, (has_err ? 8 : 7) * 8);
        recs[nrec].at = frame;
        recs[nrec].mask = evt_vcpu->evtchn_upcall_mask;
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

static long set_syscall_cb(uint64_t addr, unsigned int flags)
{
    struct callback_register r = { .type = CALLBACKTYPE_syscall, .flags = flags, .address = addr };

    return HC2(callback_op, CALLBACKOP_register, &r);
}

static void check_frame(const struct rec *r, const char *what, uint64_t rip, uint64_t rcx, bool err)
{
    const uint64_t *w = r->w + (err ? 1 : 0);   /* skip the error code */
    const uint64_t *want_at = (const uint64_t *)(((uint64_t)(kstack + sizeof(kstack)) & ~15UL) - (err ? 64 : 56));

    if (r->at != want_at)
        test_fail("%s: frame at %p, want the stack_switch stack at %p", what, r->at, want_at);
    if (rcx != ~0UL && r->w[0] != rcx)
        test_fail("%s: frame rcx %lx, want %lx", what, r->w[0], rcx);
    if (w[2] != rip)
        test_fail("%s: frame rip %lx, want %lx", what, w[2], rip);
    if ((w[3] & 0xffff) != FLAT_USER_CS)
        test_fail("%s: frame cs %lx, want 0xe033 (user mode)", what, w[3]);
    if (((w[3] >> 32) & 0xff) != 0)
        test_fail("%s: saved upcall mask %lx, want 0 (events were on in user mode)", what, (w[3] >> 32) & 0xff);
    if (!(w[4] & (1UL << 9)))
        test_fail("%s: frame rflags %lx without IF", what, w[4]);
    if (w[5] != USTACK + PAGE_SIZE)
        test_fail("%s: frame rsp %lx, want %lx", what, w[5], USTACK + PAGE_SIZE);
    if (w[6] != FLAT_USER_SS)
        test_fail("%s: frame ss %lx, want 0xe02b", what, w[6]);
}

void test_main(void)
{
    uint64_t p = first_free_pfn();
    uint64_t l4 = p, l3 = p + 1, l2 = p + 2, l1 = p + 3, code = p + 4, stack = p + 5;
    uint64_t *t;
    struct mmuext_op op;
    struct trap_info traps[] = {
        { .vector = 6, .cs = FLAT_KERNEL_CS, .address = (uint64_t)trap_6 },
        { .vector = 14, .cs = FLAT_KERNEL_CS, .address = (uint64_t)trap_14 },
        { 0 },
    };

    evt_map_shared_info();
    /* The user address space, written while its pages are ordinary pages. */
    for (uint64_t i = l4; i <= stack; i++)
        memset(pfn_va(i), 0, PAGE_SIZE);
    ((uint64_t *)pfn_va(l4))[0] = pfn_ma(l3) | PRESENT | RW | USER | ACC | DIRTY;
    ((uint64_t *)pfn_va(l3))[0] = pfn_ma(l2) | PRESENT | RW | USER | ACC | DIRTY;
    ((uint64_t *)pfn_va(l2))[UCODE >> 21] = pfn_ma(l1) | PRESENT | RW | USER | ACC | DIRTY;
    t = pfn_va(l1);
    t[(UCODE >> 12) & 511] = pfn_ma(code) | PRESENT | USER | ACC;                       /* r-x */
    t[(USTACK >> 12) & 511] = pfn_ma(stack) | PRESENT | RW | USER | ACC | DIRTY | NX;   /* rw- */
    memcpy(pfn_va(code), ucode_main, sizeof(ucode_main));
    memcpy((uint8_t *)pfn_va(code) + 0x20, ucode_pf, sizeof(ucode_pf));
    memcpy((uint8_t *)pfn_va(code) + 0x40, ucode_kern, sizeof(ucode_kern));
    /* Page tables may not stay writable-mapped: our own mappings go read-only, then pin. */
    for (uint64_t i = l4; i <= l1; i++)
        CHECK_RC(HC3(update_va_mapping, pfn_va(i), pfn_ma(i) | PRESENT | USER | ACC, UVMF_INVLPG), 0,
                 "map a table page read-only");
    op = (struct mmuext_op){ .cmd = MMUEXT_PIN_L4_TABLE, .arg1.mfn = pfn_to_mfn(l4) };
    CHECK_RC(HC4(mmuext_op, &op, 1, NULL, DOMID_SELF), 0, "pin the user L4");
    op = (struct mmuext_op){ .cmd = MMUEXT_NEW_USER_BASEPTR, .arg1.mfn = pfn_to_mfn(l4) };
    CHECK_RC(HC4(mmuext_op, &op, 1, NULL, DOMID_SELF), 0, "NEW_USER_BASEPTR");
    CHECK_RC(HC2(stack_switch, FLAT_KERNEL_SS, kstack + sizeof(kstack)), 0, "stack_switch");
    CHECK_RC(HC1(set_trap_table, traps), 0, "set_trap_table (#UD, #PF)");

    /* 1. SYSCALL with the callback, events masked on entry; resume once with rax 41. */
    CHECK_RC(set_syscall_cb((uint64_t)syscall_cb, CALLBACKF_mask_events), 0, "register the syscall callback");
    resume_rax = 41;
    run_user(UCODE, USTACK + PAGE_SIZE);
    if (nrec != 2) {
        test_fail("syscall callback entered %u times, want 2", nrec);
        return;
    }
    check_frame(&recs[0], "first SYSCALL", UCODE + 7, UCODE + 7, false);
    if (recs[0].w[1] != recs[0].w[4])
        test_fail("first SYSCALL: r11 %lx is not the user rflags %lx", recs[0].w[1], recs[0].w[4]);
    if (recs[0].rax != 1)
        test_fail("first SYSCALL: rax %lu, want 1", recs[0].rax);
    if (recs[0].mask != 1)
        test_fail("first SYSCALL: upcall mask %u in the callback, want 1 (CALLBACKF_mask_events)", recs[0].mask);
    check_frame(&recs[1], "second SYSCALL", UCODE + 12, UCODE + 12, false);
    if (recs[1].rax != 42)
        test_fail("second SYSCALL: rax %lu, want 42 (iret gave 41, user added 1)", recs[1].rax);

    /* 2. The same without CALLBACKF_mask_events: events stay on. */
    nrec = 0;
    evt_vcpu->evtchn_upcall_mask = 1;
    CHECK_RC(set_syscall_cb((uint64_t)syscall_cb, 0), 0, "register the syscall callback without mask_events");
    run_user(UCODE, USTACK + PAGE_SIZE);
    if (nrec != 1 || recs[0].vector != 0x100)
        test_fail("syscall callback (no mask_events) not entered once");
    else if (recs[0].mask != 0)
        test_fail("SYSCALL without mask_events: upcall mask %u in the callback, want 0", recs[0].mask);
    evt_vcpu->evtchn_upcall_mask = 1;

    /* 3. A user page fault: #PF with the user bit, on the stack_switch stack. */
    nrec = 0;
    run_user(UCODE + 0x20, USTACK + PAGE_SIZE);
    if (nrec != 1 || recs[0].vector != 14) {
        test_fail("user page fault: %u records, vector %u", nrec, nrec ? recs[0].vector : 0);
    } else {
        check_frame(&recs[0], "user #PF", UCODE + 0x20, ~0UL, true);
        if (recs[0].w[2] != 4)
            test_fail("user #PF: error code %lx, want 4 (user, read, not present)", recs[0].w[2]);
        if (evt_vcpu->arch.cr2 != 0x12345000)
            test_fail("user #PF: cr2 %lx, want 0x12345000", evt_vcpu->arch.cr2);
    }

    /* 4. Kernel memory is not in the user L4. */
    nrec = 0;
    run_user(UCODE + 0x40, USTACK + PAGE_SIZE);
    if (nrec != 1 || recs[0].vector != 14)
        test_fail("user read of kernel memory did not fault");
    else if (recs[0].w[2] != 4 || evt_vcpu->arch.cr2 != 0xffffffff80000000UL)
        test_fail("user read of kernel memory: error %lx cr2 %lx", recs[0].w[2], evt_vcpu->arch.cr2);

    /* 5. No syscall callback: #UD at the SYSCALL instruction, in kernel mode. */
    nrec = 0;
    CHECK_RC(set_syscall_cb(0, 0), 0, "unregister the syscall callback (address 0)");
    run_user(UCODE, USTACK + PAGE_SIZE);
    if (nrec != 1 || recs[0].vector != 6)
        test_fail("SYSCALL without a callback: %u records, vector %u, want one #UD", nrec,
                  nrec ? recs[0].vector : 0);
    else
        check_frame(&recs[0], "#UD for SYSCALL", UCODE + 5, ~0UL, false);
    evt_vcpu->evtchn_upcall_mask = 1;
    printk("user_syscall: %s\n", "SYSCALL bounce, iret to user, user #PF and #UD checked");
    test_success();
}
