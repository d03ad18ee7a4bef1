/*
 * iopl_modes: the virtual IOPL as Xen 4.19 models it (physdev.c
 * PHYSDEVOP_set_iopl, pv/emul-priv-op.c iopl_ok, pv/iret.c do_iret, the
 * bounce frame): cli/sti/in/out by the guest kernel need IOPL >= 1 (it is
 * CPL 1), by guest user mode IOPL 3; otherwise #GP(0). With
 * VMASST_TYPE_architectural_iopl the kernel is CPL 0, the IOPL follows the
 * rflags given to iret and shows in bounce frames. The hardware IOPL stays 0.
 */
#include "usermode.h"
#include <tandem/physdev.h>

const char test_title[] = "set_iopl, architectural_iopl and cli/sti/in/out in kernel and user mode";

#define IOPL(n)  ((uint64_t)(n) << 12)

static const uint8_t u_cli[] = { 0xfa, 0x0f, 0x05 };
static const uint8_t u_sti[] = { 0xfb, 0x0f, 0x05 };
static const uint8_t u_in[] = { 0xe4, 0x80, 0x0f, 0x05 };
static const uint8_t u_ud2[] = { 0x0f, 0x0b };
static const uint8_t u_pushf[] = { 0x9c, 0x58, 0x0f, 0x05 };

static long set_iopl(unsigned int iopl)
{
    struct physdev_set_iopl a = { .iopl = iopl };

    return HC2(physdev_op, PHYSDEVOP_set_iopl, &a);
}

/* Vector the kernel-mode instruction raised, or -1. */
#define K_TRY(insn) ({                                                          \
    unsigned long _c = last_trap.count;                                     \
    __asm__ __volatile__("1: " insn "\n2:\n" ASM_EXTABLE(1b, 2b) ::: "rax", "memory"); \
    last_trap.count != _c ? (long)last_trap.vector : -1L; })

static void kernel_expect(bool allowed, const char *what)
{
    long want = allowed ? -1 : TRAP_gp_fault;
    char w[96];

    snprintf(w, sizeof(w), "kernel cli (%s)", what);
    CHECK_RC(K_TRY("cli"), want, w);
    snprintf(w, sizeof(w), "kernel sti (%s)", what);
    CHECK_RC(K_TRY("sti"), want, w);
    snprintf(w, sizeof(w), "kernel in $0x80 (%s)", what);
    CHECK_RC(K_TRY("in $0x80, %%al"), want, w);
    snprintf(w, sizeof(w), "kernel out $0x80 (%s)", what);
    CHECK_RC(K_TRY("out %%al, $0x80"), want, w);
}

static unsigned int user_run(const uint8_t *code, size_t len, uint64_t rflags, struct um_regs *r)
{
    memset(r, 0, sizeof(*r));
    um_run(code, len, rflags, r);
    return r->vector;
}

static void user_expect(bool allowed, uint64_t rflags, const char *what)
{
    struct um_regs r;
    const uint8_t *codes[] = { u_cli, u_sti, u_in };
    const size_t lens[] = { sizeof(u_cli), sizeof(u_sti), sizeof(u_in) };
    const char *names[] = { "cli", "sti", "in" };

    for (unsigned int i = 0; i < 3; i++) {
        unsigned int v = user_run(codes[i], lens[i], rflags, &r);
        if (allowed ? v != UM_SYSCALL : (v != TRAP_gp_fault || r.err != 0))
            test_fail("user %s (%s): vector %#x err %#lx, want %s", names[i], what, v, (unsigned long)r.err,
                      allowed ? "no fault" : "#GP(0)");
        else if (!allowed && r.rip != UM_CODE)
            test_fail("user %s (%s): #GP at %#lx, want at the instruction", names[i], what, (unsigned long)r.rip);
    }
}

/* IOPL bits of the frame a user-mode #UD bounces with. */
static uint64_t user_frame_iopl(uint64_t rflags)
{
    struct um_regs r;

    if (user_run(u_ud2, sizeof(u_ud2), rflags, &r) != TRAP_invalid_op)
        test_fail("user ud2: vector %#x, want #UD", r.vector);
    return r.rflags & IOPL(3);
}

static void hardware_iopl_zero(uint64_t rflags, const char *what)
{
    struct um_regs r;

    if (user_run(u_pushf, sizeof(u_pushf), rflags, &r) != UM_SYSCALL)
        test_fail("user pushf (%s): vector %#x", what, r.vector);
    else if (r.rax & IOPL(3))
        test_fail("user pushf (%s): hardware IOPL %lu, want 0", what, (unsigned long)(r.rax >> 12) & 3);
}

