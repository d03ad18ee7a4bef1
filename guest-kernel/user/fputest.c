/*
 * fputest [ROUNDS]: two processes keep their own SSE state across context
 * switches. Parent and child each put a value of their own in %xmm0 and a
 * rounding mode of their own in MXCSR, yield to the other, and check both
 * are still theirs (the kernel saves and restores each process's FPU/SSE
 * state with fxsave/fxrstor when another process has used the FPU).
 */
#include "ulib.h"

static long check(uint64_t seed, uint32_t mxcsr, int rounds)
{
    long bad = 0;

    for (int i = 0; i < rounds; i++) {
        uint64_t v = seed ^ ((uint64_t)i * 0x9e3779b97f4a7c15ULL), got;
        uint32_t m = mxcsr, mgot;
        __asm__ __volatile__(
            "ldmxcsr %[m]\n\t"
            "movq %[v], %%xmm0\n\t"
            "mov %[nr], %%eax\n\t"
            "syscall\n\t"
            "movq %%xmm0, %[got]\n\t"
            "stmxcsr %[mgot]"
            : [got] "=r"(got), [mgot] "=m"(mgot)
            : [v] "r"(v), [m] "m"(m), [nr] "i"(SYS_yield)
            : "rax", "rcx", "r11", "memory");
        bad += got != v || mgot != mxcsr;
    }
    return bad;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? (int)atoul(argv[1]) : 200, pid, status = 0;
    long bad;

    pid = fork();
    if (pid < 0) {
        printf("fputest: fork: %s\n", strerror(pid));
        return 1;
    }
    /* Round to nearest (0x1f80) in the parent, toward zero (0x7f80) in the child. */
    bad = pid ? check(0x1111111111111111ULL, 0x1f80, rounds) : check(0x2222222222222222ULL, 0x7f80, rounds);
    if (!pid)
        exit(bad ? 1 : 0);
    wait(pid, &status);
    printf("fputest: 2 processes x %d yields: %s\n", rounds,
           !bad && !status ? "xmm0 and MXCSR preserved" : "FAILED: SSE state leaked between processes");
    return bad || status;
}
