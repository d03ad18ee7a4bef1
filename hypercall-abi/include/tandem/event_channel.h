/*
 * event_channel_op hypercall (number 32): ports, VIRQs, the 2-level
 * event ABI and the FIFO one (below). Numbers and layouts are Xen's; the prose is Tandem's.
 *
 * Call: event_channel_op(cmd, arg), arg = guest VA of the struct named
 * beside each EVTCHNOP_* (IN fields read, OUT fields written back).
 * Returns 0 or a negated XEN_E* value; OUT fields are only meaningful on 0.
 *
 * 2-level delivery (what the hypervisor does when a port is raised):
 *   1. set bit <port> in shared_info.evtchn_pending[];
 *   2. if that bit was clear and bit <port> of evtchn_mask[] is clear, set
 *      bit (port / 64) in the bound vCPU's vcpu_info.evtchn_pending_sel;
 *   3. if that selector bit was newly set, set evtchn_upcall_pending = 1
 *      and kick the vCPU; the upcall runs on its next return to the guest
 *      while evtchn_upcall_mask == 0.
 *   A vCPU blocked in SCHEDOP_poll on <port> is woken even if masked.
 * Capacity: 64 words x 64 bits = EVTCHN_2L_NR_CHANNELS ports. Port 0 is
 * never allocated, so 0 can mean "no port" in start_info and xenstore.
 */
#ifndef TANDEM_PUBLIC_EVENT_CHANNEL_H
#define TANDEM_PUBLIC_EVENT_CHANNEL_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif
#include "xen.h"                /* domid_t, DOMID_SELF */

#ifndef __ASSEMBLY__
typedef uint32_t evtchn_port_t;
#endif

#define EVTCHN_2L_NR_CHANNELS 4096

/* Sub-op numbers. */
#define EVTCHNOP_bind_interdomain  0    /* struct evtchn_bind_interdomain */
#define EVTCHNOP_bind_virq         1    /* struct evtchn_bind_virq */
#define EVTCHNOP_bind_pirq         2    /* struct evtchn_bind_pirq */
#define EVTCHNOP_close             3    /* struct evtchn_close */
#define EVTCHNOP_send              4    /* struct evtchn_send */
#define EVTCHNOP_status            5    /* struct evtchn_status */
#define EVTCHNOP_alloc_unbound     6    /* struct evtchn_alloc_unbound */
#define EVTCHNOP_bind_ipi          7    /* struct evtchn_bind_ipi */
#define EVTCHNOP_bind_vcpu         8    /* struct evtchn_bind_vcpu */
#define EVTCHNOP_unmask            9    /* struct evtchn_unmask */
#define EVTCHNOP_reset            10    /* struct evtchn_reset */
#define EVTCHNOP_init_control     11    /* FIFO ABI: struct evtchn_init_control */
#define EVTCHNOP_expand_array     12    /* FIFO ABI: struct evtchn_expand_array */
#define EVTCHNOP_set_priority     13    /* FIFO ABI: struct evtchn_set_priority */

/*
 * Virtual IRQs. "per-vCPU" VIRQs bind once on each vCPU and stay there;
 * "global" VIRQs bind once per domain, on vCPU 0, and may be moved with
 * EVTCHNOP_bind_vcpu.
 */
#define VIRQ_TIMER       0  /* per-vCPU: singleshot/periodic timer fired */
#define VIRQ_DEBUG       1  /* per-vCPU: request to dump debug state */
#define VIRQ_CONSOLE     2  /* global: input on the hypervisor console */
#define VIRQ_DOM_EXC     3  /* global: some domain shut down or crashed */
#define VIRQ_TBUF        4  /* global: trace records available */
                            /* 5: unused */
