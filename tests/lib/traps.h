/*
 * Exception catching for the in-QEMU test kernels (XTF's shape).
 *
 * traps.c has one entry stub per vector (all 256). Each records what Xen's
 * bounce frame held (rcx, r11, [error code], rip, cs, rflags, rsp, ss) in
 * last_trap and returns with the iret hypercall. Where it resumes:
 *   - if the faulting RIP has an ASM_EXTABLE entry: at its fixup address;
 *   - else, for traps (#BP, #OF, software interrupts): at the RIP Xen gave;
 *   - else the test is broken: it prints why and reports a crash.
 *
 * Usage:
 *   CHECK_RC(traps_set(TRAP_invalid_op, 0), 0, "install #UD");
 *   asm volatile("1: ud2; 2:" ASM_EXTABLE(1b, 2b) ::: "memory");
 *   then inspect last_trap (count, vector, err, rip ...).
 */
#ifndef TANDEM_TEST_TRAPS_H
#define TANDEM_TEST_TRAPS_H

#include "test.h"

#define TRAP_divide_error   0
#define TRAP_int3           3
#define TRAP_invalid_op     6
#define TRAP_gp_fault      13
#define TRAP_page_fault    14

#define X86_EFLAGS_IF      (1UL << 9)
#define PFEC_present       (1U << 0)
#define PFEC_write         (1U << 1)

/* Exception-table entry: a fault at `fault` resumes at `fixup`. */
#define ASM_EXTABLE(fault, fixup) \
    "\n\t.pushsection ex_table, \"a\"\n\t.balign 8\n\t.quad " #fault ", " #fixup "\n\t.popsection\n\t"

struct trap_record {
    unsigned long count;        /* exceptions taken so far */
    unsigned int vector;
    bool has_err;
    uint64_t err;               /* error code word, if the vector has one */
    uint64_t rcx, r11;          /* the two words on top of the bounce frame */
    uint64_t rip, cs, rflags, rsp, ss;  /* the iret part of the frame */
    uint64_t frame;             /* handler's RSP on entry (address of the rcx word) */
    uint16_t handler_cs, handler_ss;    /* selectors the handler ran with */
};
extern volatile struct trap_record last_trap;
/*
 * Where a fault with no ASM_EXTABLE entry resumes (0: such a fault ends the
 * test), in guest kernel mode on the flat selectors (FLAT_KERNEL_CS/SS):
 * for probes whose faulting frame cannot be returned to (a bad selector).
 */
extern volatile uint64_t trap_recover_rip;

/* Entry stub for a vector (what set_trap_table is given). */
uint64_t trap_entry(unsigned int vector);

/* set_trap_table with one entry {vector, flags (DPL | 4 = mask events), FLAT_KERNEL_CS, stub}. */
long traps_set(unsigned int vector, unsigned int flags);

/* Called (if set) for an exception whose frame shows guest user mode; must not return (usermode.c). */
extern void (*traps_user_hook)(unsigned int vector, bool has_err, const uint64_t *frame);

/* Install stubs for every exception vector 0-31 (DPL 0; #BP and #OF DPL 3). */
long traps_set_exceptions(void);

#endif
