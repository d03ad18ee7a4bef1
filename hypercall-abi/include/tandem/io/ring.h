/*
 * Shared request/response rings of the split drivers (blkif, netif, ...):
 * the page layout and the macros both ends use. Same layout and
 * behaviour as Xen's io/ring.h DEFINE_RING_TYPES; written for Tandem.
 *
 * Shared area (normally one granted 4 KiB page):
 *
 *   offset  size  field       written by  meaning
 *   0       4     req_prod    front       requests published so far
 *   4       4     req_event   back        "notify me when req_prod passes this"
 *   8       4     rsp_prod    back        responses published so far
 *   12      4     rsp_event   front       "notify me when rsp_prod passes this"
 *   16      48    pad         -           reserved, zeroed by SHARED_RING_INIT
 *   64      ...   ring[]      both        slots, each a union {request, response}
 *
 * The slot count is the largest power of two that fits (blkif: 32,
 * netif tx/rx: 256 in one page). Indices are free-running uint32_t
 * counters that wrap; a slot is index & (size - 1), and differences of
 * indices are taken in unsigned 32-bit arithmetic.
 *
 * Private state (not shared):
 *   front end: req_prod_pvt  next slot to fill with a request
 *              rsp_cons      next response to read
 *   back end:  req_cons      next request to read
 *              rsp_prod_pvt  next slot to fill with a response
 * A response is written into the slot of an already-consumed request, so
 * the front end must never have more than RING_SIZE requests outstanding
 * (RING_FULL tells it). There is no other flow control or locking here.
 *
 * Producer:  fill slots, then RING_PUSH_*_AND_CHECK_NOTIFY; send an event
 *            only if it says so.
 * Consumer:  prod = shared prod index; xen_rmb(); read slots up to prod;
 *            before sleeping, RING_FINAL_CHECK_FOR_*; sleep only if it
 *            reports no work.
 *
 * Memory barriers: define xen_mb() (full), xen_rmb() (loads before later
 * loads) and xen_wmb() (stores before later stores) before including this
 * file to use your kernel's; otherwise GCC/Clang fences are used. The
 * shared index fields are read and written through volatile lvalues.
 *
 * Usage:
 *   DEFINE_RING_TYPES(mydev, struct mydev_request, struct mydev_response);
 *   front: SHARED_RING_INIT(s); FRONT_RING_INIT(&front, s, 4096);
 *   back:  BACK_RING_INIT(&back, s, 4096);   (only the front inits s)
 */
#ifndef TANDEM_PUBLIC_IO_RING_H
#define TANDEM_PUBLIC_IO_RING_H

#ifndef __ASSEMBLY__
#include <stdint.h>

typedef uint32_t RING_IDX;
#endif

#ifndef xen_mb
# if defined(__GNUC__)
#  define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
# else
#  error "define xen_mb() before including tandem/io/ring.h"
# endif
#endif
#ifndef xen_rmb
# if defined(__GNUC__)
#  define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
# else
#  error "define xen_rmb() before including tandem/io/ring.h"
# endif
#endif
#ifndef xen_wmb
# if defined(__GNUC__)
#  define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
# else
#  error "define xen_wmb() before including tandem/io/ring.h"
# endif
#endif

/* Byte offset of ring[] in the shared area. */
#define RING_HEADER_SIZE 64

/* Round a 32-bit constant down to a power of two (constant expression). */
#define RING_RD2_(x)  (((x) & 0x00000002) ? 0x2 : ((x) & 0x1))
#define RING_RD4_(x)  (((x) & 0x0000000c) ? RING_RD2_((x) >> 2) << 2 : RING_RD2_(x))
#define RING_RD8_(x)  (((x) & 0x000000f0) ? RING_RD4_((x) >> 4) << 4 : RING_RD4_(x))
#define RING_RD16_(x) (((x) & 0x0000ff00) ? RING_RD8_((x) >> 8) << 8 : RING_RD8_(x))
#define RING_RD32_(x) (((x) & 0xffff0000) ? RING_RD16_((x) >> 16) << 16 : RING_RD16_(x))

