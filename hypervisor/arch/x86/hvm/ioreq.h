/*
 * The ioreq server operations behind dm_op (hvm/ioreq.c, called from
 * hvm/dm.c once a request is decoded): d is an HVM domain, dm the caller,
 * already allowed to act on d (dm_may_control). Each takes d's ioreq lock.
 * Returns 0 or -XEN_ENOENT (no server `id`), -XEN_EPERM (another domain
 * runs it), or the operation's own error as in docs/abi/hypercalls.md.
 */
#ifndef TANDEM_HVM_IOREQ_H
#define TANDEM_HVM_IOREQ_H

#include "types.h"

struct domain;

/* A disabled server with no ranges run by dm: its page and one port per vCPU. -EINVAL, -EOPNOTSUPP, -ENOSPC, -ENOMEM. */
int hvm_ioreq_server_create(struct domain *d, struct domain *dm, unsigned int handle_bufioreq, uint16_t *id);
/* -EOPNOTSUPP without no_gfns: the page has no guest frame. */
int hvm_ioreq_server_info(struct domain *d, struct domain *dm, unsigned int id, bool no_gfns);
/* Claim (map) or give back [start, end] of range type `type`: -EINVAL (type), -EEXIST, -ENOSPC, -ENOENT. */
int hvm_ioreq_server_range(struct domain *d, struct domain *dm, unsigned int id, bool map, uint32_t type,
                           uint64_t start, uint64_t end);
int hvm_ioreq_server_set_state(struct domain *d, struct domain *dm, unsigned int id, bool enabled);
/* Ranges, ports and the page's reference go; a vCPU waiting on it kills d. */
int hvm_ioreq_server_destroy(struct domain *d, struct domain *dm, unsigned int id);

#endif
