/* xs_msg.c: decoding one request (never trusting it) and building the reply. */
#include "xs_int.h"

struct args {
    const char *p;
    uint32_t len;
};

/* Number of NUL-terminated strings in the payload. */
static uint32_t count_strings(const struct args *a)
{
    uint32_t i, n = 0;

    for (i = 0; i < a->len; i++)
        n += a->p[i] == '\0';
    return n;
}

/* Xen's onearg: exactly one string filling the whole payload. */
static const char *onearg(const struct args *a)
{
    if (!a->len || a->p[a->len - 1] != '\0' || strlen(a->p) != a->len - 1)
        return NULL;
    return a->p;
}

/* The i-th string (the payload holds at least i + 1). */
static const char *nth(const struct args *a, uint32_t i)
{
    const char *p = a->p;

    while (i--)
        p += strlen(p) + 1;
    return p;
}

static void reply_bytes(struct xsd_msg *r, const void *data, uint32_t len)
{
    memcpy(r->body + r->hdr.len, data, len);
    r->hdr.len += len;
}

static void reply_str(struct xsd_msg *r, const char *s)
{
    reply_bytes(r, s, (uint32_t)strlen(s) + 1);
}

/* One canonical path argument; "@name" only where Xen allows special nodes (perms). */
static int path_arg(struct xs_ctx *c, const char *in, char *canon, bool special)
{
    bool rel;

    return in ? xs_canon(c->dom->domid, in, special, canon, &rel) : XSE_EINVAL;
}

static int do_read_like(struct xs_ctx *c, uint32_t type, const char *path, struct xsd_msg *r)
{
    int err;
    struct xs_node *n = xs_get(c, path, XS_PERM_READ, &err), *ch;

    if (!n)
        return err;
    if (type == XS_READ) {
        reply_bytes(r, n->value, n->vlen);
    } else if (type == XS_GET_PERMS) {
        if (!(r->hdr.len = xs_perms_str(n, r->body, XENSTORE_PAYLOAD_MAX)))
            return XSE_E2BIG;
    } else {
        if ((err = xs_tx_load(c, n)))
            return err;
        if (n->childlen > XENSTORE_PAYLOAD_MAX)
            return XSE_E2BIG;
        for (ch = n->child; ch; ch = ch->next)
            reply_str(r, ch->name);
    }
    return 0;
}

/*
 * "<generation>\0" then the children list from byte offset off, whole
 * names while they fit, then an empty string once the list is complete.
 */
static int do_directory_part(struct xs_ctx *c, const char *path, uint32_t off, struct xsd_msg *r)
{
    int err;
    struct xs_node *n = xs_get(c, path, XS_PERM_READ, &err), *ch;
    char gen[21];
    uint32_t pos = 0;

    if (!n)
        return err;
    if ((err = xs_tx_load(c, n)))
        return err;
    xs_fmt_u64(gen, n->gen);
    reply_str(r, gen);
    for (ch = n->child; ch; ch = ch->next) {
        uint32_t l = (uint32_t)strlen(ch->name) + 1, skip = 0;
        if (pos + l <= off) {
            pos += l;
            continue;
        }
        if (pos < off)
            skip = off - pos;
        if (r->hdr.len + l - skip + 1 > XENSTORE_PAYLOAD_MAX)
            return 0;       /* more to come: no terminating empty string */
        reply_bytes(r, ch->name + skip, l - skip);
        pos += l;
    }
    reply_bytes(r, "", 1);
    return 0;
}

/*
 * SET_PERMS' perms, in Xen's order: fewer than two strings EINVAL, more
 * entries than the quota ENOSPC (before the path is even looked at), then
 * each "<n|r|w|b><domid>" or EINVAL. *p is allocated.
 */
