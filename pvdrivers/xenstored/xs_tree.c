/* xs_tree.c: the node tree of the store: lookup, permissions, write, mkdir, rm, set_perms. */
#include "xs_int.h"

static bool limited(const struct xs_ctx *c)
{
    return !c->replay && c->dom->domid != XS_PRIV_DOMID;
}

static struct xs_node *tree_root(const struct xs_ctx *c)
{
    return c->tx ? c->tx->root : c->s->root;
}


static struct xs_node *find_child(const struct xs_node *n, const char *name, size_t len)
{
    struct xs_node *ch;

    for (ch = n->child; ch; ch = ch->next)
        if (strlen(ch->name) == len && !memcmp(ch->name, name, len))
            return ch;
    return NULL;
}

/*
 * Walk path from root as far as it exists: the deepest existing node;
 * *rest points at the first missing component ("" if path exists). With a
 * transaction (c->tx) the walk goes through its view, copying in from the
 * main tree what it reaches (xs_tx.c); *err is then set if that failed.
 */
static struct xs_node *walk(struct xs_ctx *c, struct xs_node *root, const char *path,
                            const char **rest, int *err)
{
    struct xs_node *n = root, *ch;
    const char *p = path + 1;
    bool gone;

    *err = 0;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        if (c && (*err = xs_tx_load(c, n)))
            break;
        if (!(ch = find_child(n, p, len)))
            break;
        if (c && (*err = xs_tx_fill(c, ch, &gone)))
            break;
        if (c && gone)
            break;
        n = ch;
        p += len + (e ? 1 : 0);
    }
    *rest = p;
    return n;
}

/* walk() from the tree the request acts on; a transaction's view copies in as it goes. */
static struct xs_node *walk_ctx(struct xs_ctx *c, const char *path, const char **rest, int *err)
{
    return walk(c->tx ? c : NULL, tree_root(c), path, rest, err);
}

struct xs_node *xs_lookup(struct xs_node *root, const char *path)
{
    const char *rest;
    int err;
    struct xs_node *n = walk(NULL, root, path, &rest, &err);

    return *rest ? NULL : n;
}

static unsigned int perm_bits(char p)
{
    switch (p) {
    case 'r': return XS_PERM_READ;
    case 'w': return XS_PERM_WRITE;
    case 'b': return XS_PERM_READ | XS_PERM_WRITE;
    default:  return 0;
    }
}

/* Xen's perm_for_conn: privileged and owner get everything, else the entry for domid, else the default. */
unsigned int xs_perm_for_list(uint16_t domid, const struct xs_perm *p, uint32_t n)
{
    uint32_t i;

    if (domid == XS_PRIV_DOMID || p[0].id == domid)
        return XS_PERM_READ | XS_PERM_WRITE;
    for (i = 1; i < n; i++)
        if (p[i].id == domid)
            return perm_bits(p[i].perm);
    return perm_bits(p[0].perm);
}

unsigned int xs_perm_for(uint16_t domid, const struct xs_node *n)
{
    return xs_perm_for_list(domid, n->perms, n->nperms);
}

/* "@introduceDomain" etc.: outside the tree and transactions; a missing one as a missing child of "/". */
static struct xs_node *get_special(struct xs_ctx *c, const char *path, unsigned int need, int *err)
{
    struct xs_node *n = xs_special(c->s, path);

    if (!n)
        *err = (xs_perm_for(c->dom->domid, c->s->root) & need) == need ? XSE_ENOENT : XSE_EACCES;
    else if ((xs_perm_for(c->dom->domid, n) & need) != need)
        *err = XSE_EACCES;
    else
        *err = 0;
    return *err ? NULL : n;
}

/* A missing node: EACCES unless the nearest existing ancestor grants `need` (Xen's errno_from_parents). */
struct xs_node *xs_get(struct xs_ctx *c, const char *path, unsigned int need, int *err)
{
    const char *rest;
    struct xs_node *n;

