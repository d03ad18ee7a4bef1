/*
 * stress [PROCS [MIB [PASSES]]]: burn CPU and touch memory (default 2 8 3).
 * Forks PROCS children; each grows its heap by MIB MiB (sbrk: demand-zero
 * pages, mapped on first touch), fills it from a xorshift stream while
 * computing a checksum, then re-reads it PASSES - 1 times, yielding between
 * passes, and checks that the memory still gives the same checksum. Any
 * corruption (a page lost, shared or copied wrongly across fork, context
 * switches or faults) shows as a mismatch.
 */
#include "ulib.h"

static uint64_t mix(uint64_t sum, uint64_t v)
{
    return (sum ^ v) * 0x100000001b3ULL + (sum >> 29);
}

static uint64_t next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

static uint64_t seed_of(int i)
{
    return 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1);
}

/* The checksum a child's memory must give, from the generator alone. */
static uint64_t expected(int i, uint64_t words)
{
    uint64_t x = seed_of(i), sum = 0;

    for (uint64_t w = 0; w < words; w++)
        sum = mix(sum, next(&x));
    return sum;
}

static int child(int i, uint64_t bytes, int passes)
{
    uint64_t words = bytes / 8, x = seed_of(i), sum = 0, *buf, t0 = uptime_ns();
    int pid = getpid(), bad = 0;

    buf = sbrk((long)bytes);
    if ((long)buf < 0) {
        printf("stress[%d]: sbrk: %s\n", pid, strerror((long)buf));
        return 2;
    }
    for (uint64_t w = 0; w < words; w++) {
        buf[w] = next(&x);
        sum = mix(sum, buf[w]);
    }
    printf("stress[%d]: pass 1/%d: wrote %lu MiB, checksum %016lx\n", pid, passes,
           (unsigned long)(bytes >> 20), (unsigned long)sum);
    for (int p = 2; p <= passes; p++) {
        uint64_t again = 0;
        yield();
        for (uint64_t w = 0; w < words; w++)
            again = mix(again, buf[w]);
        printf("stress[%d]: pass %d/%d: read back, checksum %016lx %s\n", pid, p, passes,
               (unsigned long)again, again == sum ? "ok" : "MISMATCH");
        bad |= again != sum;
    }
    if (sum != expected(i, words)) {
        printf("stress[%d]: checksum differs from the generator's\n", pid);
        bad = 1;
    }
    printf("stress[%d]: done in %lu ms\n", pid, (unsigned long)((uptime_ns() - t0) / 1000000));
    return bad;
}

int main(int argc, char **argv)
{
    int procs = argc > 1 ? (int)atoul(argv[1]) : 2;
    uint64_t mib = argc > 2 ? atoul(argv[2]) : 8, total = 0;
    int passes = argc > 3 ? (int)atoul(argv[3]) : 3, failed = 0, status, pid;
    uint64_t t0 = uptime_ns(), ms;
    struct meminfo mi;

    if (procs < 1 || procs > 16 || mib < 1 || mib > 1024 || passes < 1 || passes > 100) {
        printf("usage: stress [PROCS 1-16 [MIB 1-1024 [PASSES 1-100]]]\n");
        return 2;
    }
    meminfo(&mi);
    printf("stress: %d process%s x %lu MiB, %d passes (%lu of %lu pages free)\n", procs,
           procs == 1 ? "" : "es", (unsigned long)mib, passes, (unsigned long)mi.free,
           (unsigned long)mi.total);
    for (int i = 0; i < procs; i++) {
        pid = fork();
        if (pid < 0) {
            printf("stress: fork: %s\n", strerror(pid));
            failed++;
            break;
        }
        if (pid == 0)
            exit(child(i, mib << 20, passes));
    }
    while ((pid = wait(-1, &status)) > 0) {
        if (status)
            printf("stress: pid %d failed (status %d)\n", pid, status);
        failed += status != 0;
    }
    for (int i = 0; i < procs; i++)
        total ^= expected(i, (mib << 20) / 8);
    ms = (uptime_ns() - t0) / 1000000;
    printf("stress: %s: %d x %lu MiB, %d passes, checksum %016lx, %lu.%03lu s\n",
           failed ? "FAILED" : "all checksums verified", procs, (unsigned long)mib, passes,
           (unsigned long)total, (unsigned long)(ms / 1000), (unsigned long)(ms % 1000));
    return failed != 0;
}
