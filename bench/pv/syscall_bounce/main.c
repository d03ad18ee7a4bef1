/*
 * pv.syscall_bounce: a system call from guest user mode to the guest kernel
 * and back, the PV path of every Linux system call. User mode runs on the
 * kernel's own L4 (mmuext_op NEW_USER_BASEPTR with the kernel L4), so no
 * mapping changes, but Tandem still switches CR3 both ways as it does for
 * any kernel/user switch. One operation: user `syscall` -> Tandem bounces to
 * the syscall callback on the stack_switch stack -> the callback irets with
 * VGCF_in_syscall -> Tandem returns to user mode. Compared with
 * native.syscall (SYSCALL to a bare SYSRETQ).
 */
#include "bench.h"
#include <tandem/callback.h>

#define VIRT_BASE 0xffffffff80000000UL

uint64_t user_run(uint64_t n, void (*fn)(void));
void user_exit_entry(void), syscall_entry(void), user_syscall(void), user_null(void);

static uint8_t bounce_stack[8192] __attribute__((aligned(16)));

static void setup(void)
{
    struct callback_register cb = { .type = CALLBACKTYPE_syscall, .address = (uint64_t)syscall_entry };
    struct trap_info traps[2] = {
        { .vector = 0x81, .flags = 3, .cs = FLAT_KERNEL_CS, .address = (uint64_t)user_exit_entry },
        { 0 },
    };
    struct mmuext_op op = {
        .cmd = MMUEXT_NEW_USER_BASEPTR,
        .arg1.mfn = pfn_to_mfn((start_info->pt_base - VIRT_BASE) >> 12),
    };
    long rc;

    if ((rc = HC2(callback_op, CALLBACKOP_register, &cb)))
        bench_error("registering the syscall callback failed: %ld", rc);
    if ((rc = HC2(stack_switch, FLAT_KERNEL_SS, bounce_stack + sizeof(bounce_stack))))
        bench_error("stack_switch failed: %ld", rc);
    if ((rc = HC1(set_trap_table, traps)))
        bench_error("set_trap_table failed: %ld", rc);
    if ((rc = HC4(mmuext_op, &op, 1, 0, DOMID_SELF)))
        bench_error("mmuext_op(NEW_USER_BASEPTR) failed: %ld", rc);
}

void kernel_main(struct start_info *si)
{
    uint64_t n = bench_init();
    struct bench_result r = { .iters = n };

    if (!bench_want("pv.syscall_bounce")) {
        bench_done();
        return;
    }
    setup();
    if (user_run(1, user_syscall) == 0)     /* one checked round trip */
        bench_error("no TSC delta back from user mode");
    user_run(bench_warmup(n), user_syscall);
    r.total = user_run(n, user_syscall);
    r.overhead = user_run(n, user_null);
    r.ops = 1 + bench_warmup(n) + n;
    bench_report("pv.syscall_bounce", &r);
    bench_done();
}