static int parse_perms(struct xs_ctx *c, const struct args *a, struct xs_perm **p, uint32_t *np)
{
    uint32_t n = count_strings(a), i, id;
    const char *s;

    if (n < 2)
        return XSE_EINVAL;
    n--;
    if (c->dom->domid != XS_PRIV_DOMID && n > c->s->q.perms)
        return XSE_ENOSPC;
    if (!(*p = xs_alloc(c->s, n * sizeof(**p))))
        return XSE_ENOMEM;
    for (i = 0, s = nth(a, 1); i < n; i++, s += strlen(s) + 1) {
        if (!s[0] || !strchr("nrwb", s[0]) || !xs_parse_u32(s + 1, 0xffff, &id)) {
            xs_free(c->s, *p);
            *p = NULL;
            return XSE_EINVAL;
        }
        (*p)[i] = (struct xs_perm){ .id = (uint16_t)id, .perm = s[0] };
    }
    *np = n;
    return 0;
}

static int domid_arg(const char *s, uint16_t *domid)
{
    uint32_t v;

    if (!s || !xs_parse_u32(s, 0xffff, &v))
        return XSE_EINVAL;
    *domid = (uint16_t)v;
    return 0;
}

/* Requests that change the tree: logged inside a transaction for replay at commit. */
static int do_change(struct xs_ctx *c, uint32_t type, const struct args *a, struct xsd_msg *r)
{
    char path[XENSTORE_ABS_PATH_MAX + 1];
    const char *p0 = type == XS_WRITE || type == XS_SET_PERMS ? (count_strings(a) ? a->p : NULL)
                                                              : onearg(a);
    struct xs_op *op = NULL;
    struct xs_perm *perms = NULL;
    uint32_t np = 0;
    int err = type == XS_SET_PERMS ? parse_perms(c, a, &perms, &np) : 0;

    if (!err)
        err = path_arg(c, p0, path, type == XS_SET_PERMS);
    if (!err && c->tx && !(err = xs_tx_charge(c, sizeof(*op) + a->len, false)) &&
        !(op = xs_alloc(c->s, sizeof(*op) + a->len)))
        err = XSE_ENOMEM;
    if (err) {
        xs_free(c->s, perms);
        return err;
    }
    switch (type) {
    case XS_WRITE: {
        uint32_t pl = (uint32_t)strlen(p0) + 1;
        err = xs_write(c, path, a->p + pl, a->len - pl);
        break;
    }
    case XS_MKDIR:
        err = xs_mkdir(c, path);
        break;
    case XS_RM:
        err = xs_rm(c, path);
        break;
    default:
        err = xs_set_perms(c, path, perms, np);
        break;
    }
    xs_free(c->s, perms);
    if (op && !err) {
        op->type = type;
        op->len = a->len;
        memcpy(op->data, a->p, a->len);
        *c->tx->ops_tail = op;
        c->tx->ops_tail = &op->next;
    } else {
        xs_free(c->s, op);
    }
    if (!err)
        reply_str(r, "OK");
    return err;
}

static bool parse_u64(const char *str, uint64_t *out)
{
    uint64_t v = 0;

    if (!*str)
        return false;
    for (; *str; str++) {
        if (*str < '0' || *str > '9' || v > (UINT64_MAX - (uint64_t)(*str - '0')) / 10)
            return false;
        v = v * 10 + (uint64_t)(*str - '0');
    }
    *out = v;
    return true;
}

#define XS_DOMID_SELF 0x7ff0u

/*
 * "domid\0mfn\0port\0" (Xen's do_introduce): the hook maps the ring, binds
 * the port and creates the connection; then the domain is introduced. A
 * domain already introduced gets OK without a second connection.
 */
static int do_introduce(struct xs_ctx *c, const struct args *a)
{
    const struct xsd_hooks *h = &c->s->hooks;
    uint16_t domid;
    uint64_t mfn;
    uint32_t port;
    const struct xs_dom *d;
    int err;

    if (!h->introduce)
        return XSE_ENOSYS;
    if (count_strings(a) < 3 || a->p[a->len - 1] || domid_arg(a->p, &domid) ||
        !parse_u64(nth(a, 1), &mfn) || !xs_parse_u32(nth(a, 2), UINT32_MAX, &port) || !port)
        return XSE_EINVAL;
    if (domid == XS_PRIV_DOMID || domid >= XS_DOMID_SELF)
        return XSE_EINVAL;
    d = xs_dom_get(c->s, domid, false);
    if (d && d->introduced)
        return 0;
    if ((err = h->introduce(h->ctx, domid, mfn, port)))
        return err;
    return xsd_introduce(c->s, domid);
}

/* "domid\0" (Xen's do_release): the hook forgets the connection; @releaseDomain fires. */
static int do_release(struct xs_ctx *c, const struct args *a)
{
    const struct xsd_hooks *h = &c->s->hooks;
    const struct xs_dom *d;
    uint16_t domid;
    int err;

    if (!h->release)
        return XSE_ENOSYS;
    if ((err = domid_arg(onearg(a), &domid)))
        return err;
    if (domid == XS_PRIV_DOMID)
        return XSE_EINVAL;
    d = xs_dom_get(c->s, domid, false);
    if (!d || !d->introduced)
        return XSE_ENOENT;
    if ((err = h->release(h->ctx, domid)))
        return err;
    return xsd_release(c->s, domid);
}

static int do_domain_op(struct xs_ctx *c, uint32_t type, const struct args *a, struct xsd_msg *r)
{
    uint16_t domid;
    int err;

    if (c->dom->domid != XS_PRIV_DOMID)
        return XSE_EACCES;
    if (type == XS_INTRODUCE) {
        err = do_introduce(c, a);
    } else if (type == XS_RELEASE) {
        err = do_release(c, a);
    } else if ((err = domid_arg(onearg(a), &domid))) {
        return err;
    } else {
        struct xs_dom *d = xs_dom_get(c->s, domid, false);
        bool yes = domid == XS_PRIV_DOMID || domid == XS_DOMID_SELF || (d && d->introduced);
        reply_str(r, yes ? "T" : "F");
        return 0;
    }
    if (!err)
        reply_str(r, "OK");
    return err;
}

int xs_dispatch(struct xs_ctx *c, uint32_t type, const char *p, uint32_t len, struct xsd_msg *r)
{
    struct args a = { .p = p, .len = len };
    char path[XENSTORE_ABS_PATH_MAX + 1], num[21];
    uint32_t id;
    uint16_t domid;
    int err;

    r->hdr.len = 0;
    switch (type) {
    case XS_READ:
    case XS_GET_PERMS:
    case XS_DIRECTORY:
        if ((err = path_arg(c, onearg(&a), path, type == XS_GET_PERMS)))
            return err;
        return do_read_like(c, type, path, r);
    case XS_DIRECTORY_PART:
        if (count_strings(&a) != 2 || (err = path_arg(c, p, path, false)) ||
            !xs_parse_u32(nth(&a, 1), UINT32_MAX, &id))
            return XSE_EINVAL;
        return do_directory_part(c, path, id, r);
    case XS_WRITE:
    case XS_MKDIR:
    case XS_RM:
    case XS_SET_PERMS:
        return do_change(c, type, &a, r);
    case XS_WATCH:
    case XS_UNWATCH:
        if (count_strings(&a) != 2)     /* Xen: exactly path and token */
            return XSE_EINVAL;
        err = type == XS_WATCH ? xs_watch(c, p, nth(&a, 1)) : xs_unwatch(c, p, nth(&a, 1));
        break;
    case XS_TRANSACTION_START:
        if (c->tx)
            return XSE_EBUSY;
        if ((err = xs_tx_start(c, &id)))
            return err;
        xs_fmt_u64(num, id);
        reply_str(r, num);
        return 0;
    case XS_TRANSACTION_END: {
        const char *arg = onearg(&a);
        if (!arg || (strcmp(arg, "T") && strcmp(arg, "F")))
            return XSE_EINVAL;  /* Xen checks the argument first */
        if (!c->tx)
            return XSE_ENOENT;
        err = xs_tx_end(c, arg[0] == 'T');
        break;
    }
    case XS_GET_DOMAIN_PATH:
        if ((err = domid_arg(onearg(&a), &domid)))
            return err;
        memcpy(path, "/local/domain/", 14);
        xs_fmt_u64(path + 14, domid);
        reply_str(r, path);
        return 0;
    case XS_INTRODUCE:
    case XS_RELEASE:
    case XS_IS_DOMAIN_INTRODUCED:
        return do_domain_op(c, type, &a, r);
    case XS_RESET_WATCHES:
        xs_reset_watches(c->s, c->dom);
        err = 0;
        break;
    default:
        return XSE_ENOSYS;      /* Xen: unknown or unimplemented type */
    }
    if (!err)
        reply_str(r, "OK");
    return err;
}

/*
 * Per type, as Xen's wire_funcs (tools/xenstored/core.c): implemented here,
 * privileged only, tx_id ignored. CONTROL, RESUME and SET_TARGET are
 * privileged in Xen: an unprivileged caller gets EACCES, as there; the
 * privileged one ENOSYS (not implemented).
 */
enum { F_KNOWN = 1, F_IMPL = 2, F_PRIV = 4, F_NOTID = 8 };
#define K_IMPL (F_KNOWN | F_IMPL)
static const uint8_t type_flags[XS_TYPE_COUNT] = {
    [XS_CONTROL] = F_KNOWN | F_PRIV,    [XS_DIRECTORY] = K_IMPL,
    [XS_READ] = K_IMPL,                 [XS_GET_PERMS] = K_IMPL,
    [XS_WATCH] = K_IMPL | F_NOTID,      [XS_UNWATCH] = K_IMPL | F_NOTID,
    [XS_TRANSACTION_START] = K_IMPL,    [XS_TRANSACTION_END] = K_IMPL,
    [XS_INTRODUCE] = K_IMPL | F_PRIV,   [XS_RELEASE] = K_IMPL | F_PRIV,
    [XS_GET_DOMAIN_PATH] = K_IMPL,      [XS_WRITE] = K_IMPL,
    [XS_MKDIR] = K_IMPL,                [XS_RM] = K_IMPL,
    [XS_SET_PERMS] = K_IMPL,            [XS_IS_DOMAIN_INTRODUCED] = K_IMPL | F_PRIV,
    [XS_RESUME] = F_KNOWN | F_PRIV,     [XS_SET_TARGET] = F_KNOWN | F_PRIV,
    [XS_RESET_WATCHES] = K_IMPL,        [XS_DIRECTORY_PART] = K_IMPL,
};

/* Xen's process_message order: unknown type (ENOSYS), privilege (EACCES), transaction id (ENOENT). */
static int check_type(struct xs_ctx *c, const struct xsd_sockmsg *hdr)
{
    uint8_t f = hdr->type < XS_TYPE_COUNT ? type_flags[hdr->type] : 0;

    if (!(f & F_KNOWN))
        return XSE_ENOSYS;
    if ((f & F_PRIV) && c->dom->domid != XS_PRIV_DOMID)
        return XSE_EACCES;
    if (!(f & F_IMPL))
        return XSE_ENOSYS;
    if (!(f & F_NOTID) && hdr->tx_id && !(c->tx = xs_tx_find(c->dom, hdr->tx_id)))
        return XSE_ENOENT;
    return 0;
}

int xsd_process(struct xsd_store *s, uint16_t domid, const struct xsd_sockmsg *hdr,
                const void *payload, struct xsd_msg *reply)
{
    struct xs_ctx c = { .s = s };
    int err = 0;

    if (hdr->len > XENSTORE_PAYLOAD_MAX || (hdr->len && !payload))
        return -1;
    reply->hdr = *hdr;
    reply->hdr.len = 0;
    if (!(c.dom = xs_dom_get(s, domid, true)))
        err = XSE_ENOMEM;
    else if (!(err = check_type(&c, hdr)))
        err = xs_dispatch(&c, hdr->type, payload, hdr->len, reply);
    if (err) {
        reply->hdr.type = XS_ERROR;
        reply->hdr.len = 0;
        reply_str(reply, xsd_errname(err));
    }
    return 0;
}
