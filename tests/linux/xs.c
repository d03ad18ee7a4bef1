/*
 * xs: a tiny xenstore client for the Linux test's initramfs (busybox has
 * none), over Linux's /dev/xen/xenbus with Xen's wire format
 * (hypercall-abi/include/tandem/io/xs_wire.h): one request written whole,
 * the reply read back. No libc: built on the host with
 *   gcc -static -nostdlib -ffreestanding -fno-tree-loop-distribute-patterns
 *       -fno-stack-protector -fno-pie -no-pie -O2 -o xs tests/linux/xs.c
 * (tools/fetch-linux does it) and raw system calls; alarm(10) ends it if
 * the store never answers.
 *
 *   xs read PATH | xs write PATH VALUE | xs ls PATH
 * prints "xs read PATH: VALUE" (ls: the children, space-separated) or
 * "xs read PATH: error ENAME"; exit status 0 on success.
 */
typedef unsigned long size_t;
typedef long ssize_t;

struct xsd_sockmsg { unsigned int type, req_id, tx_id, len; };
enum { XS_DIRECTORY = 1, XS_READ = 2, XS_WRITE = 11, XS_ERROR = 16 };

static long sys(long nr, long a, long b, long c)
{
    long ret;

    __asm__ __volatile__("syscall" : "=a"(ret) : "0"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
}
#define SYS_read 0
#define SYS_write 1
#define SYS_open 2
#define SYS_alarm 37
#define SYS_exit 60

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

static int streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static char msg[16 + 4096], reply[16 + 4096 + 1];

static int call(unsigned int type, const char *path, const char *value)
{
    struct xsd_sockmsg *h = (struct xsd_sockmsg *)msg, *r = (struct xsd_sockmsg *)reply;
    size_t pl = slen(path) + 1, vl = value ? slen(value) : 0, got = 0;
    int fd = (int)sys(SYS_open, (long)"/dev/xen/xenbus", 2 /* O_RDWR */, 0);
    long n;

    if (fd < 0) {
        out("xs: cannot open /dev/xen/xenbus\n");
        return -1;
    }
    if (pl + vl > 4096)
        return -1;
    h->type = type;
    h->req_id = 1;
    h->tx_id = 0;
    h->len = (unsigned int)(pl + vl);
    for (size_t i = 0; i < pl; i++)
        msg[16 + i] = path[i];
    for (size_t i = 0; i < vl; i++)
        msg[16 + pl + i] = value[i];
    if (sys(SYS_write, fd, (long)msg, (long)(16 + pl + vl)) != (long)(16 + pl + vl)) {
        out("xs: write to /dev/xen/xenbus failed\n");
        return -1;
    }
    while (got < 16 || got < 16 + r->len) {
        n = sys(SYS_read, fd, (long)reply + (long)got, (long)(sizeof(reply) - 1 - got));
        if (n <= 0) {
            out("xs: read from /dev/xen/xenbus failed\n");
            return -1;
        }
        got += (size_t)n;
        if (got >= 16 && r->len > 4096)
            return -1;
    }
    reply[16 + r->len] = 0;
    return 0;
}

void _start_c(long *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    struct xsd_sockmsg *r = (struct xsd_sockmsg *)reply;
    unsigned int type;
    int rc;

    sys(SYS_alarm, 10, 0, 0);
    if (argc == 3 && streq(argv[1], "read"))
        type = XS_READ;
    else if (argc == 3 && streq(argv[1], "ls"))
        type = XS_DIRECTORY;
    else if (argc == 4 && streq(argv[1], "write"))
        type = XS_WRITE;
    else {
        out("usage: xs read PATH | xs write PATH VALUE | xs ls PATH\n");
        sys(SYS_exit, 2, 0, 0);
        return;
    }
    rc = call(type, argv[2], argc == 4 ? argv[3] : 0);
    out("xs ");
    out(argv[1]);
    out(" ");
    out(argv[2]);
    out(": ");
    if (rc) {
        out("no reply\n");
    } else if (r->type == XS_ERROR) {
        out("error ");
        out(reply + 16);
        out("\n");
        rc = 1;
    } else {
        if (type == XS_DIRECTORY)       /* "a\0b\0": space-separated */
            for (unsigned int i = 0; i + 1 < r->len; i++)
                if (!reply[16 + i])
                    reply[16 + i] = ' ';
        out(type == XS_WRITE ? "OK" : reply + 16);
        out("\n");
    }
    sys(SYS_exit, rc ? 1 : 0, 0, 0);
}

__asm__(".globl _start\n_start:\n\tmov %rsp, %rdi\n\tand $-16, %rsp\n\tcall _start_c\n\thlt\n");
