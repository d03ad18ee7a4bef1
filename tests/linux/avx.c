/*
 * avx: an AVX2 user program for the Linux test's initramfs. No libc: built
 * on the host (tools/fetch-linux) with
 *   gcc -static -nostdlib -ffreestanding -fno-tree-loop-distribute-patterns
 *       -fno-stack-protector -fno-pie -no-pie -O2 -mavx2 -o avx tests/linux/avx.c
 *
 *   avx SEED
 * checks CPUID (AVX2) and XCR0 (SSE|AVX on), then for 2000 rounds: fills
 * ymm0-15 with a pattern of its SEED, yields the CPU (sched_yield: another
 * process, another vCPU or domain runs), reads the registers back whole,
 * and computes an AVX2 product-sum (vpmulld/vpaddd) compared with the
 * scalar result. Prints "avx2 SEED: OK, rounds N" or what differed; then,
 * if the kernel enabled FSGSBASE for user space, a GS base written with
 * wrgsbase must survive sched_yield ("avx2 SEED: fsgsbase: OK"). Exit
 * status 0 on success. Two at once (tests/linux/init) must not see each
 * other's registers.
 */
typedef unsigned long size_t;
typedef int v8si __attribute__((vector_size(32)));

static long sys(long nr, long a, long b, long c)
{
    long ret;

    __asm__ __volatile__("syscall" : "=a"(ret) : "0"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
}
#define SYS_write 1
#define SYS_sched_yield 24
#define SYS_exit 60

static void out(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    sys(SYS_write, 1, (long)s, (long)n);
}

static char *utoa(char *p, unsigned long v)
{
    char tmp[24];
    int n = 0;

    do
        tmp[n++] = (char)('0' + v % 10);
    while (v /= 10);
    while (n)
        *p++ = tmp[--n];
    *p = 0;
    return p;
}

static void report(const char *seed, const char *what, unsigned long n)
{
    char line[160], *p = line;
    const char *parts[] = { "avx2 ", seed, ": ", what };

    for (unsigned int i = 0; i < 4; i++)
        for (const char *s = parts[i]; *s; s++)
            *p++ = *s;
    p = utoa(p, n);
    *p++ = '\n';
    *p = 0;
    out(line);
}

static int pattern[16][8] __attribute__((aligned(32)));
static int back[16][8] __attribute__((aligned(32)));

static int regs_round(void)
{
    __asm__ __volatile__(
        "vmovdqa 0(%1), %%ymm0\n\tvmovdqa 32(%1), %%ymm1\n\tvmovdqa 64(%1), %%ymm2\n\tvmovdqa 96(%1), %%ymm3\n\t"
        "vmovdqa 128(%1), %%ymm4\n\tvmovdqa 160(%1), %%ymm5\n\tvmovdqa 192(%1), %%ymm6\n\tvmovdqa 224(%1), %%ymm7\n\t"
        "vmovdqa 256(%1), %%ymm8\n\tvmovdqa 288(%1), %%ymm9\n\tvmovdqa 320(%1), %%ymm10\n\tvmovdqa 352(%1), %%ymm11\n\t"
        "vmovdqa 384(%1), %%ymm12\n\tvmovdqa 416(%1), %%ymm13\n\tvmovdqa 448(%1), %%ymm14\n\tvmovdqa 480(%1), %%ymm15\n\t"
        "mov %3, %%eax\n\tsyscall\n\t"
        "vmovdqa %%ymm0, 0(%2)\n\tvmovdqa %%ymm1, 32(%2)\n\tvmovdqa %%ymm2, 64(%2)\n\tvmovdqa %%ymm3, 96(%2)\n\t"
        "vmovdqa %%ymm4, 128(%2)\n\tvmovdqa %%ymm5, 160(%2)\n\tvmovdqa %%ymm6, 192(%2)\n\tvmovdqa %%ymm7, 224(%2)\n\t"
        "vmovdqa %%ymm8, 256(%2)\n\tvmovdqa %%ymm9, 288(%2)\n\tvmovdqa %%ymm10, 320(%2)\n\tvmovdqa %%ymm11, 352(%2)\n\t"
        "vmovdqa %%ymm12, 384(%2)\n\tvmovdqa %%ymm13, 416(%2)\n\tvmovdqa %%ymm14, 448(%2)\n\tvmovdqa %%ymm15, 480(%2)\n\t"
        : "=m"(back) : "r"(pattern), "r"(back), "i"(SYS_sched_yield), "m"(pattern)
        : "rax", "rcx", "r11", "memory");
    for (unsigned int i = 0; i < 16; i++)
        for (unsigned int j = 0; j < 8; j++)
            if (back[i][j] != pattern[i][j])
                return (int)i + 1;
    return 0;
}

static v8si va[64], vb[64];

static int compute(unsigned int seed)
{
    v8si acc = { 0 };
    int want[8] = { 0 }, got[8];

    for (unsigned int i = 0; i < 64; i++)
        for (unsigned int j = 0; j < 8; j++) {
            va[i][j] = (int)(seed * 7919u + i * 31u + j);
            vb[i][j] = (int)(seed * 104729u + i * 17u + j * 3u);
            want[j] += va[i][j] * vb[i][j];
        }
    for (unsigned int i = 0; i < 64; i++)
        acc += va[i] * vb[i];               /* vpmulld, vpaddd */
    __builtin_memcpy(got, &acc, sizeof(got));
    for (unsigned int j = 0; j < 8; j++)
        if (got[j] != want[j])
            return 1;
    return 0;
}

void *memcpy(void *d, const void *s, size_t n)
{
    char *dd = d;
    const char *ss = s;

    while (n--)
        *dd++ = *ss++;
    return d;
}

void *memset(void *d, int c, size_t n)
{
    char *dd = d;

    while (n--)
        *dd++ = (char)c;
    return d;
}

static int main(int argc, char **argv)
{
    const char *seedstr = argc > 1 ? argv[1] : "1";
    unsigned int seed = 0, a, b, c, d, lo, hi;

    for (const char *s = seedstr; *s >= '0' && *s <= '9'; s++)
        seed = seed * 10 + (unsigned int)(*s - '0');
    __asm__ __volatile__("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(7), "c"(0));
    if (!(b & (1u << 5))) {
        report(seedstr, "no AVX2 in CPUID leaf 7, ebx=", b);
        return 1;
    }
    __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) != 6) {
        report(seedstr, "XCR0 lacks SSE|AVX: ", lo);
        return 1;
    }
    for (unsigned int r = 0; r < 2000; r++) {
        int bad;

        for (unsigned int i = 0; i < 16; i++)
            for (unsigned int j = 0; j < 8; j++)
                pattern[i][j] = (int)((seed << 24) ^ (r << 8) ^ (i << 4) ^ j);
        if ((bad = regs_round())) {
            report(seedstr, "ymm changed across sched_yield: register ", (unsigned long)bad - 1);
            return 1;
        }
        if (r % 100 == 0 && compute(seed + r)) {
            report(seedstr, "AVX2 product-sum differs from the scalar one, round ", r);
            return 1;
        }
    }
    report(seedstr, "OK, rounds ", 2000);
    return 0;
}

