/*
 * xs_tx.c: transactions (Xen's transaction.c model). A transaction does not
 * copy the tree: it holds a sparse view of it, nodes copied from the main
 * tree when it first reaches them, plus its own writes and removals made in
 * that view (the overlay). Each node it reads, lists, writes, creates or
 * removes is noted with the generation it had then (0: absent). A commit
 * succeeds only if every noted node still has that generation in the main
 * tree; then the transaction's requests are replayed on the main tree in
 * one call, which gives the same tree the view showed (everything they
 * depended on is unchanged) and fires their watches, at commit only.
 *
 * The view's invariants: a node flagged XS_NODE_STUB holds only its name
 * (its parent was listed; value, permissions and generation are copied
 * when something reaches it); a node has children in the view only once
 * flagged XS_NODE_LOADED (its children list copied, as stubs), and nodes
 * the transaction created are loaded from birth.
 */
#include "xs_int.h"

/* Account what a transaction holds: `node` counts an accessed node (Xen's transaction-nodes). */
int xs_tx_charge(struct xs_ctx *c, size_t bytes, bool node)
{
    struct xs_tx *tx = c->tx;

    if (!tx)
        return 0;
    if (c->dom->domid != XS_PRIV_DOMID) {
        if (node && tx->nnodes >= c->s->q.tx_nodes)
            return XSE_ENOSPC;
        if (bytes > c->s->q.tx_memory - tx->mem)
            return XSE_ENOMEM;
    }
    tx->mem += bytes;
    tx->nnodes += node;
    return 0;
}

static void unlink_child(struct xs_node *n)
{
    struct xs_node **pp;

    for (pp = &n->parent->child; *pp != n; pp = &(*pp)->next)
        ;
    *pp = n->next;
    n->parent->childlen -= (uint32_t)strlen(n->name) + 1;
    n->next = NULL;
}

/*
 * Give stub n its value, permissions and generation from the main tree.
 * A node gone from the main tree since its parent was listed leaves the
 * view (freed, *gone set): the view shows the main tree as it is now.
 */
int xs_tx_fill(struct xs_ctx *c, struct xs_node *n, bool *gone)
{
    char path[XENSTORE_ABS_PATH_MAX + 1];
    const struct xs_node *m;
    char *value;
    struct xs_perm *perms;
    int err;

    *gone = false;
    if (!(n->flags & XS_NODE_STUB))
        return 0;
    xs_node_path(n, path);
    if (!(m = xs_lookup(c->s->root, path))) {
        unlink_child(n);
        xs_free_subtree(c->s, n);
        *gone = true;
        return 0;
    }
    if ((err = xs_tx_charge(c, m->vlen + 1 + m->nperms * sizeof(*perms), true)))
        return err;
    value = xs_strdup(c->s, m->value, m->vlen);
    perms = xs_alloc(c->s, m->nperms * sizeof(*perms));
    if (!value || !perms) {
        xs_free(c->s, value);
        xs_free(c->s, perms);
        return XSE_ENOMEM;
    }
    memcpy(perms, m->perms, m->nperms * sizeof(*perms));
    xs_free(c->s, n->value);
    xs_free(c->s, n->perms);
    n->value = value;
    n->vlen = m->vlen;
    n->perms = perms;
    n->nperms = m->nperms;
    n->gen = m->gen;
    n->childlen = m->childlen;
    n->flags &= (uint8_t)~XS_NODE_STUB;
    return 0;
}

/* Copy the main tree's children list of (filled) n into the view, as stubs. */
int xs_tx_load(struct xs_ctx *c, struct xs_node *n)
{
    static const struct xs_perm none = { .id = XS_PRIV_DOMID, .perm = 'n' };
    char path[XENSTORE_ABS_PATH_MAX + 1];
    const struct xs_node *m, *ch;
    struct xs_node **link = &n->child;
    int err;

    if (!c->tx || (n->flags & XS_NODE_LOADED))
        return 0;
    xs_node_path(n, path);
    m = xs_lookup(c->s->root, path);
    n->childlen = 0;
    for (ch = m ? m->child : NULL; ch; ch = ch->next) {
        size_t nl = strlen(ch->name);
        struct xs_node *st;
        if ((err = xs_tx_charge(c, sizeof(*st) + nl + 2 + sizeof(none), false)))
            return err;
        if (!(st = xs_node_new(c->s, ch->name, nl, "", 0, &none, 1)))
            return XSE_ENOMEM;
        st->flags = XS_NODE_STUB;
        st->parent = n;
        *link = st;
        link = &st->next;
        n->childlen += (uint32_t)nl + 1;
    }
    n->flags |= XS_NODE_LOADED;
    return 0;
}

/* Everything below n in the view, filled and loaded (rm looks at each node's owner). */
int xs_tx_load_subtree(struct xs_ctx *c, struct xs_node *top)
{
    struct xs_node *m = top, *ch, *next;
    bool gone;
    int err;

    if (!c->tx)
        return 0;
    for (;;) {
        if ((err = xs_tx_load(c, m)))
            return err;
        for (ch = m->child; ch; ch = next) {
            next = ch->next;
            if ((err = xs_tx_fill(c, ch, &gone)))
                return err;
        }
        if (m->child) {
            m = m->child;
            continue;
        }
        while (m != top && !m->next)
            m = m->parent;
        if (m == top)
            return 0;
        m = m->next;
    }
}

void xs_tx_free(struct xsd_store *s, struct xs_tx *tx)
{
    while (tx->notes) {
        struct xs_note *n = tx->notes;
        tx->notes = n->next;
        xs_free(s, n);
    }
    while (tx->ops) {
        struct xs_op *o = tx->ops;
        tx->ops = o->next;
        xs_free(s, o);
    }
    if (tx->root)
        xs_free_subtree(s, tx->root);
    xs_free(s, tx);
}

struct xs_tx *xs_tx_find(struct xs_dom *d, uint32_t id)
{
    struct xs_tx *tx;

    for (tx = d->txs; tx; tx = tx->next)
        if (tx->id == id)
            return tx;
    return NULL;
}

/* Remember the generation the transaction's view first showed at path (0: absent). */
int xs_tx_note(struct xs_ctx *c, const char *path)
{
    struct xs_note *n;
    struct xs_node *node;
    size_t len = strlen(path);
    int err;

    if (!c->tx)
        return 0;
    for (n = c->tx->notes; n; n = n->next)
        if (!strcmp(n->path, path))
            return 0;
    if ((err = xs_tx_charge(c, sizeof(*n) + len + 1, false)))
        return err;
    if (!(n = xs_alloc(c->s, sizeof(*n) + len + 1)))
        return XSE_ENOMEM;
    memcpy(n->path, path, len + 1);
    node = xs_lookup(c->tx->root, path);
    n->gen = node ? node->gen : 0;
    n->next = c->tx->notes;
    c->tx->notes = n;
    return 0;
}

int xs_tx_start(struct xs_ctx *c, uint32_t *id)
{
    struct xs_dom *d = c->dom;
    const struct xs_node *r = c->s->root;
    struct xs_tx *tx;

    if (d->domid != XS_PRIV_DOMID && d->ntx >= c->s->q.transactions)
        return XSE_ENOSPC;
    if (!(tx = xs_alloc(c->s, sizeof(*tx))))
        return XSE_ENOMEM;
    /* The view starts as "/" alone, filled, its children not yet listed. */
    if (!(tx->root = xs_node_new(c->s, "", 0, r->value, r->vlen, r->perms, r->nperms))) {
        xs_free(c->s, tx);
        return XSE_ENOMEM;
    }
    tx->root->gen = r->gen;
    tx->root->childlen = r->childlen;
    tx->ops_tail = &tx->ops;
    do {
        tx->id = c->s->next_tx++;
    } while (!tx->id || xs_tx_find(d, tx->id));
    tx->next = d->txs;
    d->txs = tx;
    d->ntx++;
    *id = tx->id;
    return 0;
}

/* Commit (replaying the logged requests on the main tree) unless a noted node changed: EAGAIN. */
int xs_tx_end(struct xs_ctx *c, bool commit)
{
    struct xs_tx *tx = c->tx, **pp;
    struct xs_note *n;
    struct xs_op *o;
    struct xsd_msg *scratch = NULL;
    int err = 0;

    for (pp = &c->dom->txs; *pp != tx; pp = &(*pp)->next)
        ;
    *pp = tx->next;
    c->dom->ntx--;
    for (n = tx->notes; commit && n; n = n->next) {
        struct xs_node *m = xs_lookup(c->s->root, n->path);
        if ((m ? m->gen : 0) != n->gen) {
            err = XSE_EAGAIN;
            break;
        }
    }
    if (commit && !err && tx->ops && !(scratch = xs_alloc(c->s, sizeof(*scratch))))
        err = XSE_ENOMEM;
    if (commit && !err) {
        struct xs_ctx rc = { .s = c->s, .dom = c->dom, .tx = NULL, .replay = true };
        for (o = tx->ops; o; o = o->next)
            (void)xs_dispatch(&rc, o->type, o->data, o->len, scratch);
    }
    xs_free(c->s, scratch);
    xs_tx_free(c->s, tx);
    return err;
}
