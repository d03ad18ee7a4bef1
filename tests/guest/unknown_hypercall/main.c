/*
 * unknown_hypercall: numbers Xen has no handler for answer -ENOSYS, both
 * through the hypercall page (whose every 32-byte slot is a stub) and by a
 * direct SYSCALL from guest kernel mode.
 */
#include "test.h"

const char test_title[] = "unknown hypercall numbers give -ENOSYS";

static long via_page(unsigned long nr)
{
    return _hypercall(nr, 0, 0, 0, 0, 0);
}

void test_main(void)
{
    static const unsigned long nrs[] = { 11, 31, 47, 63, 64, 127, 1000, 0x100000000UL, 0x100000011UL /* 17 + 2^32 */, ~0UL };

    for (unsigned int i = 0; i < ARRAY_SIZE(nrs); i++) {
        char what[64];
        unsigned long nr = nrs[i];

        if (nr < PAGE_SIZE / 32) {
            snprintf(what, sizeof(what), "hypercall %lu via the hypercall page", nr);
            CHECK_RC(via_page(nr), -XEN_ENOSYS, what);
        }
        snprintf(what, sizeof(what), "hypercall %#lx via SYSCALL", nr);
        CHECK_RC(raw_hypercall(nr, 0, 0, 0, 0, 0), -XEN_ENOSYS, what);
    }
    /* A known call still works by both routes afterwards. */
    CHECK_RC(HC2(xen_version, 0, 0), (4 << 16) | 19, "xen_version via the page");
    CHECK_RC(raw_hypercall(__HYPERVISOR_xen_version, 0, 0, 0, 0, 0), (4 << 16) | 19,
             "xen_version via SYSCALL");
    test_success();
}
