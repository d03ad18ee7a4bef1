/*
 * pvdrivers/netswitch alone: ports whose xmit records what it got (taking
 * a reference, as netback's queue does), packets from a counted pool.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pv_netswitch.h"
#include <tandem/errno.h>

#define MAXQ 256

struct port {
    struct netpkt *q[MAXQ];
    unsigned int n;
    int fail;                   /* xmit returns this */
};

static struct port ports[NETSWITCH_MAX_PORTS];
static struct netswitch sw;
static int outstanding;

static struct netpkt *p_alloc(void *ctx, uint32_t len)
{
    struct netpkt *p = calloc(1, sizeof(*p) + len);

    (void)ctx;
    p->data = (uint8_t *)(p + 1);
    p->cap = len;
    outstanding++;
    return p;
}

static void p_free(void *ctx, struct netpkt *p)
{
    (void)ctx;
    free(p);
    outstanding--;
}

static const struct netpkt_pool pool = { .alloc = p_alloc, .free = p_free };

static int xmit(void *ctx, struct netpkt *pkt)
{
    struct port *p = ctx;

    if (p->fail)
        return p->fail;
    assert_true(p->n < MAXQ);
    netpkt_get(pkt);
    p->q[p->n++] = pkt;
    return 0;
}

static const uint8_t MAC_A[6] = { 0x00, 0x16, 0x3e, 0, 0, 0xa };
static const uint8_t MAC_B[6] = { 0x00, 0x16, 0x3e, 0, 0, 0xb };
static const uint8_t MAC_H[6] = { 0x52, 0x55, 0x0a, 0, 2, 2 };     /* QEMU's host */
static const uint8_t BCAST[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
static const uint8_t MCAST[6] = { 0x01, 0x00, 0x5e, 0, 0, 1 };
static const uint8_t UNKNOWN[6] = { 0x02, 0, 0, 0, 0, 9 };

static int add_port(const uint8_t *mac, unsigned int idx)
{
    struct netswitch_port_cfg c = { .xmit = xmit, .ctx = &ports[idx], .uplink = !mac };

    if (mac)
        memcpy(c.mac, mac, 6);
    return netswitch_port_add(&sw, &c);
}

static int setup(void **state)
{
    (void)state;
    memset(ports, 0, sizeof(ports));
    netswitch_init(&sw, 0);
    assert_int_equal(add_port(NULL, 0), 0);     /* uplink */
    assert_int_equal(add_port(MAC_A, 1), 1);
    assert_int_equal(add_port(MAC_B, 2), 2);
    return 0;
}

static int teardown(void **state)
{
    unsigned int i, j;

    (void)state;
    for (i = 0; i < NETSWITCH_MAX_PORTS; i++)
        for (j = 0; j < ports[i].n; j++)
            netpkt_put(ports[i].q[j]);
    assert_int_equal(outstanding, 0);
    return 0;
}

static void frame(unsigned int port, const uint8_t *dst, const uint8_t *src, uint32_t len)
{
    struct netpkt *p = netpkt_alloc(&pool, len);

    memset(p->data, 0, len);
    if (len >= 12) {
        memcpy(p->data, dst, 6);
        memcpy(p->data + 6, src, 6);
    }
    netswitch_input(&sw, port, p);
}

static void test_flood_and_learn(void **state)
{
    (void)state;
    /* A broadcasts: everyone else gets it, A's MAC is known (fixed) on port 1. */
    frame(1, BCAST, MAC_A, 60);
    assert_int_equal(ports[0].n, 1);
    assert_int_equal(ports[1].n, 0);
    assert_int_equal(ports[2].n, 1);
    assert_ptr_equal(ports[0].q[0], ports[2].q[0]);     /* one packet, two references */
    assert_int_equal(ports[0].q[0]->refs, 2);
    /* The host answers A: forwarded to A only; the host's MAC is learned on the uplink. */
    frame(0, MAC_A, MAC_H, 60);
    assert_int_equal(ports[1].n, 1);
    assert_int_equal(ports[2].n, 1);
    assert_int_equal(netswitch_lookup(&sw, MAC_H), 0);
    /* B to the host: unicast to the uplink only. */
    frame(2, MAC_H, MAC_B, 60);
    assert_int_equal(ports[0].n, 2);
    assert_int_equal(ports[1].n, 1);
    /* A to B directly. */
    frame(1, MAC_B, MAC_A, 60);
    assert_int_equal(ports[2].n, 2);
    assert_int_equal(ports[0].n, 2);
    assert_int_equal(sw.forwarded, 3);
    assert_int_equal(sw.flooded, 1);
}

static void test_unknown_and_multicast_flood(void **state)
{
    (void)state;
    frame(1, UNKNOWN, MAC_A, 60);
    frame(1, MCAST, MAC_A, 60);
    assert_int_equal(ports[0].n, 2);
    assert_int_equal(ports[2].n, 2);
    assert_int_equal(ports[1].n, 0);
    assert_int_equal(sw.flooded, 2);
}

static void test_spoof(void **state)
{
    (void)state;
    /* A with B's MAC, with a made-up one, with a group source: dropped, counted. */
    frame(1, BCAST, MAC_B, 60);
    frame(1, BCAST, UNKNOWN, 60);
    frame(1, BCAST, MCAST, 60);
    assert_int_equal(sw.port[1].stats.spoofed, 3);
    assert_int_equal(ports[0].n + ports[2].n, 0);
    /* The uplink cannot take A's MAC over, nor send from a group address. */
    frame(0, BCAST, MAC_A, 60);
    frame(0, BCAST, MCAST, 60);
    assert_int_equal(sw.port[0].stats.spoofed, 2);
    assert_int_equal(netswitch_lookup(&sw, MAC_A), 1);
    assert_int_equal(ports[1].n + ports[2].n, 0);
}

static void test_runt(void **state)
{
    (void)state;
    frame(1, BCAST, MAC_A, 13);
    assert_int_equal(sw.port[1].stats.runts, 1);
    assert_int_equal(ports[0].n + ports[2].n, 0);
}

static void test_filtered_same_port(void **state)
{
    (void)state;
    frame(0, BCAST, MAC_H, 60);             /* learn H on the uplink */
    frame(0, MAC_H, UNKNOWN, 60);           /* from the uplink to H: stays there */
    assert_int_equal(sw.filtered, 1);
    assert_int_equal(ports[1].n, 1);        /* only the broadcast */
}

static void test_port_remove_forgets(void **state)
{
    (void)state;
    frame(0, BCAST, MAC_H, 60);
    assert_int_equal(netswitch_lookup(&sw, MAC_H), 0);
    netswitch_port_remove(&sw, 2);
    assert_int_equal(netswitch_lookup(&sw, MAC_B), -1);
    /* Frames to B now flood (unknown) and reach no removed port. */
    frame(1, MAC_B, MAC_A, 60);
    assert_int_equal(ports[2].n, 1);        /* the first broadcast only */
    assert_int_equal(ports[0].n, 1);
    netswitch_port_remove(&sw, 0);
    assert_int_equal(netswitch_lookup(&sw, MAC_H), -1);
    /* Input on a removed port is dropped (and the reference consumed). */
    frame(0, BCAST, MAC_H, 60);
    assert_int_equal(ports[1].n, 1);
    netswitch_port_remove(&sw, 99);         /* no such port: nothing */
    /* B's MAC can be configured again on a new port. */
    assert_int_equal(add_port(MAC_B, 2), 0);
}

static void test_port_add_refused(void **state)
{
    unsigned int i;

    (void)state;
    assert_int_equal(add_port(MAC_A, 3), -XEN_EEXIST);
    assert_int_equal(add_port(MCAST, 3), -XEN_EINVAL);
    for (i = 3; i < NETSWITCH_MAX_PORTS; i++) {
        uint8_t mac[6] = { 0x00, 0x16, 0x3e, 1, 0, (uint8_t)i };

        assert_int_equal(add_port(mac, i), (int)i);
    }
    assert_int_equal(add_port(UNKNOWN, 3), -XEN_ENOSPC);
}

static void test_xmit_fails(void **state)
{
    (void)state;
    ports[2].fail = -XEN_ENOSPC;    /* B's queue is full: others unaffected */
    frame(1, BCAST, MAC_A, 60);
    frame(1, MAC_B, MAC_A, 60);
    assert_int_equal(sw.port[2].stats.out_dropped, 2);
    assert_int_equal(ports[0].n, 1);
    assert_int_equal(sw.port[0].stats.out, 1);
}

static void test_aging(void **state)
{
    (void)state;
    netswitch_init(&sw, 100);
    assert_int_equal(add_port(NULL, 0), 0);
    assert_int_equal(add_port(MAC_A, 1), 1);
    frame(0, BCAST, MAC_H, 60);
    netswitch_tick(&sw, 50);
    assert_int_equal(netswitch_lookup(&sw, MAC_H), 0);
    netswitch_tick(&sw, 101);
    assert_int_equal(netswitch_lookup(&sw, MAC_H), -1);
    assert_int_equal(netswitch_lookup(&sw, MAC_A), 1);  /* configured MACs do not age */
}

static void test_table_full_evicts_oldest(void **state)
{
    unsigned int i;

    (void)state;
    for (i = 0; i < NETSWITCH_FDB_SIZE + 10; i++) {
        uint8_t mac[6] = { 0x02, 0, 0, 0, (uint8_t)(i >> 8), (uint8_t)i };

        netswitch_tick(&sw, i);
        frame(0, MAC_A, mac, 60);
    }
    /* The vifs' entries survive; the oldest learned ones went. */
    assert_int_equal(netswitch_lookup(&sw, MAC_A), 1);
    assert_int_equal(netswitch_lookup(&sw, MAC_B), 2);
    assert_int_equal(netswitch_lookup(&sw, (uint8_t[6]){ 0x02, 0, 0, 0, 0, 0 }), -1);
    assert_int_equal(netswitch_lookup(&sw, (uint8_t[6]){ 0x02, 0, 0, 0, 0, NETSWITCH_FDB_SIZE + 9 }), 0);
    for (i = 0; i < ports[1].n; i++)
        netpkt_put(ports[1].q[i]);
    ports[1].n = 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_flood_and_learn), T(test_unknown_and_multicast_flood), T(test_spoof), T(test_runt),
        T(test_filtered_same_port), T(test_port_remove_forgets), T(test_port_add_refused),
        T(test_xmit_fails), T(test_aging), T(test_table_full_evicts_oldest),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
