/*
 * blkfe: a raw blkif front end for test kernels (tests/guest/blk_*): the
 * Xen handshake done by hand over the store (xst.h), a ring of 2^order
 * granted pages, an unbound port for the back end, and requests pushed as
 * the test writes them - any field values - with their responses collected
 * by id under a timeout, so a back end that never answers is a FAILURE
 * line, never a hang. Nothing here trusts the back end either: a response
 * producer beyond the ring fails the test, and a grant the back end still
 * maps after answering is reported when it is ended.
 *
 *   blkfe_lib_init();                          (xst_init, pt_init, our grant table)
 *   blkfe_attach(&fe, 51712);                   (backend, InitWait, features)
 *   blkfe_connect(&fe, 0);                      (ring, port, keys, state 3, wait for 4)
 *   blkfe_req(&fe, &r, BLKIF_OP_READ, sector);  blkfe_seg(&r, ref, 0, 7);
 *   blkfe_expect(&fe, &r, BLKIF_RSP_ERROR, "a case");   (prints PASS or fails)
 *   blkfe_close(&fe);                           (Closing, Closed; every grant ended)
 *
 * Grant refs handed out start at BLKFE_FIRST_REF (0-7 are Xen's reserved
 * ones). Pages are frames of the domain never mapped before (pt.h), each
 * mapped at a scratch slot, so a test may unmap one and give it back.
 */
#ifndef TANDEM_TEST_BLKFE_H
#define TANDEM_TEST_BLKFE_H

#include "xst.h"
#include "pt.h"
#include <tandem/io/blkif.h>
#include <tandem/io/xenbus.h>

#define BLKFE_FIRST_REF 16
#define BLKFE_MAX_ORDER 2
#define BLKFE_MAX_KEPT 64           /* responses kept that nobody waited for yet */
#define BLKFE_TIMEOUT_NS MD_MS(10000)

/* A page of ours: where it is mapped and its machine frame. */
struct blkfe_page {
    void *va;
    uint64_t mfn;
};

struct blkfe {
    unsigned int devid;
    char dir[32];                   /* device/vbd/DEVID (relative to our home) */
    char backend[96];               /* the back end's directory, absolute */
    domid_t backend_id;
    /* What the back end offered (before InitWait) and published (before Connected). */
    unsigned int max_order, max_indirect;
    bool flush, barrier;
    uint64_t sectors;
    unsigned int info, sector_size;
    /* The ring. */
    unsigned int order;
    struct blkfe_page ring_page[1 << BLKFE_MAX_ORDER];
    grant_ref_t ring_ref[1 << BLKFE_MAX_ORDER];
    blkif_front_ring_t ring;
    uint32_t port;
    bool connected;
    volatile unsigned long events;  /* events on port */
    /* Responses read off the ring, not yet taken by blkfe_wait. */
    struct blkif_response kept[BLKFE_MAX_KEPT];
    bool kept_used[BLKFE_MAX_KEPT];
    uint64_t next_id;
};

/* A request slot's worth of any operation (blkif_request, _indirect, _discard). */
union blkfe_req {
    struct blkif_request rw;
    struct blkif_request_indirect indirect;
    struct blkif_request_discard discard;
};

/* The store client, page tables and our grant table; false after a test_error. */
bool blkfe_lib_init(void);
/* Our grant table (entries BLKFE_FIRST_REF.. are blkfe's). */
extern volatile struct grant_entry_v1 *blkfe_gnttab;

/* A fresh page of ours, zeroed, mapped read-write; false after a test_error. */
bool blkfe_page_new(struct blkfe_page *pg);
/* Grant frame mfn to domain `to` with flags (GTF_permit_access, GTF_readonly or any): a ref, or -1. */
int blkfe_grant(domid_t to, uint64_t mfn, uint16_t flags);
/*
 * End a grant: false (after a test_fail naming `what`) if the other side
 * still maps it (GTF_reading/GTF_writing set); the ref is then never reused.
 */
bool blkfe_ungrant(grant_ref_t ref, const char *what);