#define VIRQ_DEBUGGER    6  /* global: a domain paused for a debugger */
#define VIRQ_XENOPROF    7  /* per-vCPU: profiling sample */
#define VIRQ_CON_RING    8  /* global: hypervisor console ring has data */
#define VIRQ_PCPU_STATE  9  /* global: physical CPU state changed */
#define VIRQ_MEM_EVENT  10  /* global: memory event */
#define VIRQ_ARGO       11  /* global: Argo message */
#define VIRQ_ENOMEM     12  /* global: hypervisor heap low */
#define VIRQ_XENPMU     13  /* per-vCPU: PMU interrupt */
#define VIRQ_ARCH_0     16
#define VIRQ_ARCH_1     17
#define VIRQ_ARCH_2     18
#define VIRQ_ARCH_3     19
#define VIRQ_ARCH_4     20
#define VIRQ_ARCH_5     21
#define VIRQ_ARCH_6     22
#define VIRQ_ARCH_7     23
#define NR_VIRQS        24

#ifndef __ASSEMBLY__
/*
 * EVTCHNOP_alloc_unbound: make a fresh port in <dom> that <remote_dom>
 * may later connect to with bind_interdomain. Unprivileged callers must
 * pass dom = DOMID_SELF. remote_dom may be DOMID_SELF (loopback).
 */
struct evtchn_alloc_unbound {
    domid_t dom;                /* IN */
    domid_t remote_dom;         /* IN */
    evtchn_port_t port;         /* OUT: the new port in <dom> */
};
typedef struct evtchn_alloc_unbound evtchn_alloc_unbound_t;

/*
 * EVTCHNOP_bind_interdomain: connect a fresh local port to
 * <remote_dom, remote_port>, which must be unbound and must accept the
 * caller. Both ends are then in EVTCHNSTAT_interdomain.
 */
struct evtchn_bind_interdomain {
    domid_t remote_dom;         /* IN (DOMID_SELF allowed) */
    uint16_t pad;
    evtchn_port_t remote_port;  /* IN */
    evtchn_port_t local_port;   /* OUT */
};
typedef struct evtchn_bind_interdomain evtchn_bind_interdomain_t;

/* EVTCHNOP_bind_virq: bind a fresh port to VIRQ <virq> on vCPU <vcpu>. */
struct evtchn_bind_virq {
    uint32_t virq;              /* IN: VIRQ_* */
    uint32_t vcpu;              /* IN: 0 for global VIRQs */
    evtchn_port_t port;         /* OUT */
};
typedef struct evtchn_bind_virq evtchn_bind_virq_t;
#endif

/* EVTCHNOP_bind_pirq: bind a physical IRQ (needs I/O privilege, else -EPERM). */
#define BIND_PIRQ__WILL_SHARE 1
#ifndef __ASSEMBLY__
struct evtchn_bind_pirq {
    uint32_t pirq;              /* IN */
    uint32_t flags;             /* IN: BIND_PIRQ__* */
    evtchn_port_t port;         /* OUT */
};
typedef struct evtchn_bind_pirq evtchn_bind_pirq_t;

/* EVTCHNOP_bind_ipi: a fresh port that notifies vCPU <vcpu> of this domain. */
struct evtchn_bind_ipi {
    uint32_t vcpu;              /* IN */
    evtchn_port_t port;         /* OUT */
};
typedef struct evtchn_bind_ipi evtchn_bind_ipi_t;

/*
 * EVTCHNOP_close: free a local port. An interdomain peer goes back to
 * EVTCHNSTAT_unbound, waiting for a new connection.
 */
struct evtchn_close {
    evtchn_port_t port;         /* IN */
};
typedef struct evtchn_close evtchn_close_t;

/* EVTCHNOP_send: raise the other end of <port> (or itself, for IPIs). */
struct evtchn_send {
    evtchn_port_t port;         /* IN */
};
typedef struct evtchn_send evtchn_send_t;
#endif

