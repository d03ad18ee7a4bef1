/*
 * HVMCALL_counters (tandem/hvmcall.h), the benchmarks' view of a domain's
 * VM exits, from a 32-bit flat HVM guest with paging off (the entry state
 * both HVM boot protocols give; the registers are not looked at). It reads
 * its counters, makes one CPUID, reads them again and checks that exactly
 * one more CPUID exit and one more VMMCALL exit were counted; a buffer for
 * one entry gets one and says how many there are; and each refusal
 * (misaligned, too small, too large, outside its memory, straddling its
 * end) returns its error without writing anything. Prints through port
 * 0xe9 and powers off; any failure prints "hvm: FAIL ..." and crashes the
 * domain (VMMCALL poweroff 2). Memory: 16 MiB (the straddle test's end).
 * COUNTERS_SHADOW (guest/hvm_counters_shadow, paging=shadow): the header
 * says shadow paging and the shadow.* entries are there.
 */
#define PORT            0xe9
#define MEM_END         0x1000000
#define HVMCALL_poweroff 1
#define HVMCALL_counters 3
#define ENTRY           32              /* struct hvm_counter */
#define HDR             16              /* struct hvm_counters */
#define EINVAL          22
#define EFAULT          14

        .section .text
        .code32
        .globl _start
_start:
        mov     $stack_top, %esp
        mov     $msg_hello, %esi
        call    puts
        xor     %eax, %eax
        cpuid
        /* snapshot 1 */
        mov     $buf1, %edi
        mov     $4096, %esi
        mov     $HVMCALL_counters, %eax
        vmmcall
        test    %eax, %eax
        jnz     fail_rc
        /* one CPUID, snapshot 2, nothing else between (no console output) */
        xor     %eax, %eax
        cpuid
        mov     $buf2, %edi
        mov     $4096, %esi
        mov     $HVMCALL_counters, %eax
        vmmcall
        test    %eax, %eax
        jnz     fail_rc
        /* the header: version 1, every entry written, at least exits + 13 reasons + tlb_flush */
        cmpl    $1, buf2
        jne     fail_header
        mov     buf2 + 4, %eax
        cmp     buf2 + 8, %eax
        jne     fail_header
        cmp     $15, %eax
        jb      fail_header
#ifdef COUNTERS_SHADOW
        cmpl    $1, buf2 + 12           /* paging: shadow */
        jne     fail_header
        mov     $name_shadow, %esi
        mov     $buf2, %ebx
        call    find
        test    %eax, %eax
        jz      fail_names
        mov     $msg_shadow, %esi
        call    puts
#else
        cmpl    $0, buf2 + 12           /* paging: NPT */
        jne     fail_header
#endif
        mov     $name_exits, %esi
        mov     $buf2, %ebx
        call    find
        test    %eax, %eax
        jz      fail_names
        cmp     $buf2 + HDR + 24, %eax  /* "exits" is entry 0 (eax: its value) */
        jne     fail_names
        /* the differences: exactly one CPUID and one VMMCALL */
        mov     $name_cpuid, %esi
        call    delta
        cmp     $1, %eax
        jne     fail_delta
        mov     $name_vmmcall, %esi
        call    delta
        cmp     $1, %eax
        jne     fail_delta
        mov     $name_tlb, %esi         /* a full flush with every VMRUN: at least those two */
        call    delta
        cmp     $2, %eax
        jb      fail_delta
        mov     $msg_delta, %esi
        call    puts

        /* a buffer for one entry: one written, the rest counted */
        movl    $0xaaaaaaaa, buf3 + HDR + ENTRY
        mov     $buf3, %edi
        mov     $HDR + ENTRY + 8, %esi  /* not a whole second entry */
        mov     $HVMCALL_counters, %eax
        vmmcall
        test    %eax, %eax
        jnz     fail_rc
        cmpl    $1, buf3 + 4
        jne     fail_short
        mov     buf2 + 8, %eax
        cmp     buf3 + 8, %eax
        jne     fail_short
        cmpl    $0xaaaaaaaa, buf3 + HDR + ENTRY
        jne     fail_short
        mov     $msg_short, %esi
        call    puts

        /* refusals: nothing written */
        movl    $0x5a5a5a5a, buf4
        movl    $0x5a5a5a5a, buf4 + 4
        movl    $0x5a5a5a5a, buf4 + 8
        mov     $buf4 + 4, %edi         /* misaligned */
        mov     $256, %esi
        mov     $-EINVAL, %ecx
        call    refused
        mov     $buf4, %edi             /* smaller than the header */
        mov     $8, %esi
        call    refused
        mov     $buf4, %edi             /* larger than HVM_COUNTERS_MAX_BYTES */
        mov     $16392, %esi
        call    refused
        mov     $0x30000000, %edi       /* beyond its memory */
        mov     $256, %esi
        mov     $-EFAULT, %ecx
        call    refused
        movl    $0x5a5a5a5a, MEM_END - 8    /* its last 8 bytes, then a buffer running past them */
        mov     $MEM_END - 8, %edi
        mov     $64, %esi
        call    refused
        cmpl    $0x5a5a5a5a, MEM_END - 8
        jne     fail_written
        cmpl    $0x5a5a5a5a, buf4
        jne     fail_written
        cmpl    $0x5a5a5a5a, buf4 + 4
        jne     fail_written
        cmpl    $0x5a5a5a5a, buf4 + 8
        jne     fail_written
        mov     $msg_refused, %esi
        call    puts

        mov     $msg_done, %esi
        call    puts
        mov     $HVMCALL_poweroff, %eax
        xor     %edi, %edi
        vmmcall
        mov     $msg_survived, %esi
        call    puts
        jmp     fail

