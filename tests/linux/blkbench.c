/*
 * blkbench: block I/O figures for the Linux domU of tools/bench/linux-blk (busybox dd does
 * queue depth 1 only, and sequential only). No libc: built on the host like xs.c
 * (tools/fetch-linux):
 *   gcc -static -nostdlib -ffreestanding -fno-tree-loop-distribute-patterns
 *       -fno-stack-protector -fno-pie -no-pie -O2 -o blkbench tests/linux/blkbench.c
 *
 *   blkbench DEV OP BS COUNT DEPTH
 * OP: randread | seqread | seqwrite. COUNT requests of BS bytes (a multiple of 512, at most
 * 64 KiB) on DEV opened with O_DIRECT, DEPTH (1-32) of them kept in flight with Linux's
 * native AIO (io_submit/io_getevents; every request goes to the block layer at once).
 * Random offsets: BS-aligned, xorshift64 from a fixed seed, over the whole device;
 * sequential ones wrap at the end of the device. Writes write the byte 0x5a.
 * Prints one line
 *   BENCH linux_blk rand_read|seq_read|seq_write_BSk_qdDEPTH iops=N mib_s=M.MM ios=COUNT ms=T
 * and exits 0, or prints "blkbench: ..." and exits 1. alarm(120) ends it if I/O hangs.
 */
typedef unsigned long size_t;
typedef unsigned long u64;
typedef long s64;

static long sys6(long nr, long a, long b, long c, long d, long e)
{
    long ret;
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;

    __asm__ __volatile__("syscall" : "=a"(ret) : "0"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8)
                         : "rcx", "r11", "memory");
    return ret;
}
#define sys(nr, a, b, c) sys6(nr, a, b, c, 0, 0)
#define SYS_write 1
#define SYS_open 2
#define SYS_lseek 8
#define SYS_alarm 37
#define SYS_exit 60
#define SYS_io_setup 206
#define SYS_io_getevents 208
#define SYS_io_submit 209
#define SYS_clock_gettime 228
#define O_RDONLY 0
#define O_RDWR 2
#define O_DIRECT 040000
#define SEEK_END 2
#define CLOCK_MONOTONIC 1

/* Linux's AIO ABI (include/uapi/linux/aio_abi.h), x86-64 little-endian. */
struct iocb {
    u64 aio_data;
    unsigned int aio_key;
    int aio_rw_flags;
    unsigned short aio_lio_opcode;
    short aio_reqprio;
    unsigned int aio_fildes;
    u64 aio_buf;
    u64 aio_nbytes;
    s64 aio_offset;
    u64 aio_reserved2;
    unsigned int aio_flags;
    unsigned int aio_resfd;
};
struct io_event { u64 data, obj; s64 res, res2; };
struct timespec { s64 sec, nsec; };
#define IOCB_CMD_PREAD 0
#define IOCB_CMD_PWRITE 1
#define MAX_DEPTH 32
#define MAX_BS 65536

static unsigned char bufs[MAX_DEPTH][MAX_BS] __attribute__((aligned(4096)));
static struct iocb cbs[MAX_DEPTH];
static struct io_event events[MAX_DEPTH];

static size_t slen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

static void out(const char *s)
{
    sys(SYS_write, 1, (long)s, (long)slen(s));
}

static void outu(u64 v)
{
    char b[24], *p = b + sizeof(b) - 1;

    *p = 0;
    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    out(p);
}

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static int parse(const char *s, u64 *v)
{
    *v = 0;
    if (!*s)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || *v > 1000000000)
            return -1;
        *v = *v * 10 + (u64)(*s - '0');
    }
    return 0;
}

static __attribute__((noreturn)) void die(const char *why)
{
    out("blkbench: ");
    out(why);
    out("\n");
    sys(SYS_exit, 1, 0, 0);
    __builtin_unreachable();
}

static u64 now_ns(void)
{
    struct timespec t;

    if (sys(SYS_clock_gettime, CLOCK_MONOTONIC, (long)&t, 0))
        die("clock_gettime failed");
    return (u64)t.sec * 1000000000ul + (u64)t.nsec;
}

static u64 rng = 0x9e3779b97f4a7c15ul;

