/* The recording NMI callback (see nmi.h). Top-level asm in a .c file: tests/lib is linked as C. */
#include "nmi.h"
#include <tandem/callback.h>
#include <tandem/vcpu.h>

struct nmi_rec nmi_recs[2];

extern char nmi_entry0[], nmi_entry1[];
void nmi_record(const uint64_t *frame, unsigned int vcpu);

/* rsp -> rcx, r11, rip, cs, rflags, rsp, ss: keep what the interrupted code owns, record, iret. */
#define NMI_ENTRY(n)                                                            \
    ".globl nmi_entry" #n "\n"                                                  \
    "nmi_entry" #n ":\n\t"                                                      \
    "push %rax\n\tpush %rcx\n\tpush %rdx\n\tpush %rsi\n\tpush %rdi\n\t"         \
    "push %r8\n\tpush %r9\n\tpush %r10\n\tpush %r11\n\tpush %rbp\n\t"          \
    "lea 80(%rsp), %rdi\n\tmov $" #n ", %esi\n\t"                               \
    "mov %rsp, %rbp\n\tand $-16, %rsp\n\tcall nmi_record\n\tmov %rbp, %rsp\n\t" \
    "pop %rbp\n\tpop %r11\n\tpop %r10\n\tpop %r9\n\tpop %r8\n\t"               \
    "pop %rdi\n\tpop %rsi\n\tpop %rdx\n\tpop %rcx\n\tpop %rax\n\t"              \
    "pop %rcx\n\tpop %r11\n\tpushq $0\n\t"                                      \
    "jmp " HYPERCALL_STUB_ASM(iret) "\n\t"

__asm__(".pushsection .text, \"ax\"\n\t" NMI_ENTRY(0) NMI_ENTRY(1) ".popsection");

void nmi_record(const uint64_t *frame, unsigned int vcpu)
{
    struct nmi_rec *r = &nmi_recs[vcpu & 1];

    r->depth++;
    if (r->depth > r->max_depth)
        r->max_depth = r->depth;
    r->count++;
    r->rip = frame[2];
    r->cs = frame[3];
    r->mask_in_handler = shared_info ? shared_info->vcpu_info[vcpu & 1].evtchn_upcall_mask : 0xff;
    while (r->resend) {
        r->resend--;
        HC3(vcpu_op, VCPUOP_send_nmi, vcpu, NULL);  /* stays pending: we are in the callback */
    }
    r->depth--;
}

long nmi_register(unsigned int vcpu)
{
    struct callback_register cb = { .type = CALLBACKTYPE_nmi,
                                    .address = (uint64_t)(vcpu ? nmi_entry1 : nmi_entry0) };

    return HC2(callback_op, CALLBACKOP_register, &cb);
}

long nmi_unregister(void)
{
    struct callback_unregister un = { .type = CALLBACKTYPE_nmi };

    return HC2(callback_op, CALLBACKOP_unregister, &un);
}