/* refused: HVMCALL_counters(edi, esi) must return ecx. */
refused:
        mov     $HVMCALL_counters, %eax
        vmmcall
        cmp     %ecx, %eax
        jne     fail_refusal
        ret

/* delta: esi = a counter's name: eax = its value in buf2 minus buf1 (low 32 bits). */
delta:
        push    %esi
        mov     $buf1, %ebx
        call    find
        pop     %esi
        test    %eax, %eax
        jz      fail_names
        push    (%eax)
        mov     $buf2, %ebx
        call    find
        test    %eax, %eax
        jz      fail_names
        mov     (%eax), %eax
        sub     (%esp), %eax
        add     $4, %esp
        ret

/* find: esi = NUL-terminated name, ebx = buffer: eax = the address of its value, 0 if absent. */
find:
        push    %ecx
        push    %edi
        push    %ebp
        mov     4(%ebx), %ebp           /* count */
        lea     HDR(%ebx), %edx
1:      test    %ebp, %ebp
        jz      3f
        push    %esi
        mov     %edx, %edi
        mov     $24, %ecx
2:      mov     (%esi), %al
        cmp     (%edi), %al
        jne     4f
        test    %al, %al
        jz      5f                      /* both ended: found */
        inc     %esi
        inc     %edi
        loop    2b
4:      pop     %esi
        add     $ENTRY, %edx
        dec     %ebp
        jmp     1b
5:      pop     %esi
        lea     24(%edx), %eax
        jmp     6f
3:      xor     %eax, %eax
6:      pop     %ebp
        pop     %edi
        pop     %ecx
        ret

fail_rc:
        mov     $msg_failrc, %esi
        jmp     1f
fail_header:
        mov     $msg_failheader, %esi
        jmp     1f
fail_names:
        mov     $msg_failnames, %esi
        jmp     1f
fail_delta:
        mov     $msg_faildelta, %esi
        jmp     1f
fail_short:
        mov     $msg_failshort, %esi
        jmp     1f
fail_refusal:
        mov     $msg_failrefusal, %esi
        jmp     1f
fail_written:
        mov     $msg_failwritten, %esi
1:      call    puts
fail:
        mov     $HVMCALL_poweroff, %eax
        mov     $2, %edi
        vmmcall
        cli
        hlt

puts:
        mov     $PORT, %dx
1:      lodsb
        test    %al, %al
        jz      2f
        outb    %al, %dx
        jmp     1b
2:      ret

        .section .data
name_exits:     .asciz "exits"
name_cpuid:     .asciz "exit.cpuid"
name_vmmcall:   .asciz "exit.vmmcall"
name_tlb:       .asciz "tlb_flush"
name_shadow:    .asciz "shadow.faults"
msg_shadow:     .asciz "hvm: counters: shadow paging, with its shadow.* counters\n"
msg_hello:      .asciz "hvm: counters guest\n"
msg_delta:      .asciz "hvm: counters: one CPUID and one VMMCALL between two snapshots\n"
msg_short:      .asciz "hvm: counters: a one-entry buffer got one, and the number available\n"
msg_refused:    .asciz "hvm: counters: bad buffers refused, nothing written\n"
msg_done:       .asciz "hvm: all checks passed, powering off\n"
msg_survived:   .asciz "hvm: FAIL still running\n"
msg_failrc:     .asciz "hvm: FAIL counters call failed\n"
msg_failheader: .asciz "hvm: FAIL counters header\n"
msg_failnames:  .asciz "hvm: FAIL counter names\n"
msg_faildelta:  .asciz "hvm: FAIL counter differences\n"
msg_failshort:  .asciz "hvm: FAIL one-entry buffer\n"
msg_failrefusal: .asciz "hvm: FAIL a bad buffer was not refused as it should be\n"
msg_failwritten: .asciz "hvm: FAIL a refused call wrote to the guest\n"

        .section .bss
        .align 4096
buf1:   .skip 4096
buf2:   .skip 4096
buf3:   .skip 4096
buf4:   .skip 4096
        .skip 8192
stack_top:
