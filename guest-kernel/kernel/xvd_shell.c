/*
 * The shell's `xvd` commands (docs/guest-kernel.md) on the virtual block
 * devices of xvd.h: list, info, read (an FNV-1a checksum and the first
 * bytes, as `blk read`), write (a byte pattern), verify (every byte is the
 * pattern), flush. Each waits up to 10 s for the device's back end to
 * connect first.
 */
#include "devices.h"
#include "kalloc.h"
#include "xvd.h"
#include <tandem/errno.h>

#define XVD_CMD_MAX     2048u                   /* sectors per command: 1 MiB */
#define CONNECT_NS      10000000000ULL

static const char *xvd_err(int rc)
{
    switch (rc) {
    case 0: return "ok";
    case -XEN_EIO: return "EIO";
    case -XEN_EINVAL: return "EINVAL (outside the disk)";
    case -XEN_EACCES: return "EACCES (read-only disk)";
    case -XEN_ENOTCONN: return "ENOTCONN";
    case -XEN_EOPNOTSUPP: return "EOPNOTSUPP";
    case -XEN_ETIMEDOUT: return "ETIMEDOUT";
    case -XEN_ENOMEM: return "ENOMEM";
    default: return "error";
    }
}

static uint64_t fnv1a(const uint8_t *p, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

static void cmd_list(void)
{
    unsigned int n = xvd_count();

    for (unsigned int i = 0; i < n; i++) {
        struct xvd *d = xvd_get(i);

        xvd_wait_connected(d, CONNECT_NS);
        printk("%s: vbd %u, %lu sectors, mode %s, %s, back end %s\n", xvd_name(d), xvd_devid(d),
               (unsigned long)xvd_sectors(d), xvd_readonly(d) ? "r" : "w", xvd_state_name(d), xvd_backend(d));
    }
    printk("xvd: %u device%s\n", n, n == 1 ? "" : "s");
}

/* read / write / verify NAME SECTOR COUNT [BYTE] */
static void cmd_rw(const char *op, struct xvd *d, uint64_t sector, uint32_t count, uint8_t byte)
{
    bool write = op[0] == 'w', verify = op[0] == 'v';
    size_t bytes = (size_t)count * XVD_SECTOR_SIZE;
    uint8_t *buf;
    int rc;

    if (!count || count > XVD_CMD_MAX) {
        printk("xvd %s: 1 to %u sectors at a time\n", op, XVD_CMD_MAX);
        return;
    }
    if (!(buf = kalloc(bytes))) {
        printk("xvd %s: out of memory\n", op);
        return;
    }
    xvd_wait_connected(d, CONNECT_NS);
    if (write)
        memset(buf, byte, bytes);
    rc = write ? xvd_write(d, sector, count, buf) : xvd_read(d, sector, count, buf);
    if (rc || write) {
        printk("xvd %s %s %lu+%u: %s\n", op, xvd_name(d), (unsigned long)sector, count, xvd_err(rc));
    } else if (verify) {
        size_t i = 0;

        while (i < bytes && buf[i] == byte)
            i++;
        if (i == bytes)
            printk("xvd verify %s %lu+%u: ok, %lu bytes of 0x%02x\n", xvd_name(d), (unsigned long)sector, count,
                   (unsigned long)bytes, byte);
        else
            printk("xvd verify %s %lu+%u: MISMATCH at byte %lu: 0x%02x, not 0x%02x\n", xvd_name(d),
                   (unsigned long)sector, count, (unsigned long)i, buf[i], byte);
    } else {
        char text[33];

        for (unsigned int i = 0; i < 32; i++)
            text[i] = buf[i] >= 32 && buf[i] < 127 ? (char)buf[i] : '.';
        text[32] = 0;
        printk("xvd read %s %lu+%u: checksum %016lx, bytes %02x %02x %02x %02x %02x %02x %02x %02x |%s|\n",
               xvd_name(d), (unsigned long)sector, count, (unsigned long)fnv1a(buf, bytes), buf[0], buf[1],
               buf[2], buf[3], buf[4], buf[5], buf[6], buf[7], text);
    }
    kfree(buf);
}

static const char usage[] =
    "xvd | xvd info NAME | read NAME SECTOR COUNT | write NAME SECTOR COUNT BYTE |\n"
    "    verify NAME SECTOR COUNT BYTE | flush NAME | bench NAME read|write|randread SIZE_KIB COUNT DEPTH\n";

void xvd_command(char **w, int nw)
{
    struct xvd *d;

    if (nw == 1) {
        cmd_list();
        return;
    }
    if (nw >= 2 && !strcmp(w[1], "bench")) {
        xvd_bench_command(w, nw);       /* xvd_bench.c */
        return;
    }
    if (nw < 3) {
        printk("%s", usage);
        return;
    }
    if (!(d = xvd_by_name(w[2]))) {
        printk("xvd: no device %s\n", w[2]);
        return;
    }
    if (nw == 3 && !strcmp(w[1], "info")) {
        xvd_wait_connected(d, CONNECT_NS);
        xvd_describe(d);
    } else if (nw == 3 && !strcmp(w[1], "flush")) {
        xvd_wait_connected(d, CONNECT_NS);
        printk("xvd flush %s: %s\n", xvd_name(d), xvd_err(xvd_flush(d)));
    } else if (nw == 5 && !strcmp(w[1], "read")) {
        cmd_rw("read", d, strtoul(w[3], NULL, 0), (uint32_t)strtoul(w[4], NULL, 0), 0);
    } else if (nw == 6 && (!strcmp(w[1], "write") || !strcmp(w[1], "verify"))) {
        cmd_rw(w[1], d, strtoul(w[3], NULL, 0), (uint32_t)strtoul(w[4], NULL, 0),
               (uint8_t)strtoul(w[5], NULL, 0));
    } else {
        printk("%s", usage);
    }
}
