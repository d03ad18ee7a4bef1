/*
 * tandem_domctl hypercall (number 48, __HYPERVISOR_tandem_domctl in
 * xen.h): Tandem's own small, stable domain-control interface for a
 * privileged domain (list, pause, unpause, destroy; how each domain
 * reaches its store, for the store domain). It is not Xen's
 * domctl (number 36), whose layout changes with every Xen release.
 *
 * Call: tandem_domctl(op), op = guest VA of one struct tandem_domctl
 * (128 bytes). The hypervisor copies the whole struct in, checks it, acts,
 * and for commands with OUT fields copies the whole struct back.
 * Returns 0 or a negated XEN_E* value (errno.h); on error nothing is
 * written back and no domain state has changed.
 *
 * Errors, checked in this order:
 *   -EFAULT   op unreadable, or (getdomaininfo, getstoreinfo, getdevice)
 *             not writable
 *   -EPERM    caller is not privileged (SIF_PRIVILEGED in its start_info)
 *   -EACCES   interface_version != TANDEM_DOMCTL_INTERFACE_VERSION
 *   -ENOSYS   unknown cmd
 *   -EINVAL   a pad field is not zero; or u is not all zero on input
 *             (pause, unpause, destroy, getstoreinfo; getdevice: all of u
 *             but index); or pause/destroy names the caller itself (its
 *             own id or DOMID_SELF), which could never be undone; or
 *             unpause of a domain that is not paused
 *   -ESRCH    no such domain (getdomaininfo: none with id >= domid)
 *   -ENOENT   getdevice: index >= the domain's nr_devices
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
 *   TANDEM_DOMCTL_getstoreinfo  IN domid (DOMID_SELF: the caller; a dying
 *       domain is still described). OUT u.getstoreinfo: how that domain
 *       reaches its store (struct below). For the store domain itself
 *       store_domid is its own id and store_port 0.
 *   TANDEM_DOMCTL_getdevice  IN domid, u.getdevice.index. OUT the rest of
 *       u.getdevice: entry `index` of its device list (its devices= entries,
 *       then one vbd per disk= image, then vif/0 for vif=). For a disk= vbd
 *       (flag TANDEM_DEVICE_disk) also how to serve it: the virtio-blk serial
 *       of the device holding it, read-only or not, and the region of that
 *       device it is. backend_domid is the driver domain for disk= and vif=
 *       devices, the store domain for devices= entries.
 *   TANDEM_DOMCTL_readconsole  IN domid 0, u.readconsole (below): Xen's
 *       XEN_SYSCTL_readconsole. The hypervisor keeps the last 32 KiB that
 *       went to its serial console (its own lines and the (dN) guest
 *       lines, without \r) in a ring with free-running indices. Copies to
 *       buffer, at most count bytes (and at most 32 KiB a call), from the
 *       oldest byte not cleared, or with incremental from index when that
 *       lies between it and the newest; OUT count: bytes written, index:
 *       the index after the last byte copied (give it back with
 *       incremental to read on). clear: forget what was read (the next
 *       non-incremental read starts after it). -EINVAL: a pad field or
 *       domid not 0, or flags beyond 0/1; -EFAULT: buffer not writable (the
 *       bytes before the fault may have been written, nothing is cleared,
 *       the struct is not written back).
 *   Unpausing a domain clears its TANDEM_STOREINF_waiting.
 *   TANDEM_DOMCTL_trace_control  IN domid 0, u.trace_control.op and
 *       .classes; OUT u.trace_control: the hypervisor trace's state after
 *       the op (trace.h, docs/tracing.md). Ops: query; enable (classes: a
 *       non-zero mask of TANDEM_TRC_*; allocates the per-CPU buffers on
 *       first use: -ENOMEM when there is no memory for them); disable
 *       (records kept); reset (records and lost counts dropped). -EINVAL:
 *       domid not 0, an unknown op, classes 0 or with unknown bits for
 *       enable, classes not 0 for the others, an OUT field not 0 on input.
 *   TANDEM_DOMCTL_trace_read  IN domid 0, u.trace_read.cpu, .max (records
 *       room at .buf), .buf (guest VA). Copies the oldest unread records of
 *       that CPU's buffer to buf, at most max and at most
 *       TANDEM_TRACE_READ_MAX per call, and consumes them. OUT .nr, and
 *       that CPU's lost and still-unread counts. Before tracing was ever
 *       enabled there are no buffers: nr 0. -EINVAL: domid not 0, cpu not
 *       a CPU, max 0, an OUT field not 0 on input. -EFAULT: buf not
 *       writable for nr records (nothing is consumed).
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
#define TANDEM_DOMCTL_getstoreinfo   4  /* how a domain reaches its store (for the store domain) */
#define TANDEM_DOMCTL_getdevice      5  /* the configuration's devices= entries of a domain */
#define TANDEM_DOMCTL_readconsole    6  /* the hypervisor's console ring (Xen's sysctl readconsole) */
#define TANDEM_DOMCTL_trace_control  10 /* the hypervisor trace: query, enable, disable, reset */
#define TANDEM_DOMCTL_trace_read     11 /* the hypervisor trace: take a CPU's oldest records */

/* getdomaininfo flags. */
#define TANDEM_DOMINF_dying       (1U << 0)  /* being destroyed */
#define TANDEM_DOMINF_shutdown    (1U << 1)  /* shut down; see shutdown_reason */
#define TANDEM_DOMINF_paused      (1U << 2)  /* paused by tandem_domctl */
#define TANDEM_DOMINF_blocked     (1U << 3)  /* every vCPU blocked */
#define TANDEM_DOMINF_running     (1U << 4)  /* some vCPU on a CPU now */
#define TANDEM_DOMINF_privileged  (1U << 5)  /* may use tandem_domctl */

#define TANDEM_DOMCTL_NAME_LEN 32

/* getstoreinfo flags */
#define TANDEM_STOREINF_waiting   (1U << 0)  /* built paused until its store domain unpauses it
                                                (cleared by the first unpause) */

#define TANDEM_DOMCTL_MAX_DEVICES 8          /* devices= entries per domain */
#define TANDEM_DOMCTL_DEVTYPE_LEN 16
#define TANDEM_DOMCTL_SERIAL_LEN  24         /* virtio-blk serial (20 bytes at most) + NUL + pad */

/* getdevice flags */
#define TANDEM_DEVICE_disk      (1U << 0)    /* a vbd from disk=: serial is valid */
#define TANDEM_DEVICE_readonly  (1U << 1)    /* disk= mode=r: the backend refuses writes */
#define TANDEM_DEVICE_region    (1U << 2)    /* disk= size=: region_start, region_sectors are valid */
#define TANDEM_DEVICE_vif       (1U << 3)    /* a vif from vif= */
#define TANDEM_DEVICE_mac       (1U << 4)    /* a vif= mac=: serial holds it as text, aa:bb:cc:dd:ee:ff */

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
/*
 * getstoreinfo: what the store domain needs to introduce `domid` (Xen's
 * toolstack passes the same to xenstored in XS_INTRODUCE). The store ring
 * is also grant reference 1 of the domain's table and the console ring
 * reference 0, both granted to store_domid by the builder.
 */
struct tandem_domctl_getstoreinfo {
    domid_t  domid;             /* OUT: the domain described (DOMID_SELF resolved) */
    domid_t  store_domid;       /* OUT: the domain serving its store; DOMID_INVALID if none */
    uint32_t store_port;        /* OUT: its store port, unbound for store_domid; 0 if none */
    uint32_t console_port;      /* OUT: its console port (the hypervisor serves the console) */
    uint32_t flags;             /* OUT: TANDEM_STOREINF_* */
    uint64_t store_mfn;         /* OUT: machine frame of its store ring (start_info.store_mfn) */
    uint64_t console_mfn;       /* OUT: machine frame of its console ring */
    uint64_t target_kib;        /* OUT: memory it was built with, KiB (memory/target) */
    uint64_t maxmem_kib;        /* OUT: its maxmem, KiB (memory/static-max) */
    uint32_t nr_devices;        /* OUT: devices= entries (getdevice index 0 .. nr_devices-1) */
    uint32_t pad;               /* OUT: 0 */
};

/*
 * getdevice: entry `index` of the domain's device list. 80 bytes:
 *   0 index  4 devid  8 type[16]  24 backend_domid  26 pad[3]  32 flags
 *   36 pad2  40 region_start  48 region_sectors  56 serial[24]
 * (offsets 0-31 are interface version 1's first layout, unchanged).
 */
struct tandem_domctl_getdevice {
    uint32_t index;             /* IN: 0 .. nr_devices - 1 */
    uint32_t devid;             /* OUT: the device id ("51712" in device/vbd/51712) */
    char     type[TANDEM_DOMCTL_DEVTYPE_LEN]; /* OUT: "vbd", "vif", ...: NUL-terminated, NUL-padded */
    domid_t  backend_domid;     /* OUT: the domain that serves it: the driver domain for disk= and
                                   vif= devices, the store domain for devices= entries
                                   (DOMID_INVALID if there is none) */
    uint16_t pad[3];            /* OUT: 0 */
    uint32_t flags;             /* OUT: TANDEM_DEVICE_*; 0 for devices= entries */
    uint32_t pad2;              /* OUT: 0 */
    uint64_t region_start;      /* OUT: with TANDEM_DEVICE_region: first 512-byte sector of the
                                   region of the serial's device; else 0 */
    uint64_t region_sectors;    /* OUT: with TANDEM_DEVICE_region: its length in sectors; else 0 */
    char     serial[TANDEM_DOMCTL_SERIAL_LEN]; /* OUT: with TANDEM_DEVICE_disk: the virtio-blk serial
                                   ("web/0": NAME/INDEX of the first disk= entry naming the same
                                   image) of the device holding the disk; with
                                   TANDEM_DEVICE_mac the vif's MAC as text; NUL-terminated,
                                   NUL-padded; else all NUL */
};

/*
 * readconsole (Xen's struct xen_sysctl_readconsole). 24 bytes:
 *   0 clear  1 incremental  2 pad  4 index  8 buffer  16 count  20 pad2
 */
struct tandem_domctl_readconsole {
    uint8_t  clear;             /* IN: 0 or 1: forget the bytes read */
    uint8_t  incremental;       /* IN: 0 or 1: start at index */
    uint16_t pad;               /* IN: 0 */
    uint32_t index;             /* IN (incremental): where to start; OUT: after the last byte read */
    uint64_t buffer;            /* IN: guest VA of count bytes */
    uint32_t count;             /* IN: buffer size; OUT: bytes written */
    uint32_t pad2;              /* IN: 0 */
};

/* trace_control ops */
#define TANDEM_TRACEOP_query   0
#define TANDEM_TRACEOP_enable  1
#define TANDEM_TRACEOP_disable 2
#define TANDEM_TRACEOP_reset   3

/*
 * trace_control:
 *   0 op  4 classes  8 nr_cpus  12 rec_size  16 tsc_khz  24 capacity  32 unread  40 lost
 * (48 bytes)
 */
struct tandem_domctl_trace_control {
    uint32_t op;                /* IN: TANDEM_TRACEOP_* */
    uint32_t classes;           /* IN: enable: the mask; else 0. OUT: the mask now */
    uint32_t nr_cpus;           /* OUT: CPUs with a buffer (0 before the first enable) */
    uint32_t rec_size;          /* OUT: sizeof(struct tandem_trace_rec), 48 */
    uint64_t tsc_khz;           /* OUT: TSC ticks per millisecond (records are stamped in TSC) */
    uint64_t capacity;          /* OUT: records a CPU's buffer holds */
    uint64_t unread;            /* OUT: records in all buffers not read yet */
    uint64_t lost;              /* OUT: records not made since the last reset (a buffer was full) */
};

#define TANDEM_TRACE_READ_MAX 512        /* records per trace_read call */

/*
 * trace_read. 40 bytes:
 *   0 cpu  4 max  8 buf  16 nr  20 pad  24 lost  32 unread
 */
struct tandem_domctl_trace_read {
    uint32_t cpu;               /* IN: whose buffer */
    uint32_t max;               /* IN: records there is room for at buf (not 0) */
    uint64_t buf;               /* IN: guest VA of the room */
    uint32_t nr;                /* OUT: records copied and consumed */
    uint32_t pad;               /* OUT: 0 */
    uint64_t lost;              /* OUT: that CPU's records not made since the last reset */
    uint64_t unread;            /* OUT: that CPU's records still unread */
};

struct tandem_domctl {
    uint32_t cmd;               /* IN: TANDEM_DOMCTL_* */
    uint32_t interface_version; /* IN: TANDEM_DOMCTL_INTERFACE_VERSION */
    domid_t  domid;             /* IN: target, or first id for getdomaininfo */
    uint16_t pad[3];            /* IN: must be 0 */
    union {
        struct tandem_domctl_getdomaininfo getdomaininfo; /* OUT */
        struct tandem_domctl_getstoreinfo getstoreinfo;   /* OUT */
        struct tandem_domctl_getdevice getdevice;         /* IN index, rest OUT */
        struct tandem_domctl_readconsole readconsole;     /* IN and OUT */
        struct tandem_domctl_trace_control trace_control; /* IN op, classes; OUT all */
        struct tandem_domctl_trace_read trace_read;       /* IN cpu, max, buf; OUT the rest */
        uint8_t raw[112];       /* IN: must be 0 for pause/unpause/destroy */
    } u;
};
typedef struct tandem_domctl tandem_domctl_t;
#endif

#endif