/* Read the back end's path and id, wait for its InitWait (timeout), read its features. */
bool blkfe_attach(struct blkfe *fe, unsigned int devid);
/*
 * The honest rest of the handshake: 2^order ring pages granted, an unbound
 * port, ring-ref (order 0) or ring-page-order and ring-refN, event-channel,
 * protocol, state 3; then the back end's Connected and its disk keys, and
 * our state 4. False after a test_fail.
 */
bool blkfe_connect(struct blkfe *fe, unsigned int order);
/* Write our state (XenbusState) / a key of our directory; 0 or -errno. */
int blkfe_set_state(struct blkfe *fe, unsigned int state);
int blkfe_write(struct blkfe *fe, const char *key, const char *value);
/* The back end's state, or -errno if it cannot be read. */
long blkfe_backend_state(struct blkfe *fe);
/* Wait until the back end's state is one of a or b (timeout ns); the state reached or -1. */
long blkfe_wait_backend(struct blkfe *fe, unsigned int a, unsigned int b, uint64_t ns);
/*
 * Honest teardown: state 5, the back end's 5 or 6, state 6, the back end's
 * 6; then the ring grants must be unmapped (test_fail if not) and are
 * ended; the port closed. False after a test_fail.
 */
bool blkfe_close(struct blkfe *fe);

/* A request of operation op at sector with a fresh id and no segments. */
void blkfe_req(struct blkfe *fe, union blkfe_req *r, uint8_t op, uint64_t sector);
/* Append a segment (any values: nothing is checked). */
void blkfe_seg(union blkfe_req *r, grant_ref_t ref, uint8_t first, uint8_t last);
/* Put r in the next slot as it is, publish req_prod and send an event. */
void blkfe_push(struct blkfe *fe, const union blkfe_req *r);
/* Write the shared req_prod as given (garbage included) and send an event. */
void blkfe_set_req_prod(struct blkfe *fe, RING_IDX prod);
/* The response to id (collected from the ring, any order) into *rsp; false on timeout. */
bool blkfe_wait(struct blkfe *fe, uint64_t id, uint64_t ns, struct blkif_response *rsp);
/* Whichever response comes first (or one kept earlier) into *rsp; false on timeout. */
bool blkfe_wait_any(struct blkfe *fe, uint64_t ns, struct blkif_response *rsp);
/*
 * Push r and wait for its answer: it must carry r's id, operation `op`
 * (r's own operation if op < 0) and status want. Prints
 * "blkfe: PASS: what: ..." or reports a FAILURE naming what. True if passed.
 */
bool blkfe_expect(struct blkfe *fe, const union blkfe_req *r, int op, int16_t want, const char *what);

/*
 * Honest I/O of nsect sectors (1..88) at sector through the pages pg[]
 * (whole pages, from sector 0 of pg[0]): granted for the request only,
 * ended after the response. The response's status, or 1 on a timeout or a
 * grant still mapped after the answer (both reported as FAILURE).
 */
int blkfe_io(struct blkfe *fe, uint8_t op, uint64_t sector, unsigned int nsect, const struct blkfe_page *pg);
/* FLUSH_DISKCACHE with no segments: the status, or 1 on a timeout. */
int blkfe_flush(struct blkfe *fe);
/*
 * One honest round: write nsect sectors at sector with a pattern of `seed`,
 * flush, read them back into other pages and compare. True if all held;
 * else false after a test_fail naming `who`.
 */
bool blkfe_round(struct blkfe *fe, uint64_t sector, unsigned int nsect, uint32_t seed, const char *who);

/*
 * Two test domains in step: publish data/<name> = n in our home, readable by
 * domain peer; wait (ns) until peer's data/<name> reaches n (false after a
 * test_fail).
 */
void blkfe_say(const char *name, unsigned int n, domid_t peer);
bool blkfe_wait_peer(domid_t peer, const char *name, unsigned int n, uint64_t ns);
/* Peer's data/<name> as a number, or -1 if it cannot be read. */
long blkfe_peer_value(domid_t peer, const char *name);

#endif
