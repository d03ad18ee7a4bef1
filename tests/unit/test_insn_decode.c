/*
 * Unit tests for hypervisor/arch/x86/hvm/insn_decode.c (docs/hvm.md "The decoder"): each MMIO
 * form with its operand, size and length; the register semantics; intercepted instructions
 * with prefixes; INS/OUTS; and each refusal, including bytes cut short anywhere.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "insn_decode.h"

static struct hvm_mmio_insn in;

#define DEC(bits, ...) ({ static const uint8_t b_[] = { __VA_ARGS__ }; \
                          hvm_decode_mmio(b_, sizeof(b_), (bits), &in); })

static void expect_mmio(const char *why, unsigned int len, unsigned int size, bool write,
                        unsigned int reg)
{
    assert_null(why);
    assert_int_equal(in.len, len);
    assert_int_equal(in.size, size);
    assert_int_equal(in.write, write);
    if (!in.imm)
        assert_int_equal(in.reg, reg);
}

static void test_mov_forms(void **state)
{
    (void)state;
    /* mov %eax,(%rbx) / mov (%rbx),%ecx */
    expect_mmio(DEC(64, 0x89, 0x03), 2, 4, true, 0);
    expect_mmio(DEC(64, 0x8b, 0x0b), 2, 4, false, 1);
    /* mov %r9d,0x10(%rax): REX.R, disp8 */
    expect_mmio(DEC(64, 0x44, 0x89, 0x48, 0x10), 4, 4, true, 9);
    /* mov (%rbx,%rcx,4),%r10d: REX.R, SIB */
    expect_mmio(DEC(64, 0x44, 0x8b, 0x14, 0x8b), 4, 4, false, 10);
    /* mov %rax,0x380(%rbx): REX.W, disp32 */
    expect_mmio(DEC(64, 0x48, 0x89, 0x83, 0x80, 0x03, 0, 0), 7, 8, true, 0);
    /* mov 0x12345678(%rip),%edx */
    expect_mmio(DEC(64, 0x8b, 0x15, 0x78, 0x56, 0x34, 0x12), 6, 4, false, 2);
    /* SIB with no base: mov 0xfee00380(,%riz),%eax */
    expect_mmio(DEC(64, 0x8b, 0x04, 0x25, 0x80, 0x03, 0xe0, 0xfe), 7, 4, false, 0);
    /* 88 from %sil (REX: SIL), 8A into %ah (no REX: AH) */
    expect_mmio(DEC(64, 0x40, 0x88, 0x33), 3, 1, true, 6);
    assert_true(in.rex);
    expect_mmio(DEC(64, 0x8a, 0x23), 2, 1, false, 4);
    assert_false(in.rex);
    /* 66 89: 16-bit */
    expect_mmio(DEC(64, 0x66, 0x89, 0x10), 3, 2, true, 2);
    /* segment override and 67 in 64-bit code */
    expect_mmio(DEC(64, 0x64, 0x67, 0x8b, 0x03), 4, 4, false, 0);
    /* the same forms in 32-bit code */
    expect_mmio(DEC(32, 0x89, 0x05, 0x80, 0x03, 0xe0, 0xfe), 6, 4, true, 0);
}

static void test_immediates(void **state)
{
    (void)state;
    /* movl $0x12345678,(%rax) */
    expect_mmio(DEC(64, 0xc7, 0x00, 0x78, 0x56, 0x34, 0x12), 6, 4, true, 0);
    assert_true(in.imm);
    assert_int_equal(in.immval, 0x12345678);
    /* movq $-1,(%rax): imm32 sign-extended */
    expect_mmio(DEC(64, 0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff), 7, 8, true, 0);
    assert_int_equal(in.immval, UINT64_MAX);
    /* movw $0xbeef,(%rax) */
    expect_mmio(DEC(64, 0x66, 0xc7, 0x00, 0xef, 0xbe), 5, 2, true, 0);
    assert_int_equal(in.immval, 0xbeef);
    /* movb $0x42,0x10(%rax) */
    expect_mmio(DEC(64, 0xc6, 0x40, 0x10, 0x42), 4, 1, true, 0);
    assert_int_equal(in.immval, 0x42);
    /* RIP-relative with an immediate after the displacement */
    expect_mmio(DEC(64, 0xc7, 0x05, 1, 2, 3, 4, 0x88, 0x77, 0x66, 0x55), 10, 4, true, 0);
    assert_int_equal(in.immval, 0x55667788);
}

