/*
 * cfg_disk_driver: with a driver domain that is not the store domain (d0 the store, d1
 * the driver domain, d2 this test), the backend dirs of disk= and vif= devices are under
 * the driver domain (/local/domain/1/backend/vbd/2/ID, backend-id 1), a devices= entry's
 * under the store domain; the image named twice is one device, serial disks/0. Once
 * the driver domain has seen them (it writes test-seen into xvda's backend dir, which
 * we may read), we end: the store domain removes our backend dirs, which d1 and d0 see.
 */
#include "xst_disk.h"

const char test_title[] = "cfg_disk_driver: disk= backends in the driver domain d1, removed when d2 ends";

#define DRIVER 1

void test_main(void)
{
    static const char *const vbds[] = { "51712", "51728", "51744" };
    char path[96], buf[16];
    uint64_t deadline;
    int rc;

    if (!xst_init())
        return;
    xst_dir_is("device/vbd", vbds, 3);
    xst_disk_is(51712, DRIVER, "disks/0", "w", "0", "128");    /* c.img:size=64K */
    xst_disk_is(51728, DRIVER, "disks/1", "r", NULL, NULL);     /* d.img:mode=r */
    xst_disk_is(51744, DRIVER, "disks/0", "w", "128", "128");   /* c.img:start=64K:size=64K */
    xst_frontend_at("vif", 0, DRIVER);
    xst_frontend_at("9p", 3, 0);                                /* devices=: the store domain's */
    xst_read_is("/local/domain/0/backend/9p/2/3/frontend-id", "2");
    snprintf(path, sizeof(path), "/local/domain/%u/backend/vbd/%u/51712/test-seen", DRIVER, xst.self);
    deadline = md_now() + MD_MS(30000);
    while ((rc = xenbus_read(&xst.c, XENBUS_TX_NONE, path, buf, sizeof(buf), NULL)) == -XEN_ENOENT &&
           md_now() < deadline)
        md_sleep_ns(MD_MS(20));
    if (rc) {
        test_fail("read %s: %d: the driver domain did not say it saw our backend dirs", path, rc);
        return;
    }
    printk("xst: the driver domain saw our backend dirs\n");
    test_success();
}
