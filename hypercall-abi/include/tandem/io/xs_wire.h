/*
 * The xenstore wire protocol and the shared ring page a guest uses to talk
 * to the store. Numbers and layouts are Xen's io/xs_wire.h; the prose is
 * Tandem's. Fuller reference: docs/abi/layouts.md.
 *
 * Ring page (start_info.store_mfn; event channel start_info.store_evtchn):
 *
 *   offset  size  field            written by  meaning
 *   0       1024  req[]            guest       request bytes to the store
 *   1024    1024  rsp[]            store       reply and watch-event bytes
 *   2048    4     req_cons         store       req[] bytes consumed
 *   2052    4     req_prod         guest       req[] bytes produced
 *   2056    4     rsp_cons         guest       rsp[] bytes consumed
 *   2060    4     rsp_prod         store       rsp[] bytes produced
 *   2064    4     server_features  store       XENSTORE_SERVER_FEATURE_*
 *   2068    4     connection       both        XENSTORE_CONNECTED / _RECONNECT
 *   2072    4     error            store       XENSTORE_ERROR_*
 *   2076    4     evtchn_port      builder     newer Xen: the domain's store port, 0 = unset
 *
 * Both rings are byte streams; indices are free-running uint32_t, byte i
 * at buf[MASK_XENSTORE_IDX(i)]. Writer: copy bytes, write barrier,
 * advance prod, send an event. Reader: read prod, read barrier, copy,
 * full barrier, advance cons, send an event. Messages may straddle the
 * wrap point and may arrive in several pieces.
 *
 * Message = struct xsd_sockmsg (16 bytes) + len payload bytes
 * (len <= XENSTORE_PAYLOAD_MAX). The reply carries the request's type,
 * req_id and tx_id; a failure is instead type XS_ERROR with the errno
 * name (see XSD_ERRORS below) as a NUL-terminated string. Paths without
 * a leading '/' are relative to /local/domain/<domid>.
 *
 * Payloads of the requests a front end uses ("\0" = a NUL byte):
 *   XS_READ              "path\0"               -> value bytes (no NUL added)
 *   XS_WRITE             "path\0" value bytes   -> "OK\0"
 *   XS_MKDIR / XS_RM     "path\0"               -> "OK\0"
 *   XS_DIRECTORY         "path\0"               -> "child\0child\0..."
 *   XS_WATCH             "path\0token\0"        -> "OK\0"; then one
 *                        XS_WATCH_EVENT at once, and one per change
 *   XS_UNWATCH           "path\0token\0"        -> "OK\0"
 *   XS_WATCH_EVENT       (store to guest, unsolicited, req_id and tx_id 0)
 *                        "path\0token\0"
 *   XS_TRANSACTION_START "\0"                   -> decimal tx id + "\0";
 *                        later requests carry it in tx_id
 *   XS_TRANSACTION_END   "T\0" commit / "F\0" abort -> "OK\0", or
 *                        error EAGAIN when a commit conflicted (retry)
 *   XS_GET_DOMAIN_PATH   "domid\0"              -> "/local/domain/<domid>\0"
 */
#ifndef TANDEM_PUBLIC_IO_XS_WIRE_H
#define TANDEM_PUBLIC_IO_XS_WIRE_H

#ifndef __ASSEMBLY__
#include <stdint.h>

enum xsd_sockmsg_type {
    XS_CONTROL              = 0,    /* also XS_DEBUG */
    XS_DIRECTORY            = 1,
    XS_READ                 = 2,
    XS_GET_PERMS            = 3,
    XS_WATCH                = 4,
    XS_UNWATCH              = 5,
    XS_TRANSACTION_START    = 6,
    XS_TRANSACTION_END      = 7,
    XS_INTRODUCE            = 8,    /* toolstack only */
    XS_RELEASE              = 9,    /* toolstack only */
    XS_GET_DOMAIN_PATH      = 10,
    XS_WRITE                = 11,
    XS_MKDIR                = 12,
    XS_RM                   = 13,
    XS_SET_PERMS            = 14,
    XS_WATCH_EVENT          = 15,
    XS_ERROR                = 16,
    XS_IS_DOMAIN_INTRODUCED = 17,
    XS_RESUME               = 18,
    XS_SET_TARGET           = 19,
    /* 20: was XS_RESTRICT, removed */
    XS_RESET_WATCHES        = 21,
    XS_DIRECTORY_PART       = 22,
    XS_GET_FEATURE          = 23,
    XS_SET_FEATURE          = 24,
    XS_GET_QUOTA            = 25,
    XS_SET_QUOTA            = 26,
    XS_TYPE_COUNT           = 27,   /* number of type values defined */
    XS_INVALID              = 0xffff /* never a valid type */
};
#endif
#define XS_DEBUG XS_CONTROL

#ifndef __ASSEMBLY__
/* The header of every message: 16 bytes, then len payload bytes. */
struct xsd_sockmsg {
    uint32_t type;              /* INOUT: XS_*; a reply echoes it, or XS_ERROR */
    uint32_t req_id;            /* INOUT: chosen by the requester, echoed */
    uint32_t tx_id;             /* INOUT: transaction id, 0 = none; echoed */
    uint32_t len;               /* INOUT: payload bytes that follow */
};

/* Position of the path and token strings in an XS_WATCH_EVENT payload. */
enum xs_watch_type {
    XS_WATCH_PATH  = 0,
    XS_WATCH_TOKEN = 1
};
#endif

/* Mode strings for the toolstack's write flags. */
#define XS_WRITE_NONE        "NONE"
#define XS_WRITE_CREATE      "CREATE"
#define XS_WRITE_CREATE_EXCL "CREATE|EXCL"

/*
 * Errors travel as names, not numbers: an XS_ERROR payload is one of these
 * names plus NUL. X(name, value) lists every name a store may send, with
 * its Xen errno value, so a client can map it back:
 *   #define X(n, v) { #n, v },   static const struct {...} t[] = { XSD_ERRORS(X) };
 */
#define XSD_ERRORS(X)   \
    X(EINVAL,     22)   \
    X(EACCES,     13)   \
    X(EEXIST,     17)   \
    X(EISDIR,     21)   \
    X(ENOENT,      2)   \
    X(ENOMEM,     12)   \
    X(ENOSPC,     28)   \
    X(EIO,         5)   \
    X(ENOTEMPTY,  39)   \
    X(ENOSYS,     38)   \
    X(EROFS,      30)   \
    X(EBUSY,      16)   \
    X(EAGAIN,     11)   \
    X(EISCONN,   106)   \
    X(E2BIG,       7)   \
    X(EPERM,       1)

/* The shared ring page. */
#define XENSTORE_RING_SIZE 1024
#ifndef __ASSEMBLY__
typedef uint32_t XENSTORE_RING_IDX;
#endif
#define MASK_XENSTORE_IDX(idx) ((idx) & (XENSTORE_RING_SIZE - 1))

#ifndef __ASSEMBLY__
struct xenstore_domain_interface {
    char req[XENSTORE_RING_SIZE];   /* IN: guest to store */
    char rsp[XENSTORE_RING_SIZE];   /* OUT: store to guest */
    XENSTORE_RING_IDX req_cons;     /* store writes */
    XENSTORE_RING_IDX req_prod;     /* guest writes */
    XENSTORE_RING_IDX rsp_cons;     /* guest writes */
    XENSTORE_RING_IDX rsp_prod;     /* store writes */
    uint32_t server_features;       /* OUT: XENSTORE_SERVER_FEATURE_* */
    uint32_t connection;            /* INOUT: XENSTORE_CONNECTED / _RECONNECT */
    uint32_t error;                 /* OUT: XENSTORE_ERROR_* */
    uint32_t evtchn_port;           /* OUT: set by the builder in newer Xen; 0 = unset */
};
#endif

/* Limits. Exceeding the payload maximum breaks the connection. */
#define XENSTORE_PAYLOAD_MAX   4096
#define XENSTORE_ABS_PATH_MAX  3072
#define XENSTORE_REL_PATH_MAX  2048

/* server_features bits. */
#define XENSTORE_SERVER_FEATURE_RECONNECTION 1  /* connection field works */
#define XENSTORE_SERVER_FEATURE_ERROR        2  /* error field works */
#define XENSTORE_SERVER_FEATURE_WATCHDEPTH   4  /* XS_WATCH takes a depth */
#define XENSTORE_SERVER_FEATURE_DOMID_ANY    8  /* DOMID_ANY in permissions */

/*
 * connection: a guest that wants to reset the ring (e.g. after kexec)
 * writes XENSTORE_RECONNECT and raises the port; the store discards the
 * session (watches, transactions), zeroes the indices and writes
 * XENSTORE_CONNECTED back.
 */
#define XENSTORE_CONNECTED 0
#define XENSTORE_RECONNECT 1

/* error: why the store stopped serving this ring. */
#define XENSTORE_ERROR_NONE    0
#define XENSTORE_ERROR_COMM    1    /* communication problem */
#define XENSTORE_ERROR_RINGIDX 2    /* impossible ring index */
#define XENSTORE_ERROR_PROTO   3    /* protocol violation (e.g. len too big) */

#endif
