/*
 * Native entry points: exceptions and interrupts through the IDT (cpu.c),
 * SYSCALL through LSTAR, the way into user mode, and the thread switch.
 * Every entry builds the same struct trap_frame as the PV kernel's bounce
 * frames do (kernel.h): 15 registers, vector, error, then the CPU's
 * rip, cs, rflags, rsp, ss; from user mode it ends at the top of the
 * process's kernel stack (TSS.rsp0, or syscall_kstack for SYSCALL).
 */
#include <arch/platform.h>

.macro SAVE_GPRS
        push %rax; push %rbx; push %rcx; push %rdx; push %rsi; push %rdi; push %rbp
        push %r8;  push %r9;  push %r10; push %r11; push %r12; push %r13; push %r14; push %r15
.endm
.macro RESTORE_GPRS
        pop %r15; pop %r14; pop %r13; pop %r12; pop %r11; pop %r10; pop %r9
        pop %r8;  pop %rbp; pop %rdi; pop %rsi; pop %rdx; pop %rcx; pop %rbx; pop %rax
.endm

/* Exceptions 0-31: a 0 error code where the CPU pushes none. */
.macro EXC vec, has_err
exc_\vec:
.if \has_err == 0
        pushq   $0
.endif
        pushq   $\vec
        jmp     exc_common
.endm

        .text
.irp v, 0,1,2,3,4,5,6,7,9,15,16,18,19,20,22,23,24,25,26,27,28,31
        EXC \v, 0
.endr
.irp v, 8,10,11,12,13,14,17,21,29,30
        EXC \v, 1
.endr

exc_common:
        SAVE_GPRS
        mov     %rsp, %rdi              /* struct trap_frame * */
        call    do_exception
        RESTORE_GPRS
        add     $16, %rsp               /* vector, error */
        iretq

/* The local APIC timer: native_timer_irq sends the EOI, counts the tick, may schedule. */
        .globl  timer_entry
timer_entry:
        pushq   $0
        pushq   $NATIVE_VEC_TIMER
        SAVE_GPRS
        mov     %rsp, %rdi
        call    native_timer_irq
        RESTORE_GPRS
        add     $16, %rsp
        iretq

/* ISA lines 0-15 (irq.c): native_device_irq runs the handler, sends the EOI, may schedule. */
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
irq_\n:
        pushq   $0
        pushq   $(NATIVE_VEC_IRQ0 + \n)
        jmp     irq_common
.endr
irq_common:
        SAVE_GPRS
        mov     %rsp, %rdi
        call    native_device_irq
        RESTORE_GPRS
        add     $16, %rsp
        iretq

/* The APIC's spurious vector: no EOI, nothing to do. */
        .globl  spurious_entry
spurious_entry:
        iretq

/*
 * SYSCALL from user mode: rcx = user rip, r11 = user rflags, IF cleared by
 * SFMASK; rsp is still the user's. One CPU: the user rsp waits in a
 * variable while we move to the process's kernel stack and build the frame
 * (vector 0x100, as the PV kernel's). Back with SYSRET when the frame is an
 * ordinary user frame with a canonical rip (exec may have replaced it),
 * else with IRET.
 */
        .globl  syscall_entry
syscall_entry:
        mov     %rsp, syscall_user_rsp(%rip)
        mov     syscall_kstack(%rip), %rsp
        pushq   $NATIVE_UDATA
        pushq   syscall_user_rsp(%rip)
        push    %r11
        pushq   $NATIVE_UCODE
        push    %rcx
        pushq   $0
        pushq   $0x100
        SAVE_GPRS
        mov     %rsp, %rdi
        call    do_syscall              /* returns with interrupts disabled */
        RESTORE_GPRS
        add     $16, %rsp
        cmpq    $NATIVE_UCODE, 8(%rsp)
        jne     1f
        mov     (%rsp), %rcx            /* rip */
        mov     %rcx, %r11
        shr     $47, %r11
        jnz     1f                      /* not a canonical user address: IRET faults cleanly */
        mov     16(%rsp), %r11          /* rflags */
        mov     24(%rsp), %rsp          /* the user's stack: no interrupt can come (IF = 0) */
        sysretq
1:      iretq

/* enter_user(struct trap_frame *f): load f (a user frame at the kernel stack top) and IRET to it. */
        .globl  enter_user
enter_user:
        mov     %rdi, %rsp
        RESTORE_GPRS
        add     $16, %rsp
        iretq

/* switch_stack(&prev_sp, next_sp): callee-saved registers stay on each stack. */
        .globl  switch_stack
switch_stack:
        push    %rbp; push %rbx; push %r12; push %r13; push %r14; push %r15
        mov     %rsp, (%rdi)
        mov     %rsi, %rsp
        pop     %r15; pop %r14; pop %r13; pop %r12; pop %rbx; pop %rbp
        ret

/* First run of a thread. */
        .globl  thread_trampoline
thread_trampoline:
        call    thread_start
        ud2

        .section .rodata
        .align  8
        .globl  native_exc_table
native_exc_table:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .quad   exc_\v
.endr

        .globl  native_irq_table
native_irq_table:
.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
        .quad   irq_\n
.endr

        .bss
        .align  8
        .globl  syscall_kstack
syscall_kstack:         .quad 0         /* mm_switch: the running process's kernel stack top */
syscall_user_rsp:       .quad 0