static void without_assist(void)
{
    kernel_expect(false, "IOPL 0");
    user_expect(false, 0, "IOPL 0");
    CHECK_RC(set_iopl(1), 0, "set_iopl(1)");
    kernel_expect(true, "IOPL 1");
    user_expect(false, 0, "IOPL 1");
    CHECK_RC(set_iopl(2), 0, "set_iopl(2)");
    user_expect(false, 0, "IOPL 2");
    CHECK_RC(set_iopl(3), 0, "set_iopl(3)");
    kernel_expect(true, "IOPL 3");
    user_expect(true, 0, "IOPL 3");
    hardware_iopl_zero(0, "IOPL 3");
    CHECK_RC(user_frame_iopl(0), 0, "bounce frame IOPL without the assist");
    /* Refusals leave the IOPL as it was. */
    CHECK_RC(set_iopl(4), -XEN_EINVAL, "set_iopl(4)");
    CHECK_RC(set_iopl(~0U), -XEN_EINVAL, "set_iopl(0xffffffff)");
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_set_iopl, 0x1000), -XEN_EFAULT, "set_iopl, argument unmapped");
    CHECK_RC(HC2(physdev_op, PHYSDEVOP_set_iopl, HYPERVISOR_VIRT_START), -XEN_EFAULT,
             "set_iopl, argument in the hypervisor");
    user_expect(true, 0, "IOPL 3 after refused set_iopl");
    /* Without the assist iret's IOPL bits change nothing. */
    CHECK_RC(set_iopl(0), 0, "set_iopl(0)");
    user_expect(false, IOPL(3), "IOPL 0, iret with IOPL 3, no assist");
    kernel_expect(false, "IOPL 0 after user iret with IOPL 3, no assist");
}

static void with_assist(void)
{
    CHECK_RC(HC2(vm_assist, VMASST_CMD_enable, VMASST_TYPE_architectural_iopl), 0, "enable architectural_iopl");
    kernel_expect(true, "architectural_iopl, IOPL 0: the kernel is CPL 0");
    user_expect(false, 0, "architectural_iopl, iret with IOPL 0");
    user_expect(false, IOPL(2), "architectural_iopl, iret with IOPL 2");
    user_expect(true, IOPL(3), "architectural_iopl, iret with IOPL 3");
    hardware_iopl_zero(IOPL(3), "architectural_iopl, IOPL 3");
    CHECK_RC(user_frame_iopl(IOPL(3)), IOPL(3), "bounce frame IOPL after iret with IOPL 3");
    CHECK_RC(user_frame_iopl(IOPL(1)), IOPL(1), "bounce frame IOPL after iret with IOPL 1");
    /* The user runs left IOPL 1; the kernel's own frames show it. */
    CHECK_RC(K_TRY("ud2"), TRAP_invalid_op, "kernel ud2");
    CHECK_RC(last_trap.rflags & IOPL(3), IOPL(1), "kernel bounce frame shows IOPL 1");
    CHECK_RC(set_iopl(2), 0, "set_iopl(2) with the assist");
    CHECK_RC(K_TRY("ud2"), TRAP_invalid_op, "kernel ud2");
    CHECK_RC(last_trap.rflags & IOPL(3), IOPL(2), "kernel bounce frame shows IOPL 2 from set_iopl");
    /* Only the low 32 bits of vm_assist's arguments count (Xen: unsigned int). */
    CHECK_RC(HC2(vm_assist, VMASST_CMD_disable | (1UL << 32), VMASST_TYPE_architectural_iopl | (1UL << 32)), 0,
             "disable architectural_iopl, upper halves set");
    CHECK_RC(set_iopl(0), 0, "set_iopl(0)");
    kernel_expect(false, "assist off, IOPL 0");
    CHECK_RC(K_TRY("ud2"), TRAP_invalid_op, "kernel ud2");
    CHECK_RC(last_trap.rflags & IOPL(3), 0, "no IOPL in frames once the assist is off");
    CHECK_RC(HC2(vm_assist, VMASST_CMD_enable, 6), -XEN_EINVAL, "vm_assist type 6");
    CHECK_RC(HC2(vm_assist, VMASST_CMD_enable, (1UL << 32) | 64), -XEN_EINVAL, "vm_assist type 64 (upper half set)");
    CHECK_RC(HC2(vm_assist, 2, VMASST_TYPE_architectural_iopl), -XEN_ENOSYS, "vm_assist cmd 2");
}

void test_main(void)
{
    CHECK_RC(traps_set_exceptions(), 0, "install exception handlers");
    if (!um_init())
        return;
    without_assist();
    with_assist();
    printk("iopl_modes: kernel and user checks done\n");
    test_success();
}
