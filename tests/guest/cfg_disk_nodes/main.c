/*
 * cfg_disk_nodes: a domain line's disk= and vif= reach the domain as Xen's toolstack
 * names them: one vbd per image, xvda = 51712 then +16 each (Xen's vdev numbering,
 * 202 << 8 | 16 i), after the devices= entries, and vif/0 (libxl's first vif), with
 * the frontend nodes the store domain writes (device/TYPE/ID/backend, backend-id, state).
 */
#include "xst.h"

const char test_title[] = "cfg_disk_nodes: disk= and vif= become vbd/51712, vbd/51728 and vif/0";

void test_main(void)
{
    static const char *const types[] = { "9p", "vbd", "vif" };
    static const char *const vbds[] = { "51712", "51728" };
    static const char *const vifs[] = { "0" };

    if (!xst_init())
        return;
    xst_dir_is("device", types, 3);
    xst_dir_is("device/vbd", vbds, 2);
    xst_dir_is("device/vif", vifs, 1);
    xst_frontend_is("vbd", 51712);
    xst_frontend_is("vbd", 51728);
    xst_frontend_is("vif", 0);
    xst_frontend_is("9p", 3);
    test_success();
}