    if (path[0] == '@')
        return get_special(c, path, need, err);
    n = walk_ctx(c, path, &rest, err);
    if (*err)
        return NULL;
    if (*rest) {
        *err = (xs_perm_for(c->dom->domid, n) & need) == need ? XSE_ENOENT : XSE_EACCES;
        if (*err == XSE_ENOENT && xs_tx_note(c, path))
            *err = XSE_ENOMEM;
        return NULL;
    }
    if ((xs_perm_for(c->dom->domid, n) & need) != need) {
        *err = XSE_EACCES;
        return NULL;
    }
    *err = xs_tx_note(c, path);
    return *err ? NULL : n;
}

static uint32_t perms_len(const struct xs_perm *p, uint32_t n)
{
    char num[21];
    uint32_t i, len = 0;

    for (i = 0; i < n; i++)
        len += 2 + (uint32_t)xs_fmt_u64(num, p[i].id);
    return len;
}

uint32_t xs_perms_str(const struct xs_node *n, char *buf, uint32_t size)
{
    uint32_t i, len = 0;

    if (perms_len(n->perms, n->nperms) > size)
        return 0;
    for (i = 0; i < n->nperms; i++) {
        buf[len++] = n->perms[i].perm;
        len += (uint32_t)xs_fmt_u64(buf + len, n->perms[i].id) + 1;
    }
    return len;
}

static uint32_t node_size(const struct xs_node *n, uint32_t vlen, uint32_t childlen)
{
    return vlen + childlen + perms_len(n->perms, n->nperms);
}

/* Charge (delta > 0) or refund a node to its owner. */
static void acct(struct xs_ctx *c, uint16_t owner, int delta)
{
    struct xs_dom *d;

    if (c->tx) {
        if (owner == c->dom->domid)
            c->tx->node_delta += delta;
    } else if ((d = xs_dom_get(c->s, owner, false))) {
        d->nodes += (uint32_t)delta;
    }
}

void xs_node_free(struct xsd_store *s, struct xs_node *n)
{
    xs_free(s, n->name);
    xs_free(s, n->value);
    xs_free(s, n->perms);
    xs_free(s, n);
}

/* Free n and everything below it (iterative: a deep tree must not exhaust a kernel stack). */
void xs_free_subtree(struct xsd_store *s, struct xs_node *root)
{
    struct xs_node *n = root;

    for (;;) {
        struct xs_node *p = n->parent, *next = n->next;
        bool last;
        while (n->child) {
            n = n->child;
            p = n->parent;
            next = n->next;
        }
        last = n == root;
        xs_node_free(s, n);
        if (last)
            return;
        p->child = next;
        n = next ? next : p;
    }
}

struct xs_node *xs_node_new(struct xsd_store *s, const char *name, size_t nlen, const char *value,
                           uint32_t vlen, const struct xs_perm *perms, uint32_t nperms)
{
    struct xs_node *n = xs_alloc(s, sizeof(*n));

    if (!n)
        return NULL;
    n->name = xs_strdup(s, name, nlen);
    n->value = xs_strdup(s, value, vlen);
    n->perms = xs_alloc(s, nperms * sizeof(*perms));
    if (!n->name || !n->value || !n->perms) {
        xs_node_free(s, n);
        return NULL;
    }
    memcpy(n->perms, perms, nperms * sizeof(*perms));
    n->nperms = nperms;
    n->vlen = vlen;
    return n;
}

void xs_node_path(const struct xs_node *n, char *buf)
{
    const struct xs_node *m;
    size_t len = 0;

    if (!n->parent) {
        memcpy(buf, "/", 2);
        return;
    }
    for (m = n; m->parent; m = m->parent)
        len += 1 + strlen(m->name);
    buf[len] = '\0';
    for (m = n; m->parent; m = m->parent) {
        size_t l = strlen(m->name);
        len -= l;
        memcpy(buf + len, m->name, l);
        buf[--len] = '/';
    }
}

static void add_child(struct xsd_store *s, struct xs_node *parent, struct xs_node *ch)
{
    struct xs_node **pp = &parent->child;

    while (*pp)
        pp = &(*pp)->next;
    *pp = ch;
    ch->parent = parent;
    parent->childlen += (uint32_t)strlen(ch->name) + 1;
    parent->gen = ++s->gen;
}

