/*
 * Grant-table helpers for the test kernels: one map, unmap or copy each,
 * returning the operation's GNTST_* status. A hypercall that itself fails
 * (rather than the operation) is reported as a test failure.
 */
#ifndef TANDEM_TEST_GNTTAB_H
#define TANDEM_TEST_GNTTAB_H

#include <stdint.h>
#include <tandem/grant_table.h>

long gt_op(unsigned int cmd, void *op, unsigned int n);
/* Map dom's ref at va with flags (GNTMAP_*); the handle goes to *h when h is not NULL. */
int16_t gt_map(grant_ref_t ref, domid_t dom, void *va, uint32_t flags, grant_handle_t *h);
int16_t gt_unmap(void *va, grant_handle_t h);
/* Copy len bytes from dom's ref (offset 0) into our frame mfn (offset 0). */
int16_t gt_copy_from_ref(domid_t dom, grant_ref_t ref, uint64_t mfn, uint16_t len);

/* Our grant table, one frame from setup_table, mapped writable at pt.h scratch slot `slot`; NULL (after a failure report) if not. */
volatile struct grant_entry_v1 *gt_own_table(unsigned int slot);
/* Grant ref of table to domain `to` for frame mfn: domid and frame first, flags (GTF_*) last. */
void gt_grant(volatile struct grant_entry_v1 *table, grant_ref_t ref, domid_t to, uint64_t mfn, uint16_t flags);
/*
 * Our domain id, into *self: the one domain d (0-63) for which ref 13 of
 * table, granted to d for frame page, maps read-only at va (the others get
 * bad_domain or bad_gntref). Ref 13 is left ungranted; false if none mapped.
 */
bool gt_find_self(volatile struct grant_entry_v1 *table, uint64_t page, void *va, domid_t *self);

/*
 * For the self-granting tests: pt_init(), our table at scratch slot 10, our
 * domain id into *self (found with a fresh frame at slot 9, left unmapped);
 * false after a failure report.
 */
bool gt_self_init(volatile struct grant_entry_v1 **table, domid_t *self);
/* One copy: each side a ref (GNTCOPY_*_gref in flags) or an MFN, of sdom / ddom. */
int16_t gt_copy(domid_t sdom, uint64_t src, uint16_t soff, domid_t ddom, uint64_t dst, uint16_t doff, uint16_t len,
                uint16_t flags);
/* map / unmap with the device half: dev_bus_addr out of the map into *bus, into the unmap. */
int16_t gt_map_dev(grant_ref_t ref, domid_t dom, void *va, uint32_t flags, grant_handle_t *h, uint64_t *bus);
int16_t gt_unmap_dev(void *va, uint64_t dev_bus_addr, grant_handle_t h);

#endif
