/*
 * The minimal HVM test guest (docs/hvm.md): entered as by a Multiboot 1
 * loader, in 32-bit flat protected mode with paging off at _start (eax =
 * 0x2BADB002, ebx = the Multiboot information). It checks the information's
 * MEM, CMDLINE and MMAP flags and memory size, prints its command line
 * (all through the debug console port 0xe9), checks the hypervisor's
 * CPUID leaf, builds its own page tables (1 GiB identity
 * with 2 MiB pages), enters long mode (EFER.LME by WRMSR, intercepted),
 * takes a #GP for an unknown MSR in its own IDT, arms the virtual timer
 * (VMMCALL set_timer), HLTs until its interrupt, writes a line with
 * VMMCALL console_write and powers off with VMMCALL. Variants:
 *   HVM_OOB:    reads guest-physical 768 MiB, beyond its memory (NPF: killed)
 *   HVM_TRIPLE: an empty IDT, then int3: triple fault (killed)
 *   HVM_INVALID: loads CS with L=1 and D=1 (reserved in long mode), then
 *               CPUID: the next VMRUN refuses that state (killed)
 *   HVM_SPIN:   after the CPUID checks, spins for ever with interrupts on (the
 *               PV control domain destroys it)
 * Failures print "hvm: FAIL ..." and crash the domain (VMMCALL poweroff 2).
 */
#define PORT        0xe9
#define MAGIC       0x2badb002
#define MB_FLAGS    0x45                /* MEM | CMDLINE | MMAP */
#define TIMER_VEC   0x40

        .section .text
        .code32
        .globl _start
_start:
        mov     $stack_top, %esp
        cmp     $MAGIC, %eax
        jne     bad_magic
        mov     $msg_hello, %esi
        call    puts32
        /* the Multiboot information: flags, memory above 1 MiB, the command line */
        mov     (%ebx), %eax
        and     $MB_FLAGS, %eax
        cmp     $MB_FLAGS, %eax
        jne     bad_magic
        mov     8(%ebx), %eax           /* mem_upper, KiB */
        add     $1024, %eax
        shl     $10, %eax
        mov     %eax, mem_bytes
        cmp     $0x1000000, %eax        /* its 16 MiB */
        jne     bad_magic
        cmpl    $0, 44(%ebx)            /* mmap_length */
        je      bad_magic
        mov     $msg_cmdline, %esi
        call    puts32
        mov     16(%ebx), %esi
        call    puts32
        mov     $msg_nl, %esi
        call    puts32
#ifdef HVM_TRIPLE
        lidt    idt_null
        int3                            /* no IDT: #GP, #DF, shutdown */
        mov     $msg_survived, %esi
        call    puts32
        jmp     fail32
#endif
        /* CPUID 0x40000000: the hypervisor's signature */
        mov     $0x40000000, %eax
        cpuid
        cmp     $0x646e6154, %ebx       /* "Tand" */
        jne     bad_cpuid
        /* CPUID 1 must say "hypervisor" and hide VMX; 0x80000001 hides SVM */
        mov     $1, %eax
        cpuid
        bt      $31, %ecx
        jnc     bad_cpuid
        mov     $0x80000001, %eax
        cpuid
        bt      $2, %ecx
        jc      bad_cpuid
        mov     $msg_cpuid, %esi
        call    puts32
#ifdef HVM_SPIN
        mov     $msg_spin, %esi
        call    puts32
        sti
1:      incl    spin_count
        jmp     1b
#endif

        /* page tables: pml4[0] -> pdpt, pdpt[0] -> pd, pd[i] = i * 2 MiB (PS) */
        mov     $pdpt, %eax
        or      $3, %eax
        mov     %eax, pml4
        mov     $pd, %eax
        or      $3, %eax
        mov     %eax, pdpt
        xor     %ecx, %ecx
1:      mov     %ecx, %eax
        shl     $21, %eax
        or      $0x83, %eax
        mov     %eax, pd(,%ecx,8)
        inc     %ecx
        cmp     $512, %ecx
        jne     1b
        lgdt    gdt_ptr
        mov     %cr4, %eax
        or      $0x20, %eax             /* PAE */
        mov     %eax, %cr4
        mov     $pml4, %eax
        mov     %eax, %cr3
        mov     $0xc0000080, %ecx
        rdmsr
        or      $0x100, %eax            /* LME */
        wrmsr
        mov     %cr0, %eax
        or      $0x80000000, %eax       /* PG */
        mov     %eax, %cr0
        ljmp    $0x08, $long_mode