/* Create path and its missing parents, perms inherited (Xen's construct_node). */
static int create(struct xs_ctx *c, const char *path, uint32_t vlen, struct xs_node **out)
{
    struct xsd_store *s = c->s;
    const char *rest, *p;
    int err;
    struct xs_node *anc = walk_ctx(c, path, &rest, &err), *first = NULL, *last = NULL;
    uint16_t owner = limited(c) ? c->dom->domid : anc->perms[0].id;
    uint32_t k = 1, i;
    char buf[XENSTORE_ABS_PATH_MAX + 1];

    if (err)
        return err;
    for (p = rest; *p; p++)
        k += *p == '/';
    if (limited(c)) {
        int64_t have = (int64_t)c->dom->nodes + (c->tx ? c->tx->node_delta : 0);
        const char *e = strchr(rest, '/');
        size_t l = e ? (size_t)(e - rest) : strlen(rest);
        if (have + k > s->q.nodes)
            return XSE_ENOSPC;
        if (vlen + perms_len(anc->perms, anc->nperms) > s->q.entry_size)
            return XSE_ENOSPC;
        if (node_size(anc, anc->vlen, anc->childlen + (uint32_t)l + 1) > s->q.entry_size)
            return XSE_ENOSPC;
    }
    xs_node_path(anc, buf);
    if ((err = xs_tx_note(c, buf)))
        return err;
    for (p = rest;;) {
        const char *e = strchr(p, '/');
        size_t plen = e ? (size_t)(e - path) : strlen(path);
        struct xs_node *n;
        memcpy(buf, path, plen);
        buf[plen] = '\0';
        if ((err = xs_tx_note(c, buf)))
            goto fail;
        if ((err = xs_tx_charge(c, sizeof(*n) + plen + 2 + anc->nperms * sizeof(*anc->perms), true)))
            goto fail;
        if (!(n = xs_node_new(s, p, plen - (size_t)(p - path), "", 0, anc->perms, anc->nperms)))
            goto nomem;
        n->perms[0].id = owner;
        n->gen = ++s->gen;
        n->flags = XS_NODE_LOADED;      /* a transaction's own node: no children elsewhere */
        if (last) {
            last->child = n;
            n->parent = last;
            last->childlen = (uint32_t)strlen(n->name) + 1;
        } else {
            first = n;
        }
        last = n;
        if (!e)
            break;
        p = e + 1;
    }
    add_child(s, anc, first);
    for (i = 0; i < k; i++)
        acct(c, owner, 1);
    *out = last;
    return 0;
nomem:
    err = XSE_ENOMEM;
fail:
    if (first)
        xs_free_subtree(s, first);
    return err;
}

int xs_write(struct xs_ctx *c, const char *path, const char *val, uint32_t vlen)
{
    int err;
    struct xs_node *n = xs_get(c, path, XS_PERM_WRITE, &err);
    char *nv;

    if (!n && err != XSE_ENOENT)
        return err;
    if (limited(c) && vlen > c->s->q.entry_size)
        return XSE_ENOSPC;
    if (n && limited(c) && node_size(n, vlen, n->childlen) > c->s->q.entry_size)
        return XSE_ENOSPC;
    if ((err = xs_tx_charge(c, vlen + 1, false)))
        return err;
    if (!(nv = xs_strdup(c->s, val, vlen)))
        return XSE_ENOMEM;
    if (!n && (err = create(c, path, vlen, &n))) {
        xs_free(c->s, nv);
        return err;
    }
    xs_free(c->s, n->value);
    n->value = nv;
    n->vlen = vlen;
    n->gen = ++c->s->gen;
    if (!c->tx)
        xs_fire(c->s, path, n, false, NULL, 0);
    return 0;
}

int xs_mkdir(struct xs_ctx *c, const char *path)
{
    int err;
    struct xs_node *n = xs_get(c, path, XS_PERM_WRITE, &err);

    if (n)
        return 0;
    if (err != XSE_ENOENT || (err = create(c, path, 0, &n)))
        return err;
    if (!c->tx)
        xs_fire(c->s, path, n, false, NULL, 0);
    return 0;
}

/*
 * Xen's rm_node: every removed node fires, deepest first; the top one for
 * watches on it or above, each one below for watches on exactly it. Before
 * the unlinking, so permissions (the node's or its parent's) still apply.
 */
