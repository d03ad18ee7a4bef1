/*
 * pvos.h: the one interface split drivers (pvdrivers/: rings, store client,
 * front and back ends) use to reach the kernel they run in. Each kernel
 * implements it once (the bundled guest kernel: guest-kernel/kernel/pvos.c;
 * a host unit test: its own small harness), so a driver builds into any of
 * them unchanged and two drivers can be tested against each other on the
 * host. Drivers include nothing else of the kernel's.
 *
 * Only <stdint.h>, <stddef.h>, <stdbool.h> types. Errors are negative Xen
 * errno values (tandem/errno.h). Unless said otherwise a call may be made
 * from a thread, not from an event handler.
 */
#ifndef PVOS_H
#define PVOS_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

/* ---- pages ---- */
/* One zeroed page mapped in the kernel, or NULL when none is left. */
void *pvos_page_alloc(void);
/* Give back a page from pvos_page_alloc (not granted any more). */
void pvos_page_free(void *page);
/* The machine frame behind a page from pvos_page_alloc (what a ring or a grant names). */
uint64_t pvos_page_mfn(const void *page);

/* ---- grants ---- */
/* Let domain `domid` map `page` (read-only if `readonly`): a grant reference >= 0, or -errno. */
int pvos_grant_page(uint16_t domid, const void *page, bool readonly);
/* Withdraw a grant; -EBUSY while the other domain still maps it. */
int pvos_grant_end(int ref);
/* Map domain `domid`'s grant `ref` into the kernel: its address, or NULL with *err = -errno. */
void *pvos_grant_map(uint16_t domid, uint32_t ref, bool readonly, int *err);
/*
 * Map n (1..32) grants of `domid` for DMA alone (GNTMAP_device_map, no CPU
 * mapping: with an IOMMU the device reaches the frames while they are
 * mapped): bus[i] the address a device is given, handle[i] for
 * pvos_grant_unmap_dev. 0, or -errno with none left mapped.
 */
int pvos_grant_map_dev(uint16_t domid, const uint32_t *refs, unsigned int n, bool readonly, void **handle,
                       uint64_t *bus);
void pvos_grant_unmap_dev(void **handle, unsigned int n);
/*
 * Copy `len` bytes at `offset` of domain `domid`'s grant `ref` into `dst`
 * (GNTTABOP_copy; nothing stays mapped): 0, or -errno.
 */
int pvos_grant_copy_in(uint16_t domid, uint32_t ref, uint32_t offset, void *dst, uint32_t len);
/* `nr` grants of `domid` mapped writable at consecutive addresses (a multi-page ring); NULL, *err. */
void *pvos_grant_map_ring(uint16_t domid, const uint32_t *refs, unsigned int nr, int *err);
/* Undo pvos_grant_map (a ring: each of its pages): 0 or -errno. */
int pvos_grant_unmap(void *va);

/* ---- event channels ---- */
/* Runs in the kernel's event upcall with events masked: short, no sleeping; may pvos_wake. */
typedef void (*pvos_event_fn)(uint32_t port, void *ctx);
/* A new port for domain `remote` to bind (EVTCHNOP_alloc_unbound); 0 or -errno. */
int pvos_evtchn_alloc_unbound(uint16_t remote, uint32_t *port);
/* Bind our end to `remote`'s port `remote_port` (EVTCHNOP_bind_interdomain); 0 or -errno. */
int pvos_evtchn_bind_interdomain(uint16_t remote, uint32_t remote_port, uint32_t *port);
/* Call fn(port, ctx) for each event on `port` from now on (and unmask it); 0 or -errno. */
int pvos_evtchn_handle(uint32_t port, pvos_event_fn fn, void *ctx);
/* Send an event on `port` (EVTCHNOP_send); callable from a handler. 0 or -errno. */
int pvos_evtchn_notify(uint32_t port);
/* Stop handling `port` and close it (EVTCHNOP_close). */
void pvos_evtchn_close(uint32_t port);

/* ---- sleeping and waking ---- */
/* One waiting thread at a time; zero-initialise before use. */
struct pvos_wait {
    void *waiter;               /* the kernel's: the thread blocked in pvos_wait_until */
};
/*
 * Block the calling thread until cond(arg) is true (checked with events
 * masked, so a pvos_wake from a handler between the check and the block is
 * not lost) or until `deadline_ns` of pvos_now_ns() (0: none) passes.
 * True if cond held.
 */
bool pvos_wait_until(struct pvos_wait *w, bool (*cond)(void *arg), void *arg, uint64_t deadline_ns);
/* Wake the thread waiting on w, if any, to check its condition again; callable from a handler. */
void pvos_wake(struct pvos_wait *w);
/* System time in ns (pvclock). */
uint64_t pvos_now_ns(void);

/* ---- devices (the driver domain: config driver=yes; docs/devices.md) ---- */
/*
 * PCI functions this domain may see, in bus order: *sbdf of the next one
 * after `prev` (-1 to start); false when there is none. Functions the
 * hypervisor keeps, or another domain owns, read as absent.
 */
bool pvos_pci_next(int64_t prev, uint32_t *sbdf);
/* Configuration space of a visible function (size 1, 2, 4; reg aligned, < 256). */
uint32_t pvos_pci_conf_read(uint32_t sbdf, unsigned int reg, unsigned int size);
void pvos_pci_conf_write(uint32_t sbdf, unsigned int reg, unsigned int size, uint32_t val);
/* Map `len` bytes of machine (MMIO) address `maddr` uncached into the kernel; NULL, *err = -errno. */
void *pvos_mmio_map(uint64_t maddr, size_t len, int *err);
/*
 * Deliver MSI-X table entry `entry` of function `sbdf` as events: maps a
 * pirq (PHYSDEVOP_map_pirq, MAP_PIRQ_TYPE_MSI_SEG), binds it
 * (EVTCHNOP_bind_pirq) and calls fn(port, ctx) for each interrupt, events
 * masked. The function's MSI-X capability is enabled by the hypervisor.
 * The port (>= 0), or -errno.
 */
int pvos_msix_bind(uint32_t sbdf, unsigned int entry, pvos_event_fn fn, void *ctx);
/* Undo pvos_msix_bind: close the port, unmap the pirq. */
void pvos_msix_unbind(uint32_t sbdf, unsigned int entry, int port);
/*
 * DMA: a device is given machine addresses (direct paging). pvos_page_alloc
 * pages are DMA-able; pvos_page_mfn(page) << 12 is the address to program.
 * With an IOMMU, the device reaches only this domain's frames and those
 * granted to it with GNTMAP_device_map.
 */

/* ---- logging ---- */
/* One line to the kernel's console (a newline is added). */
void pvos_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