bad_magic:
        mov     $msg_magic, %esi
        call    puts32
        jmp     fail32
bad_cpuid:
        mov     $msg_badcpuid, %esi
        call    puts32
fail32:
        mov     $1, %eax                /* VMMCALL poweroff 2: crash */
        mov     $2, %edi
        vmmcall
        cli
        hlt

/* puts32: the NUL-terminated string at esi to port 0xe9 */
puts32:
        mov     $PORT, %dx
1:      lodsb
        test    %al, %al
        jz      2f
        outb    %al, %dx
        jmp     1b
2:      ret

        .code64
long_mode:
        mov     $0x10, %ax
        mov     %ax, %ds
        mov     %ax, %es
        mov     %ax, %ss
        mov     $stack_top, %rsp
        lea     msg_long(%rip), %rsi
        call    puts
        /* EFER as read back: LME and LMA set, SVME hidden */
        mov     $0xc0000080, %ecx
        rdmsr
        and     $0x1500, %eax
        cmp     $0x500, %eax
        jne     fail_efer
#ifdef HVM_INVALID
        lea     msg_invalid(%rip), %rsi
        call    puts
        pushq   $0x18                   /* L=1, D=1: reserved */
        lea     1f(%rip), %rax
        push    %rax
        lretq
1:      xor     %eax, %eax
        cpuid                           /* an exit; the VMRUN after it is refused */
        lea     msg_survived(%rip), %rsi
        call    puts
        jmp     fail
#endif
#ifdef HVM_OOB
        lea     msg_oob(%rip), %rsi
        call    puts
        mov     $0x30000000, %rax       /* 768 MiB: mapped by our tables, not by the NPT */
        mov     (%rax), %rax
        lea     msg_survived(%rip), %rsi
        call    puts
        jmp     fail
#endif
        /* IDT: #GP and the timer vector */
        lea     gp_handler(%rip), %rax
        mov     $13, %ecx
        call    set_gate
        lea     timer_handler(%rip), %rax
        mov     $TIMER_VEC, %ecx
        call    set_gate
        lidt    idt_ptr(%rip)
        /* an MSR the hypervisor refuses: #GP, the handler skips the rdmsr */
        mov     $0xc0011234, %ecx
        rdmsr
        cmpq    $1, gp_count(%rip)
        jne     fail_gp
        lea     msg_gp(%rip), %rsi
        call    puts
        /* the virtual timer: 2 ms, then HLT until it fires */
        mov     $2, %eax                /* HVMCALL_set_timer */
        mov     $2000000, %edi
        mov     $TIMER_VEC, %esi
        vmmcall
        test    %rax, %rax
        jnz     fail_timer
        /* a bad vector is refused */
        mov     $2, %eax
        mov     $1000, %edi
        mov     $3, %esi
        vmmcall
        cmp     $-22, %rax              /* -EINVAL */
        jne     fail_timer
        mov     $2, %eax                /* re-arm: the refused call changed nothing? arm again */
        mov     $2000000, %edi
        mov     $TIMER_VEC, %esi
        vmmcall
        sti
        hlt
        cli
        cmpq    $1, timer_count(%rip)
        jne     fail_timer
        lea     msg_timer(%rip), %rsi
        call    puts
        /* VMMCALL console_write, and an out-of-range buffer refused */
        xor     %eax, %eax
        lea     msg_vmmcall(%rip), %rdi
        mov     $msg_vmmcall_end - msg_vmmcall, %esi
        vmmcall
        test    %rax, %rax
        jnz     fail_vmmcall
        xor     %eax, %eax
        mov     $0x3ffff000, %edi       /* beyond its memory */
        mov     $16, %esi
        vmmcall
        cmp     $-14, %rax              /* -EFAULT */
        jne     fail_vmmcall
        mov     $99, %eax               /* unknown: -ENOSYS */
        vmmcall
        cmp     $-38, %rax
        jne     fail_vmmcall
        /* an unused port reads all ones */
        mov     $0x80, %dx
        inb     %dx, %al
        cmp     $0xff, %al
        jne     fail_vmmcall
        lea     msg_done(%rip), %rsi
        call    puts
        mov     $1, %eax                /* HVMCALL_poweroff 0 */
        xor     %edi, %edi
        vmmcall
        lea     msg_survived(%rip), %rsi
        call    puts
        jmp     fail

fail_efer:
        lea     msg_efer(%rip), %rsi
        jmp     1f
fail_gp:
        lea     msg_failgp(%rip), %rsi
        jmp     1f
fail_timer:
        lea     msg_failtimer(%rip), %rsi
        jmp     1f
fail_vmmcall:
        lea     msg_failvmm(%rip), %rsi
1:      call    puts
fail:
        mov     $1, %eax
        mov     $2, %edi
        vmmcall
        cli
        hlt

/* set_gate: IDT entry ecx -> handler rax (64-bit interrupt gate, cs 0x08) */
set_gate:
        lea     idt(%rip), %rdi
        shl     $4, %rcx
        add     %rcx, %rdi
        mov     %ax, (%rdi)
        movw    $0x08, 2(%rdi)
        movw    $0x8e00, 4(%rdi)
        shr     $16, %rax
        mov     %ax, 6(%rdi)
        shr     $16, %rax
        mov     %eax, 8(%rdi)
        movl    $0, 12(%rdi)
        ret

gp_handler:                             /* error code on the stack */
        incq    gp_count(%rip)
        addq    $2, 8(%rsp)             /* skip the 2-byte rdmsr */
        add     $8, %rsp
        iretq

timer_handler:
        incq    timer_count(%rip)
        iretq

puts:
        mov     $PORT, %dx
1:      lodsb
        test    %al, %al
        jz      2f
        outb    %al, %dx
        jmp     1b
2:      ret

        .section .data
        .align 16
gdt:    .quad   0
        .quad   0x00af9b000000ffff      /* 0x08: 64-bit code */
        .quad   0x00cf93000000ffff      /* 0x10: data */
        .quad   0x00ef9b000000ffff      /* 0x18: code with L and D both set (HVM_INVALID) */
gdt_end:
gdt_ptr:
        .word   gdt_end - gdt - 1
        .quad   gdt
idt_ptr:
        .word   256 * 16 - 1
        .quad   idt
idt_null:
        .word   0
        .quad   0
mem_bytes:   .quad 0
gp_count:    .quad 0
timer_count: .quad 0
spin_count:  .quad 0
msg_spin:    .asciz "hvm: spinning\n"
msg_hello:   .asciz "hvm: 32-bit flat entry\n"
msg_cmdline: .asciz "hvm: command line: "
msg_nl:      .asciz "\n"
msg_cpuid:   .asciz "hvm: cpuid: Tandem signature, hypervisor bit, no SVM\n"
msg_long:    .asciz "hvm: long mode with its own page tables\n"
msg_gp:      .asciz "hvm: refused MSR gave #GP\n"
msg_timer:   .asciz "hvm: timer interrupt woke HLT\n"
msg_vmmcall: .ascii "hvm: console write by vmmcall\n"
msg_vmmcall_end:
msg_done:    .asciz "hvm: all checks passed, powering off\n"
msg_invalid: .asciz "hvm: loading a CS with L and D set\n"
msg_oob:     .asciz "hvm: reading beyond its memory\n"
msg_survived: .asciz "hvm: FAIL still running\n"
msg_magic:   .asciz "hvm: FAIL bad boot magic or Multiboot information\n"
msg_badcpuid: .asciz "hvm: FAIL cpuid view\n"
msg_efer:    .asciz "hvm: FAIL EFER read back\n"
msg_failgp:  .asciz "hvm: FAIL no #GP for a refused MSR\n"
msg_failtimer: .asciz "hvm: FAIL timer\n"
msg_failvmm: .asciz "hvm: FAIL vmmcall or port results\n"

        .section .bss
        .align 4096
pml4:   .skip 4096
pdpt:   .skip 4096
pd:     .skip 4096
idt:    .skip 4096
        .skip 8192
stack_top:
