/*
 * tools/kvm-syscall-probe: a bare Multiboot kernel that enters ring 3 with
 * iretq and executes SYSCALL; the LSTAR target must run in ring 0 (it reads
 * CS and does port I/O). -DXENSEL: Xen/Tandem selectors (0xe008 ...),
 * otherwise Linux's. Exit 33: reached in ring 0; 35: a trap instead.
 */
#ifdef XENSEL
#define KCS 0xe008
#define KDS 0xe010
#define U32 0xe023
#define UDS 0xe02b
#define UCS 0xe033
#define TSSSEL 0xe040
#else
#define KCS 0x10
#define KDS 0x18
#define U32 0x23
#define UDS 0x2b
#define UCS 0x33
#define TSSSEL 0x40
#endif
        .section .mb, "a"
        .align 4
        .long 0x1badb002, 0x00010003, -(0x1badb002+0x00010003)
        .long 0x100000, 0x100000, _edata, _end, start32
        .text
        .code32
        .globl start32
start32:
        cli
        mov $stack_top, %esp
        /* PML4[0] -> pdpt, pdpt[0] -> pd, pd: 512 x 2M, P|RW|US|PS */
        mov $pdpt, %eax; or $7, %eax; mov %eax, pml4
        mov $pd, %eax; or $7, %eax; mov %eax, pdpt
        xor %ecx, %ecx
1:      mov %ecx, %eax; shl $21, %eax; or $0x87, %eax
        mov %eax, pd(,%ecx,8)
        inc %ecx; cmp $512, %ecx; jne 1b
        mov %cr4, %eax; or $0x20, %eax; mov %eax, %cr4
        mov $pml4, %eax; mov %eax, %cr3
        mov $0xc0000080, %ecx; rdmsr; or $0x901, %eax; wrmsr   /* LME|NXE|SCE */
        mov %cr0, %eax; or $0x80010001, %eax; mov %eax, %cr0
        movl $0x0000ffff, gdt+KCS;  movl $0x00af9a00, gdt+KCS+4
        movl $0x0000ffff, gdt+KDS;  movl $0x00cf9200, gdt+KDS+4
        movl $0x0000ffff, gdt+(U32&~7); movl $0x00cffa00, gdt+(U32&~7)+4
        movl $0x0000ffff, gdt+(UDS&~7); movl $0x00cff200, gdt+(UDS&~7)+4
        movl $0x0000ffff, gdt+(UCS&~7); movl $0x00affa00, gdt+(UCS&~7)+4
        lgdt gdtr32
        ljmp $KCS, $start64
        .code64
start64:
        mov $KDS, %ax; mov %ax, %ds; mov %ax, %es; mov %ax, %ss
        xor %eax, %eax; mov %ax, %fs; mov %ax, %gs
        mov $stack_top, %rsp
        lgdt gdtr64
        /* TSS descriptor */
        lea tss(%rip), %rax
        mov %rax, %rdx
        mov $103, %rcx
        mov %ax, %cx; shl $16, %rcx; or $103, %cx   /* base 15:0 into 31:16, limit */
        mov %rdx, %rbx; shr $16, %rbx; and $0xff, %rbx; shl $32, %rbx; or %rbx, %rcx
        mov $0x89, %rbx; shl $40, %rbx; or %rbx, %rcx
        mov %rdx, %rbx; shr $24, %rbx; and $0xff, %rbx; shl $56, %rbx; or %rbx, %rcx
        mov %rcx, gdt+TSSSEL
        mov %rdx, %rbx; shr $32, %rbx; mov %rbx, gdt+TSSSEL+8
        lea kstack_top(%rip), %rax; mov %rax, tss+4
        mov $TSSSEL, %ax; ltr %ax
        /* IDT: vectors 0..31 -> stubs */
        xor %ecx, %ecx