/* EVTCHNOP_status values. */
#define EVTCHNSTAT_closed       0   /* not in use */
#define EVTCHNSTAT_unbound      1   /* waiting for bind_interdomain */
#define EVTCHNSTAT_interdomain  2   /* connected to another port */
#define EVTCHNSTAT_pirq         3   /* bound to a physical IRQ */
#define EVTCHNSTAT_virq         4   /* bound to a VIRQ */
#define EVTCHNSTAT_ipi          5   /* bound as an IPI */

#ifndef __ASSEMBLY__
/*
 * EVTCHNOP_status: describe <dom, port>. dom other than DOMID_SELF needs
 * privilege. Which member of u is valid depends on status.
 */
struct evtchn_status_unbound {
    domid_t dom;                /* OUT: who may connect */
};
struct evtchn_status_interdomain {
    domid_t dom;                /* OUT: peer domain */
    uint16_t pad;
    evtchn_port_t port;         /* OUT: peer port */
};
struct evtchn_status {
    domid_t dom;                /* IN */
    uint16_t pad;
    evtchn_port_t port;         /* IN */
    uint32_t status;            /* OUT: EVTCHNSTAT_* */
    uint32_t vcpu;              /* OUT: vCPU notified by this port */
    union {
        struct evtchn_status_unbound unbound;         /* OUT: unbound */
        struct evtchn_status_interdomain interdomain; /* OUT: interdomain */
        uint32_t pirq;                                /* OUT: pirq */
        uint32_t virq;                                /* OUT: virq */
    } u;
};
typedef struct evtchn_status evtchn_status_t;

/*
 * EVTCHNOP_bind_vcpu: choose which vCPU <port> notifies. Not allowed for
 * IPI or per-vCPU VIRQ ports (they stay where they were bound).
 */
struct evtchn_bind_vcpu {
    evtchn_port_t port;         /* IN */
    uint32_t vcpu;              /* IN */
};
typedef struct evtchn_bind_vcpu evtchn_bind_vcpu_t;

/*
 * EVTCHNOP_unmask: clear the port's mask bit; if it is pending, redo
 * steps 2-3 of the delivery rule above so the event is not lost (FIFO:
 * clear MASKED, and link the port if PENDING).
 */
struct evtchn_unmask {
    evtchn_port_t port;         /* IN */
};
typedef struct evtchn_unmask evtchn_unmask_t;

/*
 * EVTCHNOP_reset: close every port of <dom> (DOMID_SELF unless privileged)
 * but the hypervisor's own ends (the console's); a FIFO domain then goes
 * back to 2-level, its control blocks and event array released (Xen's).
 */
struct evtchn_reset {
    domid_t dom;                /* IN */
};
typedef struct evtchn_reset evtchn_reset_t;
#endif

/*
 * FIFO ABI (ops 11-13, Xen's event_fifo.c). A domain switches from 2-level
 * to FIFO with its first successful init_control (ports already bound are
 * carried over: pending ones are raised again once their event word has a
 * page); EVTCHNOP_reset of itself switches back. Capacity:
 * EVTCHN_FIFO_NR_CHANNELS ports, one 32-bit event word each, in up to
 * EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES guest pages given with expand_array
 * (page N holds the words of ports [1024 N, 1024 N + 1023]).
 *
 * Event word (bits):  31 PENDING  30 MASKED  29 LINKED  28 BUSY  16-0 LINK
 * Raising a port with a word: set PENDING; if it was not MASKED and not
 * LINKED, set LINKED and append it to the queue (vCPU, priority) it is
 * bound to: the hypervisor writes the port into the LINK field of the
 * queue's tail if that is still LINKED (setting BUSY meanwhile so the
 * guest does not unmask it under the hypervisor), else into head[priority]
 * of that vCPU's control block, and then sets bit <priority> of ready and
 * raises evtchn_upcall_pending as in 2-level. The guest consumes a queue
 * from head[p] along LINK, clearing LINKED (and ready bit p when the
 * queue empties); it may set/clear MASKED and clear PENDING at any time.
 * EVTCHNOP_unmask clears MASKED and links the port if it is PENDING.
 */
