/* xs_util.c: memory, numbers, path canonicalisation and the domain table of the store. */
/* Only the string functions libtandem has: memcpy, memset, strlen, strcmp, strncmp, strchr. */
#include "xs_int.h"

void *xs_alloc(struct xsd_store *s, size_t n)
{
    void *p = s->a.alloc(s->a.ctx, n);

    if (p)
        memset(p, 0, n);
    return p;
}

void xs_free(struct xsd_store *s, void *p)
{
    if (p)
        s->a.free(s->a.ctx, p);
}

char *xs_strdup(struct xsd_store *s, const char *str, size_t len)
{
    char *p = xs_alloc(s, len + 1);

    if (p)
        memcpy(p, str, len);
    return p;
}

bool xs_parse_u32(const char *str, uint32_t max, uint32_t *out)
{
    uint64_t v = 0;

    if (!*str)
        return false;
    for (; *str; str++) {
        if (*str < '0' || *str > '9')
            return false;
        v = v * 10 + (uint64_t)(*str - '0');
        if (v > max)
            return false;
    }
    *out = (uint32_t)v;
    return true;
}

size_t xs_fmt_u64(char *buf, uint64_t v)
{
    char tmp[21];
    size_t n = 0, i;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    buf[n] = '\0';
    return n;
}

/* Xen's valid_chars, and no "//". */
static bool valid_chars(const char *p)
{
    for (; *p; p++) {
        if (p[0] == '/' && p[1] == '/')
            return false;
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '/' || ch == '_' || ch == '@'))
            return false;
    }
    return true;
}

/* Length of the "/local/domain/<N>/" prefix of an absolute path, 0 if none. */
static size_t local_prefix(const char *p)
{
    static const char pre[] = "/local/domain/";
    size_t i = sizeof(pre) - 1, digits = 0;

    if (strncmp(p, pre, i))
        return 0;
    while (p[i] >= '0' && p[i] <= '9' && digits < 5) {
        i++;
        digits++;
    }
    return digits && p[i] == '/' ? i + 1 : 0;
}

/*
 * Xen's rules (is_valid_nodename): absolute after prefixing a relative
 * path with /local/domain/<domid>/; no trailing '/' except "/"; no "//";
 * characters [A-Za-z0-9-/_@]; at most XENSTORE_ABS_PATH_MAX bytes, and at
 * most XENSTORE_REL_PATH_MAX after a /local/domain/<N>/ prefix. "@name"
 * only where special names are allowed (watches).
 */
int xs_canon(uint16_t domid, const char *in, bool allow_special, char *out, bool *relative)
{
    size_t inlen = strlen(in), off = 0, len;

    *relative = false;
    if (in[0] == '@') {
        if (!allow_special || inlen > XENSTORE_REL_PATH_MAX || !valid_chars(in) || strchr(in, '/'))
            return XSE_EINVAL;
        memcpy(out, in, inlen + 1);
        return 0;
    }
    if (in[0] != '/') {
        char num[21];
        size_t nl = xs_fmt_u64(num, domid);
        if (!inlen || inlen > XENSTORE_REL_PATH_MAX)
            return XSE_EINVAL;
        memcpy(out, "/local/domain/", 14);
        memcpy(out + 14, num, nl);
        out[14 + nl] = '/';
        off = 15 + nl;
        *relative = true;
    }
    if (off + inlen > XENSTORE_ABS_PATH_MAX)
        return XSE_EINVAL;
    memcpy(out + off, in, inlen + 1);
    len = off + inlen;
    if ((len > 1 && out[len - 1] == '/') || !valid_chars(out))
        return XSE_EINVAL;
    if (len - local_prefix(out) > XENSTORE_REL_PATH_MAX)
        return XSE_EINVAL;
    return 0;
}

/* child is parent or below it. */
bool xs_is_child(const char *child, const char *parent)
{
    size_t pl = strlen(parent);

    if (!strcmp(parent, "/"))
        return child[0] == '/';
    return !strncmp(child, parent, pl) && (child[pl] == '\0' || child[pl] == '/');
}

struct xs_dom *xs_dom_get(struct xsd_store *s, uint16_t domid, bool create)
{
    struct xs_dom *d;

    for (d = s->doms; d; d = d->next)
        if (d->domid == domid)
            return d;
    if (!create || !(d = xs_alloc(s, sizeof(*d))))
        return NULL;
    d->domid = domid;
    d->ev_tail = &d->ev_head;
    d->next = s->doms;
    s->doms = d;
    return d;
}

const char *xsd_errname(int err)
{
#define X(n, v) case v: return #n;
    switch (err) {
    XSD_ERRORS(X)
    default:
        return "EINVAL";        /* Xen's send_error for an untranslatable errno */
    }
#undef X
}
