/*
 * The ioreq test guest (docs/hvm.md "Device models: the ioreq channel"):
 * 32-bit flat protected mode throughout (any boot magic), port I/O on the
 * range its device model (tests/guest/hvm_ioreq, a PV domain) claims,
 * 0x510-0x51f. The device model answers a read of port p with
 * f(p) = 0xa500005a | p << 8 (cut to the access size), except 0x518
 * (reads back what was last written there) and 0x51c (how many writes it
 * has recorded); it records every write. Checks: IN of 1, 2 and 4 bytes
 * (8 and 16-bit results merge into EAX), OUT of each size read back, a
 * port outside the range and an access straddling its end (0x51e, 4
 * bytes) both read all ones (no device: not forwarded), the console port
 * 0xe9 still the hypervisor's. Then PCI configuration cycles (0xcf8 latch,
 * 0xcfc-0xcff data) to function 00:03.0, which the device model claims as
 * a PCI range: register r of function f reads P(f, r); another function
 * and a latch without the enable bit read all ones. Then MMIO (MOV forms,
 * MOVZX, a high byte register, a 16-bit merge) in the page at 0xe0000000,
 * no RAM, which the device model claims: offset o reads M(o). Then string
 * I/O (REP INS/OUTS on the claimed ports, into and out of its .bss pages):
 * each run inside a page one string request (data_is_ptr), across a page
 * two, a word straddling pages a plain one. Then it powers off (VMMCALL). The hostile
 * device models of hvm_ioreq_* stop answering or answer garbage partway:
 * the guest is then killed before it gets further. It first waits for its
 * device model: port 0x51c reads all ones until the server is enabled.
 * A failed check prints "ioreq: FAIL check N" and crashes the domain.
 */
#define PORT    0xe9
#define F(p)    (0xa500005a | ((p) << 8))
#define M(o)    (0x3c00005a | ((o) << 8))            /* MMIO at 0xe0000000 + o */
#define MMIO    0xe0000000
#define P(f, r) (0x5c000000 | ((f) << 8) | (r))    /* config register r of function f (bus << 8 | devfn) */

        .macro  expect reg, val, n
        cmp     $(\val), \reg
        je      1f
        mov     $\n, %ecx
        jmp     fail
1:
        .endm

        .section .text
        .code32
        .globl _start
_start:
        mov     $stack_top, %esp
        mov     $msg_hello, %esi
        call    puts
        /* Until its device model is there, port 0x51c has no device (all ones); then 0 writes. */
3:      pause
        mov     $0x51c, %dx
        inl     %dx, %eax
        cmp     $0xffffffff, %eax
        je      3b
        expect  %eax, 0, 0x20
        /* 1: inb merges into AL */
        mov     $0xdeadbeef, %eax
        mov     $0x510, %dx
        inb     %dx, %al
        expect  %eax, 0xdeadbe00 | (F(0x510) & 0xff), 1
        /* 2: inw merges into AX */
        mov     $0xdeadbeef, %eax
        mov     $0x512, %dx
        inw     %dx, %ax
        expect  %eax, 0xdead0000 | (F(0x512) & 0xffff), 2
        /* 3: inl */
        mov     $0x514, %dx
        inl     %dx, %eax
        expect  %eax, F(0x514), 3
        /* 4: inb with an immediate port, another byte */
        xor     %eax, %eax
        inb     $0xff, %al              /* port 0xff: unclaimed, all ones */
        expect  %eax, 0xff, 4
        mov     $msg_reads, %esi
        call    puts
        /* 5: outl then read it back */
        mov     $0x518, %dx
        mov     $0x12345678, %eax
        outl    %eax, %dx
        xor     %eax, %eax
        inl     %dx, %eax
        expect  %eax, 0x12345678, 5
        /* 6: outb, read back as a byte */
        mov     $0x99, %al
        outb    %al, %dx
        mov     $0x11111111, %eax
        inb     %dx, %al
        expect  %eax, 0x11111199, 6
        /* 7: outw to another port; then the write count (3) */
        mov     $0x51a, %dx
        mov     $0xbeef, %ax
        outw    %ax, %dx
        mov     $0x51c, %dx
        inl     %dx, %eax
        expect  %eax, 3, 7
        mov     $msg_writes, %esi
        call    puts
        /* 8: outside the range: no device */
        mov     $0x600, %dx
        inl     %dx, %eax
        expect  %eax, 0xffffffff, 8
        /* 9: straddling the range's end (0x51e-0x521): not forwarded */
        mov     $0x51e, %dx
        inl     %dx, %eax
        expect  %eax, 0xffffffff, 9
        /* 10: below the range, 2 bytes into it (0x50f-0x510): not forwarded */
        mov     $0x50f, %dx
        xor     %eax, %eax
        inw     %dx, %ax
        expect  %eax, 0xffff, 10
        /* 11: a run of reads, each answered */
        mov     $20, %ebx
