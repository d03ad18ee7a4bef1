/*
 * Every way into the hypervisor: exceptions and interrupts (IDT stubs),
 * SYSCALL from 64-bit (LSTAR) and 32-bit (CSTAR) guest code, and SYSENTER.
 * Each builds a struct cpu_user_regs and calls C.
 * Hypervisor code runs with interrupts off except in the idle loop, and with
 * EFLAGS.AC clear (SMAP enforced) except inside the guest-copy helpers.
 * All returns to a guest go through return_to_guest, which handles pending
 * work (scheduling, event upcalls) before restoring the frame, except an
 * NMI's, which returns straight from its IST stack (see ist_entry).
 */
#include "config.h"
#include <tandem/xen.h>         /* FLAT_RING3_* selectors */

#define REGS_ENTRY_OFF  120
#define REGS_RIP_OFF    128
#define REGS_CS_OFF     136
#define REGS_SIZE       168
#define ENTRY_SYSCALL   0x100

/* clac/stac only exist on CPUs with SMAP; cpu_smap says whether it is on. */
.macro ASM_CLAC
        testb   $1, cpu_smap(%rip)
        jz      .Lno_clac\@
        clac
.Lno_clac\@:
.endm
.macro ASM_STAC
        testb   $1, cpu_smap(%rip)
        jz      .Lno_stac\@
        stac
.Lno_stac\@:
.endm

.macro SAVE_ALL
        push    %rdi
        push    %rsi
        push    %rdx
        push    %rcx
        push    %rax
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
.endm

.macro RESTORE_ALL
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rax
        pop     %rcx
        pop     %rdx
        pop     %rsi
        pop     %rdi
.endm

        .section .text.entry, "ax"

/*
 * IDT stubs: 16 bytes apart, vector i at idt_stubs + 16 * i. #DB, NMI, #DF
 * and #MC run on IST stacks (cpu.c) and enter through ist_entry.
 */
        .align 16
        .globl idt_stubs
idt_stubs:
vec = 0
.rept 256
        .align 16
.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
        movl    $vec, 4(%rsp)
.else
        pushq   $0
        movl    $vec, 4(%rsp)
.endif
.if (vec == 1) || (vec == 2) || (vec == 8) || (vec == 18)
        jmp     ist_entry
.else
        jmp     common_entry
.endif
vec = vec + 1
.endr

/*
 * The IST vectors can arrive anywhere, even before an entry path has left
 * the guest's stack or GS (a #DB held back by `mov ss` and delivered at
 * syscall_entry, XSA-260), so they never trust either: they run on their
 * own stacks, whose top word points at this CPU's struct percpu like the
 * main stack's (this_cpu() works). From hypervisor context, and for an NMI
 * from any context, the handler runs here and returns with a plain iretq:
 * an NMI does no guest work, and pending work waits for the next entry.
 * Any other IST vector from guest mode (a guest's own #DB) moves its frame
 * to the guest frame at the top of the main stack, which is empty while a
 * guest runs, and takes the ordinary path (bounce, return_to_guest).
 */
ist_entry:
        cld
        SAVE_ALL
        ASM_CLAC
        testb   $3, REGS_CS_OFF(%rsp)
        jz      1f
        cmpl    $2, REGS_ENTRY_OFF(%rsp)
        je      1f
        mov     %rsp, %rsi
        mov     %rsp, %rdi
        and     $~(STACK_SIZE - 1), %rdi
        or      $(STACK_SIZE - 8), %rdi
        mov     (%rdi), %rdi                    /* struct percpu, at the IST block's top */
        mov     (%rdi), %rdi                    /* its rsp0: top of the guest frame */
        sub     $REGS_SIZE, %rdi
        mov     %rdi, %rsp
        mov     $REGS_SIZE / 8, %ecx
        rep movsq
        jmp     dispatch_trap
1:      mov     %rsp, %rbx
        mov     %rsp, %rdi
        and     $~15, %rsp
        call    do_trap
        mov     %rbx, %rsp
        RESTORE_ALL
        add     $8, %rsp
        iretq

common_entry:
        cld
        SAVE_ALL
        ASM_CLAC
dispatch_trap:
        mov     %rsp, %rbx
        mov     %rsp, %rdi
        and     $~15, %rsp
        call    do_trap
        mov     %rbx, %rsp
        testb   $3, REGS_CS_OFF(%rsp)
        jnz     return_to_guest
        RESTORE_ALL
        add     $8, %rsp
        iretq

/*
 * SYSCALL: switch to this CPU's stack (GS base = &percpu after swapgs) and
 * build the frame SYSCALL's state implies (cs the guest ran with), then C.
 * SFMASK has cleared IF, TF, DF, NT and AC.
 */
.macro SYSCALL_FRAME cs
        swapgs
        mov     %rsp, %gs:8
        mov     %gs:0, %rsp
        pushq   $FLAT_USER_SS
        pushq   %gs:8
        swapgs
        push    %r11
        pushq   $\cs
        push    %rcx
        pushq   $0
        movl    $ENTRY_SYSCALL, 4(%rsp)
        cld
        SAVE_ALL
        mov     %rsp, %rbx
        mov     %rsp, %rdi
        and     $~15, %rsp
.endm

/* SYSCALL from 32-bit guest code (MSR_CSTAR): never a hypercall (Xen's cstar_enter). */
        .globl cstar_entry
cstar_entry:
        SYSCALL_FRAME FLAT_RING3_CS32
        call    do_syscall32
        mov     %rbx, %rsp
        jmp     return_to_guest

/*
 * SYSENTER (Intel; #UD in long mode on AMD): the CPU gives a ring-0 CS, the
 * stack in MSR_SYSENTER_ESP (this CPU's guest frame top) and the guest's
 * flags minus IF and VM; it saves neither RIP nor RSP, so the frame holds
 * Xen's null ones. The guest's TF survives SYSENTER: each instruction up to
 * sysenter_eflags_saved single-steps (the #DB handler lets them, then clears
 * TF in the frame it returns to); from there the hypervisor's own flags are
 * reset, which also clears a guest NT (fatal to a later iretq) and AC.
 */
        .globl sysenter_entry, sysenter_eflags_saved
sysenter_entry:
        pushq   $FLAT_USER_SS
        pushq   $0
        pushfq
sysenter_eflags_saved:
        pushq   $2
        popfq
        pushq   $3                      /* null ring-3 cs */
        pushq   $0                      /* null rip */
        pushq   $0
        movl    $ENTRY_SYSCALL, 4(%rsp)
        SAVE_ALL
        mov     %rsp, %rbx
        mov     %rsp, %rdi
        and     $~15, %rsp
        call    do_sysenter
        mov     %rbx, %rsp
        jmp     return_to_guest

/* SYSCALL from 64-bit guest code (kernel: hypercall; user: bounced system call). */
        .globl syscall_entry
syscall_entry:
        SYSCALL_FRAME FLAT_RING3_CS64
        call    do_syscall
        mov     %rbx, %rsp
        /* fall through */

/* rsp = this CPU's guest frame. */
        .globl return_to_guest
return_to_guest:
        cli
        mov     %rsp, %rbx
        and     $~15, %rsp
        call    prepare_to_return_guest
        mov     %rbx, %rsp
        RESTORE_ALL
        add     $8, %rsp
        .globl iret_to_guest
iret_to_guest:
        iretq

/* resume_guest(frame): abandon the current stack and return to the guest. */
        .globl resume_guest
resume_guest:
        mov     %rdi, %rsp
        jmp     return_to_guest

/*
 * size_t raw_copy_guest(void *dst, const void *src, size_t n): bytes NOT copied.
 * A fault inside rep movsq/movsb is fixed up (see .ex_table) to return the
 * remainder. Whole quadwords (bounce and iret frames, mmu_update requests) go
 * by rep movsq: an eighth of the iterations (under TCG each is a step).
 * These helpers are the only hypervisor code that runs with EFLAGS.AC set
 * (STAC), so SMAP lets them, and nothing else, touch guest (user) pages.
 */
        .section .text.pvfast, "ax"     /* beside the PV fast paths (types.h __pv_fast) */
        .globl raw_copy_guest
raw_copy_guest:
        mov     %rdx, %rcx
        ASM_STAC
        test    $7, %cl
        jnz     1f
        shr     $3, %rcx
5:      rep movsq
        ASM_CLAC
        xor     %eax, %eax
        ret
6:      ASM_CLAC
        lea     (, %rcx, 8), %rax
        ret
1:      rep movsb
        ASM_CLAC
        xor     %eax, %eax
        ret
2:      ASM_CLAC
        mov     %rcx, %rax
        ret
        .section .ex_table, "a"
        .quad   1b, 2b
        .quad   5b, 6b
        .previous

        .globl raw_cmpxchg_guest
/* int raw_cmpxchg_guest(uint64_t *ptr, uint64_t old, uint64_t new, uint64_t *seen) */
raw_cmpxchg_guest:
        ASM_STAC
        mov     %rsi, %rax
3:      lock cmpxchg %rdx, (%rdi)
        ASM_CLAC
        mov     %rax, (%rcx)
        xor     %eax, %eax
        ret
4:      ASM_CLAC
        mov     $-1, %eax
        ret
        .section .ex_table, "a"
        .quad   3b, 4b
        .previous