static void test_movzx_moffs(void **state)
{
    (void)state;
    /* movzbl 1(%rax),%ecx; movzwl (%rax),%edx; movzbq (%rax),%r8 */
    expect_mmio(DEC(64, 0x0f, 0xb6, 0x48, 0x01), 4, 1, false, 1);
    assert_int_equal(in.dsize, 4);
    expect_mmio(DEC(64, 0x0f, 0xb7, 0x10), 3, 2, false, 2);
    assert_int_equal(in.dsize, 4);
    expect_mmio(DEC(64, 0x4c, 0x0f, 0xb6, 0x00), 4, 1, false, 8);
    assert_int_equal(in.dsize, 8);
    /* movabs 0xfee00380,%eax (A1 moffs64), movabs %eax,... (A3), A0/A2 bytes; 32-bit moffs32 */
    expect_mmio(DEC(64, 0xa1, 0x80, 0x03, 0xe0, 0xfe, 0, 0, 0, 0), 9, 4, false, 0);
    expect_mmio(DEC(64, 0x48, 0xa3, 0x80, 0x03, 0xe0, 0xfe, 0, 0, 0, 0), 10, 8, true, 0);
    expect_mmio(DEC(64, 0xa2, 0x80, 0x03, 0xe0, 0xfe, 0, 0, 0, 0), 9, 1, true, 0);
    expect_mmio(DEC(32, 0xa0, 0x80, 0x03, 0xe0, 0xfe), 5, 1, false, 0);
    expect_mmio(DEC(64, 0x67, 0xa1, 0x80, 0x03, 0xe0, 0xfe), 6, 4, false, 0);
}

static void test_refusals(void **state)
{
    (void)state;
    assert_string_equal(DEC(64, 0x83, 0x04, 0x25, 0x80, 0x03, 0xe0, 0xfe, 0x01), "not a MOV or MOVZX");
    assert_string_equal(DEC(64, 0x0f, 0xaf, 0x03), "not a MOV or MOVZX");
    assert_string_equal(DEC(64, 0xf0, 0x89, 0x03), "LOCK/REP prefix");
    assert_string_equal(DEC(64, 0xf3, 0x89, 0x03), "LOCK/REP prefix");
    assert_string_equal(DEC(64, 0x89, 0xc3), "a register operand, not memory");
    assert_string_equal(DEC(64, 0xc7, 0x08, 1, 2, 3, 4), "C6/C7 with a reg field other than /0");
    assert_string_equal(DEC(16, 0x89, 0x07), "16-bit code");
    assert_string_equal(DEC(32, 0x67, 0x89, 0x07), "16-bit addressing");
    assert_string_equal(DEC(64, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                            0x66, 0x66, 0x66, 0x66, 0x89, 0x03), "too many prefixes");
    /* 14 prefixes + 89 + ModRM: 16 bytes */
    assert_string_equal(DEC(64, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
                            0x66, 0x66, 0x66, 0x89, 0x03), "longer than 15 bytes");
    /* 14 prefixes + C7 + ModRM + disp32 + imm32: 24 bytes */
    assert_string_equal(DEC(64, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0xc7, 0x80,
                            1, 2, 3, 4, 5, 6, 7, 8), "longer than 15 bytes");
    /* 12 prefixes + A0 + moffs32 (found by fuzz/insn_decode) */
    assert_string_equal(DEC(32, 0x64, 0x64, 0x65, 0x65, 0x65, 0x65, 0x65, 0x65, 0x65, 0x65, 0x64,
                            0x64, 0xa0, 0x80, 0x03, 0xe0, 0xfe), "longer than 15 bytes");
    /* every form cut short anywhere is refused, never read past its end */
    {
        static const uint8_t full[] = { 0x48, 0xc7, 0x84, 0x8b, 1, 2, 3, 4, 5, 6, 7, 8 };
        for (unsigned int n = 0; n < sizeof(full); n++)
            assert_non_null(hvm_decode_mmio(full, n, 64, &in));
        assert_null(hvm_decode_mmio(full, sizeof(full), 64, &in));
        assert_int_equal(in.len, sizeof(full));
    }
}

static void test_registers(void **state)
{
    struct cpu_user_regs r;

    (void)state;
    memset(&r, 0, sizeof(r));
    r.rax = 0x1122334455667788ULL;
    r.rsi = 0xaabbccddeeff0011ULL;
    assert_int_equal(hvm_reg_read(&r, 4, 1, false), 0x77);     /* AH */
    assert_int_equal(hvm_reg_read(&r, 6, 1, true), 0x11);      /* SIL */
    assert_int_equal(hvm_reg_read(&r, 0, 2, false), 0x7788);
    hvm_reg_write(&r, 0, 4, false, 0xdeadbeef);                  /* zero-extends */
    assert_int_equal(r.rax, 0xdeadbeefULL);
    hvm_reg_write(&r, 4, 1, false, 0x5a);                        /* AH merges */
    assert_int_equal(r.rax, 0xdead5aefULL);
    hvm_reg_write(&r, 6, 2, true, 0x1234);                       /* SI merges */
    assert_int_equal(r.rsi, 0xaabbccddeeff1234ULL);
    hvm_reg_write(&r, 15, 8, true, 7);
    assert_int_equal(r.r15, 7);
}

