/* Unit tests for hypervisor/arch/x86/hvm/ioreq_gpr.c: a device model's answer into a register, x86's way. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "hvm.h"

#define OLD 0x1122334455667788ULL

static struct cpu_user_regs fresh(void)
{
    struct cpu_user_regs r;

    memset(&r, 0, sizeof(r));
    r.rax = r.rcx = r.rdx = r.rbx = r.rsp = r.rbp = r.rsi = r.rdi = OLD;
    r.r8 = r.r9 = r.r10 = r.r11 = r.r12 = r.r13 = r.r14 = r.r15 = OLD;
    return r;
}

/* 8 and 16-bit operands merge, a 32-bit one zero-extends, a 64-bit one replaces. */
static void test_sizes(void **state)
{
    struct cpu_user_regs r = fresh();

    (void)state;
    hvm_ioreq_write_gpr(&r, 0, 1, 0xaabbccddeeff0099ULL);
    assert_int_equal(r.rax, 0x1122334455667799ULL);
    hvm_ioreq_write_gpr(&r, 0, 2, 0xbeef);
    assert_int_equal(r.rax, 0x112233445566beefULL);
    hvm_ioreq_write_gpr(&r, 0, 4, 0xffffffffcafef00dULL);
    assert_int_equal(r.rax, 0xcafef00dULL);
    hvm_ioreq_write_gpr(&r, 0, 8, 0x0123456789abcdefULL);
    assert_int_equal(r.rax, 0x0123456789abcdefULL);
}

/* Registers in x86 encoding order; AH..BH are bits 8-15 of rax..rbx; nothing else changes. */
static void test_registers(void **state)
{
    uint64_t *order[16];
    struct cpu_user_regs r = fresh();

    (void)state;
    order[0] = &r.rax; order[1] = &r.rcx; order[2] = &r.rdx; order[3] = &r.rbx;
    order[4] = &r.rsp; order[5] = &r.rbp; order[6] = &r.rsi; order[7] = &r.rdi;
    order[8] = &r.r8; order[9] = &r.r9; order[10] = &r.r10; order[11] = &r.r11;
    order[12] = &r.r12; order[13] = &r.r13; order[14] = &r.r14; order[15] = &r.r15;
    for (unsigned int g = 0; g < 16; g++) {
        r = fresh();
        hvm_ioreq_write_gpr(&r, g, 4, 0x42);
        for (unsigned int o = 0; o < 16; o++)
            assert_int_equal(*order[o], o == g ? 0x42 : OLD);
    }
    r = fresh();
    hvm_ioreq_write_gpr(&r, HVM_IOREQ_GPR_AH + 3, 1, 0x1ab);    /* BH */
    assert_int_equal(r.rbx, 0x112233445566ab88ULL);
    assert_int_equal(r.rax, OLD);
    /* No register: nothing written. */
    r = fresh();
    hvm_ioreq_write_gpr(&r, HVM_IOREQ_NO_GPR, 4, 0);
    hvm_ioreq_write_gpr(&r, 20, 4, 0);
    for (unsigned int o = 0; o < 16; o++)
        assert_int_equal(*order[o], OLD);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_registers),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