2:      mov     $0x516, %dx
        xor     %eax, %eax
        inw     %dx, %ax
        expect  %eax, F(0x516) & 0xffff, 11
        dec     %ebx
        jnz     2b
        /* PCI config cycles to function 00:03.0, which the device model claims (P below). */
        mov     $0xcf8, %dx
        mov     $0x80001808, %eax       /* enable, bus 0, device 3, function 0, register 8 */
        outl    %eax, %dx
        mov     $0xcfc, %dx
        inl     %dx, %eax
        expect  %eax, P(0x18, 0x08), 0x12
        mov     $0xcfe, %dx             /* register 0xa, one byte */
        mov     $0x77777777, %eax
        inb     %dx, %al
        expect  %eax, 0x77777700 | (P(0x18, 0x0a) & 0xff), 0x13
        mov     $0x4321, %ax
        outw    %ax, %dx                /* recorded as a config write of register 0xa */
        /* 00:04.0 is nobody's, and a latch without the enable bit is no config cycle: all ones */
        mov     $0xcf8, %dx
        mov     $0x80002000, %eax
        outl    %eax, %dx
        mov     $0xcfc, %dx
        inl     %dx, %eax
        expect  %eax, 0xffffffff, 0x14
        mov     $0xcf8, %dx
        mov     $0x00001808, %eax
        outl    %eax, %dx
        mov     $0xcfc, %dx
        inl     %dx, %eax
        expect  %eax, 0xffffffff, 0x15
        mov     $msg_pci, %esi
        call    puts
        /* MMIO (paging off: guest-physical) in the page the device model claims: no RAM there */
        movl    $0x11223344, MMIO + 0x10        /* C7: an immediate */
        mov     $0xa1b2c3d4, %ebx
        mov     %ebx, MMIO + 0x14               /* 89: a register */
        movw    $0xcafe, MMIO + 0x18            /* 66 C7: 16 bits */
        movl    MMIO + 0x20, %eax               /* A1: moffs */
        expect  %eax, M(0x20), 0x16
        mov     $0x99999999, %ecx
        movzbl  MMIO + 0x21, %ecx               /* 0F B6: a byte zero-extended */
        expect  %ecx, M(0x21) & 0xff, 0x17
        mov     $0x55555555, %edx
        movb    MMIO + 0x22, %dh                /* 8A into DH: bits 8-15 */
        expect  %edx, 0x55550055 | ((M(0x22) & 0xff) << 8), 0x18
        mov     $0x12345678, %esi
        movw    MMIO + 0x24, %si                /* 66 8B: merged into SI */
        expect  %esi, 0x12340000 | (M(0x24) & 0xffff), 0x19
        mov     $msg_mmio, %esi
        call    puts
        /* String I/O: REP INSW of 8 words, one request (the device model fills the buffer) */
        cld
        mov     $strpage, %edi
        mov     $8, %ecx
        mov     $0x516, %dx
        rep insw
        expect  %ecx, 0, 0x1a
        expect  %edi, strpage + 16, 0x1b
        mov     $strpage, %esi
        mov     $8, %ebx
