/*
 * domctl_readconsole: TANDEM_DOMCTL_readconsole as Xen's sysctl
 * readconsole over the hypervisor's 32 KiB console ring. role=control (d0,
 * privileged): a whole read holds the hypervisor's banner and a line just
 * printed; an incremental read from the returned index holds only what came
 * after; clear makes the next whole read start after what was read; a
 * short buffer gets exactly its size; the refusals: -EFAULT for a buffer
 * that is not the caller's (unmapped, the hypervisor's) and an unreadable
 * argument, -EINVAL for pad, domid, flags beyond 1 and a non-zero rest of
 * the union, with nothing cleared by a refused call. role=other (d1, not
 * privileged): -EPERM.
 */
#include "multidom.h"

const char test_title[] = "tandem_domctl readconsole: whole, incremental, clear, refusals";

static char buf[32768 + 64];

static long readcons(struct tandem_domctl *op, void *buffer, uint32_t count, uint8_t clear,
                     uint8_t incremental, uint32_t index)
{
    *op = (struct tandem_domctl){ .cmd = TANDEM_DOMCTL_readconsole,
                                  .interface_version = TANDEM_DOMCTL_INTERFACE_VERSION };
    op->u.readconsole.buffer = (uint64_t)(uintptr_t)buffer;
    op->u.readconsole.count = count;
    op->u.readconsole.clear = clear;
    op->u.readconsole.incremental = incremental;
    op->u.readconsole.index = index;
    return HC1(tandem_domctl, op);
}

static bool has(const char *text, uint32_t len, const char *what)
{
    size_t n = strlen(what);

    for (uint32_t i = 0; i + n <= len; i++)
        if (!memcmp(text + i, what, n))
            return true;
    return false;
}

static void other(void)
{
    struct tandem_domctl op;

    CHECK_RC(readcons(&op, buf, sizeof(buf), 0, 0, 0), -XEN_EPERM, "unprivileged readconsole");
    CHECK_RC(readcons(&op, buf, sizeof(buf), 1, 0, 0), -XEN_EPERM, "unprivileged readconsole with clear");
    test_success();
}

static void refusals(void)
{
    struct tandem_domctl op;

    CHECK_RC(readcons(&op, (void *)0x1000, 4096, 0, 0, 0), -XEN_EFAULT, "unmapped buffer");
    CHECK_RC(readcons(&op, (void *)0xffff830000000000UL, 4096, 0, 0, 0), -XEN_EFAULT,
             "a buffer in the hypervisor's range");
    CHECK_RC(readcons(&op, (void *)0x1000, 4096, 1, 0, 0), -XEN_EFAULT, "unmapped buffer with clear");
    CHECK_RC(HC1(tandem_domctl, (void *)0x1000), -XEN_EFAULT, "unreadable argument");
    readcons(&op, buf, 64, 0, 0, 0);
    op.u.readconsole.pad = 1;
    CHECK_RC(HC1(tandem_domctl, &op), -XEN_EINVAL, "pad not 0");
    readcons(&op, buf, 64, 0, 0, 0);
    op.u.readconsole.pad2 = 1;
    CHECK_RC(HC1(tandem_domctl, &op), -XEN_EINVAL, "pad2 not 0");
    readcons(&op, buf, 64, 0, 0, 0);
    op.u.raw[40] = 1;
    CHECK_RC(HC1(tandem_domctl, &op), -XEN_EINVAL, "the rest of the union not 0");
    readcons(&op, buf, 64, 0, 0, 0);
    op.domid = 1;
    CHECK_RC(HC1(tandem_domctl, &op), -XEN_EINVAL, "domid not 0");
    CHECK_RC(readcons(&op, buf, 64, 2, 0, 0), -XEN_EINVAL, "clear = 2");
    CHECK_RC(readcons(&op, buf, 64, 0, 2, 0), -XEN_EINVAL, "incremental = 2");
}

void test_main(void)
{
    struct tandem_domctl op;
    uint32_t idx, n;

    md_init();
    md_events_on();
    if (md_arg_is("role", "other")) {
        other();
        return;
    }

    printk("readconsole marker 1\n");
    CHECK_RC(readcons(&op, buf, sizeof(buf), 0, 0, 0), 0, "whole read");
    n = op.u.readconsole.count;
    idx = op.u.readconsole.index;
    if (!n || n > 32768)
        test_fail("whole read: %u bytes", n);
    if (!has(buf, n, "Tandem hypervisor (Xen PV ABI") || !has(buf, n, "(d0) readconsole marker 1"))
        test_fail("whole read (%u bytes) lacks the banner or marker 1", n);
    if (has(buf, n, "\r"))
        test_fail("the ring holds a \\r");
    printk("readconsole: found the boot banner and marker 1\n");

    printk("readconsole marker 2\n");
    CHECK_RC(readcons(&op, buf, sizeof(buf), 0, 1, idx), 0, "incremental read");
    n = op.u.readconsole.count;
    if (!has(buf, n, "(d0) readconsole marker 2") || has(buf, n, "readconsole marker 1"))
        test_fail("incremental read (%u bytes): not just what came after index", n);
    if (op.u.readconsole.index != idx + n)
        test_fail("incremental read: index %u, want %u + %u", op.u.readconsole.index, idx, n);

    CHECK_RC(readcons(&op, buf, 10, 0, 0, 0), 0, "10-byte buffer");
    if (op.u.readconsole.count != 10)
        test_fail("a 10-byte buffer got %u bytes", op.u.readconsole.count);
    CHECK_RC(readcons(&op, buf, 0, 0, 0, 0), 0, "empty buffer");
    if (op.u.readconsole.count != 0)
        test_fail("an empty buffer got %u bytes", op.u.readconsole.count);

    refusals();
    /* The refused calls cleared nothing: a whole read still has marker 1. */
    CHECK_RC(readcons(&op, buf, sizeof(buf), 0, 0, 0), 0, "whole read after the refusals");
    if (!has(buf, op.u.readconsole.count, "(d0) readconsole marker 1"))
        test_fail("a refused call cleared the ring");

    /* clear: the next whole read starts after everything read. */
    CHECK_RC(readcons(&op, buf, sizeof(buf), 1, 0, 0), 0, "read with clear");
    printk("readconsole marker 3\n");
    CHECK_RC(readcons(&op, buf, sizeof(buf), 0, 0, 0), 0, "whole read after clear");
    n = op.u.readconsole.count;
    if (!has(buf, n, "(d0) readconsole marker 3") || has(buf, n, "readconsole marker 1") ||
        has(buf, n, "readconsole marker 2"))
        test_fail("after clear (%u bytes): not just what came since", n);
    /* d1 checks its refusals before we go (domain 0's power-off takes the others with it). */
    for (uint64_t deadline = md_now() + MD_MS(10000); md_now() < deadline; md_sleep_ns(MD_MS(10))) {
        struct tandem_domctl_getdomaininfo i;
        if (md_dominfo(1, &i) || (i.flags & TANDEM_DOMINF_shutdown))
            break;
    }
    test_success();
}
