/*
 * xen_version: every sub-op as Xen 4.19 answers an unprivileged PV domU
 * (xen/common/kernel.c do_xen_version, XSM dummy policy).
 */
#include "test.h"
#include <tandem/version.h>

const char test_title[] = "xen_version sub-ops, permissions and bad buffers";

#define BAD_VA 0x1000UL                 /* nothing mapped there */

static bool nul_terminated(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!s[i])
            return true;
    return false;
}

void test_main(void)
{
    static char big[1024];
    static struct xen_compile_info ci;
    static xen_domain_handle_t handle;
    struct xen_platform_parameters pp = { 0 };
    struct xen_feature_info fi;
    char extra[16];

    CHECK_RC(HC2(xen_version, XENVER_version, 0), (4 << 16) | 19, "version (4.19)");

    memset(extra, 0x55, sizeof(extra));
    CHECK_RC(HC2(xen_version, XENVER_extraversion, extra), 0, "extraversion");
    if (!nul_terminated(extra, sizeof(extra)))
        test_fail("extraversion is not NUL-terminated within 16 bytes");

    memset(&ci, 0x55, sizeof(ci));
    CHECK_RC(HC2(xen_version, XENVER_compile_info, &ci), 0, "compile_info");
    if (!nul_terminated(ci.compiler, sizeof(ci.compiler)) || !nul_terminated(ci.compile_date, sizeof(ci.compile_date)))
        test_fail("compile_info strings are not NUL-terminated");

    memset(big, 0x55, sizeof(big));
    CHECK_RC(HC2(xen_version, XENVER_capabilities, big), 0, "capabilities");
    if (strncmp(big, "xen-3.0-x86_64", 14) || (big[14] != '\0' && big[14] != ' '))
        test_fail("capabilities do not start with xen-3.0-x86_64");

    memset(big, 0x55, 64);
    CHECK_RC(HC2(xen_version, XENVER_changeset, big), 0, "changeset");
    if (!nul_terminated(big, 64))
        test_fail("changeset is not NUL-terminated within 64 bytes");

    CHECK_RC(HC2(xen_version, XENVER_platform_parameters, &pp), 0, "platform_parameters");
    if (pp.virt_start != HYPERVISOR_VIRT_START)
        test_fail("platform_parameters virt_start %#lx, want %#llx", (unsigned long)pp.virt_start,
                  HYPERVISOR_VIRT_START);

    fi = (struct xen_feature_info){ .submap_idx = 0, .submap = 0 };
    CHECK_RC(HC2(xen_version, XENVER_get_features, &fi), 0, "get_features submap 0");
    if (!(fi.submap & (1U << XENFEAT_mmu_pt_update_preserve_ad)))
        test_fail("get_features: mmu_pt_update_preserve_ad (bit 5) missing (%#x)", fi.submap);
    if (!(fi.submap & (1U << XENFEAT_gnttab_map_avail_bits)))
        test_fail("get_features: gnttab_map_avail_bits (bit 7) missing (%#x)", fi.submap);
    if (fi.submap & (1U << XENFEAT_dom0))
        test_fail("get_features: dom0 (bit 11) set for a domU (%#x)", fi.submap);
    if (fi.submap & ((1U << XENFEAT_writable_page_tables) | (1U << XENFEAT_auto_translated_physmap)))
        test_fail("get_features: translated-guest bits set for PV (%#x)", fi.submap);
    fi = (struct xen_feature_info){ .submap_idx = 1 };
    CHECK_RC(HC2(xen_version, XENVER_get_features, &fi), -XEN_EINVAL, "get_features submap 1");

    CHECK_RC(HC2(xen_version, XENVER_pagesize, NULL), 4096, "pagesize");
    CHECK_RC(HC2(xen_version, XENVER_pagesize, big), -XEN_EINVAL, "pagesize with a non-NULL argument");

    CHECK_RC(HC2(xen_version, XENVER_guest_handle, handle), 0, "guest_handle");

    /* Denied to a domU: commandline copies "<denied>" and succeeds, build_id fails. */
    memset(big, 0x55, sizeof(big));
    CHECK_RC(HC2(xen_version, XENVER_commandline, big), 0, "commandline (domU: \"<denied>\")");
    big[sizeof(big) - 1] = '\0';
    if (strcmp(big, "<denied>"))
        test_fail("commandline for a domU did not give '<denied>'");
    CHECK_RC(HC2(xen_version, XENVER_build_id, big), -XEN_EPERM, "build_id for a domU");

    CHECK_RC(HC2(xen_version, 64, big), -XEN_ENOSYS, "unknown sub-op 64");
    CHECK_RC(HC2(xen_version, 0x7fffffff, big), -XEN_ENOSYS, "unknown sub-op 0x7fffffff");

    /* Every op that writes a buffer: -EFAULT for an unmapped or hypervisor address. */
    static const unsigned int buf_ops[] = {
        XENVER_extraversion, XENVER_compile_info, XENVER_capabilities, XENVER_changeset,
        XENVER_platform_parameters, XENVER_get_features, XENVER_guest_handle, XENVER_commandline,
    };
    for (unsigned int i = 0; i < ARRAY_SIZE(buf_ops); i++) {
        char what[64];
        snprintf(what, sizeof(what), "sub-op %u with an unmapped buffer", buf_ops[i]);
        CHECK_RC(HC2(xen_version, buf_ops[i], BAD_VA), -XEN_EFAULT, what);
        snprintf(what, sizeof(what), "sub-op %u with a hypervisor-range buffer", buf_ops[i]);
        CHECK_RC(HC2(xen_version, buf_ops[i], HYPERVISOR_VIRT_START), -XEN_EFAULT, what);
    }
    test_success();
}
