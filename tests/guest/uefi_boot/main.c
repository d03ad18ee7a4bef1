/* The UEFI boot path end to end: OVMF -> tandem.efi -> core -> this domain. */
#include "test.h"
#include <tandem/version.h>

const char test_title[] = "boot through UEFI (OVMF, tandem.efi)";

void test_main(void)
{
    CHECK_RC(HC2(xen_version, XENVER_version, 0), (4 << 16) | 19, "xen_version after a UEFI boot");
    if (strcmp(start_info->magic, XEN_START_INFO_MAGIC))
        test_fail("start_info magic '%s'", start_info->magic);
    test_success();
}