/*
 * With AT_HWCAP2's FSGSBASE bit (the kernel set CR4.FSGSBASE): a GS base
 * (this program does not use GS) written with wrgsbase reads back after
 * each sched_yield.
 */
static int fsgsbase(const char *seed, long *auxv)
{
    unsigned long hwcap2 = 0, got = 0, want = 0x7f0000001000UL + ((unsigned long)seed[0] << 12);

    for (; auxv[0]; auxv += 2)
        if (auxv[0] == 26)                  /* AT_HWCAP2 */
            hwcap2 = (unsigned long)auxv[1];
    if (!(hwcap2 & 2)) {                    /* HWCAP2_FSGSBASE */
        report(seed, "fsgsbase: not enabled by the kernel, hwcap2=", hwcap2);
        return 0;
    }
    for (unsigned int i = 0; i < 200; i++) {
        __asm__ __volatile__("wrgsbase %0" :: "r"(want + i * 0x1000UL));
        sys(SYS_sched_yield, 0, 0, 0);
        __asm__ __volatile__("rdgsbase %0" : "=r"(got));
        if (got != want + i * 0x1000UL) {
            report(seed, "fsgsbase: GS base changed across sched_yield, round ", i);
            return 1;
        }
    }
    report(seed, "fsgsbase: OK, rounds ", 200);
    return 0;
}

__attribute__((used)) static void start_c(long *sp)
{
    int argc = (int)sp[0], rc;
    long *p = sp + 1 + argc + 1;            /* past argv and its NULL */

    while (*p)
        p++;                                /* envp */
    rc = main(argc, (char **)(sp + 1));
    if (!rc)
        rc = fsgsbase(argc > 1 ? ((char **)(sp + 1))[1] : "1", p + 1);
    sys(SYS_exit, rc, 0, 0);
}

__asm__(".globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-32, %rsp\n\tcall start_c\n\thlt\n");
