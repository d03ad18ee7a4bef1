/*
 * lbench: the timer and the loops of `make bench-linux`'s workloads (bench/linux/init runs it
 * inside Linux: natively, as Xen's dom0 and as a Tandem domU). A user program of the guest, not
 * of the project: built with the host's C library, statically (tools/bench/linux-fetch):
 *   gcc -static -O2 -Wall -Wextra -Werror -o lbench bench/linux/lbench.c
 *
 *   lbench time NAME CMD [ARG...]   fork + exec CMD (its output to /dev/null), wait: RESULT NAME <ms> ms
 *   lbench forkexec NAME N PATH     N x (fork, exec PATH, child exits, wait): RESULT NAME <ms> ms
 *   lbench getppid NAME N           N x getppid as a raw `syscall`: RESULT NAME <ns> ns/call
 *   lbench faults NAME N            first touch of N anonymous pages of one mmap: RESULT NAME <ns> ns/fault
 *   lbench pipe NAME N              N round trips of one byte between two processes over two
 *                                   pipes: RESULT NAME <us> us/roundtrip
 *   lbench now                      CLOCK_MONOTONIC in microseconds (for the script's own marks)
 *
 * Every figure is CLOCK_MONOTONIC around the whole loop (the kernel's clocksource: the TSC
 * natively, pvclock under Xen and Tandem; 1 ns resolution, at least 1 us accuracy), printed as
 * one line "RESULT NAME VALUE UNIT" on stdout. Exit 0, or 1 with "lbench: ..." on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void fail(const char *what)
{
    fprintf(stderr, "lbench: %s: %s\n", what, strerror(errno));
    exit(1);
}

static long count_arg(const char *s)
{
    char *end;
    long n = strtol(s, &end, 10);

    if (*s == '\0' || *end != '\0' || n <= 0 || n > 100000000L) {
        fprintf(stderr, "lbench: bad count '%s'\n", s);
        exit(1);
    }
    return n;
}

static void result(const char *name, double value, const char *unit)
{
    printf("RESULT %s %.6g %s\n", name, value, unit);
    fflush(stdout);
}

/* fork + execv(argv[0], argv) + wait; the child's exit status must be 0. quiet: the child's
 * stdout and stderr go to /dev/null (busybox dd's statistics). */
static void run_wait(char *const argv[], int quiet)
{
    int status;
    pid_t pid = fork();

    if (pid < 0)
        fail("fork");
    if (pid == 0) {
        if (quiet) {
            int fd = open("/dev/null", O_WRONLY);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
            }
        }
        execv(argv[0], argv);
        _exit(127);
    }
    if (waitpid(pid, &status, 0) != pid)
        fail("waitpid");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "lbench: %s exited with status %d\n", argv[0], status);
        exit(1);
    }
}

static void cmd_getppid(const char *name, long n)
{
    long i, r = 0;
    double t0 = now_ns();

    for (i = 0; i < n; i++) {
        long nr = SYS_getppid;
        __asm__ __volatile__("syscall" : "+a"(nr) : : "rcx", "r11", "memory");
        r |= nr;
    }
    double t1 = now_ns();
    if (r < 0) {
        fprintf(stderr, "lbench: getppid failed\n");
        exit(1);
    }
    result(name, (t1 - t0) / (double)n, "ns/call");
}

static void cmd_faults(const char *name, long n)
{
    long page = sysconf(_SC_PAGESIZE), i;
    volatile char *p = mmap(NULL, (size_t)n * (size_t)page, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED)
        fail("mmap");
    double t0 = now_ns();
    for (i = 0; i < n; i++)
        p[i * page] = 1;
    double t1 = now_ns();
    result(name, (t1 - t0) / (double)n, "ns/fault");
}

static void cmd_pipe(const char *name, long n)
{
    int ab[2], ba[2], status;
    char c = 'x';
    long i;

    if (pipe(ab) || pipe(ba))
        fail("pipe");
    pid_t pid = fork();
    if (pid < 0)
        fail("fork");
    if (pid == 0) {
        for (i = 0; i < n; i++)
            if (read(ab[0], &c, 1) != 1 || write(ba[1], &c, 1) != 1)
                _exit(1);
        _exit(0);
    }
    /* One warm-up round trip: the child has run once before the clock starts. */
    if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
        fail("pipe warm-up");
    double t0 = now_ns();
    for (i = 1; i < n; i++)
        if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
            fail("pipe round trip");
    double t1 = now_ns();
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "lbench: pipe partner failed\n");
        exit(1);
    }
    result(name, (t1 - t0) / 1e3 / (double)(n > 1 ? n - 1 : 1), "us/roundtrip");
}

static int usage(void)
{
    fprintf(stderr, "usage: lbench time NAME CMD [ARG...] | forkexec NAME N PATH | getppid NAME N |"
                    " faults NAME N | pipe NAME N | now\n");
    return 1;
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "now")) {
        printf("%.0f\n", now_ns() / 1e3);
        return 0;
    }
    if (argc < 4)
        return usage();
    const char *op = argv[1], *name = argv[2];
    if (!strcmp(op, "time")) {
        double t0 = now_ns();
        run_wait(argv + 3, 1);
        result(name, (now_ns() - t0) / 1e6, "ms");
    } else if (!strcmp(op, "forkexec") && argc == 5) {
        long n = count_arg(argv[3]), i;
        char *child[] = { argv[4], NULL };
        double t0 = now_ns();
        for (i = 0; i < n; i++)
            run_wait(child, 0);
        result(name, (now_ns() - t0) / 1e6, "ms");
    } else if (!strcmp(op, "getppid") && argc == 4) {
        cmd_getppid(name, count_arg(argv[3]));
    } else if (!strcmp(op, "faults") && argc == 4) {
        cmd_faults(name, count_arg(argv[3]));
    } else if (!strcmp(op, "pipe") && argc == 4) {
        cmd_pipe(name, count_arg(argv[3]));
    } else {
        return usage();
    }
    return 0;
}