static u64 next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

void _start_c(long *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    u64 bs, count, depth, blocks, issued = 0, done = 0, seq = 0, t0, ns;
    unsigned long ctx = 0;
    int op, wr, fd;
    long size;

    sys(SYS_alarm, 120, 0, 0);
    if (argc != 6 || parse(argv[3], &bs) || parse(argv[4], &count) || parse(argv[5], &depth))
        die("usage: blkbench DEV randread|seqread|seqwrite BS COUNT DEPTH");
    if (streq(argv[2], "randread"))
        op = 0;
    else if (streq(argv[2], "seqread"))
        op = 1;
    else if (streq(argv[2], "seqwrite"))
        op = 2;
    else
        die("OP is randread, seqread or seqwrite");
    wr = op == 2;
    if (!bs || bs % 512 || bs > MAX_BS || !count || count > (1ul << 32) / bs || !depth || depth > MAX_DEPTH)
        die("BS: a multiple of 512 up to 65536; COUNT >= 1, COUNT * BS <= 4 GiB; DEPTH 1-32");
    fd = (int)sys(SYS_open, (long)argv[1], (wr ? O_RDWR : O_RDONLY) | O_DIRECT, 0);
    if (fd < 0)
        die("cannot open DEV with O_DIRECT");
    size = sys(SYS_lseek, fd, 0, SEEK_END);
    if (size <= 0 || (u64)size < bs)
        die("cannot find the size of DEV (or it is smaller than BS)");
    blocks = (u64)size / bs;
    for (u64 i = 0; i < depth; i++)
        for (u64 j = 0; j < bs; j++)
            bufs[i][j] = 0x5a;
    if (sys(SYS_io_setup, (long)depth, (long)&ctx, 0))
        die("io_setup failed");
    t0 = now_ns();
    while (done < count) {
        struct iocb *batch[MAX_DEPTH];
        long n = 0, got;

        /* Refill every free slot (a slot is free when its aio_data is 0). */
        for (u64 i = 0; i < depth && issued < count; i++) {
            struct iocb *cb = &cbs[i];

            if (cb->aio_data)
                continue;
            cb->aio_data = i + 1;
            cb->aio_lio_opcode = wr ? IOCB_CMD_PWRITE : IOCB_CMD_PREAD;
            cb->aio_fildes = (unsigned int)fd;
            cb->aio_buf = (u64)bufs[i];
            cb->aio_nbytes = bs;
            cb->aio_offset = (s64)((op ? seq++ % blocks : next_rand() % blocks) * bs);
            batch[n++] = cb;
            issued++;
        }
        if (n && sys(SYS_io_submit, (long)ctx, n, (long)batch) != n)
            die("io_submit failed");
        got = sys6(SYS_io_getevents, (long)ctx, 1, (long)depth, (long)events, 0);
        if (got <= 0)
            die("io_getevents failed");
        for (long i = 0; i < got; i++) {
            if (events[i].res != (s64)bs)
                die(wr ? "a write failed" : "a read failed");
            if (events[i].data < 1 || events[i].data > depth)
                die("io_getevents returned a stranger");
            cbs[events[i].data - 1].aio_data = 0;
            done++;
        }
    }
    ns = now_ns() - t0;
    if (!ns)
        ns = 1;
    {
        u64 iops = count * 1000000000ul / ns;
        u64 bps = count * bs * 1000000000ul / ns;   /* count * bs <= 2^32: fits */
        u64 mib100 = bps * 100 / (1ul << 20);

        out("BENCH linux_blk ");
        out(op == 0 ? "rand_read_" : op == 1 ? "seq_read_" : "seq_write_");
        outu(bs / 1024);
        out("k_qd");
        outu(depth);
        out(" iops=");
        outu(iops);
        out(" mib_s=");
        outu(mib100 / 100);
        out(".");
        out(mib100 % 100 < 10 ? "0" : "");
        outu(mib100 % 100);
        out(" ios=");
        outu(count);
        out(" ms=");
        outu(ns / 1000000);
        out("\n");
    }
    sys(SYS_exit, 0, 0, 0);
}

__asm__(".globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall _start_c\n\thlt\n");
