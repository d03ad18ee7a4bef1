/*
 * run_disk_net: `tandem-run --disk a.img --disk b.img --net KERNEL` (run-tests' disk and net
 * keys without a configuration): KERNEL is domain 1 behind the bundled driver domain and
 * owns xvda, xvdb (vbd/51712, vbd/51728) and vif/0, with the store's frontend nodes.
 */
#include "xst.h"

const char test_title[] = "run_disk_net: tandem-run --disk/--net: domain 1 owns two vbds and a vif";

void test_main(void)
{
    static const char *const types[] = { "vbd", "vif" };
    static const char *const vbds[] = { "51712", "51728" };
    static const char *const vifs[] = { "0" };

    if (!xst_init())
        return;
    xst_dir_is("device", types, 2);
    xst_dir_is("device/vbd", vbds, 2);
    xst_dir_is("device/vif", vifs, 1);
    xst_frontend_is("vbd", 51712);
    xst_frontend_is("vbd", 51728);
    xst_frontend_is("vif", 0);
    test_success();
}
