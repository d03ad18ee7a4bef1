/*
 * Unit tests for pvdrivers/virtio/virtqueue.c against a fake device that
 * consumes the available ring and fills the used ring as virtio 1.x 2.6
 * says a device does: chain layout and flags, free-list reuse, exhaustion,
 * index wrap-around past 65535, out-of-order completion, NO_NOTIFY, and a
 * device naming a chain it was never given.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "virtio.h"
#include <tandem/errno.h>

#define SIZE 8

static uint8_t ring[4096] __attribute__((aligned(4096)));
static struct virtq q;
static uint16_t dev_avail;              /* the fake device's next avail index */
static uint16_t notified;

static void setup(void)
{
    memset(ring, 0, sizeof(ring));
    assert_int_equal(virtq_init(&q, 3, SIZE, ring, 0x100000), 0);
    dev_avail = 0;
}

/* Device: take the next available chain; its head, and the chain's length and writable count. */
static int dev_take(unsigned int *len, unsigned int *n_in)
{
    uint16_t head, d;

    if (q.avail->idx == dev_avail)
        return -1;
    head = q.avail->ring[dev_avail++ % SIZE];
    *len = 0;
    *n_in = 0;
    for (d = head;; d = q.desc[d].next) {
        (*len)++;
        if (q.desc[d].flags & VIRTQ_DESC_F_WRITE)
            (*n_in)++;
        else
            assert_int_equal(*n_in, 0);          /* readable buffers come first (2.6.4.2) */
        if (!(q.desc[d].flags & VIRTQ_DESC_F_NEXT))
            break;
    }
    return head;
}

static void dev_return(uint32_t id, uint32_t written)
{
    uint16_t i = q.used->idx;

    q.used->ring[i % SIZE].id = id;
    q.used->ring[i % SIZE].len = written;
    q.used->idx = (uint16_t)(i + 1);
}

static void test_layout(void **state)
{
    (void)state;
    setup();
    /* 2.6: descriptors, then avail (4 + 2 * size + 2), used 4-aligned (4 + 8 * size + 2). */
    assert_ptr_equal((void *)q.desc, ring);
    assert_ptr_equal((void *)q.avail, ring + 16 * SIZE);
    assert_ptr_equal((void *)q.used, ring + 16 * SIZE + 4 + 2 * SIZE + 4);
    assert_int_equal(q.used_maddr - q.desc_maddr, 16 * SIZE + 4 + 2 * SIZE + 4);
    assert_int_equal(virtq_ring_bytes(128), 2048 + 260 + 4 + 1030);
    assert_true(virtq_ring_bytes(VIRTQ_MAX_SIZE) <= 4096);
    assert_int_equal(virtq_init(&q, 0, 0, ring, 0), -XEN_EINVAL);
    assert_int_equal(virtq_init(&q, 0, 6, ring, 0), -XEN_EINVAL);
    assert_int_equal(virtq_init(&q, 0, 256, ring, 0), -XEN_EINVAL);
}

static void test_chain(void **state)
{
    struct virtq_buf b[3] = { { 0x1000, 16 }, { 0x2000, 4096 }, { 0x3010, 1 } };
    unsigned int len, n_in;
    uint32_t written;
    int head, token = 7;

    (void)state;
    setup();
    assert_false(virtq_has_used(&q));
    assert_int_equal(virtq_add(&q, b, 1, 2, &token), 0);
    assert_int_equal(virtq_nr_free(&q), SIZE - 3);
    assert_int_equal(q.avail->idx, 1);
    head = dev_take(&len, &n_in);
    assert_int_equal(len, 3);
    assert_int_equal(n_in, 2);
    assert_int_equal(q.desc[head].addr, 0x1000);
    assert_int_equal(q.desc[head].len, 16);
    assert_int_equal(q.desc[q.desc[head].next].addr, 0x2000);
    dev_return((uint32_t)head, 4097);
    assert_true(virtq_has_used(&q));
    assert_ptr_equal(virtq_get(&q, &written), &token);
    assert_int_equal(written, 4097);
    assert_int_equal(virtq_nr_free(&q), SIZE);
    assert_null(virtq_get(&q, &written));
}

