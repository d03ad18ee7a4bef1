/*
 * Fuzz target: the network service's HTTP pieces (guest-kernel/net/http.c), which read what a
 * client on the network sends (a request) and what a server answers (a response), and a URL
 * typed at the shell. Each input is all three: a request decided in a 1 KiB buffer and at
 * every prefix length, a URL (up to the first NUL), a response fed in two parts.
 */
#include <string.h>
#include "fuzz.h"
#include "http.h"

#define REQ_MAX 1024

static void check_request(const uint8_t *data, size_t size)
{
    size_t n = size < REQ_MAX ? size : REQ_MAX;
    bool head;
    enum http_verdict v = http_request_decode((const char *)data, n, REQ_MAX, &head), w;

    FUZZ_CHECK(v >= HTTP_MORE && v <= HTTP_BAD_REQUEST);
    FUZZ_CHECK(v != HTTP_MORE || n < REQ_MAX);          /* a full buffer is always decided */
    FUZZ_CHECK(!head || v == HTTP_STATUS || v == HTTP_NOT_FOUND);
    /* Deciding is stable: more bytes after a decided request change nothing. */
    if (v != HTTP_MORE && n > 0)
        for (size_t k = n; k <= (size < REQ_MAX ? size : REQ_MAX); k++) {
            w = http_request_decode((const char *)data, k, REQ_MAX, &head);
            FUZZ_CHECK(w == v);
        }
}

static void check_url(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), host[HTTP_HOST_MAX], path[HTTP_PATH_MAX];
    uint16_t port = 0;

    if (!s)
        return;
    memcpy(s, data, size);
    s[size] = 0;
    if (http_url_parse(s, host, &port, path)) {
        FUZZ_CHECK(strlen(host) > 0 && strlen(host) < HTTP_HOST_MAX);
        FUZZ_CHECK(strlen(path) < HTTP_PATH_MAX && path[0] == '/');
        FUZZ_CHECK(port > 0);
        FUZZ_CHECK(!strchr(host, ':') && !strchr(host, '/'));
    }
    free(s);
}

static void check_response(const uint8_t *data, size_t size)
{
    struct http_resp r;

    http_resp_init(&r);
    http_resp_feed(&r, data, size / 2);
    http_resp_feed(&r, data + size / 2, size - size / 2);
    FUZZ_CHECK(strlen(r.status) < sizeof(r.status));
    FUZZ_CHECK(r.body <= size);
    FUZZ_CHECK(r.in_body || r.body == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_request(data, size);
    check_url(data, size);
    check_response(data, size);
    return 0;
}
