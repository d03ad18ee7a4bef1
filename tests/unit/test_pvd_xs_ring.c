/*
 * Unit tests for pvdrivers/common/xs_ring.c: byte streams through the
 * xenstore ring page, across the wrap at 1024 and at 2^32, full and empty
 * rings, and a store with impossible indices (-EIO, nothing copied).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "pv_xs_ring.h"
#include <tandem/errno.h>

static struct xenstore_domain_interface intf;

/* The store's side, written plainly: take n request bytes, give back n response bytes. */
static uint32_t store_take(char *out, uint32_t n)
{
    uint32_t i;

    for (i = 0; i < n && intf.req_cons != intf.req_prod; i++)
        out[i] = intf.req[MASK_XENSTORE_IDX(intf.req_cons++)];
    return i;
}

static void store_give(const char *in, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        intf.rsp[MASK_XENSTORE_IDX(intf.rsp_prod++)] = in[i];
}

static void stream(uint32_t start)
{
    static char msg[3000], got[3000];
    uint32_t sent = 0, recv = 0;
    int n;

    memset(&intf, 0, sizeof(intf));
    intf.req_prod = intf.req_cons = intf.rsp_prod = intf.rsp_cons = start;
    for (uint32_t i = 0; i < sizeof(msg); i++)
        msg[i] = (char)(i * 7 + 1);
    while (recv < sizeof(msg)) {
        char tmp[300];
        uint32_t k;

        n = xs_ring_write(&intf, msg + sent, (uint32_t)sizeof(msg) - sent);
        assert_true(n >= 0);
        sent += (uint32_t)n;
        assert_true(intf.req_prod - intf.req_cons <= XENSTORE_RING_SIZE);
        k = XENSTORE_RING_SIZE - (intf.rsp_prod - intf.rsp_cons);   /* reply space left */
        k = store_take(tmp, k < 300 ? k : 300);         /* the store echoes up to 300 at a time */
        store_give(tmp, k);
        n = xs_ring_read(&intf, got + recv, 77);
        assert_true(n >= 0 && n <= 77);
        recv += (uint32_t)n;
        if (!k && !n)
            n = xs_ring_read(&intf, got + recv, (uint32_t)sizeof(got) - recv), recv += (uint32_t)n;
    }
    assert_memory_equal(msg, got, sizeof(msg));
}

static void test_stream_wraps(void **state)
{
    (void)state;
    stream(0);
    stream(1000);
    stream(0xfffffe00u);                                /* indices wrap at 2^32 mid-stream */
}

static void test_full_and_empty(void **state)
{
    static char big[2048];
    char b[8];

    (void)state;
    memset(&intf, 0, sizeof(intf));
    assert_int_equal(xs_ring_read(&intf, b, sizeof(b)), 0);
    assert_int_equal(xs_ring_write(&intf, big, sizeof(big)), XENSTORE_RING_SIZE);
    assert_int_equal(xs_ring_write(&intf, big, 1), 0);  /* full */
    assert_int_equal(intf.req_prod, XENSTORE_RING_SIZE);
}

static void test_hostile_indices(void **state)
{
    char b[64];

    (void)state;
    memset(&intf, 0, sizeof(intf));
    intf.rsp_prod = XENSTORE_RING_SIZE + 1;             /* claims more than a ring of replies */
    assert_int_equal(xs_ring_read(&intf, b, sizeof(b)), -XEN_EIO);
    assert_int_equal(intf.rsp_cons, 0);
    intf.rsp_prod = 0xffffffffu;                        /* "behind" us */
    assert_int_equal(xs_ring_read(&intf, b, sizeof(b)), -XEN_EIO);
    intf.req_prod = 10;
    intf.req_cons = 20;                                 /* consumed more than we produced */
    assert_int_equal(xs_ring_write(&intf, b, sizeof(b)), -XEN_EIO);
    assert_int_equal(intf.req_prod, 10);
    intf.req_cons = 10 - XENSTORE_RING_SIZE;            /* exactly full: fine, nothing fits */
    assert_int_equal(xs_ring_write(&intf, b, sizeof(b)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stream_wraps),
        cmocka_unit_test(test_full_and_empty),
        cmocka_unit_test(test_hostile_indices),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
