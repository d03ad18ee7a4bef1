/* xen_version: who we are, what we offer. Tandem reports Xen 4.19's PV interface. */
#include "lib.h"
#include "hypercall.h"
#include "domain.h"
#include "guest_access.h"
#include "compile.h"
#include <tandem/version.h>
#include <tandem/errno.h>

#define COMPAT_MAJOR 4
#define COMPAT_MINOR 19

static uint32_t feature_submap(struct domain *d, uint32_t idx)
{
    uint32_t m = 0;

    if (idx != 0)
        return 0;
    m |= 1U << XENFEAT_mmu_pt_update_preserve_ad;
    m |= 1U << XENFEAT_highmem_assist;
    m |= 1U << XENFEAT_gnttab_map_avail_bits;
    if (d->is_privileged)
        m |= 1U << XENFEAT_dom0;
    return m;
}

static long copy_string_out(uint64_t arg, const char *s, size_t bufsize)
{
    char buf[1024] = { 0 };

    strlcpy(buf, s, bufsize);
    return copy_to_guest(arg, buf, bufsize) ? -XEN_EFAULT : 0;
}

extern char hv_cmdline[];

long do_xen_version(uint64_t cmd, guest_va_t arg)
{
    struct domain *d = current->domain;

    switch (cmd) {
    case XENVER_version:
        return (COMPAT_MAJOR << 16) | COMPAT_MINOR;
    case XENVER_extraversion:
        return copy_string_out(arg, ".0-tandem", sizeof(xen_extraversion_t));
    case XENVER_compile_info: {
        struct xen_compile_info ci;
        memset(&ci, 0, sizeof(ci));
        strlcpy(ci.compiler, TANDEM_COMPILER, sizeof(ci.compiler));
        strlcpy(ci.compile_by, TANDEM_COMPILE_BY, sizeof(ci.compile_by));
        strlcpy(ci.compile_domain, TANDEM_COMPILE_DOMAIN, sizeof(ci.compile_domain));
        strlcpy(ci.compile_date, TANDEM_COMPILE_DATE, sizeof(ci.compile_date));
        return copy_to_guest(arg, &ci, sizeof(ci)) ? -XEN_EFAULT : 0;
    }
    case XENVER_capabilities:
        return copy_string_out(arg, "xen-3.0-x86_64", sizeof(xen_capabilities_info_t));
    case XENVER_changeset:
        return copy_string_out(arg, "tandem " TANDEM_CHANGESET, sizeof(xen_changeset_info_t));
    case XENVER_platform_parameters: {
        struct xen_platform_parameters p = { HYPERVISOR_VIRT_START };
        return copy_to_guest(arg, &p, sizeof(p)) ? -XEN_EFAULT : 0;
    }
    case XENVER_get_features: {
        struct xen_feature_info fi;
        if (copy_from_guest(&fi, arg, sizeof(fi)))
            return -XEN_EFAULT;
        if (fi.submap_idx >= XENFEAT_NR_SUBMAPS)
            return -XEN_EINVAL;
        fi.submap = feature_submap(d, fi.submap_idx);
        return copy_to_guest(arg, &fi, sizeof(fi)) ? -XEN_EFAULT : 0;
    }
    case XENVER_pagesize:
        return arg ? -XEN_EINVAL : (long)PAGE_SIZE;
    case XENVER_guest_handle: {
        /* Xen's is the toolstack's UUID; Tandem's carries the domain id, big-endian, in bytes 14-15. */
        xen_domain_handle_t h = { 0 };
        h[14] = (uint8_t)(d->domain_id >> 8);
        h[15] = (uint8_t)d->domain_id;
        return copy_to_guest(arg, h, sizeof(h)) ? -XEN_EFAULT : 0;
    }
    case XENVER_commandline:
        /* As Xen (XSM dummy policy): a domU gets "<denied>" and success. */
        if (!d->is_privileged)
            return copy_to_guest(arg, "<denied>", sizeof("<denied>")) ? -XEN_EFAULT : 0;
        return copy_string_out(arg, hv_cmdline, sizeof(xen_commandline_t));
    case XENVER_build_id:
        return d->is_privileged ? -XEN_ENODATA : -XEN_EPERM;
    default:
        return -XEN_ENOSYS;
    }
}
