/*
 * The guest kernel's grant table (kernel/grant.c): grants this domain gives
 * (its own v1 table, refs from GNTTAB_NR_RESERVED_ENTRIES up; 0-7 are the
 * builder's and the toolstack's, as in Linux) and other domains' grants it
 * maps into the kernel. Callable from threads; events are masked around the
 * bookkeeping. Errors are negative Xen errno values.
 */
#ifndef GUEST_GRANT_H
#define GUEST_GRANT_H

#include "kernel.h"

/* Let `domid` map or copy machine frame `mfn` (read-only if asked): the ref (>= 8), or -errno. */
int gnttab_grant(uint16_t domid, uint64_t mfn, bool readonly);
/* Withdraw a ref from gnttab_grant: 0; -EBUSY while mapped (GTF_reading/writing); -EINVAL if not ours. */
int gnttab_end(int ref);

/*
 * Map grant `ref` of domain `domid` into the kernel (GNTMAP_host_map at the
 * kernel-map address of a page taken from the allocator for the purpose):
 * its VA, or NULL with *err the GNTST_* status turned into -errno
 * (-ENOSPC when no slot or page is left).
 */
void *gnttab_map(uint16_t domid, uint32_t ref, bool readonly, int *err);
/*
 * Map n (1..32) grants of `domid` for a device alone (GNTMAP_device_map, no
 * CPU mapping; with an IOMMU the frames are in this domain's DMA tables
 * while mapped), in one hypercall: bus[i] the address the device is given,
 * handle[i] for gnttab_unmap_dev. 0, or -errno with none left mapped.
 */
int gnttab_map_dev(uint16_t domid, const uint32_t *refs, unsigned int n, bool readonly, void **handle,
                   uint64_t *bus);
void gnttab_unmap_dev(void **handle, unsigned int n);
/* `nr` grants mapped writable at consecutive VAs (a multi-page ring): the first VA, or NULL with *err. */
void *gnttab_map_ring(uint16_t domid, const uint32_t *refs, unsigned int nr, int *err);
/* Undo gnttab_map or gnttab_map_ring, one page: 0, or -EINVAL if va is not a mapping we hold, -EIO if Xen refused. */
int gnttab_unmap(void *va);
/*
 * Copy `len` bytes at `offset` of grant `ref` of `domid` into our `dst`
 * (GNTTABOP_copy, one hypercall: two copies if dst crosses a page; nothing
 * mapped): 0, or -errno from the GNTST_* status.
 */
int gnttab_copy_in(uint16_t domid, uint32_t ref, uint32_t offset, void *dst, uint32_t len);
/* Foreign pages mapped now. */
unsigned int gnttab_nr_mapped(void);

/* The shell's `grants`: every entry of our table in use, then every mapping held. */
void gnttab_list(void);

/* Our domain id (from the Xen domain handle, where Tandem puts it); ~0 if unknown. */
unsigned int kernel_domid(void);

#endif
