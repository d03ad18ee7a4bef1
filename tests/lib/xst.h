/*
 * Store tests over the real ring (tests/guest/xs_*): a test kernel in a
 * domU whose store is served by the store domain (domain 0, the bundled
 * kernel with store=yes). The xenbus client of pvdrivers/common over this
 * domain's store ring (start_info store_mfn/store_evtchn) through
 * tests/lib/pvos.c, plus raw requests for what the client would refuse to
 * send, and checks that name the Xen error string a reply must carry.
 *
 *   if (!xst_init()) return;             (after a test_error/test_fail)
 *   xenbus_read(&xst.c, XENBUS_TX_NONE, "name", buf, sizeof(buf), NULL);
 *   xst_expect_err(XS_READ, 0, "nope", XST_STR, "ENOENT", "read a missing node");
 */
#ifndef TANDEM_TEST_XST_H
#define TANDEM_TEST_XST_H

#include "multidom.h"
#include "pv_xenbus.h"
#include "pv_xenbus_ring.h"
#include "pv_xs_ring.h"
#include "test_pvos.h"

struct xst {
    struct xenbus_ring ring;
    struct xenbus_client c;
    struct xenstore_domain_interface *intf;
    domid_t self;
    uint32_t next_req_id;       /* raw requests' ids (from 0x10000, apart from the client's) */
};
extern struct xst xst;

#define XST_TIMEOUT_NS MD_MS(5000)  /* per request: a store that does not answer fails the test */
#define XST_STR 0xffffffffu         /* as a length: strlen(payload) + 1 (one NUL-terminated string) */

/* Events on, the ring mapped, the port handled, the client ready; false after a test_error. */
bool xst_init(void);
/* Our domain id (Tandem puts it in the Xen domain handle, bytes 14-15). */
domid_t xst_domid(void);

/*
 * One raw request: type, tx_id, len payload bytes (XST_STR: a string with its
 * NUL). The reply's header into *rsp, its payload into body with a NUL after
 * it (cap includes that NUL). 0 or the transport's -errno.
 */
int xst_raw(uint32_t type, uint32_t tx, const void *payload, uint32_t len, struct xsd_sockmsg *rsp,
            char *body, uint32_t cap);
/* A raw request must be refused with XS_ERROR carrying exactly `err` ("ENOENT"); false (after a test_fail) if not. */
bool xst_expect_err(uint32_t type, uint32_t tx, const void *payload, uint32_t len, const char *err,
                    const char *what);
/* A raw request must succeed (reply type == type); its payload into body (may be NULL). */
bool xst_expect_ok(uint32_t type, uint32_t tx, const void *payload, uint32_t len, char *body,
                   uint32_t cap, uint32_t *rlen, const char *what);
/* Build "a\0b\0" (b may be NULL) into buf: its length. */
uint32_t xst_args(char *buf, uint32_t cap, const char *a, const char *b);
/* Build "s1\0s2\0...sN\0" from the strings up to a NULL: its length. */
uint32_t xst_argv(char *buf, uint32_t cap, ...);

/* The client call returned rc; want 0 or -XEN_E*. */
#define XST_CHECK(rc, want, what) CHECK_RC(rc, want, what)
/* Read path (relative or absolute) and compare with want; false after test_fail. */
bool xst_read_is(const char *path, const char *want);
/* The directory at path holds exactly the n names of want, in any order (test_fail otherwise). */
void xst_dir_is(const char *path, const char *const *want, unsigned int n);
/* device/TYPE/ID names this domain's backend in domain 0 and is in state 1 (Initialising). */
void xst_frontend_is(const char *type, unsigned int id);

/*
 * Deliver queued watch events (the client's callbacks), fetching more from
 * the ring with a cheap request while none is queued, until *counter
 * reaches want or the deadline (ns from now) passes. True if reached.
 */
bool xst_wait_events(volatile unsigned long *counter, unsigned long want, uint64_t ns);

#endif
