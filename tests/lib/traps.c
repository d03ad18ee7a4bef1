/*
 * Exception entry stubs for the test kernels (see traps.h). Lives in a .c
 * file with top-level asm because tests/guest/build.mk links every tests/lib C file.
 *
 * On entry Xen has pushed its bounce frame: rcx, r11, [error], rip, cs,
 * rflags, rsp, ss (lowest address first). Each stub pushes its vector and
 * jumps to a common path that saves the other caller-saved registers,
 * calls trap_dispatch(vector, has_err, frame), restores, pops rcx and r11
 * (and the error code) and leaves with the iret hypercall: push flags = 0
 * and jump to the iret stub, which pushes rcx, r11, rax itself.
 */
#include "traps.h"

volatile struct trap_record last_trap;
volatile uint64_t trap_recover_rip;
void (*traps_user_hook)(unsigned int vector, bool has_err, const uint64_t *frame);

struct ex_entry { uint64_t fault, fixup; };
extern const struct ex_entry __start_ex_table[], __stop_ex_table[];
extern const char trap_stubs[];

void trap_dispatch(unsigned int vec, unsigned int has_err, uint64_t *frame);

/* Keep ex_table (and its __start/__stop symbols) in every image. */
__asm__(".pushsection ex_table, \"a\"\n\t.balign 8\n\t.popsection");

__asm__(
    ".pushsection .text, \"ax\"\n\t"
    ".balign 16\n\t"
    ".globl trap_stubs\n"
    "trap_stubs:\n\t"
    "vec = 0\n\t"
    ".rept 256\n\t"
    ".balign 16\n\t"
    "pushq $vec\n\t"
    ".if (vec == 8) || (vec >= 10 && vec <= 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)\n\t"
    "jmp trap_common_err\n\t"
    ".else\n\t"
    "jmp trap_common_noerr\n\t"
    ".endif\n\t"
    "vec = vec + 1\n\t"
    ".endr\n"
    "trap_common_err:\n\t"
    "push %rax\n\t"
    "mov $1, %eax\n\t"
    "jmp 1f\n"
    "trap_common_noerr:\n\t"
    "push %rax\n\t"
    "xor %eax, %eax\n"
    "1:\n\t"
    "push %rdx\n\tpush %rsi\n\tpush %rdi\n\tpush %r8\n\tpush %r9\n\tpush %r10\n\tpush %rbp\n\tpush %rbx\n\t"
    "cld\n\t"
    "mov 72(%rsp), %edi\n\t"       /* vector */
    "mov %eax, %esi\n\t"           /* has_err */
    "lea 80(%rsp), %rdx\n\t"       /* frame: the rcx word */
    "mov %eax, %ebx\n\t"
    "mov %rsp, %rbp\n\t"
    "and $-16, %rsp\n\t"
    "call trap_dispatch\n\t"
    "mov %rbp, %rsp\n\t"
    "test %ebx, %ebx\n\t"
    "pop %rbx\n\tpop %rbp\n\tpop %r10\n\tpop %r9\n\tpop %r8\n\tpop %rdi\n\tpop %rsi\n\tpop %rdx\n\tpop %rax\n\t"
    "lea 8(%rsp), %rsp\n\t"        /* the vector */
    "pop %rcx\n\t"
    "pop %r11\n\t"
    "jz 2f\n\t"
    "lea 8(%rsp), %rsp\n"          /* the error code */
    "2:\n\t"
    "pushq $0\n\t"                 /* iret flags: not VGCF_in_syscall */
    "jmp " HYPERCALL_STUB_ASM(iret) "\n\t"
    ".popsection");

uint64_t trap_entry(unsigned int vector)
{
    return (uint64_t)(trap_stubs + 16 * (vector & 255));
}

void trap_dispatch(unsigned int vec, unsigned int has_err, uint64_t *frame)
{
    uint64_t *iret = frame + 2 + (has_err ? 1 : 0);
    uint16_t cs, ss;

    __asm__ __volatile__("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
    last_trap.vector = vec;
    last_trap.has_err = has_err;
    last_trap.err = has_err ? frame[2] : 0;
    last_trap.rcx = frame[0];
    last_trap.r11 = frame[1];
    last_trap.rip = iret[0];
    last_trap.cs = iret[1];
    last_trap.rflags = iret[2];
    last_trap.rsp = iret[3];
    last_trap.ss = iret[4];
    last_trap.frame = (uint64_t)frame;
    last_trap.handler_cs = cs;
    last_trap.handler_ss = ss;
    last_trap.count++;

    if ((iret[1] & 3) == 3 && traps_user_hook)
        traps_user_hook(vec, has_err, frame);
    for (const struct ex_entry *e = __start_ex_table; e < __stop_ex_table; e++) {
        if (e->fault == iret[0]) {
            iret[0] = e->fixup;
            return;
        }
    }
    if (vec == 3 || vec == 4 || vec >= 32)
        return;                 /* a trap: Xen's RIP is already past the instruction */
    if (trap_recover_rip) {
        iret[0] = trap_recover_rip;
        iret[1] = FLAT_KERNEL_CS & ~3UL;    /* RPL 0: stay in guest kernel mode */
        iret[4] = FLAT_KERNEL_SS;
        return;
    }
    printk("traps: unexpected vector %u (error %#lx) at %#lx, no fixup: giving up\n",
           vec, (unsigned long)last_trap.err, (unsigned long)iret[0]);
    shutdown(SHUTDOWN_crash);
}

long traps_set(unsigned int vector, unsigned int flags)
{
    struct trap_info t[2] = {
        { .vector = vector, .flags = flags, .cs = FLAT_KERNEL_CS, .address = trap_entry(vector) },
        { 0 },
    };

    return HC1(set_trap_table, t);
}

long traps_set_exceptions(void)
{
    struct trap_info t[33];

    memset(t, 0, sizeof(t));
    for (unsigned int v = 0; v < 32; v++) {
        t[v].vector = v;
        t[v].flags = (v == 3 || v == 4) ? 3 : 0;
        t[v].cs = FLAT_KERNEL_CS;
        t[v].address = trap_entry(v);
    }
    return HC1(set_trap_table, t);
}
