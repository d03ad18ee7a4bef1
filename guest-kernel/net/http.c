/* HTTP request decoding, URL parsing and response reading (http.h): pure, host-tested. */
#include "http.h"
#include <string.h>

/* The first c in [s, s + n), or NULL (libtandem has no memchr). */
static const char *find(const char *s, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == c)
            return s + i;
    return NULL;
}

/* Where the header (from buf) ends within len, after its empty line (LF LF or LF CR LF); 0 if not yet. */
static size_t header_end(const char *buf, size_t len)
{
    for (size_t i = 0; i + 1 < len; i++) {
        if (buf[i] != '\n')
            continue;
        if (buf[i + 1] == '\n')
            return i + 2;
        if (buf[i + 1] == '\r' && i + 2 < len && buf[i + 2] == '\n')
            return i + 3;
    }
    return 0;
}

enum http_verdict http_request_decode(const char *buf, size_t len, size_t max, bool *head)
{
    const char *eol, *sp1, *sp2, *path;
    size_t mlen, plen, hlen = header_end(buf, len);

    *head = false;
    if (find(buf, hlen ? hlen : len, 0))        /* a NUL in the header; what follows it is not read */
        return HTTP_BAD_REQUEST;
    if (!hlen)
        return len >= max ? HTTP_BAD_REQUEST : HTTP_MORE;
    eol = find(buf, hlen, '\n');
    if (eol > buf && eol[-1] == '\r')
        eol--;
    sp1 = find(buf, (size_t)(eol - buf), ' ');
    if (!sp1 || sp1 == buf)
        return HTTP_BAD_REQUEST;
    path = sp1 + 1;
    sp2 = find(path, (size_t)(eol - path), ' ');
    if (!sp2 || *path != '/' || eol - (sp2 + 1) != 8 || memcmp(sp2 + 1, "HTTP/1.", 7) ||
        (sp2[8] != '0' && sp2[8] != '1'))
        return HTTP_BAD_REQUEST;
    mlen = (size_t)(sp1 - buf);
    plen = (size_t)(sp2 - path);
    *head = mlen == 4 && !memcmp(buf, "HEAD", 4);
    if (!*head && !(mlen == 3 && !memcmp(buf, "GET", 3)))
        return HTTP_BAD_METHOD;
    if ((plen == 1) || (plen == 7 && !memcmp(path, "/status", 7)))
        return HTTP_STATUS;
    return HTTP_NOT_FOUND;
}

bool http_url_parse(const char *url, char host[HTTP_HOST_MAX], uint16_t *port, char path[HTTP_PATH_MAX])
{
    const char *h = url, *end;
    size_t n;

    if (!strncmp(h, "http://", 7))
        h += 7;
    for (end = h; *end && *end != ':' && *end != '/'; end++)
        ;
    n = (size_t)(end - h);
    if (!n || n >= HTTP_HOST_MAX)
        return false;
    memcpy(host, h, n);
    host[n] = 0;
    *port = 80;
    if (*end == ':') {
        unsigned long v = 0;
        const char *d = end + 1;

        for (; *d >= '0' && *d <= '9' && v <= 65535; d++)
            v = v * 10 + (unsigned long)(*d - '0');
        if (d == end + 1 || !v || v > 65535 || (*d && *d != '/'))
            return false;
        *port = (uint16_t)v;
        end = d;
    }
    n = strlen(end);
    if (n >= HTTP_PATH_MAX)
        return false;
    if (!n)
        memcpy(path, "/", 2);
    else
        memcpy(path, end, n + 1);
    return true;
}

void http_resp_init(struct http_resp *r)
{
    memset(r, 0, sizeof(*r));
    r->crc = 0xffffffffu;
}

static uint32_t crc32_byte(uint32_t crc, uint8_t b)
{
    crc ^= b;
    for (int k = 0; k < 8; k++)
        crc = crc >> 1 ^ (0xedb88320u & -(crc & 1));
    return crc;
}

static void resp_header_byte(struct http_resp *r, uint8_t b)
{
    if (b == '\r')
        return;
    if (b == '\n') {
        r->status_done = true;
        if (++r->newlines == 2)         /* an empty line: the header has ended */
            r->in_body = true;
        return;
    }
    r->newlines = 0;
    if (!r->status_done && r->status_len + 1 < sizeof(r->status)) {
        r->status[r->status_len++] = (char)b;
        r->status[r->status_len] = 0;
    }
}

void http_resp_feed(struct http_resp *r, const uint8_t *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (r->in_body) {
            r->crc = crc32_byte(r->crc, p[i]);
            r->body++;
        } else
            resp_header_byte(r, p[i]);
    }
}

uint32_t http_resp_crc(const struct http_resp *r)
{
    return ~r->crc;
}
