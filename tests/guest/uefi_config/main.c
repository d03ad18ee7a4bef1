/* uefi_config: a domain configuration through the UEFI loader (fw_cfg modules); runs dom_pingpong.elf twice. */
#include "test.h"

const char test_title[] = "domain configuration booted through UEFI";

void test_main(void)
{
    test_error("boot uefi.cfg, which runs dom_pingpong.elf");
    test_success();
}
