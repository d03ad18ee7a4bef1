/* User program entry: the kernel sets rdi = argc, rsi = argv, rsp below argv[]. */
        .section .text.start, "ax"
        .globl _start
_start:
        and     $-16, %rsp
        xor     %ebp, %ebp
        call    main
        mov     %eax, %edi
        call    exit
        ud2
