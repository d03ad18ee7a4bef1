/*
 * pv_xenbus.h: a xenstore client for drivers (read, write, mkdir, rm,
 * directory, watches, transactions with EAGAIN retry) built on Xen's wire
 * format (tandem/io/xs_wire.h) over a transport callback, so the same code
 * runs over a guest's store ring, a socket, or a unit test's fake store.
 *
 * Contract of the transport: send one request (header + payload) and
 * return its reply in *rsp and rbody (at most rcap bytes; a longer reply
 * is -E2BIG, consumed and dropped). Replies are matched by req_id by the
 * transport; XS_WATCH_EVENT messages arriving meanwhile are handed to
 * xenbus_watch_event later (not from inside the callback). Returns 0 or a
 * negative Xen errno for a transport failure.
 *
 * The client checks every reply: it must echo the request's type (or be
 * XS_ERROR), req_id and tx_id, else -EIO; an XS_ERROR payload is mapped
 * back through XSD_ERRORS (an unknown name: -EINVAL, as Linux does).
 * Paths and values are checked for length before anything is sent. One
 * client is used by one thread at a time (the caller serialises), unless
 * it has a lock (xenbus_client_set_lock).
 * Errors are negative Xen errno values (tandem/errno.h).
 */
#ifndef PV_XENBUS_H
#define PV_XENBUS_H

#include <stddef.h>
#include <stdint.h>
#include <tandem/io/xs_wire.h>

typedef int (*xenbus_transport_fn)(void *ctx, const struct xsd_sockmsg *req, const void *body,
                                   struct xsd_sockmsg *rsp, void *rbody, uint32_t rcap);

struct xenbus_watch;
/* A watch fired for `path` (the changed node, under the watched path). */
typedef void (*xenbus_watch_fn)(struct xenbus_watch *w, const char *path);

struct xenbus_watch {
    const char *path;           /* watched path (caller's storage, kept while registered) */
    xenbus_watch_fn fn;
    char token[16];             /* set by xenbus_watch: "w<number>" */
    struct xenbus_watch *next;  /* client's list */
};

struct xenbus_client {
    xenbus_transport_fn transport;
    void *ctx;
    uint32_t next_req_id;
    uint32_t next_token;
    struct xenbus_watch *watches;
    void (*lock)(void *ctx, int take);  /* NULL: the caller serialises */
    void *lock_ctx;
    char body[XENSTORE_PAYLOAD_MAX];    /* request payload being built */
};

#define XENBUS_TX_NONE 0u

void xenbus_client_init(struct xenbus_client *c, xenbus_transport_fn fn, void *ctx);
/*
 * Make the client usable from several threads: every call below runs with
 * lock(ctx, 1) ... lock(ctx, 0) around it, watch functions included, so
 * the lock must be recursive (a watch function may make requests).
 */
void xenbus_client_set_lock(struct xenbus_client *c, void (*lock)(void *ctx, int take), void *ctx);

/*
 * Read `path` into buf as a NUL-terminated string (cap includes the NUL);
 * *len (may be NULL) gets the value's length. -E2BIG if it does not fit.
 */
int xenbus_read(struct xenbus_client *c, uint32_t tx, const char *path, char *buf, uint32_t cap,
                uint32_t *len);
/* Read a decimal unsigned value (no sign, no spaces, fits 32 bits); -EINVAL otherwise. */
int xenbus_read_uint(struct xenbus_client *c, uint32_t tx, const char *path, uint32_t *val);
int xenbus_write(struct xenbus_client *c, uint32_t tx, const char *path, const char *value);
int xenbus_mkdir(struct xenbus_client *c, uint32_t tx, const char *path);
int xenbus_rm(struct xenbus_client *c, uint32_t tx, const char *path);
/*
 * Children of `path` into buf as "a\0b\0...": the number of children
 * (>= 0), or -errno. -E2BIG if they do not fit in cap bytes.
 */
int xenbus_directory(struct xenbus_client *c, uint32_t tx, const char *path, char *buf,
                     uint32_t cap);

/* Register w (w->path and w->fn set by the caller); the store fires it once at once. */
int xenbus_watch(struct xenbus_client *c, struct xenbus_watch *w);
int xenbus_unwatch(struct xenbus_client *c, struct xenbus_watch *w);
/*
 * Register every watch of the client again (after the store forgot them:
 * a ring reset), same tokens; each fires once more. 0, or the first error.
 */
int xenbus_rewatch(struct xenbus_client *c);
/*
 * An XS_WATCH_EVENT payload ("path\0token\0") from the transport: calls the
 * watch whose token it names. -EINVAL if malformed, -ENOENT if no such
 * watch (e.g. one just unregistered), else 0.
 */
int xenbus_watch_event(struct xenbus_client *c, const void *payload, uint32_t len);

int xenbus_transaction_start(struct xenbus_client *c, uint32_t *tx);
/* Commit (abort = 0) or abort; -EAGAIN when the commit conflicted. */
int xenbus_transaction_end(struct xenbus_client *c, uint32_t tx, int abort);
/*
 * Run body(c, tx, arg) in a transaction and commit, starting over while
 * the commit says -EAGAIN (or body returns -EAGAIN), at most `tries` times
 * (then -EAGAIN). Any other error from body aborts and is returned.
 */
int xenbus_transaction(struct xenbus_client *c, unsigned int tries,
                       int (*body)(struct xenbus_client *c, uint32_t tx, void *arg), void *arg);

#endif
