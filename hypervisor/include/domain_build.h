/* Building a Xen-style PV domain from an ELF64 kernel image. */
#ifndef TANDEM_DOMAIN_BUILD_H
#define TANDEM_DOMAIN_BUILD_H

#include "types.h"
#include <tandem/xen.h>         /* domid_t */

struct domain;

struct dom_build_args {
    const void *kernel;
    size_t kernel_len;
    const void *initrd;         /* NULL: none */
    size_t initrd_len;
    const char *cmdline;        /* guest kernel command line */
    domid_t store_domid;        /* the store domain (DOMID_INVALID: none; d itself: d serves it) */
    bool hvm_shadow;            /* type=hvm paging=shadow (else nested paging) */
};

/*
 * Lays out memory as Xen's builder does (kernel, initrd, p2m, start_info,
 * store and console rings, bootstrap page tables, boot stack), writes the
 * hypercall page and sets vCPU 0 up to enter at the kernel's entry point.
 * With a store domain other than d: d's store port is unbound for it,
 * grant refs 0 and 1 (console and store rings) are granted to it, and d is
 * left paused, waiting for it (docs/xenstore.md).
 * On failure returns -errno with a message naming what is wrong in err.
 */
int pv_build_domain(struct domain *d, const struct dom_build_args *a, char *err, size_t errlen);

#endif
