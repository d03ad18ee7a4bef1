/* xs_int.h: the store library's private structures and the contracts between its files. */
#ifndef XS_INT_H
#define XS_INT_H

#include <tandem-lib/string.h>   /* libtandem: the guest links no libc */
#include "xenstored.h"

#define X(n, v) XSE_##n = v,
enum { XSD_ERRORS(X) };
#undef X

#define XS_PERM_READ  1u
#define XS_PERM_WRITE 2u
#define XS_PRIV_DOMID 0

struct xs_perm {
    uint16_t id;
    char perm;                  /* 'n', 'r', 'w', 'b' */
};

struct xs_node {
    char *name;                 /* one path component; "" for the root */
    struct xs_node *parent, *child, *next;  /* child: first child; next: sibling */
    char *value;
    uint32_t vlen;
    struct xs_perm *perms;      /* perms[0]: owner and default for others */
    uint32_t nperms;
    uint32_t childlen;          /* bytes of the children names, each with its NUL */
    uint64_t gen;               /* store generation of its last change; 0 = "absent" */
    uint8_t flags;              /* XS_NODE_*: only in a transaction's view (xs_tx.c) */
};
#define XS_NODE_STUB   1u       /* name only: value, perms, gen still in the main tree */
#define XS_NODE_LOADED 2u       /* its children (as stubs at least) are in the view */

struct xs_watch {
    struct xs_watch *next;
    char *path;                 /* canonical (absolute or "@...") */
    char *token;
    bool relative;              /* registered relative: events stripped of the domain prefix */
};

struct xs_event {
    struct xs_event *next;
    uint32_t len;
    char body[];                /* "path\0token\0" */
};

struct xs_note {                /* a node a transaction looked at, with its generation then */
    struct xs_note *next;
    uint64_t gen;
    char path[];
};

struct xs_op {                  /* a change a transaction made, replayed on commit */
    struct xs_op *next;
    uint32_t type, len;
    char data[];                /* the request payload */
};

struct xs_tx {
    struct xs_tx *next;
    uint32_t id;
    struct xs_node *root;       /* its view of the tree: what it reached, and its changes */
    struct xs_note *notes;
    struct xs_op *ops, **ops_tail;
    int32_t node_delta;         /* nodes created minus removed for its domain */
    uint32_t nnodes;            /* nodes accessed (quota tx_nodes) */
    size_t mem;                 /* bytes allocated for it (quota tx_memory) */
};

struct xs_dom {
    struct xs_dom *next;
    uint16_t domid;
    bool introduced;
    uint32_t nodes, nwatches, ntx, nevents, dropped;
    struct xs_watch *watches;
    struct xs_tx *txs;
    struct xs_event *ev_head, **ev_tail;
};

struct xsd_store {
    struct xsd_alloc a;
    struct xsd_quota q;
    struct xs_node *root;
    struct xs_dom *doms;
    uint64_t gen;
    uint32_t next_tx;
    struct xs_node *special[2]; /* @introduceDomain, @releaseDomain: detached, perms only */
    struct xsd_hooks hooks;     /* XS_INTRODUCE / XS_RELEASE over the wire; unset: ENOSYS */
};

/* What an operation acts on: the main tree or a transaction's copy. */
struct xs_ctx {
    struct xsd_store *s;
    struct xs_dom *dom;         /* the client */
    struct xs_tx *tx;           /* NULL: the main tree */
    bool replay;                /* a commit replaying a transaction: no quotas */
};

/* xs_util.c */
void *xs_alloc(struct xsd_store *s, size_t n);
void xs_free(struct xsd_store *s, void *p);
char *xs_strdup(struct xsd_store *s, const char *str, size_t len);
/* Parse decimal digits only, value <= max; false otherwise. */
bool xs_parse_u32(const char *str, uint32_t max, uint32_t *out);
/* Write v in decimal plus NUL to buf (>= 21 bytes); returns the length without the NUL. */
size_t xs_fmt_u64(char *buf, uint64_t v);
/* Canonical form of a client path into out (XENSTORE_ABS_PATH_MAX + 1 bytes); EINVAL if invalid. */
int xs_canon(uint16_t domid, const char *in, bool allow_special, char *out, bool *relative);
bool xs_is_child(const char *child, const char *parent);
struct xs_dom *xs_dom_get(struct xsd_store *s, uint16_t domid, bool create);