static void test_exhaustion_and_reuse(void **state)
{
    struct virtq_buf b[SIZE + 1];
    int tok[SIZE];
    unsigned int len, n_in;
    uint32_t w;

    (void)state;
    setup();
    memset(b, 0, sizeof(b));
    assert_int_equal(virtq_add(&q, b, SIZE + 1, 0, &tok[0]), -XEN_ENOSPC);
    assert_int_equal(virtq_add(&q, b, 0, 0, &tok[0]), -XEN_EINVAL);
    assert_int_equal(virtq_add(&q, b, 1, 0, NULL), -XEN_EINVAL);
    for (int i = 0; i < SIZE / 2; i++)
        assert_int_equal(virtq_add(&q, b, 1, 1, &tok[i]), 0);
    assert_int_equal(virtq_nr_free(&q), 0);
    assert_int_equal(virtq_add(&q, b, 1, 0, &tok[0]), -XEN_ENOSPC);
    /* Complete out of order: 2, 0, 3, 1. */
    int heads[SIZE / 2];
    for (int i = 0; i < SIZE / 2; i++)
        heads[i] = dev_take(&len, &n_in);
    dev_return((uint32_t)heads[2], 0);
    dev_return((uint32_t)heads[0], 0);
    assert_ptr_equal(virtq_get(&q, &w), &tok[2]);
    assert_ptr_equal(virtq_get(&q, &w), &tok[0]);
    assert_int_equal(virtq_nr_free(&q), 4);
    /* The freed descriptors carry a new 4-chain. */
    assert_int_equal(virtq_add(&q, b, 4, 0, &tok[4]), 0);
    dev_return((uint32_t)heads[3], 0);
    dev_return((uint32_t)heads[1], 0);
    assert_ptr_equal(virtq_get(&q, &w), &tok[3]);
    assert_ptr_equal(virtq_get(&q, &w), &tok[1]);
    assert_int_equal(dev_take(&len, &n_in) >= 0, 1);
    assert_int_equal(len, 4);
}

/* 70000 requests: the 16-bit indices wrap; every token comes back once, in order. */
static void test_wrap(void **state)
{
    struct virtq_buf b = { 0x5000, 512 };
    unsigned int len, n_in;
    uint32_t w;

    (void)state;
    setup();
    for (uintptr_t i = 1; i <= 70000; i++) {
        int head;

        assert_int_equal(virtq_add(&q, &b, 0, 1, (void *)i), 0);
        head = dev_take(&len, &n_in);
        assert_true(head >= 0 && head < SIZE);
        dev_return((uint32_t)head, 512);
        assert_ptr_equal(virtq_get(&q, &w), (void *)i);
    }
    assert_int_equal(q.avail->idx, (uint16_t)70000);
    assert_int_equal(virtq_nr_free(&q), SIZE);
}

/* A device returning a head it does not hold, or one out of range: skipped, nothing freed twice. */
static void test_hostile_device(void **state)
{
    struct virtq_buf b = { 0x5000, 512 };
    int tok;
    uint32_t w;

    (void)state;
    setup();
    assert_int_equal(virtq_add(&q, &b, 1, 0, &tok), 0);
    dev_return(SIZE + 5, 0);
    dev_return(3, 0);                   /* never given */
    assert_null(virtq_get(&q, &w));
    assert_null(virtq_get(&q, &w));
    assert_false(virtq_has_used(&q));
    assert_int_equal(virtq_nr_free(&q), SIZE - 1);
    dev_return(0, 0);
    assert_ptr_equal(virtq_get(&q, &w), &tok);
    dev_return(0, 0);                   /* the same chain twice */
    assert_null(virtq_get(&q, &w));
    assert_int_equal(virtq_nr_free(&q), SIZE);
}

static void test_kick(void **state)
{
    volatile uint16_t reg = 0xffff;
    struct virtq_buf b = { 0x5000, 512 };
    int tok;

    (void)state;
    (void)notified;
    setup();
    virtq_kick(&q);                     /* no notify address yet: nothing */
    q.notify = &reg;
    assert_int_equal(virtq_add(&q, &b, 1, 0, &tok), 0);
    assert_true(virtq_needs_kick(&q));
    virtq_kick(&q);
    assert_int_equal(reg, 3);           /* the queue index */
    reg = 0xffff;
    q.used->flags = VIRTQ_USED_F_NO_NOTIFY;
    assert_false(virtq_needs_kick(&q));
    virtq_kick(&q);
    assert_int_equal(reg, 0xffff);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_chain),
        cmocka_unit_test(test_exhaustion_and_reuse),
        cmocka_unit_test(test_wrap),
        cmocka_unit_test(test_hostile_device),
        cmocka_unit_test(test_kick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
