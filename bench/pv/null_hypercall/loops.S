/* Timed loops of the null hypercall: xen_version(XENVER_version, NULL). */
#include "timed.h"

        .text

/*
 * uint64_t loop_hc_page(uint64_t n): through the hypercall page, as a
 * kernel with a HYPERCALL_PAGE note calls. Guest instructions per op: the
 * two argument loads, call, the stub's push rcx; push r11; mov; syscall;
 * pop r11; pop rcx; ret (10); the rest is Tandem's.
 */
        .globl  loop_hc_page
loop_hc_page:
        PROLOGUE
        TIMED_BEGIN
1:      xor     %edi, %edi
        xor     %esi, %esi
        call    HYPERCALL_STUB(xen_version)
        dec     %r12
        jnz     1b
        TIMED_END
        EPILOGUE

/*
 * uint64_t loop_hc_raw(uint64_t n): SYSCALL issued directly, as kernels
 * without a hypercall page (Linux 6.x) do. Guest instructions per op:
 * mov, two argument loads, syscall (4).
 */
        .globl  loop_hc_raw
loop_hc_raw:
        PROLOGUE
        TIMED_BEGIN
1:      mov     $__HYPERVISOR_xen_version, %eax
        xor     %edi, %edi
        xor     %esi, %esi
        syscall
        dec     %r12
        jnz     1b
        TIMED_END
        EPILOGUE