/* Slots in a shared area of <sz> bytes, from the ring's name (constant). */
#define __CONST_RING_SIZE(name, sz)                                          \
    (RING_RD32_(((sz) - RING_HEADER_SIZE) /                                  \
                sizeof(((struct name##_sring *)0)->ring[0])))
/* The same, from a pointer to the shared ring. */
#define __RING_SIZE(s, sz)                                                   \
    (RING_RD32_(((sz) - RING_HEADER_SIZE) / sizeof((s)->ring[0])))

/*
 * The types of one ring: union name_sring_entry, struct name_sring (the
 * shared area; ring[1] stands for ring[slots]), struct name_front_ring,
 * struct name_back_ring, and _t typedefs of the last three.
 */
#define DEFINE_RING_TYPES(name, req_t, rsp_t)                                \
union name##_sring_entry {                                                   \
    req_t req;                                                               \
    rsp_t rsp;                                                               \
};                                                                           \
struct name##_sring {                                                        \
    RING_IDX req_prod;          /* front writes */                           \
    RING_IDX req_event;         /* back writes */                            \
    RING_IDX rsp_prod;          /* back writes */                            \
    RING_IDX rsp_event;         /* front writes */                           \
    uint8_t pad[48];                                                         \
    union name##_sring_entry ring[1];                                        \
};                                                                           \
struct name##_front_ring {                                                   \
    RING_IDX req_prod_pvt;                                                   \
    RING_IDX rsp_cons;                                                       \
    uint32_t nr_ents;                                                        \
    struct name##_sring *sring;                                              \
};                                                                           \
struct name##_back_ring {                                                    \
    RING_IDX rsp_prod_pvt;                                                   \
    RING_IDX req_cons;                                                       \
    uint32_t nr_ents;                                                        \
    struct name##_sring *sring;                                              \
};                                                                           \
typedef struct name##_sring name##_sring_t;                                  \
typedef struct name##_front_ring name##_front_ring_t;                        \
typedef struct name##_back_ring name##_back_ring_t

/* Volatile access to a shared index, so the compiler re-reads it each time. */
#define RING_READ_IDX(field)      (*(volatile const RING_IDX *)&(field))
#define RING_WRITE_IDX(field, v)  (*(volatile RING_IDX *)&(field) = (v))

/* Front end only, before publishing the ring: empty ring, notify on first message. */
#define SHARED_RING_INIT(s) do {                                             \
    unsigned int ring_i_;                                                    \
    (s)->req_prod = 0;                                                       \
    (s)->rsp_prod = 0;                                                       \
    (s)->req_event = 1;                                                      \
    (s)->rsp_event = 1;                                                      \
    for (ring_i_ = 0; ring_i_ < sizeof((s)->pad); ring_i_++)                 \
        (s)->pad[ring_i_] = 0;                                               \
} while (0)

#define FRONT_RING_ATTACH(r, s, i, sz) do {                                  \
    (r)->req_prod_pvt = (i);                                                 \
    (r)->rsp_cons = (i);                                                     \
    (r)->nr_ents = __RING_SIZE(s, sz);                                       \
    (r)->sring = (s);                                                        \
} while (0)
#define FRONT_RING_INIT(r, s, sz) FRONT_RING_ATTACH(r, s, 0, sz)

#define BACK_RING_ATTACH(r, s, i, sz) do {                                   \
    (r)->rsp_prod_pvt = (i);                                                 \
    (r)->req_cons = (i);                                                     \
    (r)->nr_ents = __RING_SIZE(s, sz);                                       \
    (r)->sring = (s);                                                        \
} while (0)
#define BACK_RING_INIT(r, s, sz) BACK_RING_ATTACH(r, s, 0, sz)

#define RING_SIZE(r) ((r)->nr_ents)

/* Front end: slots not holding an outstanding request. */
#define RING_FREE_REQUESTS(r)                                                \
    (RING_SIZE(r) - ((r)->req_prod_pvt - (r)->rsp_cons))
#define RING_FULL(r) (RING_FREE_REQUESTS(r) == 0)

/* Front end: responses published but not yet consumed. */
#define RING_HAS_UNCONSUMED_RESPONSES(r)                                     \
    ((RING_IDX)(RING_READ_IDX((r)->sring->rsp_prod) - (r)->rsp_cons))

/*
 * Back end: requests published but not yet consumed, capped by the free
 * response space so a misbehaving front end cannot make the back end
 * overrun slots it has not answered. req_prod is read exactly once (the
 * helper takes it as an argument): reading it once for the comparison and
 * again for the result let a front end moving it in between get an
 * uncapped count through (tests/unit/test_pvd_ring.c, hostile_req_prod).
 */
#ifndef __ASSEMBLY__
static inline RING_IDX ring_unconsumed_requests_(RING_IDX req_prod, RING_IDX req_cons,
                                                 RING_IDX rsp_prod_pvt, RING_IDX size)
{
    RING_IDX req = req_prod - req_cons;
    RING_IDX rsp = size - (req_cons - rsp_prod_pvt);

    return req < rsp ? req : rsp;
}
#endif
#define RING_HAS_UNCONSUMED_REQUESTS(r)                                      \
    ring_unconsumed_requests_(RING_READ_IDX((r)->sring->req_prod),           \
                              (r)->req_cons, (r)->rsp_prod_pvt, RING_SIZE(r))

#define RING_GET_REQUEST(r, idx)                                             \
    (&((r)->sring->ring[(idx) & (RING_SIZE(r) - 1)].req))
#define RING_GET_RESPONSE(r, idx)                                            \
    (&((r)->sring->ring[(idx) & (RING_SIZE(r) - 1)].rsp))

/*
 * Copy a slot into private memory once, byte by byte through volatile, so
 * the peer cannot change a field between check and use.
 */
#define RING_COPY_(dst, src) do {                                            \
    const volatile unsigned char *ring_s_ =                                  \
        (const volatile unsigned char *)(src);                               \
    unsigned char *ring_d_ = (unsigned char *)(dst);                         \
    unsigned long ring_n_;                                                   \
    for (ring_n_ = 0; ring_n_ < sizeof(*(dst)); ring_n_++)                   \
        ring_d_[ring_n_] = ring_s_[ring_n_];                                 \
} while (0)
#define RING_COPY_REQUEST(r, idx, req)  RING_COPY_(req, RING_GET_REQUEST(r, idx))
#define RING_COPY_RESPONSE(r, idx, rsp) RING_COPY_(rsp, RING_GET_RESPONSE(r, idx))

/* Back end loop guard: would consuming index <cons> overrun unanswered slots? */
#define RING_REQUEST_CONS_OVERFLOW(r, cons)                                  \
    ((RING_IDX)((cons) - (r)->rsp_prod_pvt) >= RING_SIZE(r))
/* Sanity checks on a producer index read from the peer. */
#define RING_REQUEST_PROD_OVERFLOW(r, prod)                                  \
    ((RING_IDX)((prod) - (r)->rsp_prod_pvt) > RING_SIZE(r))
#define RING_RESPONSE_PROD_OVERFLOW(r, prod)                                 \
    ((RING_IDX)((prod) - (r)->rsp_cons) > RING_SIZE(r))

/* Publish without the notification check. */
#define RING_PUSH_REQUESTS(r) do {                                           \
    xen_wmb(); /* request slots written before req_prod exposes them */     \
    RING_WRITE_IDX((r)->sring->req_prod, (r)->req_prod_pvt);                 \
} while (0)
#define RING_PUSH_RESPONSES(r) do {                                          \
    xen_wmb(); /* response slots written before rsp_prod exposes them */    \
    RING_WRITE_IDX((r)->sring->rsp_prod, (r)->rsp_prod_pvt);                 \
} while (0)

/*
 * Publish, and set <notify> true if the peer asked to be told: its event
 * index lies in (old prod, new prod], i.e. (new - event) < (new - old).
 * The full barrier orders our prod store before our event load; the peer's
 * RING_FINAL_CHECK orders its event store before its prod load. So at
 * least one side sees the other's store: either we notify, or the peer
 * finds the work on its re-check. Without it both could miss.
 */
#define RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(r, notify) do {                  \
    RING_IDX ring_old_ = (r)->sring->req_prod;                               \
    RING_IDX ring_new_ = (r)->req_prod_pvt;                                  \
    xen_wmb(); /* request slots before req_prod */                          \
    RING_WRITE_IDX((r)->sring->req_prod, ring_new_);                         \
    xen_mb();  /* req_prod store before req_event load */                    \
    (notify) = ((RING_IDX)(ring_new_ - RING_READ_IDX((r)->sring->req_event)) \
                < (RING_IDX)(ring_new_ - ring_old_));                        \
} while (0)

#define RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify) do {                 \
    RING_IDX ring_old_ = (r)->sring->rsp_prod;                               \
    RING_IDX ring_new_ = (r)->rsp_prod_pvt;                                  \
    xen_wmb(); /* response slots before rsp_prod */                         \
    RING_WRITE_IDX((r)->sring->rsp_prod, ring_new_);                         \
    xen_mb();  /* rsp_prod store before rsp_event load */                    \
    (notify) = ((RING_IDX)(ring_new_ - RING_READ_IDX((r)->sring->rsp_event)) \
                < (RING_IDX)(ring_new_ - ring_old_));                        \
} while (0)

/*
 * Before the consumer sleeps: if nothing is pending, ask for an event on
 * the very next message (event = cons + 1), then look once more, since a
 * message may have been published before the producer saw the new event
 * index. <work> is true if there is something to do (do not sleep).
 */
#define RING_FINAL_CHECK_FOR_REQUESTS(r, work) do {                          \
    (work) = RING_HAS_UNCONSUMED_REQUESTS(r);                                \
    if (work)                                                                \
        break;                                                               \
    RING_WRITE_IDX((r)->sring->req_event, (r)->req_cons + 1);                \
    xen_mb();  /* req_event store before req_prod re-load */                 \
    (work) = RING_HAS_UNCONSUMED_REQUESTS(r);                                \
} while (0)

#define RING_FINAL_CHECK_FOR_RESPONSES(r, work) do {                         \
    (work) = RING_HAS_UNCONSUMED_RESPONSES(r);                               \
    if (work)                                                                \
        break;                                                               \
    RING_WRITE_IDX((r)->sring->rsp_event, (r)->rsp_cons + 1);                \
    xen_mb();  /* rsp_event store before rsp_prod re-load */                 \
    (work) = RING_HAS_UNCONSUMED_RESPONSES(r);                               \
} while (0)

#endif
