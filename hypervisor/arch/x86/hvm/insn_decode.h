/*
 * The HVM instruction decoder's pure part (hvm/insn_decode.c, docs/hvm.md
 * "The decoder"): bytes in, a description out, no guest state touched, so
 * the host unit test and fuzz target run it as the hypervisor does. Every
 * function reads at most n bytes of b and never returns a length above n
 * or HVM_MAX_INSN.
 */
#ifndef TANDEM_HVM_INSN_DECODE_H
#define TANDEM_HVM_INSN_DECODE_H

#include "types.h"
#include "regs.h"

#define HVM_MAX_INSN 15

/* One MMIO access: MOV 88/89/8A/8B/C6/C7/A0-A3 or MOVZX 0F B6/B7. */
struct hvm_mmio_insn {
    unsigned int len;       /* bytes, prefixes included */
    unsigned int size;      /* of the memory access: 1, 2, 4, 8 */
    unsigned int dsize;     /* of the destination register (MOVZX), else size */
    bool write;             /* to memory */
    bool imm;               /* the value written is immval */
    uint64_t immval;
    unsigned int reg;       /* the register operand, 0-15 (ModRM reg with REX.R) */
    bool rex;               /* any REX (byte registers 4-7 are SPL..DIL, not AH..BH) */
};
/* Decode b[0..n) as code of `bits` (16, 32, 64): NULL, or why it is refused. */
const char *hvm_decode_mmio(const uint8_t *b, unsigned int n, unsigned int bits, struct hvm_mmio_insn *in);

/* The length of op[0..oplen) after any legacy prefixes (and a REX in 64-bit code) at b[0..n);
 * 0 if those bytes are not that instruction (LOCK is not a prefix it takes). */
unsigned int hvm_insn_len(const uint8_t *b, unsigned int n, bool lm, const uint8_t *op, unsigned int oplen);

/* INS/OUTS (6C-6F). */
struct hvm_string_insn {
    unsigned int len;
    unsigned int size;      /* element: 1, 2, 4 */
    unsigned int seg;       /* of the memory operand: 0 ES .. 5 GS (INS: always ES) */
    unsigned int asz;       /* address size: 32 or 64 */
    bool in, rep;
};
const char *hvm_decode_string_io(const uint8_t *b, unsigned int n, unsigned int bits,
                                 struct hvm_string_insn *si);

/* General register idx (0 rax .. 15 r15) at size bytes, as the CPU reads and writes it:
 * byte registers 4-7 without REX are AH..BH; 32-bit writes zero the upper half. */
uint64_t hvm_reg_read(const struct cpu_user_regs *r, unsigned int idx, unsigned int size, bool rex);
void hvm_reg_write(struct cpu_user_regs *r, unsigned int idx, unsigned int size, bool rex, uint64_t v);

#endif