static void test_intercepted_len(void **state)
{
    static const uint8_t cpuid[] = { 0x0f, 0xa2 }, vmmcall[] = { 0x0f, 0x01, 0xd9 }, hlt[] = { 0xf4 };
    static const uint8_t p1[] = { 0x66, 0x2e, 0x0f, 0xa2, 0x90 }, p2[] = { 0x3e, 0x48, 0x0f, 0xa2 };
    static const uint8_t p3[] = { 0xf0, 0x0f, 0xa2 }, p4[] = { 0x0f, 0x01, 0xd8 }, p5[] = { 0x3e, 0xf4 };
    static const uint8_t many[16] = { 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
                                      0x2e, 0x2e, 0x2e, 0x2e, 0x0f, 0xa2 };

    (void)state;
    assert_int_equal(hvm_insn_len(cpuid, 2, true, cpuid, 2), 2);
    assert_int_equal(hvm_insn_len(p1, sizeof(p1), true, cpuid, 2), 4);
    assert_int_equal(hvm_insn_len(p2, sizeof(p2), true, cpuid, 2), 4);
    assert_int_equal(hvm_insn_len(p2, sizeof(p2), false, cpuid, 2), 0);    /* 0x48 is DEC in 32-bit code */
    assert_int_equal(hvm_insn_len(p3, sizeof(p3), true, cpuid, 2), 0);     /* LOCK: not taken */
    assert_int_equal(hvm_insn_len(p4, sizeof(p4), true, vmmcall, 3), 0);   /* VMRUN's neighbour */
    assert_int_equal(hvm_insn_len(p5, sizeof(p5), false, hlt, 1), 2);
    assert_int_equal(hvm_insn_len(p1, 3, true, cpuid, 2), 0);              /* cut short */
    assert_int_equal(hvm_insn_len(many, 16, true, cpuid, 2), 0);           /* 16 bytes */
}

static void test_string_io(void **state)
{
    struct hvm_string_insn si;
    static const uint8_t outsb[] = { 0xf3, 0x6e }, insl[] = { 0x6d }, insw[] = { 0x66, 0x6d };
    static const uint8_t fs_outsw[] = { 0x64, 0x66, 0xf3, 0x6f }, a32[] = { 0x67, 0xf3, 0x6c };
    static const uint8_t rexw[] = { 0x66, 0x48, 0x6f }, bad16[] = { 0x67, 0x6c }, notio[] = { 0xf3, 0xa4 };

    (void)state;
    assert_null(hvm_decode_string_io(outsb, 2, 64, &si));
    assert_true(si.rep && !si.in && si.size == 1 && si.seg == 3 && si.asz == 64 && si.len == 2);
    assert_null(hvm_decode_string_io(insl, 1, 32, &si));
    assert_true(!si.rep && si.in && si.size == 4 && si.seg == 0 && si.asz == 32);
    assert_null(hvm_decode_string_io(insw, 2, 64, &si));
    assert_int_equal(si.size, 2);
    assert_null(hvm_decode_string_io(fs_outsw, 4, 64, &si));
    assert_true(si.rep && si.seg == 4 && si.size == 2 && si.len == 4);
    assert_null(hvm_decode_string_io(a32, 3, 64, &si));
    assert_true(si.in && si.seg == 0 && si.asz == 32);
    assert_null(hvm_decode_string_io(rexw, 3, 64, &si));
    assert_int_equal(si.size, 4);                               /* REX.W over 66: still 32 bits */
    assert_string_equal(hvm_decode_string_io(bad16, 2, 32, &si), "16-bit addressing");
    assert_string_equal(hvm_decode_string_io(notio, 2, 64, &si), "not INS or OUTS");
    assert_string_equal(hvm_decode_string_io(outsb, 1, 64, &si), "not INS or OUTS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mov_forms),
        cmocka_unit_test(test_immediates),
        cmocka_unit_test(test_movzx_moffs),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_registers),
        cmocka_unit_test(test_intercepted_len),
        cmocka_unit_test(test_string_io),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
