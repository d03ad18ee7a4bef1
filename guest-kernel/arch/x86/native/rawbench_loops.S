/*
 * The raw native scenarios' timed loops and minimal handlers (rawbench.c;
 * docs/benchmarks.md, "The raw native scenarios"), moved here from the old
 * bench/native kernel. Every loop has the same shape, so the null loop's
 * cost is exactly the bookkeeping every other loop pays:
 *   r12 = iterations (> 0); TIMED_BEGIN; 1: <operation>; dec %r12; jnz 1b; TIMED_END
 * with the TSC delta in %rax. Assembly, so the counts do not depend on the
 * compiler. The handlers measure the bare hardware transition, not a
 * kernel's bookkeeping; they are installed in rawbench's own IDT for the
 * duration of the run, with interrupts off.
 */
#define RB_VA           0x40000000      /* rawbench.c: the fault and PTE region (L4 slot 0) */
#define RB_PAGES        16384
#define VEC_NULL_INT    0x81
#define VEC_USER_EXIT   0x82

.macro TIMED_BEGIN
        lfence
        rdtsc
        lfence
        shl     $32, %rdx
        or      %rdx, %rax
        mov     %rax, %r14
.endm
.macro TIMED_END
        lfence
        rdtsc
        lfence
        shl     $32, %rdx
        or      %rdx, %rax
        sub     %r14, %rax
.endm
.macro PROLOGUE
        push    %rbx
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rdi, %r12
.endm
.macro EPILOGUE
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbx
        ret
.endm

        .text

/* uint64_t rb_loop_null(uint64_t n) */
        .globl  rb_loop_null
rb_loop_null:
        PROLOGUE
        TIMED_BEGIN
1:      dec     %r12
        jnz     1b
        TIMED_END
        EPILOGUE

/* uint64_t rb_loop_cr3(uint64_t n, uint64_t cr3): reload CR3 (flushes the non-global TLB). */
        .globl  rb_loop_cr3
rb_loop_cr3:
        PROLOGUE
        mov     %rsi, %r13
        TIMED_BEGIN
1:      mov     %r13, %cr3
        dec     %r12
        jnz     1b
        TIMED_END
        EPILOGUE

/* uint64_t rb_loop_ptwrite(uint64_t n, uint64_t *pte, uint64_t va, uint64_t val) */
        .globl  rb_loop_ptwrite
rb_loop_ptwrite:
        PROLOGUE
        mov     %rsi, %r13
        mov     %rdx, %rbx
        mov     %rcx, %r15
        TIMED_BEGIN
1:      mov     %r15, (%r13)
        invlpg  (%rbx)
        dec     %r12
        jnz     1b
        TIMED_END
        EPILOGUE

/* uint64_t rb_loop_fault(uint64_t n, uint64_t va): read one fresh page per iteration. */
        .globl  rb_loop_fault
rb_loop_fault:
        PROLOGUE
        mov     %rsi, %r13
        TIMED_BEGIN
1:      mov     (%r13), %rax
        add     $4096, %r13
        dec     %r12
        jnz     1b
        TIMED_END
        EPILOGUE

/* uint64_t rb_loop_ctxsw(uint64_t n): n round trips thread A -> B -> A. */
        .globl  rb_loop_ctxsw
rb_loop_ctxsw:
        PROLOGUE
        TIMED_BEGIN
1:      lea     rb_ctx_a(%rip), %rdi
        lea     rb_ctx_b(%rip), %rsi
        call    rb_ctx_switch
        dec     %r12
        jnz     1b
        TIMED_END
        EPILOGUE

/* Thread B: switch straight back to A, for ever. */
        .globl  rb_thread_b_loop
rb_thread_b_loop:
        lea     rb_ctx_b(%rip), %rdi
        lea     rb_ctx_a(%rip), %rsi
        call    rb_ctx_switch
        jmp     rb_thread_b_loop

/*
 * void rb_ctx_switch(struct rb_ctx *from, struct rb_ctx *to)
 * Saves the callee-saved registers and RSP in from, loads to's CR3 and RSP.
 */
        .globl  rb_ctx_switch
rb_ctx_switch:
        push    %rbp
        push    %rbx
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, 0(%rdi)
        mov     8(%rsi), %rax
        mov     %rax, %cr3
        mov     0(%rsi), %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbx
        pop     %rbp
        ret

/*
 * #PF: a fault inside the region maps the page to rb_fault_pte's frame and
 * retries the access (13 instructions and the iretq); any other goes to the
 * kernel's own handler, as if rawbench's IDT were not there.
 */
        .globl  rb_pf_entry
rb_pf_entry:
        push    %rax
        push    %rdx
        mov     %cr2, %rax
        sub     $RB_VA, %rax
        shr     $12, %rax
        cmp     $RB_PAGES, %rax         /* unsigned: below RB_VA wraps high */
        jae     1f
        mov     rb_fault_pte(%rip), %rdx
        mov     %rdx, rb_fault_l1(, %rax, 8)
        pop     %rdx
        pop     %rax
        add     $8, %rsp                /* error code */
        iretq
1:      pop     %rdx
        pop     %rax
        jmp     *rb_orig_pf(%rip)

/* SYSCALL from the ring-3 loop: return at once (RCX/R11 hold RIP/RFLAGS). */
        .globl  rb_syscall_entry
rb_syscall_entry:
        sysretq

/* int VEC_NULL_INT from ring 3: the CPU switched to TSS.RSP0; go straight back. */
        .globl  rb_null_int_entry
rb_null_int_entry:
        iretq

/*
 * uint64_t rb_enter_user(uint64_t fn, uint64_t n, uint64_t result, uint64_t user_rsp)
 * Runs the user-mode loop at fn in ring 3 with r12 = n, r13 = result (user
 * addresses), IF clear. It leaves with int VEC_USER_EXIT, which resumes here
 * as if rb_enter_user had returned. Selectors: rb_user_cs, rb_user_ss.
 */
        .globl  rb_enter_user
rb_enter_user:
        push    %rbp
        push    %rbx
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, rb_resume_rsp(%rip)
        mov     %rsi, %r12
        mov     %rdx, %r13
        pushq   rb_user_ss(%rip)
        push    %rcx
        pushq   $0x2                    /* RFLAGS: IF clear */
        pushq   rb_user_cs(%rip)
        push    %rdi
        iretq

        .globl  rb_user_exit_entry
rb_user_exit_entry:
        mov     rb_resume_rsp(%rip), %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbx
        pop     %rbp
        ret

/*
 * The ring-3 loops: one page, mapped user-accessible at a user address by
 * rawbench.c (position-independent: registers only). They store the TSC
 * delta at (%r13) and leave with int VEC_USER_EXIT.
 */
.macro USER_DONE
        mov     %rax, (%r13)
        int     $VEC_USER_EXIT
.endm
        .section .text.rawbench_user, "ax", @progbits
        .balign 4096
        .globl  rb_user_page
rb_user_page:
        .globl  rb_user_null
rb_user_null:
        TIMED_BEGIN
1:      dec     %r12
        jnz     1b
        TIMED_END
        USER_DONE

        .globl  rb_user_syscall
rb_user_syscall:
        TIMED_BEGIN
1:      syscall
        dec     %r12
        jnz     1b
        TIMED_END
        USER_DONE

        .globl  rb_user_int
rb_user_int:
        TIMED_BEGIN
1:      int     $VEC_NULL_INT
        dec     %r12
        jnz     1b
        TIMED_END
        USER_DONE
        .balign 4096

        .data
        .align  8
rb_resume_rsp:
        .quad   0

        .section .note.GNU-stack, "", @progbits
