/* The store nodes of a disk= vbd (xst_disk.h). */
#include "xst_disk.h"

void xst_frontend_at(const char *type, unsigned int id, domid_t backend)
{
    char path[64], want[80];

    snprintf(path, sizeof(path), "device/%s/%u/backend", type, id);
    snprintf(want, sizeof(want), "/local/domain/%u/backend/%s/%u/%u", backend, type, xst.self, id);
    xst_read_is(path, want);
    snprintf(path, sizeof(path), "device/%s/%u/backend-id", type, id);
    snprintf(want, sizeof(want), "%u", backend);
    xst_read_is(path, want);
    snprintf(path, sizeof(path), "device/%s/%u/state", type, id);
    xst_read_is(path, "1");
}

void xst_absent(const char *path)
{
    char buf[64];
    int rc = xenbus_read(&xst.c, XENBUS_TX_NONE, path, buf, sizeof(buf), NULL);

    if (rc != -XEN_ENOENT)
        test_fail("read %s: %d, want ENOENT (no such node)", path, rc);
    else
        printk("xst: %s: absent\n", path);
}

void xst_disk_is(unsigned int devid, domid_t backend, const char *params, const char *mode,
                 const char *region_start, const char *region_sectors)
{
    static const char *const fe_keys[] = { "backend", "backend-id", "state", "virtual-device", "device-type" };
    char fe[64], be[80], path[128], want[80];

    snprintf(fe, sizeof(fe), "device/vbd/%u", devid);
    snprintf(be, sizeof(be), "/local/domain/%u/backend/vbd/%u/%u", backend, xst.self, devid);
    xst_dir_is(fe, fe_keys, 5);
    xst_frontend_at("vbd", devid, backend);
#define KEY(dir, key, ...) do { snprintf(path, sizeof(path), "%s/%s", dir, key); \
                                snprintf(want, sizeof(want), __VA_ARGS__); xst_read_is(path, want); } while (0)
    KEY(fe, "virtual-device", "%u", devid);
    KEY(fe, "device-type", "disk");
    KEY(be, "frontend", "/local/domain/%u/device/vbd/%u", xst.self, devid);
    KEY(be, "frontend-id", "%u", xst.self);
    KEY(be, "params", "%s", params);
    KEY(be, "mode", "%s", mode);
    KEY(be, "type", "phy");
    KEY(be, "device-type", "disk");
    KEY(be, "online", "1");
    KEY(be, "removable", "0");
    KEY(be, "dev", "xvd%c", 'a' + (devid - 51712) / 16);
    if (region_start) {
        KEY(be, "region-start", "%s", region_start);
        KEY(be, "region-sectors", "%s", region_sectors);
    } else {
        snprintf(path, sizeof(path), "%s/region-start", be);
        xst_absent(path);
        snprintf(path, sizeof(path), "%s/region-sectors", be);
        xst_absent(path);
    }
#undef KEY
}