static void fire_rm(struct xsd_store *s, const struct xs_node *top)
{
    char buf[XENSTORE_ABS_PATH_MAX + 1];
    const struct xs_node *m = top;

    while (m->child)
        m = m->child;
    for (;;) {
        xs_node_path(m, buf);
        xs_fire(s, buf, m, m != top, NULL, 0);
        if (m == top)
            return;
        if (m->next) {
            m = m->next;
            while (m->child)
                m = m->child;
        } else {
            m = m->parent;
        }
    }
}

int xs_rm(struct xs_ctx *c, const char *path)
{
    int err;
    struct xs_node *n, *m, *parent;
    char buf[XENSTORE_ABS_PATH_MAX + 1];

    if (!(n = xs_get(c, path, XS_PERM_WRITE, &err))) {
        const char *rest;
        if (err != XSE_ENOENT)
            return err;
        walk_ctx(c, path, &rest, &err);
        if (err)
            return err;
        return strchr(rest, '/') ? XSE_ENOENT : 0;   /* parent exists: nothing to do (Xen) */
    }
    if (!n->parent)
        return XSE_EINVAL;                          /* "/", once write access is known (Xen) */
    if ((err = xs_tx_load_subtree(c, n)))
        return err;
    parent = n->parent;
    xs_node_path(parent, buf);
    if ((err = xs_tx_note(c, buf)))
        return err;
    for (m = n; m; ) {          /* every node below: note (tx) and refund its owner */
        xs_node_path(m, buf);
        if ((err = xs_tx_note(c, buf)))
            return err;
        if (m->child) {
            m = m->child;
            continue;
        }
        while (m != n && !m->next)
            m = m->parent;
        m = m == n ? NULL : m->next;
    }
    for (m = n; m; ) {
        acct(c, m->perms[0].id, -1);
        if (m->child) {
            m = m->child;
            continue;
        }
        while (m != n && !m->next)
            m = m->parent;
        m = m == n ? NULL : m->next;
    }
    if (!c->tx)
        fire_rm(c->s, n);
    for (struct xs_node **pp = &parent->child; *pp; pp = &(*pp)->next)
        if (*pp == n) {
            *pp = n->next;
            break;
        }
    parent->childlen -= (uint32_t)strlen(n->name) + 1;
    parent->gen = ++c->s->gen;
    n->next = NULL;
    xs_free_subtree(c->s, n);
    return 0;
}

/* Xen's do_set_perms after the perms are parsed: owner (or privileged), EPERM to give away. */
int xs_set_perms(struct xs_ctx *c, const char *path, const struct xs_perm *p, uint32_t np)
{
    int err;
    struct xs_node *n = xs_get(c, path, XS_PERM_WRITE, &err);
    struct xs_perm *copy, *old;
    uint32_t oldn;
    bool special = path[0] == '@';

    if (!n)
        return err;
    if (c->dom->domid != XS_PRIV_DOMID && n->perms[0].id != c->dom->domid)
        return XSE_EACCES;
    if (limited(c) && p[0].id != n->perms[0].id)
        return XSE_EPERM;
    if (limited(c) && n->vlen + n->childlen + perms_len(p, np) > c->s->q.entry_size)
        return XSE_ENOSPC;
    if (!c->tx && !special && !xs_dom_get(c->s, p[0].id, true))
        return XSE_ENOMEM;
    if (!special && (err = xs_tx_charge(c, np * sizeof(*p), false)))
        return err;
    if (!(copy = xs_alloc(c->s, np * sizeof(*p))))
        return XSE_ENOMEM;
    memcpy(copy, p, np * sizeof(*p));
    if (!special) {
        acct(c, n->perms[0].id, -1);
        acct(c, p[0].id, 1);
    }
    old = n->perms;
    oldn = n->nperms;
    n->perms = copy;
    n->nperms = np;
    n->gen = ++c->s->gen;
    if (!c->tx && !special)
        xs_fire(c->s, path, n, false, old, oldn);   /* also to who could read it before */
    xs_free(c->s, old);
    return 0;
}
