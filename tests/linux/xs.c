/*
 * xs: a tiny xenstore client for the Linux test's initramfs (busybox has
 * none), over Linux's /dev/xen/xenbus with Xen's wire format
 * (hypercall-abi/include/tandem/io/xs_wire.h): one request written whole,
 * the reply read back. No libc: built on the host with
 *   gcc -static -nostdlib -ffreestanding -fno-tree-loop-distribute-patterns
 *       -fno-stack-protector -fno-pie -no-pie -O2 -o xs tests/linux/xs.c
 * (tools/fetch-linux does it) and raw system calls; alarm(10) ends a
 * one-shot request the store never answers.
 *
 *   xs read PATH | xs write PATH VALUE | xs ls PATH
 * prints "xs read PATH: VALUE" (ls: the children, space-separated) or
 * "xs read PATH: error ENAME"; exit status 0 on success.
 *
 *   xs loop DIR MAX
 * the store stress of tests/linux/store-stress.cfg: on one open device, a
 * watch on DIR, then rounds of write DIR/kI (I the round modulo 32), read it
 * back (checked), ls DIR, every 25 rounds DIR/at25, at50, ... (how far it
 * got, for the store domain), read DIR/stop, until DIR/stop exists or MAX
 * rounds are done. Each reply must come within 10 s (poll); watch events
 * are counted as they come between the replies: one per change made under
 * DIR. Prints "xs loop DIR: R rounds, Q requests answered, E watch events
 * (one per change), slowest reply T ms, stopped|max" (exit 0), or "xs loop
 * DIR: no reply to request Q (TYPE PATH) in 10 s after R rounds", "... E
 * watch events where X changes were made" and the like (exit 3).
 *
 *   xs events DIR N DOMID: see xs_events below.
 */
typedef unsigned long size_t;
typedef long ssize_t;
typedef _Bool bool;
#define true 1
#define false 0

struct xsd_sockmsg { unsigned int type, req_id, tx_id, len; };
enum { XS_DIRECTORY = 1, XS_READ = 2, XS_WATCH = 4, XS_WRITE = 11, XS_SET_PERMS = 14, XS_WATCH_EVENT = 15,
       XS_ERROR = 16 };

