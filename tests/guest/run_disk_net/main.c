/*
 * run_disk_net: `tandem-run --disk a.img --disk b.img --net KERNEL` (run-tests' disk and net
 * keys without a configuration): KERNEL is domain 1 behind the bundled driver domain and
 * owns xvda, xvdb (vbd/51712, vbd/51728) and vif/0, with the store's frontend nodes.
 */
#include "xst.h"

const char test_title[] = "run_disk_net: tandem-run --disk/--net: domain 1 owns two vbds and a vif";

/* The directory at path must hold exactly want ("a\0b\0", n entries, in any order). */
static void dir_is(const char *path, const char *const *want, unsigned int n)
{
    char buf[256];
    int got = xenbus_directory(&xst.c, 0, path, buf, sizeof(buf));
    unsigned int found = 0;
    const char *e = buf;

    if (got < 0) {
        test_fail("directory %s: %d", path, got);
        return;
    }

    for (int k = 0; k < got; k++, e += strlen(e) + 1) {
        bool known = false;

        for (unsigned int i = 0; i < n; i++)
            known |= !strcmp(e, want[i]);
        if (!known)
            test_fail("directory %s holds '%s', which the configuration does not give", path, e);
        found += known;
    }
    if (found != n)
        test_fail("directory %s: %u of the %u entries wanted", path, found, n);
    printk("run_disk_net: %s: %u entries as configured\n", path, found);
}

static void frontend_is(const char *type, unsigned int id)
{
    char path[64], want[64];

    snprintf(path, sizeof(path), "device/%s/%u/backend", type, id);
    snprintf(want, sizeof(want), "/local/domain/0/backend/%s/%u/%u", type, xst.self, id);
    xst_read_is(path, want);
    snprintf(path, sizeof(path), "device/%s/%u/state", type, id);
    xst_read_is(path, "1");
}

void test_main(void)
{
    static const char *const types[] = { "vbd", "vif" };
    static const char *const vbds[] = { "51712", "51728" };
    static const char *const vifs[] = { "0" };

    if (!xst_init())
        return;
    dir_is("device", types, 2);
    dir_is("device/vbd", vbds, 2);
    dir_is("device/vif", vifs, 1);
    frontend_is("vbd", 51712);
    frontend_is("vbd", 51728);
    frontend_is("vif", 0);
    test_success();
}
