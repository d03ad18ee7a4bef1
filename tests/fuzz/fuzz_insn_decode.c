/*
 * Fuzz target: the HVM instruction decoder (hypervisor/arch/x86/hvm/insn_decode.c), which reads
 * bytes the guest controls. The first input byte picks the code size (16, 32, 64) and a register
 * state; the rest are the instruction bytes. Whatever they are, no read goes past them (ASan),
 * and every length, size and register the decoder reports is one the emulator can act on.
 */
#include <string.h>
#include "fuzz.h"
#include "insn_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const unsigned int bits_of[] = { 16, 32, 64, 64 };
    static const uint8_t ops[][3] = { { 0x0f, 0xa2 }, { 0x0f, 0x32 }, { 0xf4 }, { 0x0f, 0x01, 0xd9 } };
    static const unsigned int oplen[] = { 2, 2, 1, 3 };
    struct hvm_mmio_insn in;
    struct hvm_string_insn si;
    struct cpu_user_regs r;
    unsigned int bits, n, len;
    const uint8_t *b;
    uint8_t *copy;

    if (size < 1)
        return 0;
    bits = bits_of[data[0] & 3];
    n = (unsigned int)(size - 1 > 64 ? 64 : size - 1);
    /* An exact-size copy: ASan sees any read past the n bytes the decoder was given. */
    if (!(copy = malloc(n ? n : 1)))
        return 0;
    memcpy(copy, data + 1, n);
    b = copy;
    if (!hvm_decode_mmio(b, n, bits, &in)) {
        FUZZ_CHECK(in.len >= 1 && in.len <= n && in.len <= HVM_MAX_INSN);
        FUZZ_CHECK(in.size == 1 || in.size == 2 || in.size == 4 || in.size == 8);
        FUZZ_CHECK(in.dsize >= in.size && in.dsize <= 8 && in.reg < 16);
        FUZZ_CHECK(in.write || !in.imm);
        memset(&r, 0, sizeof(r));
        r.rax = 0x0123456789abcdefULL;
        hvm_reg_write(&r, in.reg, in.dsize, in.rex, hvm_reg_read(&r, in.reg, in.size, in.rex));
    }
    for (unsigned int k = 0; k < 4; k++) {
        len = hvm_insn_len(b, n, bits == 64, ops[k], oplen[k]);
        FUZZ_CHECK(len <= n && len <= HVM_MAX_INSN);
        FUZZ_CHECK(!len || (len >= oplen[k] && !memcmp(b + len - oplen[k], ops[k], oplen[k])));
    }
    if (!hvm_decode_string_io(b, n, bits, &si)) {
        FUZZ_CHECK(si.len >= 1 && si.len <= n && si.len <= HVM_MAX_INSN);
        FUZZ_CHECK(si.size == 1 || si.size == 2 || si.size == 4);
        FUZZ_CHECK(si.seg < 6 && (si.asz == 32 || si.asz == 64) && (!si.in || si.seg == 0));
    }
    free(copy);
    return 0;
}
