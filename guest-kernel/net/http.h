/*
 * The HTTP pieces of the network service with no lwIP and no kernel in them, so the host
 * tests them (tests/unit/test_net_http.c): deciding on a request (httpd.c), parsing a URL and
 * reading a response (wget.c). Only <stdint.h>, <stddef.h>, <stdbool.h> and <string.h>.
 */
#ifndef GUEST_NET_HTTP_H
#define GUEST_NET_HTTP_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#define HTTP_HOST_MAX   64              /* with the NUL */
#define HTTP_PATH_MAX   128

enum http_verdict {
    HTTP_MORE,                          /* the header has not ended yet: wait for more */
    HTTP_STATUS,                        /* GET or HEAD of / or /status: 200 and the status page */
    HTTP_NOT_FOUND,                     /* GET or HEAD of another path: 404 */
    HTTP_BAD_METHOD,                    /* a well-formed request line, another method: 405 */
    HTTP_BAD_REQUEST,                   /* malformed, a NUL in the header, or no end within max bytes: 400 */
};

/*
 * Decide on the first len bytes a client sent (not NUL-terminated; max: the most we keep).
 * The request line must be "METHOD SP /PATH SP HTTP/1.x" (CR LF or LF); the header ends with
 * an empty line; what follows it is not looked at. *head: the method was HEAD (no body in the
 * answer). Once decided (not HTTP_MORE), more bytes after the first len change nothing.
 */
enum http_verdict http_request_decode(const char *buf, size_t len, size_t max, bool *head);

/* http://HOST[:PORT][/PATH] (the scheme optional): host, port (default 80), path ("/" if none). */
bool http_url_parse(const char *url, char host[HTTP_HOST_MAX], uint16_t *port, char path[HTTP_PATH_MAX]);

/* A response read byte by byte: the status line kept, the header skipped, the body counted. */
struct http_resp {
    bool in_body, status_done;
    unsigned int newlines;              /* in a row, while in the header */
    size_t status_len;
    char status[96];                    /* the status line, NUL-terminated, cut if longer */
    uint64_t body;                      /* bytes of body */
    uint32_t crc;                       /* running CRC-32, inverted: http_resp_crc() */
};
void http_resp_init(struct http_resp *r);
void http_resp_feed(struct http_resp *r, const uint8_t *p, size_t len);
/* The body's CRC-32 so far, as zlib's crc32() computes it. */
uint32_t http_resp_crc(const struct http_resp *r);

#endif
