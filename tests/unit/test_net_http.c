/*
 * Unit tests for guest-kernel/net/http.c (the network service's HTTP pieces, docs/network.md):
 * request decisions (status page, 404, 405, 400 for each malformation, waiting for more, the
 * length limit), URL parsing (accepted forms and each refusal), and the response reader (status
 * line, header skipped, body size and zlib's CRC-32, split anywhere).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include "http.h"

#define MAX 1024

static enum http_verdict decide(const char *s, bool *head)
{
    return http_request_decode(s, strlen(s), MAX, head);
}

static void test_request_ok(void **state)
{
    bool head = true;

    (void)state;
    assert_int_equal(decide("GET / HTTP/1.0\r\n\r\n", &head), HTTP_STATUS);
    assert_false(head);
    assert_int_equal(decide("GET /status HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n", &head), HTTP_STATUS);
    assert_int_equal(decide("HEAD / HTTP/1.0\n\n", &head), HTTP_STATUS);
    assert_true(head);
    assert_int_equal(decide("GET /nope HTTP/1.0\r\n\r\n", &head), HTTP_NOT_FOUND);
    assert_false(head);
    assert_int_equal(decide("GET /status/x HTTP/1.0\r\n\r\n", &head), HTTP_NOT_FOUND);
    assert_int_equal(decide("GET /statusx HTTP/1.0\r\n\r\n", &head), HTTP_NOT_FOUND);
}

static void test_request_refused(void **state)
{
    static const char *const bad[] = {
        "GARBAGE\r\n\r\n", " / HTTP/1.0\r\n\r\n", "GET\r\n\r\n", "GET /\r\n\r\n", "GET x HTTP/1.0\r\n\r\n",
        "GET / HTTP/2.0\r\n\r\n", "GET / HTTP/1.0x\r\n\r\n", "GET / HTTP/1.\r\n\r\n", "GET  / HTTP/1.0\r\n\r\n",
        "GET / FTP/1.0\r\n\r\n", "GET / HTTP/1.0 \r\n\r\n",
    };
    bool head;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(decide(bad[i], &head), HTTP_BAD_REQUEST);
    assert_int_equal(decide("POST / HTTP/1.0\r\n\r\n", &head), HTTP_BAD_METHOD);
    assert_int_equal(decide("get / HTTP/1.0\r\n\r\n", &head), HTTP_BAD_METHOD);
    assert_int_equal(http_request_decode("GET /\0 HTTP/1.0\r\n\r\n", 20, MAX, &head), HTTP_BAD_REQUEST);
}

/* Not yet ended: wait; at the limit without an end: refused. */
static void test_request_partial(void **state)
{
    static char big[MAX];
    const char *full = "GET / HTTP/1.0\r\nHost: x\r\n\r\n";
    bool head;

    (void)state;
    for (size_t n = 0; n < strlen(full) - 1; n++)
        assert_int_equal(http_request_decode(full, n, MAX, &head), HTTP_MORE);
    assert_int_equal(http_request_decode(full, strlen(full), MAX, &head), HTTP_STATUS);
    memset(big, 'a', sizeof(big));
    memcpy(big, "GET / HTTP/1.0\r\nX: ", 19);
    assert_int_equal(http_request_decode(big, MAX - 1, MAX, &head), HTTP_MORE);
    assert_int_equal(http_request_decode(big, MAX, MAX, &head), HTTP_BAD_REQUEST);
}

static void test_url(void **state)
{
    static const char *const bad[] = {
        "", "http://", "http://:80/", "http://h:/", "http://h:0/", "http://h:65536/", "http://h:99999/",
        "http://h:8x/", "http://h:123456789012345678901234567890/",
    };
    char host[HTTP_HOST_MAX], path[HTTP_PATH_MAX], url[300];
    uint16_t port;

    (void)state;
    assert_true(http_url_parse("http://10.0.2.2:8000/page.bin", host, &port, path));
    assert_string_equal(host, "10.0.2.2");
    assert_int_equal(port, 8000);
    assert_string_equal(path, "/page.bin");
    assert_true(http_url_parse("example.org", host, &port, path));
    assert_string_equal(host, "example.org");
    assert_int_equal(port, 80);
    assert_string_equal(path, "/");
    assert_true(http_url_parse("http://h:65535", host, &port, path));
    assert_int_equal(port, 65535);
    assert_string_equal(path, "/");
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_false(http_url_parse(bad[i], host, &port, path));
    /* The longest host and path that fit, and one byte more. */
    snprintf(url, sizeof(url), "http://%.*s/", HTTP_HOST_MAX - 1, "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh");
    assert_true(http_url_parse(url, host, &port, path));
    assert_int_equal(strlen(host), HTTP_HOST_MAX - 1);
    snprintf(url, sizeof(url), "http://%.*s/", HTTP_HOST_MAX, "hhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhhh");
    assert_false(http_url_parse(url, host, &port, path));
    memset(url, 'p', sizeof(url));
    memcpy(url, "http://h/", 9);
    url[8 + HTTP_PATH_MAX - 1] = 0;
    assert_true(http_url_parse(url, host, &port, path));
    assert_int_equal(strlen(path), HTTP_PATH_MAX - 1);
    url[8 + HTTP_PATH_MAX - 1] = 'p';
    url[8 + HTTP_PATH_MAX] = 0;
    assert_false(http_url_parse(url, host, &port, path));
}

/* zlib's crc32() of "123456789" is 0xcbf43926 (the check value of CRC-32/ISO-HDLC). */
static void test_response(void **state)
{
    const char *resp = "HTTP/1.0 200 OK\r\nServer: x\r\nContent-Length: 9\r\n\r\n123456789";
    struct http_resp r;

    (void)state;
    for (size_t split = 0; split <= strlen(resp); split++) {
        http_resp_init(&r);
        http_resp_feed(&r, (const uint8_t *)resp, split);
        http_resp_feed(&r, (const uint8_t *)resp + split, strlen(resp) - split);
        assert_string_equal(r.status, "HTTP/1.0 200 OK");
        assert_int_equal(r.body, 9);
        assert_int_equal(http_resp_crc(&r), 0xcbf43926u);
    }
    http_resp_init(&r);
    http_resp_feed(&r, (const uint8_t *)"HTTP/1.0 404 Not Found\n\n", 24);
    assert_string_equal(r.status, "HTTP/1.0 404 Not Found");
    assert_int_equal(r.body, 0);
    assert_int_equal(http_resp_crc(&r), 0);
}

/* A status line longer than the buffer is cut, never overrun; a header never ended has no body. */
static void test_response_hostile(void **state)
{
    static uint8_t junk[4096];
    struct http_resp r;

    (void)state;
    memset(junk, 'x', sizeof(junk));
    http_resp_init(&r);
    http_resp_feed(&r, junk, sizeof(junk));
    assert_int_equal(strlen(r.status), sizeof(r.status) - 1);
    assert_int_equal(r.body, 0);
    assert_false(r.in_body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_ok),
        cmocka_unit_test(test_request_refused),
        cmocka_unit_test(test_request_partial),
        cmocka_unit_test(test_url),
        cmocka_unit_test(test_response),
        cmocka_unit_test(test_response_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