/* xs_tree.c */
struct xs_node *xs_lookup(struct xs_node *root, const char *path);
unsigned int xs_perm_for(uint16_t domid, const struct xs_node *n);
unsigned int xs_perm_for_list(uint16_t domid, const struct xs_perm *p, uint32_t n);
/* The node at path if domid has `need` on it; else NULL with *err EACCES/ENOENT as Xen. */
struct xs_node *xs_get(struct xs_ctx *c, const char *path, unsigned int need, int *err);
int xs_write(struct xs_ctx *c, const char *path, const char *val, uint32_t vlen);
int xs_mkdir(struct xs_ctx *c, const char *path);
int xs_rm(struct xs_ctx *c, const char *path);
int xs_set_perms(struct xs_ctx *c, const char *path, const struct xs_perm *p, uint32_t n);
/* Perms string "w0\0r1\0" into buf; its length, or 0 if it does not fit. */
uint32_t xs_perms_str(const struct xs_node *n, char *buf, uint32_t size);
/* A detached node (no parent, children, siblings, flags) with copies of name, value and perms; NULL without memory. */
struct xs_node *xs_node_new(struct xsd_store *s, const char *name, size_t nlen, const char *value,
                           uint32_t vlen, const struct xs_perm *perms, uint32_t nperms);
void xs_node_free(struct xsd_store *s, struct xs_node *n);
void xs_free_subtree(struct xsd_store *s, struct xs_node *n);
/* Full path of n into buf (XENSTORE_ABS_PATH_MAX + 1). */
void xs_node_path(const struct xs_node *n, char *buf);

/* xs_tx.c: transactions; with c->tx NULL the view functions do nothing. */
/* Charge bytes (and an accessed node) to c's transaction: ENOSPC / ENOMEM over its quota. */
int xs_tx_charge(struct xs_ctx *c, size_t bytes, bool node);
/* Stub n filled from the main tree; *gone: it has left it (n freed). */
int xs_tx_fill(struct xs_ctx *c, struct xs_node *n, bool *gone);
/* n's children list copied into the view (as stubs) if not yet. */
int xs_tx_load(struct xs_ctx *c, struct xs_node *n);
/* Everything below n filled and loaded. */
int xs_tx_load_subtree(struct xs_ctx *c, struct xs_node *n);
void xs_tx_free(struct xsd_store *s, struct xs_tx *tx);
int xs_tx_note(struct xs_ctx *c, const char *path);
struct xs_tx *xs_tx_find(struct xs_dom *d, uint32_t id);
int xs_tx_start(struct xs_ctx *c, uint32_t *id);
int xs_tx_end(struct xs_ctx *c, bool commit);

/* xs_core.c */
/*
 * A change at path (node n, still in the tree for a removal): watches on
 * path (exact) or on path or an ancestor (!exact) fire with path, for the
 * watchers that may read n, its parent or (oldp: SET_PERMS) n as it was.
 */
void xs_fire(struct xsd_store *s, const char *path, const struct xs_node *n, bool exact,
             const struct xs_perm *oldp, uint32_t oldn);
/* The special node called name, or NULL. */
struct xs_node *xs_special(struct xsd_store *s, const char *name);
int xs_watch(struct xs_ctx *c, const char *path, const char *token);
int xs_unwatch(struct xs_ctx *c, const char *path, const char *token);
void xs_reset_watches(struct xsd_store *s, struct xs_dom *d);
/* xs_reset_watches plus the queued events (a reconnect, a broken connection, a release). */
void xs_dom_reset(struct xsd_store *s, struct xs_dom *d);
/* Carry out one request (payload already length-checked) into reply; an errno or 0. */
int xs_dispatch(struct xs_ctx *c, uint32_t type, const char *p, uint32_t len, struct xsd_msg *r);

#endif