4:      movzwl  (%esi), %eax
        expect  %eax, F(0x516) & 0xffff, 0x1c
        add     $2, %esi
        dec     %ebx
        jnz     4b
        /* REP OUTSB of 5 bytes to the loopback port: the last one reads back */
        mov     $abcde, %esi
        mov     $5, %ecx
        mov     $0x518, %dx
        rep outsb
        expect  %ecx, 0, 0x1d
        expect  %esi, abcde + 5, 0x1e
        xor     %eax, %eax
        inb     %dx, %al
        expect  %eax, 'E', 0x1f
        /* STD; REP INSB of 4 bytes downwards from strpage + 0x103 */
        std
        mov     $strpage + 0x103, %edi
        mov     $4, %ecx
        mov     $0x510, %dx
        rep insb
        cld
        expect  %edi, strpage + 0xff, 0x21
        mov     strpage + 0x100, %eax
        expect  %eax, 0x5a5a5a5a, 0x22
        /* REP INSW of 6 words across a page boundary: two requests, every word there */
        mov     $strpage + 4096 - 6, %edi
        mov     $6, %ecx
        mov     $0x516, %dx
        rep insw
        expect  %ecx, 0, 0x23
        expect  %edi, strpage + 4096 + 6, 0x24
        mov     $strpage + 4096 - 6, %esi
        mov     $6, %ebx
4:      movzwl  (%esi), %eax
        expect  %eax, F(0x516) & 0xffff, 0x25
        add     $2, %esi
        dec     %ebx
        jnz     4b
        /* REP INSL of 1100 dwords from a page start: a whole page in one request, then the rest */
        mov     $strpage + 8192, %edi
        mov     $1100, %ecx
        mov     $0x514, %dx
        rep insl
        expect  %ecx, 0, 0x26
        expect  %edi, strpage + 8192 + 4400, 0x27
        mov     strpage + 8192 + 4396, %eax
        expect  %eax, F(0x514), 0x28
        mov     strpage + 8192 + 4092, %eax
        expect  %eax, F(0x514), 0x29
        /* A word straddling two pages (INSW, then OUTSW of it): each alone as a plain request */
        mov     $strpage + 8191, %edi
        mov     $0x516, %dx
        insw
        expect  %edi, strpage + 8193, 0x2a
        movzwl  strpage + 8191, %eax
        expect  %eax, F(0x516) & 0xffff, 0x2b
        mov     $strpage + 8191, %esi
        mov     $0x51a, %dx
        outsw
        expect  %esi, strpage + 8193, 0x2c
        /* REP with ECX 0: nothing moves */
        movl    $0x77777777, strpage + 0x200
        mov     $strpage + 0x200, %edi
        xor     %ecx, %ecx
        mov     $0x516, %dx
        rep insw
        mov     strpage + 0x200, %eax
        expect  %eax, 0x77777777, 0x2d
        mov     $msg_string, %esi
        call    puts
        mov     $msg_done, %esi
        call    puts
        mov     $1, %eax                /* HVMCALL_poweroff 0 */
        xor     %edi, %edi
        vmmcall
        mov     $99, %ecx
fail:
        mov     $msg_fail, %esi
        call    puts
        mov     %ecx, %eax
        shr     $4, %eax
        call    putdigit
        mov     %ecx, %eax
        call    putdigit
        mov     $'\n', %al
        mov     $PORT, %dx
        outb    %al, %dx
        mov     $1, %eax                /* HVMCALL_poweroff 2: crash */
        mov     $2, %edi
        vmmcall
        cli
        hlt

putdigit:                               /* the hex digit of al's low nibble */
        and     $0xf, %eax
        mov     hex(%eax), %al
        mov     $PORT, %dx
        outb    %al, %dx
        ret

puts:
        mov     $PORT, %dx
1:      lodsb
        test    %al, %al
        jz      2f
        outb    %al, %dx
        jmp     1b
2:      ret

        .section .data
hex:         .ascii "0123456789abcdef"
msg_hello:   .asciz "ioreq: guest up, asking its device model\n"
msg_reads:   .asciz "ioreq: reads of 1, 2 and 4 bytes answered and merged\n"
msg_writes:  .asciz "ioreq: writes recorded and read back\n"
msg_pci:     .asciz "ioreq: PCI config cycles to its device model's function answered\n"
msg_mmio:    .asciz "ioreq: MMIO reads and writes answered by its device model\n"
msg_string:  .asciz "ioreq: string I/O (REP INS/OUTS) answered by its device model\n"
msg_done:    .asciz "ioreq: all checks passed, powering off\n"
abcde:       .ascii "ABCDE"
msg_fail:    .asciz "ioreq: FAIL check "

        .section .bss
        .align 4096
strpage:
        .skip 4 * 4096                  /* the string I/O buffers: four pages */
        .skip 8192
stack_top:
