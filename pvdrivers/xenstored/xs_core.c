/* xs_core.c: the store object, domains, watches and their events. */
#include "xs_int.h"

struct xsd_store *xsd_store_create(const struct xsd_alloc *alloc, const struct xsd_quota *quota)
{
    struct xsd_store *s = alloc->alloc(alloc->ctx, sizeof(*s));
    struct xs_node *r;

    if (!s)
        return NULL;
    memset(s, 0, sizeof(*s));
    s->a = *alloc;
    s->q = *quota;
    s->next_tx = 1;
    if (!(r = xs_alloc(s, sizeof(*r))) || !(r->perms = xs_alloc(s, sizeof(*r->perms))) ||
        !(r->name = xs_strdup(s, "", 0)) || !(r->value = xs_strdup(s, "", 0)) ||
        !xs_dom_get(s, XS_PRIV_DOMID, true)) {
        if (r) {
            s->root = r;
            r->nperms = 1;
        }
        xsd_store_destroy(s);
        return NULL;
    }
    r->perms[0] = (struct xs_perm){ .id = XS_PRIV_DOMID, .perm = 'n' };
    r->nperms = 1;
    r->gen = ++s->gen;
    s->root = r;
    /* The special nodes: only their permissions matter (who is told), "n0" as Xen. */
    s->special[0] = xs_node_new(s, "@introduceDomain", 16, "", 0, r->perms, 1);
    s->special[1] = xs_node_new(s, "@releaseDomain", 14, "", 0, r->perms, 1);
    if (!s->special[0] || !s->special[1]) {
        xsd_store_destroy(s);
        return NULL;
    }
    s->doms->nodes = 1;
    return s;
}

static void watch_free(struct xsd_store *s, struct xs_watch *w)
{
    xs_free(s, w->path);
    xs_free(s, w->token);
    xs_free(s, w);
}

/* Drop a domain's watches and transactions (Xen's RESET_WATCHES does both). */
void xs_reset_watches(struct xsd_store *s, struct xs_dom *d)
{
    while (d->watches) {
        struct xs_watch *w = d->watches;
        d->watches = w->next;
        watch_free(s, w);
    }
    while (d->txs) {
        struct xs_tx *tx = d->txs;
        d->txs = tx->next;
        xs_tx_free(s, tx);
    }
    d->nwatches = d->ntx = 0;
}

static void events_free(struct xsd_store *s, struct xs_dom *d)
{
    while (d->ev_head) {
        struct xs_event *e = d->ev_head;
        d->ev_head = e->next;
        xs_free(s, e);
    }
    d->ev_tail = &d->ev_head;
    d->nevents = 0;
}

/* Drop everything a domain's session holds: watches, transactions, queued events. */
void xs_dom_reset(struct xsd_store *s, struct xs_dom *d)
{
    xs_reset_watches(s, d);
    events_free(s, d);
}

void xsd_set_hooks(struct xsd_store *s, const struct xsd_hooks *hooks)
{
    if (hooks)
        s->hooks = *hooks;
    else
        memset(&s->hooks, 0, sizeof(s->hooks));
}

void xsd_store_destroy(struct xsd_store *s)
{
    if (!s)
        return;
    while (s->doms) {
        struct xs_dom *d = s->doms;
        s->doms = d->next;
        xs_reset_watches(s, d);
        events_free(s, d);
        xs_free(s, d);
    }
    if (s->root)
        xs_free_subtree(s, s->root);
    for (int i = 0; i < 2; i++)
        if (s->special[i])
            xs_node_free(s, s->special[i]);
    xs_free(s, s);
}

/*
 * Queue "path\0token\0" for d; a relative watch sees the path without its
 * domain's prefix. As Xen's send_event: an event longer than a message is
 * not sent (a long token plus a long path below the watch would overflow
 * the reader's message), and one identical to an undelivered event is not
 * queued twice (special names excepted).
 */
static void queue_event(struct xsd_store *s, struct xs_dom *d, const char *path,
                        const struct xs_watch *w)
{
    char pre[40];
    size_t pl, tl = strlen(w->token), n;
    struct xs_event *e;

    if (w->relative) {
        n = 14 + xs_fmt_u64(pre + 14, d->domid);
        memcpy(pre, "/local/domain/", 14);
        pre[n++] = '/';
        if (!strncmp(path, pre, n))
            path += n;
    }
    pl = strlen(path);
    if (pl + tl + 2 > XENSTORE_PAYLOAD_MAX)
        return;
    for (e = path[0] == '@' ? NULL : d->ev_head; e; e = e->next)
        if (e->len == pl + tl + 2 && !memcmp(e->body, path, pl + 1) &&
            !memcmp(e->body + pl + 1, w->token, tl + 1))
            return;
    if (d->nevents >= s->q.events || !(e = xs_alloc(s, sizeof(*e) + pl + tl + 2))) {
        d->dropped++;
        return;
    }
    memcpy(e->body, path, pl + 1);
    memcpy(e->body + pl + 1, w->token, tl + 1);
    e->len = (uint32_t)(pl + tl + 2);
    *d->ev_tail = e;
    d->ev_tail = &e->next;
    d->nevents++;
}

/* Xen's watch_permitted: d may read the node, or its parent, or (SET_PERMS) the node as it was. */
static bool fire_permitted(const struct xs_dom *d, const struct xs_node *n, const struct xs_perm *oldp,
                           uint32_t oldn)
{
    if (oldp && (xs_perm_for_list(d->domid, oldp, oldn) & XS_PERM_READ))
        return true;
    if (xs_perm_for(d->domid, n) & XS_PERM_READ)
        return true;
    return n->parent && (xs_perm_for(d->domid, n->parent) & XS_PERM_READ);
}

void xs_fire(struct xsd_store *s, const char *path, const struct xs_node *n, bool exact,
             const struct xs_perm *oldp, uint32_t oldn)
{
    struct xs_dom *d;
    struct xs_watch *w;

    for (d = s->doms; d; d = d->next) {
        if (!d->watches || !fire_permitted(d, n, oldp, oldn))
            continue;
        for (w = d->watches; w; w = w->next)
            if (exact ? !strcmp(path, w->path) : xs_is_child(path, w->path))
                queue_event(s, d, path, w);
    }
}

/*
 * @introduceDomain / @releaseDomain (Xen's fire_special_watches): watches
 * on exactly that name, of domains that may read the special node (its
 * permissions, "n0" by default: privileged watchers only, as Xen since
 * XSA-115) or "/". The event carries the name and the token only.
 */
static void fire_special(struct xsd_store *s, const char *name)
{
    const struct xs_node *sp = xs_special(s, name);
    struct xs_dom *d;
    struct xs_watch *w;

    for (d = s->doms; d; d = d->next) {
        if (!((xs_perm_for(d->domid, sp) | xs_perm_for(d->domid, s->root)) & XS_PERM_READ))
            continue;
        for (w = d->watches; w; w = w->next)
            if (!strcmp(w->path, name))
                queue_event(s, d, name, w);
    }
}

struct xs_node *xs_special(struct xsd_store *s, const char *name)
{
    if (!strcmp(name, "@introduceDomain"))
        return s->special[0];
    if (!strcmp(name, "@releaseDomain"))
        return s->special[1];
    return NULL;
}

bool xsd_next_event(struct xsd_store *s, uint16_t domid, struct xsd_msg *ev)
{
    struct xs_dom *d = xs_dom_get(s, domid, false);
    struct xs_event *e;

    if (!d || !(e = d->ev_head))
        return false;
    if (!(d->ev_head = e->next))
        d->ev_tail = &d->ev_head;
    d->nevents--;
    ev->hdr = (struct xsd_sockmsg){ .type = XS_WATCH_EVENT, .len = e->len };
    memcpy(ev->body, e->body, e->len);
    xs_free(s, e);
    return true;
}

uint32_t xsd_events_dropped(struct xsd_store *s, uint16_t domid)
{
    struct xs_dom *d = xs_dom_get(s, domid, false);

    return d ? d->dropped : 0;
}

int xs_watch(struct xs_ctx *c, const char *path, const char *token)
{
    char canon[XENSTORE_ABS_PATH_MAX + 1];
    struct xs_dom *d = c->dom;
    struct xs_watch *w, **pp;
    bool rel;
    int err = xs_canon(d->domid, path, true, canon, &rel);

    if (err)
        return err;
    for (w = d->watches; w; w = w->next)
        if (!strcmp(w->path, canon) && !strcmp(w->token, token))
            return XSE_EEXIST;
    if (d->domid != XS_PRIV_DOMID && d->nwatches >= c->s->q.watches)
        return XSE_E2BIG;
    if (!(w = xs_alloc(c->s, sizeof(*w))) || !(w->path = xs_strdup(c->s, canon, strlen(canon))) ||
        !(w->token = xs_strdup(c->s, token, strlen(token)))) {
        if (w)
            watch_free(c->s, w);
        return XSE_ENOMEM;
    }
    w->relative = rel;
    for (pp = &d->watches; *pp; pp = &(*pp)->next)     /* in registration order, as Xen */
        ;
    *pp = w;
    d->nwatches++;
    queue_event(c->s, d, canon, w);     /* the initial fire */
    return 0;
}

int xs_unwatch(struct xs_ctx *c, const char *path, const char *token)
{
    char canon[XENSTORE_ABS_PATH_MAX + 1];
    struct xs_watch **pp, *w;
    bool rel;
    int err = xs_canon(c->dom->domid, path, true, canon, &rel);

    if (err)
        return err;
    for (pp = &c->dom->watches; (w = *pp); pp = &w->next)
        if (!strcmp(w->path, canon) && !strcmp(w->token, token)) {
            *pp = w->next;
            watch_free(c->s, w);
            c->dom->nwatches--;
            return 0;
        }
    return XSE_ENOENT;
}

int xsd_introduce(struct xsd_store *s, uint16_t domid)
{
    struct xs_dom *d = xs_dom_get(s, domid, true);

    if (!d)
        return XSE_ENOMEM;
    if (!d->introduced) {
        d->introduced = true;
        fire_special(s, "@introduceDomain");
    }
    return 0;
}

int xsd_release(struct xsd_store *s, uint16_t domid)
{
    struct xs_dom *d = xs_dom_get(s, domid, false);

    if (domid == XS_PRIV_DOMID)
        return XSE_EINVAL;
    if (!d || !d->introduced)
        return XSE_ENOENT;
    xs_dom_reset(s, d);
    d->introduced = false;
    fire_special(s, "@releaseDomain");
    return 0;
}
