/*
 * Shared by the kernel and the assembly user programs of the process
 * benchmarks: the benchmark system call, and (assembly only) a macro that
 * lays out a minimal static ELF64 executable, one PT_LOAD segment (read,
 * write, execute) at USER_TEXT_BASE holding headers, code and data, so that
 * code refers to its own data rip-relative and to absolute user addresses
 * with UVA(prog, label).
 */
#ifndef BENCH_PV_UELF_H
#define BENCH_PV_UELF_H

#include "uapi.h"

#define BENCH_SYS       100     /* rax; rdi = sub-call: */
#define BS_PARAM        0       /*   rsi = index: the driver's parameter (0-3; 3 = scenario index) */
#define BS_REPORT       1       /*   rsi = scenario index, rdx = total, r10 = overhead, r8 = iters, r9 = ops */
#define BENCH_NPARAMS   4

#ifdef __ASSEMBLY__
#define UVA(prog, label) (USER_TEXT_BASE + ((label) - uelf_##prog))

/* UELF prog: starts the image `uelf_<prog>` (entry: <prog>_main); UELF_END prog ends it. */
.macro UELF prog
        .section .rodata.uelf_\prog, "a"
        .balign 16
        .globl  uelf_\prog, uelf_\prog\()_end
uelf_\prog:
        .byte   0x7f, 'E', 'L', 'F', 2, 1, 1, 0         /* 64-bit, little-endian, version 1 */
        .quad   0
        .short  2, 62                                   /* ET_EXEC, EM_X86_64 */
        .long   1
        .quad   USER_TEXT_BASE + (\prog\()_main - uelf_\prog)   /* entry */
        .quad   64, 0                                   /* phoff, shoff */
        .long   0
        .short  64, 56, 1, 64, 0, 0                     /* ehsize, phentsize, phnum, ... */
        .long   1, 7                                    /* PT_LOAD, R W X */
        .quad   0, USER_TEXT_BASE, USER_TEXT_BASE       /* offset, vaddr, paddr */
        .quad   uelf_\prog\()_end - uelf_\prog          /* filesz */
        .quad   uelf_\prog\()_end - uelf_\prog          /* memsz */
        .quad   4096
.endm
.macro UELF_END prog
        .balign 8
uelf_\prog\()_end:
.endm

/* The kernel's `user_programs` table: PROGRAMS_BEGIN, PROGRAM prog..., PROGRAMS_END. */
.macro PROGRAMS_BEGIN
        .section .rodata.user_programs, "a"
        .balign 8
        .globl  user_programs
user_programs:
.endm
.macro PROGRAM prog
        .quad   1f, uelf_\prog, uelf_\prog\()_end - uelf_\prog
        .pushsection .rodata.user_program_names, "a"
1:      .asciz  "\prog"
        .popsection
.endm
.macro PROGRAMS_END
        .quad   0, 0, 0
.endm

/* System call nr (rax); the kernel keeps every register but rax, rcx and r11. */
.macro SYS nr
        mov     $\nr, %eax
        syscall
.endm
/* rax = parameter i */
.macro PARAM i
        mov     $BS_PARAM, %edi
        mov     $\i, %esi
        SYS     BENCH_SYS
.endm
#endif

#endif