2:      lea stubs(%rip), %rax; mov %rcx, %rbx; shl $4, %rbx; add %rbx, %rax
        mov %rax, %rdx
        and $0xffff, %eax; or $(KCS << 16), %eax
        mov %rdx, %rbx; and $0xffff0000, %ebx; or $0x8e00, %ebx; shl $32, %rbx; or %rbx, %rax
        mov %rcx, %rbx; shl $4, %rbx
        mov %rax, idt(%rbx)
        mov %rdx, %rax; shr $32, %rax; mov %rax, idt+8(%rbx)
        inc %ecx; cmp $32, %ecx; jne 2b
        lidt idtr
        /* SYSCALL MSRs */
        mov $0xc0000081, %ecx; xor %eax, %eax; mov $((U32 << 16) | KCS), %edx; wrmsr
        mov $0xc0000082, %ecx; lea lstar_entry(%rip), %rax; mov %rax, %rdx; shr $32, %rdx; wrmsr
        mov $0xc0000084, %ecx; mov $0x47700, %eax; xor %edx, %edx; wrmsr
        lea msg_start(%rip), %rsi; call puts
        /* iretq to ring 3 */
        pushq $UDS
        lea ustack_top(%rip), %rax; push %rax
        pushq $0x002
        pushq $UCS
        lea user(%rip), %rax; push %rax
        iretq
user:
        mov $0x1234, %rax
        syscall
        ud2
lstar_entry:
        /* Ring 0 expected. Record CS, then port I/O (would #GP at CPL 3). */
        mov %cs, %ax
        mov %rax, saved_cs(%rip)
        mov $stack_top, %rsp
        lea msg_ok(%rip), %rsi; call puts
        mov saved_cs(%rip), %rax; call puthex
        mov $0xa, %al; call putc
        mov $0x10, %al; out %al, $0xf4   /* exit (0x10<<1)|1 = 33 */
        hlt
/* serial */
putc:   push %rdx
        mov %al, %ah
        mov $0x3fd, %dx
3:      in %dx, %al; test $0x20, %al; jz 3b
        mov $0x3f8, %dx; mov %ah, %al; out %al, %dx
        pop %rdx; ret
puts:   lodsb; test %al, %al; jz 4f; call putc; jmp puts
4:      ret
puthex: mov %rax, %rbx; mov $16, %ecx
5:      rol $4, %rbx; mov %bl, %al; and $15, %al; add $'0', %al; cmp $'9', %al; jbe 6f; add $7, %al
6:      call putc; dec %ecx; jnz 5b; ret
        .align 16
stubs:
vec = 0
.rept 32
        .align 16
.if (vec == 8) || (vec == 10) || (vec == 11) || (vec == 12) || (vec == 13) || (vec == 14) || (vec == 17)
        pushq $vec
.else
        pushq $0
        pushq $vec
.endif
        jmp trap
vec = vec + 1
.endr
trap:   mov %rsp, %rbp
        mov $stack_top - 256, %rsp
        lea msg_trap(%rip), %rsi; call puts
        xor %r12, %r12
7:      mov (%rbp,%r12,8), %rax; call puthex; mov $' ', %al; call putc
        inc %r12; cmp $7, %r12; jne 7b
        mov $0xa, %al; call putc
        /* frame at the faulting stack: we copied nothing; print from saved regs below */
        mov $0x11, %al; out %al, $0xf4   /* exit 35 */
        hlt
        .data
msg_start: .asciz "probe: entering ring 3, then SYSCALL\n"
msg_ok:    .asciz "probe: SYSCALL entry reached, CS="
msg_trap:  .asciz "probe: TRAP instead of SYSCALL entry: vec err rip cs rflags rsp ss = "
        .align 16
gdtr32: .word gdt_end - gdt - 1
        .long gdt
gdtr64: .word gdt_end - gdt - 1
        .quad gdt
idtr:   .word 32*16 - 1
        .quad idt
        .align 8
saved_cs: .quad 0
        .align 4096
gdt:
        .fill (TSSSEL/8 + 2), 8, 0
gdt_end:
        .bss
        .align 4096
pml4: .fill 512, 8, 0
pdpt: .fill 512, 8, 0
pd:   .fill 512, 8, 0
idt:  .fill 64, 8, 0
tss:  .fill 104, 1, 0
        .align 16
        .fill 4096, 1, 0
stack_top:
        .fill 4096, 1, 0
kstack_top:
        .fill 4096, 1, 0
ustack_top:
