/*
 * The ioreq page: how the hypervisor hands an HVM guest's I/O access to a
 * device model (an emulator in another domain) and gets the result back.
 * Numbers and layouts are Xen's (xen/include/public/hvm/ioreq.h); the prose
 * is Tandem's. docs/hvm.md "Device models: the ioreq channel" has the
 * protocol step by step.
 *
 * One page per ioreq server (struct shared_iopage), one slot per vCPU of
 * the target domain (vcpu_ioreq[vcpu id]). The device model maps it with
 * XENMEM_acquire_resource (memory.h, XENMEM_resource_ioreq_server, frame
 * XENMEM_resource_ioreq_server_frame_ioreq(0)). A slot's state moves:
 *
 *   NONE --(hypervisor: request filled, notify vp_eport)--> READY
 *   READY --(device model: took it; optional)--> INPROCESS
 *   READY/INPROCESS --(device model: data filled for a read, notify)--> IORESP_READY
 *   IORESP_READY --(hypervisor: result taken, vCPU resumes)--> NONE
 *
 * The device model writes only `state` (INPROCESS, IORESP_READY) and, for
 * a read, `data`; every other field is the hypervisor's and is rewritten
 * with each request. Anything else the device model writes is not
 * trusted: a state going backwards or out of range kills the target domain
 * (not the device model), a response nobody asked for is ignored.
 */
#ifndef TANDEM_PUBLIC_HVM_IOREQ_H
#define TANDEM_PUBLIC_HVM_IOREQ_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif

#define IOREQ_READ      1       /* dir: the guest reads (the device model fills data) */
#define IOREQ_WRITE     0       /* dir: the guest writes data */

#define STATE_IOREQ_NONE        0   /* slot free */
#define STATE_IOREQ_READY       1   /* a request is there for the device model */
#define STATE_IOREQ_INPROCESS   2   /* the device model is working on it */
#define STATE_IORESP_READY      3   /* the device model has answered */

#define IOREQ_TYPE_PIO          0   /* port I/O: addr is the port */
#define IOREQ_TYPE_COPY         1   /* MMIO: addr is the guest-physical address */
#define IOREQ_TYPE_PCI_CONFIG   2   /* PCI config space: addr = SBDF << 32 | register */
#define IOREQ_TYPE_TIMEOFFSET   7   /* Xen's; never sent by Tandem */
#define IOREQ_TYPE_INVALIDATE   8   /* Xen's (mapcache); never sent by Tandem */

#ifndef __ASSEMBLY__
/*
 * One request, 32 bytes. Byte 30 holds the bit-fields, low bit first:
 * state (bits 0-3), data_is_ptr (4), dir (5), df (6). Port I/O, MMIO and
 * config cycles go as count 1, data_is_ptr 0, df 0. INS/OUTS (IOREQ_TYPE_PIO
 * only) go as Xen's: data_is_ptr 1, data the guest-physical address of the
 * first element, count elements of size bytes, all inside one page of the
 * guest's memory, each next one at data + size (df 0) or data - size (df 1);
 * the device model moves them between the port and that memory in order and
 * answers; data in the answer is ignored. An element that straddles two
 * pages goes alone as an ordinary request (count 1, data_is_ptr 0).
 */
struct ioreq {
    uint64_t addr;              /* OUT (to the DM): port, guest-physical address or PCI address */
    uint64_t data;              /* OUT: the value written, or the buffer (data_is_ptr); IN (from the DM): the value read */
    uint32_t count;             /* OUT: repetitions (1 unless data_is_ptr) */
    uint32_t size;              /* OUT: bytes per access: 1, 2, 4 (or 8 for MMIO) */
    uint32_t vp_eport;          /* OUT: the target's event channel port for this vCPU */
    uint16_t _pad0;
    unsigned int state:4;       /* IN/OUT: STATE_* (see the diagram above) */
    unsigned int data_is_ptr:1; /* OUT: 1 for INS/OUTS: data is a guest-physical address */
    unsigned int dir:1;         /* OUT: IOREQ_READ or IOREQ_WRITE */
    unsigned int df:1;          /* OUT: direction flag of a string access (1: each next element below) */
    unsigned int _pad1:1;
    uint8_t type;               /* OUT: IOREQ_TYPE_* */
};
typedef struct ioreq ioreq_t;

/* The ioreq page: slot i is the target's vCPU i. */
struct shared_iopage {
    struct ioreq vcpu_ioreq[1];     /* really [number of vCPUs], up to 128 in one page */
};
typedef struct shared_iopage shared_iopage_t;
#endif

#endif
