/* ELF note types of a Xen-style PV kernel (owner "Xen"). Xen's numbers. */
#ifndef TANDEM_PUBLIC_ELFNOTE_H
#define TANDEM_PUBLIC_ELFNOTE_H

#define XEN_ELFNOTE_INFO            0
#define XEN_ELFNOTE_ENTRY           1   /* numeric: entry VA */
#define XEN_ELFNOTE_HYPERCALL_PAGE  2   /* numeric: VA of the hypercall page */
#define XEN_ELFNOTE_VIRT_BASE       3   /* numeric: VA of pfn 0 (default 0) */
#define XEN_ELFNOTE_PADDR_OFFSET    4   /* numeric: subtracted from p_paddr (default 0) */
#define XEN_ELFNOTE_XEN_VERSION     5   /* string: must start "xen-3.0" */
#define XEN_ELFNOTE_GUEST_OS        6   /* string */
#define XEN_ELFNOTE_GUEST_VERSION   7   /* string */
#define XEN_ELFNOTE_LOADER          8   /* string: "generic" */
#define XEN_ELFNOTE_PAE_MODE        9   /* string */
#define XEN_ELFNOTE_FEATURES       10   /* string: feature list */
#define XEN_ELFNOTE_BSD_SYMTAB     11
#define XEN_ELFNOTE_HV_START_LOW   12   /* numeric */
#define XEN_ELFNOTE_L1_MFN_VALID   13
#define XEN_ELFNOTE_SUSPEND_CANCEL 14
#define XEN_ELFNOTE_INIT_P2M       15   /* numeric: VA for the p2m list */
#define XEN_ELFNOTE_MOD_START_PFN  16   /* numeric: 1 = mod_start may be a PFN */
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17
#define XEN_ELFNOTE_PHYS32_ENTRY   18   /* PVH only: ignored by Tandem */
#define XEN_ELFNOTE_MAX            XEN_ELFNOTE_PHYS32_ENTRY

#endif