#define EVTCHN_FIFO_PRIORITY_MAX      0     /* the highest */
#define EVTCHN_FIFO_PRIORITY_DEFAULT  7     /* every port starts here */
#define EVTCHN_FIFO_PRIORITY_MIN     15     /* the lowest */
#define EVTCHN_FIFO_MAX_QUEUES       (EVTCHN_FIFO_PRIORITY_MIN + 1)

#define EVTCHN_FIFO_PENDING  31
#define EVTCHN_FIFO_MASKED   30
#define EVTCHN_FIFO_LINKED   29
#define EVTCHN_FIFO_BUSY     28
#define EVTCHN_FIFO_LINK_BITS 17
#define EVTCHN_FIFO_LINK_MASK ((1U << EVTCHN_FIFO_LINK_BITS) - 1)
#define EVTCHN_FIFO_NR_CHANNELS (1U << EVTCHN_FIFO_LINK_BITS)      /* 131072 */
#define EVTCHN_FIFO_EVENT_WORDS_PER_PAGE 1024                       /* 4096 / 4 */
#define EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES (EVTCHN_FIFO_NR_CHANNELS / EVTCHN_FIFO_EVENT_WORDS_PER_PAGE)

#ifndef __ASSEMBLY__
typedef uint32_t event_word_t;

/* Per vCPU, in a guest page at the offset given to init_control (72 bytes). */
struct evtchn_fifo_control_block {
    uint32_t ready;             /* bit p: queue p may be non-empty (hypervisor sets, guest clears) */
    uint32_t _rsvd;
    uint32_t head[EVTCHN_FIFO_MAX_QUEUES];  /* first port of each queue, 0 = empty (hypervisor writes when it was empty) */
};
typedef struct evtchn_fifo_control_block evtchn_fifo_control_block_t;

/*
 * EVTCHNOP_init_control: vCPU <vcpu>'s control block is at <offset> in
 * the caller's frame <control_gfn> (a machine frame for a PV guest). The
 * frame must be the caller's RAM and may not be (or become) a page table
 * or descriptor page: the hypervisor holds a writable-type reference on it
 * until EVTCHNOP_reset or the domain's end. Errors, in Xen's order:
 * -ENOENT no such vCPU; -EINVAL offset > 4096 - 72 or not 8-byte aligned;
 * -EINVAL vCPU already initialised; -EINVAL frame not the caller's or not
 * writable; -ENOMEM.
 */
struct evtchn_init_control {
    uint64_t control_gfn;       /* IN: frame holding the control block */
    uint32_t offset;            /* IN: control block offset in that frame */
    uint32_t vcpu;              /* IN */
    uint8_t link_bits;          /* OUT: EVTCHN_FIFO_LINK_BITS */
    uint8_t pad[7];
};
typedef struct evtchn_init_control evtchn_init_control_t;

/*
 * EVTCHNOP_expand_array: one more event-array page (the next 1024 ports),
 * the same frame rules as the control block. Errors: -EOPNOTSUPP before
 * init_control; -ENOSPC once EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES are given;
 * -EINVAL frame not the caller's or not writable.
 */
struct evtchn_expand_array {
    uint64_t array_gfn;         /* IN: one more event-array page */
};
typedef struct evtchn_expand_array evtchn_expand_array_t;

/*
 * EVTCHNOP_set_priority: the queue <port>'s next events go to. Errors:
 * -EINVAL port out of range; -ENOSYS 2-level ABI; -EACCES port closed;
 * -EINVAL priority > EVTCHN_FIFO_PRIORITY_MIN.
 */
struct evtchn_set_priority {
    evtchn_port_t port;         /* IN */
    uint32_t priority;          /* IN */
};
typedef struct evtchn_set_priority evtchn_set_priority_t;
#endif

#endif