static long sys(long nr, long a, long b, long c)
{
    long ret;

    __asm__ __volatile__("syscall" : "=a"(ret) : "0"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return ret;
}
#define SYS_read 0
#define SYS_write 1
#define SYS_open 2
#define SYS_poll 7
#define SYS_alarm 37
#define SYS_clock_gettime 228
#define SYS_exit 60

static size_t slen(const char *s)
{
    size_t n = 0;

    while (s[n])
        n++;
    return n;
}

/* Output goes out a line at a time, in one write: the two loops' lines do not mix on the console. */
static void out(const char *s)
{
    static char line[1024];
    static size_t used;

    for (; *s; s++) {
        line[used++] = *s;
        if (*s == '\n' || used == sizeof(line)) {
            sys(SYS_write, 1, (long)line, (long)used);
            used = 0;
        }
    }
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

/* ---- xs loop: one device, many requests, watch events between the replies ---- */

struct pollfd { int fd; short events, revents; };

static char lbuf[2 * (16 + 4096)];  /* bytes read from the device, not yet taken */
static size_t lhave;
static unsigned long nr_events, nr_answered, max_ms;

static unsigned long now_ms(void)
{
    long ts[2];

    sys(SYS_clock_gettime, 1 /* CLOCK_MONOTONIC */, (long)ts, 0);
    return (unsigned long)ts[0] * 1000 + (unsigned long)ts[1] / 1000000;
}

static void out_u(unsigned long v)
{
    char b[24];
    int i = 23;

    b[i] = 0;
    do
        b[--i] = (char)('0' + v % 10);
    while (v /= 10);
    out(b + i);
}

static void num_str(char *b, unsigned long v)     /* b: 24 bytes */
{
    char t[24];
    int i = 23, k = 0;

    t[i] = 0;
    do
        t[--i] = (char)('0' + v % 10);
    while (v /= 10);
    while ((b[k] = t[i + k]))
        k++;
}

static size_t scat(char *d, size_t at, const char *s)
{
    while (*s)
        d[at++] = *s++;
    d[at] = 0;
    return at;
}

/*
 * The next message the device gives (reply or watch event) into reply[]: 0, -1 if none came in
 * 10 s, -2 if the device failed or sent nonsense.
 */
static int next_msg(int fd)
{
    struct xsd_sockmsg *h = (struct xsd_sockmsg *)lbuf;

    while (lhave < 16 || lhave < 16 + h->len) {
        struct pollfd p = { fd, 1 /* POLLIN */, 0 };
        long n = sys(SYS_poll, (long)&p, 1, 10000);
        if (n == 0)
            return -1;
        if (n < 0)
            return -2;
        n = sys(SYS_read, fd, (long)lbuf + (long)lhave, (long)(sizeof(lbuf) - lhave));
        if (n <= 0)
            return -2;
        lhave += (size_t)n;
        if (lhave >= 16 && h->len > 4096)
            return -2;
    }
    for (size_t i = 0; i < 16 + h->len; i++)
        reply[i] = lbuf[i];
    reply[16 + h->len] = 0;
    lhave -= 16 + h->len;
    for (size_t i = 0; i < lhave; i++)
        lbuf[i] = lbuf[16 + ((struct xsd_sockmsg *)reply)->len + i];
    return 0;
}

static const char *const type_name[] = { [XS_DIRECTORY] = "DIRECTORY", [XS_READ] = "READ",
                                          [XS_WATCH] = "WATCH", [XS_WRITE] = "WRITE",
                                          [XS_SET_PERMS] = "SET_PERMS" };

/* One request on fd (path, then vl bytes of value), its reply in reply[] (watch events before it
 * counted); on no reply in 10 s, or one out of order, it says so and exits. */
static void loop_send(int fd, unsigned int type, const char *path, const char *value, size_t vl,
                      const char *dir, unsigned long rounds)
{
    struct xsd_sockmsg *h = (struct xsd_sockmsg *)msg, *r = (struct xsd_sockmsg *)reply;
    size_t pl = slen(path) + 1;
    static unsigned int req_id;
    unsigned long t0 = now_ms();
    int rc;

    h->type = type;
    h->req_id = ++req_id;
    h->tx_id = 0;
    h->len = (unsigned int)(pl + vl);
    for (size_t i = 0; i < pl; i++)
        msg[16 + i] = path[i];
    for (size_t i = 0; i < vl; i++)
        msg[16 + pl + i] = value[i];
    if (sys(SYS_write, fd, (long)msg, (long)(16 + pl + vl)) != (long)(16 + pl + vl)) {
        rc = -2;
        goto fail;
    }
    for (;;) {
        if ((rc = next_msg(fd)))
            goto fail;
        if (r->type != XS_WATCH_EVENT)
            break;
        nr_events++;
    }
    if (r->req_id != req_id) {
        rc = -3;
        goto fail;
    }
    nr_answered++;
    if (now_ms() - t0 > max_ms)
        max_ms = now_ms() - t0;
    return;
fail:
    out("xs loop ");
    out(dir);
    out(rc == -1 ? ": no reply to request " : rc == -3 ? ": reply out of order to request " :
        ": device failed at request ");
    out_u(nr_answered + 1);
    out(" (");
    out(type_name[type]);
    out(" ");
    out(path);
    out(") in 10 s after ");
    out_u(rounds);
    out(" rounds, ");
    out_u(nr_events);
    out(" watch events\n");
    sys(SYS_exit, 3, 0, 0);
}

/* value a string (WATCH: the token, sent with its NUL as "path\0token\0" must be) or NULL. */
static void loop_call(int fd, unsigned int type, const char *path, const char *value, const char *dir,
                      unsigned long rounds)
{
    loop_send(fd, type, path, value, value ? slen(value) + (type == XS_WATCH) : 0, dir, rounds);
}

static void loop_fail(const char *dir, const char *what, const char *path, unsigned long rounds)
{
    out("xs loop ");
    out(dir);
    out(": ");
    out(what);
    out(" ");
    out(path);
    out(": ");
    out(reply + 16);
    out(" after ");
    out_u(rounds);
    out(" rounds\n");
    sys(SYS_exit, 3, 0, 0);
}

static void xs_loop(const char *dir, const char *max_s)
{
    struct xsd_sockmsg *r = (struct xsd_sockmsg *)reply;
    int fd = (int)sys(SYS_open, (long)"/dev/xen/xenbus", 2 /* O_RDWR */, 0);
    unsigned long max = 0, rounds = 0, expected;
    char key[256], stop[256], val[32];
    bool stopped = false;

    for (const char *p = max_s; *p >= '0' && *p <= '9'; p++)
        max = max * 10 + (unsigned long)(*p - '0');
    if (fd < 0 || slen(dir) > 200) {
        out("xs: cannot open /dev/xen/xenbus\n");
        sys(SYS_exit, 3, 0, 0);
    }
    scat(stop, scat(stop, 0, dir), "/stop");
    /* "DIR\0token\0": the watch's path and token as one body. */
    scat(key, 0, dir);
    loop_call(fd, XS_WATCH, key, "loop", dir, 0);
    if (r->type == XS_ERROR)
        loop_fail(dir, "watch", dir, 0);
    while (rounds < max) {
        char num[24];
        num_str(num, rounds % 32);
        scat(key, scat(key, 0, dir), "/k");
        scat(key, slen(key), num);
        num_str(num, rounds);
        scat(val, scat(val, 0, "v"), num);
        loop_call(fd, XS_WRITE, key, val, dir, rounds);
        if (r->type == XS_ERROR)
            loop_fail(dir, "write", key, rounds);
        loop_call(fd, XS_READ, key, 0, dir, rounds);
        if (r->type == XS_ERROR)
            loop_fail(dir, "read", key, rounds);
        if (!streq(reply + 16, val)) {
            out("xs loop ");
            out(dir);
            out(": read back ");
            out(reply + 16);
            out(" for ");
            out(val);
            out("\n");
            sys(SYS_exit, 3, 0, 0);
        }
        loop_call(fd, XS_DIRECTORY, dir, 0, dir, rounds);
        if (r->type == XS_ERROR)
            loop_fail(dir, "ls", dir, rounds);
        rounds++;
        if (rounds % 25 == 0) {     /* DIR/at25, at50, ...: how far we are, for the store domain */
            num_str(num, rounds);
            scat(key, scat(key, 0, dir), "/at");
            scat(key, slen(key), num);
            loop_call(fd, XS_WRITE, key, "1", dir, rounds);
            if (r->type == XS_ERROR)
                loop_fail(dir, "write", key, rounds);
        }
        loop_call(fd, XS_READ, stop, 0, dir, rounds);
        if (r->type != XS_ERROR) {
            stopped = true;
            break;
        }
    }
    out("xs loop ");
    out(dir);
    out(": ");
    out_u(rounds);
    out(" rounds, ");
    out_u(nr_answered);
    out(" requests answered, ");
    out_u(nr_events);
    /* One event per change under DIR: the watch's first, each k and at write, the stop node.
     * Linux hands watch events to the device's reader from its xenwatch thread, replies from
     * the request's caller: the last ones may still come after the last reply. */
    expected = 1 + rounds + rounds / 25 + (stopped ? 1 : 0);
    while (nr_events < expected && !next_msg(fd))
        if (r->type == XS_WATCH_EVENT)
            nr_events++;
    if (nr_events != expected) {
        out(" watch events where ");
        out_u(expected);
        out(" changes were made\n");
        sys(SYS_exit, 3, 0, 0);
    }
    out(" watch events (one per change), slowest reply ");
    out_u(max_ms);
    out(" ms, ");
    out(stopped ? "stopped\n" : "max\n");
    sys(SYS_exit, 0, 0, 0);
}

/*
 * xs events DIR N DOMID: a watch on DIR/k that only another domain's writes fire. DIR is made
 * readable and writable by DOMID (XS_SET_PERMS "n<us>" "b<DOMID>"), DIR/ready written once the
 * watch is in place; then N times: wait for an event on DIR/k (10 s each, no request of ours
 * meanwhile: nothing but the writer's request can make the store deliver it), write DIR/ackI.
 */
static void xs_events(const char *dir, const char *n_s, const char *domid)
{
    struct xsd_sockmsg *r = (struct xsd_sockmsg *)reply;
    int fd = (int)sys(SYS_open, (long)"/dev/xen/xenbus", 2 /* O_RDWR */, 0);
    unsigned long n = 0, got = 0;
    char key[256], perms[64], num[24];
    size_t at;

    for (const char *p = n_s; *p >= '0' && *p <= '9'; p++)
        n = n * 10 + (unsigned long)(*p - '0');
    if (fd < 0 || slen(dir) > 200 || slen(domid) > 8) {
        out("xs: cannot open /dev/xen/xenbus\n");
        sys(SYS_exit, 3, 0, 0);
    }
    loop_call(fd, XS_WRITE, dir, "", dir, 0);
    if (r->type == XS_ERROR)
        loop_fail(dir, "write", dir, 0);
    loop_call(fd, XS_READ, "domid", 0, dir, 0);
    /* Body "DIR\0n<us>\0b<DOMID>\0": the owner (others: no access), then DOMID's read and write. */
    at = scat(perms, scat(perms, 0, "n"), reply + 16) + 1;
    at = scat(perms, scat(perms, at, "b"), domid) + 1;
    loop_send(fd, XS_SET_PERMS, dir, perms, at, dir, 0);
    if (r->type == XS_ERROR)
        loop_fail(dir, "set_perms", dir, 0);
    scat(key, scat(key, 0, dir), "/k");
    loop_call(fd, XS_WATCH, key, "ev", dir, 0);
    if (r->type == XS_ERROR)
        loop_fail(dir, "watch", key, 0);
    scat(key, scat(key, 0, dir), "/ready");
    loop_call(fd, XS_WRITE, key, "1", dir, 0);
    /* nr_events counts every event (the only watch on this fd), those that came before a reply
     * too; the first is the watch's initial one (k does not exist yet), not the writer's. */
    while (got < n) {
        int rc;
        if (nr_events > got + 1) {
            got++;
            num_str(num, got);
            scat(key, scat(key, 0, dir), "/ack");
            scat(key, slen(key), num);
            loop_call(fd, XS_WRITE, key, "1", dir, got);
            if (r->type == XS_ERROR)
                loop_fail(dir, "write", key, got);
            continue;
        }
        if ((rc = next_msg(fd))) {
            out("xs events ");
            out(dir);
            out(rc == -1 ? ": no watch event in 10 s after " : ": device failed after ");
            out_u(got);
            out("\n");
            sys(SYS_exit, 3, 0, 0);
        }
        if (r->type == XS_WATCH_EVENT)
            nr_events++;
    }
    out("xs events ");
    out(dir);
    out(": ");
    out_u(got);
    out(" watch events from d");
    out(domid);
    out(", each acknowledged\n");
    sys(SYS_exit, 0, 0, 0);
}

void _start_c(long *sp)
{
    int argc = (int)sp[0];
    char **argv = (char **)(sp + 1);
    struct xsd_sockmsg *r = (struct xsd_sockmsg *)reply;
    unsigned int type;
    int rc;

    if (argc == 4 && streq(argv[1], "loop"))
        xs_loop(argv[2], argv[3]);
    if (argc == 5 && streq(argv[1], "events"))
        xs_events(argv[2], argv[3], argv[4]);
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
