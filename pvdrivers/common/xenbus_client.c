/*
 * xenbus_client.c: the xenstore client of pv_xenbus.h. Each call builds
 * one payload in c->body, sends it through the transport, and checks the
 * reply before using it (a store is a peer, not trusted to be well-formed).
 */
#include "pv_xenbus.h"
#include "pv_str.h"
#include <tandem/errno.h>

static uint32_t str_len(const char *s, uint32_t max)
{
    uint32_t n = 0;

    while (n <= max && s[n])
        n++;
    return n;
}

static void copy_bytes(char *d, const void *s, uint32_t n)
{
    const char *p = s;

    while (n--)
        *d++ = *p++;
}

static int str_eq(const char *a, const char *b, uint32_t n)
{
    uint32_t i;

    for (i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

/* Map an XS_ERROR payload ("EAGAIN\0") to -errno. */
static int error_from_name(const char *name, uint32_t len)
{
#define X(n, v) { #n, v },
    static const struct { const char *name; int err; } table[] = { XSD_ERRORS(X) };
#undef X
    uint32_t i, n;

    while (len && name[len - 1] == '\0')
        len--;
    for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        n = str_len(table[i].name, 16);
        if (n == len && str_eq(table[i].name, name, n))
            return -table[i].err;
    }
    return -XEN_EINVAL;
}

void xenbus_client_init(struct xenbus_client *c, xenbus_transport_fn fn, void *ctx)
{
    c->transport = fn;
    c->ctx = ctx;
    c->next_req_id = 1;
    c->next_token = 1;
    c->watches = NULL;
    c->lock = NULL;
    c->lock_ctx = NULL;
}

void xenbus_client_set_lock(struct xenbus_client *c, void (*lock)(void *ctx, int take), void *ctx)
{
    c->lock_ctx = ctx;
    c->lock = lock;
}

static void lock(struct xenbus_client *c)
{
    if (c->lock)
        c->lock(c->lock_ctx, 1);
}

static void unlock(struct xenbus_client *c)
{
    if (c->lock)
        c->lock(c->lock_ctx, 0);
}

/* Append a string and its NUL to c->body at *len; -EINVAL if it makes the payload too long. */
static int put_str(struct xenbus_client *c, uint32_t *len, const char *s, int nul)
{
    uint32_t n = str_len(s, XENSTORE_PAYLOAD_MAX);

    if (n + (nul ? 1 : 0) > XENSTORE_PAYLOAD_MAX - *len)
        return -XEN_EINVAL;
    copy_bytes(c->body + *len, s, n);
    *len += n;
    if (nul)
        c->body[(*len)++] = '\0';
    return 0;
}

static int put_path(struct xenbus_client *c, uint32_t *len, const char *path)
{
    uint32_t n = str_len(path, XENSTORE_ABS_PATH_MAX);

    if (!n || n > (path[0] == '/' ? XENSTORE_ABS_PATH_MAX : XENSTORE_REL_PATH_MAX))
        return -XEN_EINVAL;
    return put_str(c, len, path, 1);
}

/*
 * Send c->body[0..len) as `type` in `tx`; the reply payload into rbody
 * (rcap bytes), its length into *rlen. 0, or -errno from the transport,
 * the store (XS_ERROR) or a malformed reply (-EIO).
 */
static int xs_call(struct xenbus_client *c, uint32_t type, uint32_t tx, uint32_t len,
                   void *rbody, uint32_t rcap, uint32_t *rlen)
{
    struct xsd_sockmsg req = { type, c->next_req_id++, tx, len };
    struct xsd_sockmsg rsp = { XS_INVALID, 0, 0, 0 };
    int rc = c->transport(c->ctx, &req, c->body, &rsp, rbody, rcap);

    if (rc)
        return rc;
    if (rsp.req_id != req.req_id || rsp.tx_id != req.tx_id || rsp.len > rcap)
        return -XEN_EIO;
    if (rsp.type == XS_ERROR)
        return error_from_name(rbody, rsp.len);
    if (rsp.type != type)
        return -XEN_EIO;
    *rlen = rsp.len;
    return 0;
}

/* A request whose reply is "OK" (write, mkdir, rm, watch, unwatch, transaction end). */
static int xs_call_ok(struct xenbus_client *c, uint32_t type, uint32_t tx, uint32_t len)
{
    char r[32];
    uint32_t rlen;
    int rc = xs_call(c, type, tx, len, r, sizeof(r), &rlen);

    if (rc)
        return rc;
    return rlen >= 2 && r[0] == 'O' && r[1] == 'K' && (rlen == 2 || (rlen == 3 && !r[2]))
           ? 0 : -XEN_EIO;
}

static int path_call_ok(struct xenbus_client *c, uint32_t type, uint32_t tx, const char *path)
{
    uint32_t len = 0;
    int rc = put_path(c, &len, path);

    return rc ? rc : xs_call_ok(c, type, tx, len);
}

static int unlocked_read(struct xenbus_client *c, uint32_t tx, const char *path, char *buf, uint32_t cap,
                uint32_t *len)
{
    uint32_t blen = 0, rlen;
    int rc;

    if (!cap)
        return -XEN_EINVAL;
    rc = put_path(c, &blen, path);
    if (!rc)
        rc = xs_call(c, XS_READ, tx, blen, buf, cap - 1, &rlen);
    if (rc)
        return rc;
    buf[rlen] = '\0';
    if (len)
        *len = rlen;
    return 0;
}

int xenbus_read_uint(struct xenbus_client *c, uint32_t tx, const char *path, uint32_t *val)
{
    char buf[16];
    uint32_t len;
    int rc = xenbus_read(c, tx, path, buf, sizeof(buf), &len);

    if (rc == -XEN_E2BIG)
        return -XEN_EINVAL;
    if (rc)
        return rc;
    return pv_parse_u32(buf, len, val);
}

static int unlocked_write(struct xenbus_client *c, uint32_t tx, const char *path, const char *value)
{
    uint32_t len = 0;
    int rc = put_path(c, &len, path);

    if (!rc)
        rc = put_str(c, &len, value, 0);
    return rc ? rc : xs_call_ok(c, XS_WRITE, tx, len);
}

static int unlocked_mkdir(struct xenbus_client *c, uint32_t tx, const char *path)
{
    return path_call_ok(c, XS_MKDIR, tx, path);
}

static int unlocked_rm(struct xenbus_client *c, uint32_t tx, const char *path)
{
    return path_call_ok(c, XS_RM, tx, path);
}

static int unlocked_directory(struct xenbus_client *c, uint32_t tx, const char *path, char *buf,
                     uint32_t cap)
{
    uint32_t len = 0, rlen, i;
    int rc = put_path(c, &len, path), n = 0;

    if (!rc)
        rc = xs_call(c, XS_DIRECTORY, tx, len, buf, cap, &rlen);
    if (rc)
        return rc;
    /* Children are NUL-terminated; a missing final NUL or an empty name is malformed. */
    if (rlen && buf[rlen - 1])
        return -XEN_EIO;
    for (i = 0; i < rlen; i++) {
        if (!buf[i] && (i == 0 || !buf[i - 1]))
            return -XEN_EIO;
        n += !buf[i];
    }
    return n;
}

static int watch_call(struct xenbus_client *c, uint32_t type, struct xenbus_watch *w)
{
    uint32_t len = 0;
    int rc = put_path(c, &len, w->path);

    if (!rc)
        rc = put_str(c, &len, w->token, 1);
    return rc ? rc : xs_call_ok(c, type, XENBUS_TX_NONE, len);
}

/* "w" + decimal n into t (16 bytes is plenty for 32 bits). */
static void make_token(char *t, uint32_t n)
{
    char d[10];
    int k = 0;

    do
        d[k++] = (char)('0' + n % 10);
    while ((n /= 10));
    *t++ = 'w';
    while (k)
        *t++ = d[--k];
    *t = '\0';
}

static int unlocked_watch(struct xenbus_client *c, struct xenbus_watch *w)
{
    int rc;

    if (!w->fn || !w->path)
        return -XEN_EINVAL;
    make_token(w->token, c->next_token++);
    /* On the list first: the store fires the new watch at once. */
    w->next = c->watches;
    c->watches = w;
    rc = watch_call(c, XS_WATCH, w);
    if (rc)
        c->watches = w->next;
    return rc;
}

static int unlocked_unwatch(struct xenbus_client *c, struct xenbus_watch *w)
{
    struct xenbus_watch **p;

    for (p = &c->watches; *p && *p != w; p = &(*p)->next)
        ;
    if (!*p)
        return -XEN_ENOENT;
    *p = w->next;
    return watch_call(c, XS_UNWATCH, w);
}

static int unlocked_rewatch(struct xenbus_client *c)
{
    struct xenbus_watch *w;
    int rc, first = 0;

    for (w = c->watches; w; w = w->next)
        if ((rc = watch_call(c, XS_WATCH, w)) && !first)
            first = rc;
    return first;
}

static int unlocked_watch_event(struct xenbus_client *c, const void *payload, uint32_t len)
{
    const char *p = payload, *token;
    uint32_t plen, tlen;
    struct xenbus_watch *w;

    if (!len || p[len - 1])
        return -XEN_EINVAL;
    plen = str_len(p, len);
    if (!plen || plen + 1 >= len)
        return -XEN_EINVAL;
    token = p + plen + 1;
    tlen = str_len(token, len - plen - 1);
    for (w = c->watches; w; w = w->next)
        if (str_len(w->token, sizeof(w->token)) == tlen && str_eq(w->token, token, tlen)) {
            w->fn(w, p);
            return 0;
        }
    return -XEN_ENOENT;
}

static int unlocked_transaction_start(struct xenbus_client *c, uint32_t *tx)
{
    char r[16];
    uint32_t len = 0, rlen, i;
    uint64_t v = 0;
    int rc = put_str(c, &len, "", 1);

    if (!rc)
        rc = xs_call(c, XS_TRANSACTION_START, XENBUS_TX_NONE, len, r, sizeof(r), &rlen);
    if (rc)
        return rc;
    /* Decimal id, NUL-terminated, not 0. */
    while (rlen && !r[rlen - 1])
        rlen--;
    if (!rlen || rlen > 10)
        return -XEN_EIO;
    for (i = 0; i < rlen; i++) {
        if (r[i] < '0' || r[i] > '9')
            return -XEN_EIO;
        v = v * 10 + (uint64_t)(r[i] - '0');
    }
    if (!v || v > UINT32_MAX)
        return -XEN_EIO;
    *tx = (uint32_t)v;
    return 0;
}

static int unlocked_transaction_end(struct xenbus_client *c, uint32_t tx, int abort)
{
    uint32_t len = 0;
    int rc = put_str(c, &len, abort ? "F" : "T", 1);

    return rc ? rc : xs_call_ok(c, XS_TRANSACTION_END, tx, len);
}

int xenbus_transaction(struct xenbus_client *c, unsigned int tries,
                       int (*body)(struct xenbus_client *c, uint32_t tx, void *arg), void *arg)
{
    uint32_t tx;
    int rc = -XEN_EAGAIN;

    while (tries--) {
        rc = xenbus_transaction_start(c, &tx);
        if (rc)
            return rc;
        rc = body(c, tx, arg);
        if (rc) {
            xenbus_transaction_end(c, tx, 1);
            if (rc == -XEN_EAGAIN)
                continue;
            return rc;
        }
        rc = xenbus_transaction_end(c, tx, 0);
        if (rc != -XEN_EAGAIN)
            return rc;
    }
    return rc;
}

/* ---- the public calls: each one under the client's lock (xenbus_client_set_lock) ---- */
#define LOCKED(c, call) do { int rc_; lock(c); rc_ = (call); unlock(c); return rc_; } while (0)

int xenbus_read(struct xenbus_client *c, uint32_t tx, const char *path, char *buf, uint32_t cap,
                uint32_t *len)
{
    LOCKED(c, unlocked_read(c, tx, path, buf, cap, len));
}

int xenbus_write(struct xenbus_client *c, uint32_t tx, const char *path, const char *value)
{
    LOCKED(c, unlocked_write(c, tx, path, value));
}

int xenbus_mkdir(struct xenbus_client *c, uint32_t tx, const char *path)
{
    LOCKED(c, unlocked_mkdir(c, tx, path));
}

int xenbus_rm(struct xenbus_client *c, uint32_t tx, const char *path)
{
    LOCKED(c, unlocked_rm(c, tx, path));
}

int xenbus_directory(struct xenbus_client *c, uint32_t tx, const char *path, char *buf, uint32_t cap)
{
    LOCKED(c, unlocked_directory(c, tx, path, buf, cap));
}

int xenbus_watch(struct xenbus_client *c, struct xenbus_watch *w)
{
    LOCKED(c, unlocked_watch(c, w));
}

int xenbus_unwatch(struct xenbus_client *c, struct xenbus_watch *w)
{
    LOCKED(c, unlocked_unwatch(c, w));
}

int xenbus_rewatch(struct xenbus_client *c)
{
    LOCKED(c, unlocked_rewatch(c));
}

int xenbus_watch_event(struct xenbus_client *c, const void *payload, uint32_t len)
{
    LOCKED(c, unlocked_watch_event(c, payload, len));
}

int xenbus_transaction_start(struct xenbus_client *c, uint32_t *tx)
{
    LOCKED(c, unlocked_transaction_start(c, tx));
}

int xenbus_transaction_end(struct xenbus_client *c, uint32_t tx, int abort)
{
    LOCKED(c, unlocked_transaction_end(c, tx, abort));
}
