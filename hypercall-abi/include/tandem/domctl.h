/*
 * tandem_domctl hypercall (number 48, __HYPERVISOR_tandem_domctl in
 * xen.h): Tandem's own small, stable domain-control interface for a
 * privileged domain (list, pause, unpause, destroy). It is not Xen's
 * domctl (number 36), whose layout changes with every Xen release.
 *
 * Call: tandem_domctl(op), op = guest VA of one struct tandem_domctl
 * (128 bytes). The hypervisor copies the whole struct in, checks it, acts,
 * and for commands with OUT fields copies the whole struct back.
 * Returns 0 or a negated XEN_E* value (errno.h); on error nothing is
 * written back and no domain state has changed.
 *
 * Errors, checked in this order:
 *   -EFAULT   op unreadable, or (getdomaininfo) not writable
 *   -EPERM    caller is not privileged (SIF_PRIVILEGED in its start_info)
 *   -EACCES   interface_version != TANDEM_DOMCTL_INTERFACE_VERSION
 *   -ENOSYS   unknown cmd
 *   -EINVAL   a pad field is not zero; or pause/destroy names the caller
 *             itself (its own id or DOMID_SELF), which could never be
 *             undone; or unpause of a domain that is not paused
 *   -ESRCH    no such domain (getdomaininfo: none with id >= domid)
 *
 * Commands:
 *   TANDEM_DOMCTL_getdomaininfo  IN domid: first id to look at (0 starts
 *       the walk). OUT u.getdomaininfo: the existing domain with the
 *       smallest id >= domid. To list all: start at 0, then ask again
 *       with the returned id + 1 until -ESRCH. DOMID_SELF is allowed and
 *       means the caller.
 *   TANDEM_DOMCTL_pause    IN domid: stop scheduling its vCPUs. Not
 *       nested: pausing a paused domain succeeds and changes nothing.
 *   TANDEM_DOMCTL_unpause  IN domid: undo pause.
 *   TANDEM_DOMCTL_destroy  IN domid: kill the domain and free its memory.
 *       Idempotent: a domain that is already dying returns 0; it stays
 *       visible (flag dying) until its last page is freed.
 */
#ifndef TANDEM_PUBLIC_DOMCTL_H
#define TANDEM_PUBLIC_DOMCTL_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif
#include "xen.h"                /* domid_t, DOMID_SELF */

#define TANDEM_DOMCTL_INTERFACE_VERSION 0x00000001

#define TANDEM_DOMCTL_getdomaininfo  0
#define TANDEM_DOMCTL_pause          1
#define TANDEM_DOMCTL_unpause        2
#define TANDEM_DOMCTL_destroy        3

/* getdomaininfo flags. */
#define TANDEM_DOMINF_dying       (1U << 0)  /* being destroyed */
#define TANDEM_DOMINF_shutdown    (1U << 1)  /* shut down; see shutdown_reason */
#define TANDEM_DOMINF_paused      (1U << 2)  /* paused by tandem_domctl */
#define TANDEM_DOMINF_blocked     (1U << 3)  /* every vCPU blocked */
#define TANDEM_DOMINF_running     (1U << 4)  /* some vCPU on a CPU now */
#define TANDEM_DOMINF_privileged  (1U << 5)  /* may use tandem_domctl */

#define TANDEM_DOMCTL_NAME_LEN 32

#ifndef __ASSEMBLY__
/*
 * OUT of getdomaininfo. 72 bytes:
 *   0 domid  2 pad  4 flags  8 shutdown_reason  12 nr_vcpus
 *   16 tot_pages  24 max_pages  32 cpu_time_ns  40 name[32]
 */
struct tandem_domctl_getdomaininfo {
    domid_t  domid;             /* OUT: id of the domain described */
    uint16_t pad;               /* OUT: 0 */
    uint32_t flags;             /* OUT: TANDEM_DOMINF_* */
    uint32_t shutdown_reason;   /* OUT: SHUTDOWN_* (sched.h); valid with TANDEM_DOMINF_shutdown */
    uint32_t nr_vcpus;          /* OUT */
    uint64_t tot_pages;         /* OUT: pages it owns now */
    uint64_t max_pages;         /* OUT: its limit */
    uint64_t cpu_time_ns;       /* OUT: CPU time used by all its vCPUs */
    char     name[TANDEM_DOMCTL_NAME_LEN]; /* OUT: NUL-terminated, NUL-padded */
};

/*
 * The argument. 128 bytes:
 *   0 cmd  4 interface_version  8 domid  10 pad[3]  16 u (112)
 */
struct tandem_domctl {
    uint32_t cmd;               /* IN: TANDEM_DOMCTL_* */
    uint32_t interface_version; /* IN: TANDEM_DOMCTL_INTERFACE_VERSION */
    domid_t  domid;             /* IN: target, or first id for getdomaininfo */
    uint16_t pad[3];            /* IN: must be 0 */
    union {
        struct tandem_domctl_getdomaininfo getdomaininfo; /* OUT */
        uint8_t raw[112];       /* IN: must be 0 for pause/unpause/destroy */
    } u;
};
typedef struct tandem_domctl tandem_domctl_t;
#endif

#endif
