/* Unit tests for hypervisor/common/frame_pool.c, including random operations against a model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "frame_pool.h"

#define MAXF 8192

static uint64_t bits[MAXF / 64 + 1];
static struct frame_pool pool;

static void setup_pool(uint64_t nr, bool all_free)
{
    memset(bits, 0xff, sizeof(bits));       /* pool_init must clear */
    pool_init(&pool, bits, nr);
    if (all_free)
        pool_free_range(&pool, 0, nr);
}

static uint64_t count_free(void)
{
    uint64_t f, n = 0;

    for (f = 0; f < pool.nr_frames; f++)
        n += pool_is_free(&pool, f);
    return n;
}

static void test_init_all_used(void **state)
{
    (void)state;
    setup_pool(1000, false);
    assert_int_equal(pool.nr_free, 0);
    assert_int_equal(count_free(), 0);
    assert_int_equal(pool_alloc(&pool, 0), -1);
    setup_pool(0, true);
    assert_int_equal(pool.nr_free, 0);
    assert_int_equal(pool_alloc(&pool, 0), -1);
    assert_false(pool_is_free(&pool, 0));
}

static void test_ranges_and_accounting(void **state)
{
    (void)state;
    setup_pool(1000, false);
    pool_free_range(&pool, 10, 100);
    assert_int_equal(pool.nr_free, 100);
    pool_free_range(&pool, 50, 100);                /* overlaps: counts 40 new frames */
    assert_int_equal(pool.nr_free, 140);
    pool_reserve_range(&pool, 0, 20);
    assert_int_equal(pool.nr_free, 130);
    pool_reserve_range(&pool, 0, 20);               /* idempotent */
    assert_int_equal(pool.nr_free, 130);
    pool_free_range(&pool, 900, 1000);              /* clipped at nr_frames */
    assert_int_equal(pool.nr_free, 230);
    pool_free_range(&pool, 5000, 10);               /* wholly outside */
    pool_free_range(&pool, 999, ~0ULL);             /* count would overflow */
    assert_int_equal(pool.nr_free, 230);
    assert_int_equal(count_free(), 230);
    assert_true(pool_is_free(&pool, 999));
    assert_false(pool_is_free(&pool, 1000));
    assert_false(pool_is_free(&pool, ~0ULL));
    assert_int_equal(bits[1000 / 64] >> (1000 % 64), 0);   /* nothing past nr_frames */
}

static void test_alignment(void **state)
{
    unsigned order, k;
    int64_t f;

    (void)state;
    for (order = 0; order <= 10; order++) {
        setup_pool(MAXF, true);
        pool_reserve_range(&pool, 0, 3);            /* misalign the start of free space */
        pool.hint = 5;
        for (k = 0; k < 3; k++) {
            f = pool_alloc(&pool, order);
            assert_true(f >= 0);
            assert_int_equal((uint64_t)f % (1ULL << order), 0);
            assert_true((uint64_t)f >= 3);
            assert_false(pool_is_free(&pool, (uint64_t)f));
            assert_false(pool_is_free(&pool, (uint64_t)f + (1ULL << order) - 1));
        }
        assert_int_equal(pool.nr_free, MAXF - 3 - 3 * (1ULL << order));
        assert_int_equal(count_free(), pool.nr_free);
    }
}

static void test_exhaustion_and_reuse(void **state)
{
    static bool seen[1000];
    unsigned i;
    int64_t f;

    (void)state;
    setup_pool(1000, true);
    memset(seen, 0, sizeof(seen));
    for (i = 0; i < 1000; i++) {
        f = pool_alloc(&pool, 0);
        assert_true(f >= 0 && f < 1000);
        assert_false(seen[f]);
        seen[f] = true;
    }
    assert_int_equal(pool_alloc(&pool, 0), -1);
    assert_int_equal(pool.nr_free, 0);
    pool_free(&pool, 5, 0);
    assert_int_equal(pool.nr_free, 1);
    assert_int_equal(pool_alloc(&pool, 0), 5);     /* found after wrapping */
    assert_int_equal(pool_alloc(&pool, 0), -1);
}

static void test_next_fit(void **state)
{
    (void)state;
    setup_pool(256, true);
    assert_int_equal(pool_alloc(&pool, 0), 0);
    assert_int_equal(pool_alloc(&pool, 0), 1);
    pool_free(&pool, 0, 0);
    assert_int_equal(pool_alloc(&pool, 0), 2);     /* does not go back to 0 yet */
    assert_int_equal(pool_alloc(&pool, 2), 4);
    assert_int_equal(pool_alloc(&pool, 0), 8);
    pool.hint = 255;
    assert_int_equal(pool_alloc(&pool, 0), 255);
    assert_int_equal(pool.hint, 0);
    assert_int_equal(pool_alloc(&pool, 0), 0);
}

static void test_large_orders(void **state)
{
    (void)state;
    setup_pool(4096, true);
    assert_int_equal(pool_alloc(&pool, 9), 0);
    assert_int_equal(pool_alloc(&pool, 9), 512);
    assert_int_equal(pool_alloc(&pool, 12), -1);   /* no longer wholly free */
    pool_reserve_range(&pool, 1100, 1);
    assert_int_equal(pool_alloc(&pool, 9), 1536);  /* 1024 block has a hole */
    assert_int_equal(pool_alloc(&pool, 6), 2048);
    assert_int_equal(pool.nr_free, 4096 - 1 - 512 * 3 - 64);
    assert_int_equal(pool_alloc(&pool, 13), -1);
    assert_int_equal(pool_alloc(&pool, 63), -1);
    assert_int_equal(pool_alloc(&pool, 64), -1);
    assert_int_equal(pool_alloc(&pool, 200), -1);
    setup_pool(4096, true);
    assert_int_equal(pool_alloc(&pool, 12), 0);
    assert_int_equal(pool.nr_free, 0);
    setup_pool(100, true);                          /* partial last word */
    assert_int_equal(pool_alloc(&pool, 6), 0);
    assert_int_equal(pool_alloc(&pool, 6), -1);
    assert_int_equal(pool_alloc(&pool, 5), 64);
    assert_int_equal(pool_alloc(&pool, 2), 96);
    assert_int_equal(pool_alloc(&pool, 0), -1);
}

static void test_bad_free(void **state)
{
    (void)state;
    setup_pool(1000, false);
    pool_free(&pool, 8, 2);
    assert_int_equal(pool.nr_free, 4);
    pool_free(&pool, 8, 2);                         /* double free */
    assert_int_equal(pool.nr_free, 4);
    pool_free(&pool, 6, 2);                         /* misaligned */
    pool_free(&pool, 1000, 0);                      /* past the end */
    pool_free(&pool, 992, 4);                       /* straddles the end */
    pool_free(&pool, 0, 64);
    pool_free(&pool, ~0ULL, 0);
    assert_int_equal(pool.nr_free, 4);
    assert_int_equal(count_free(), 4);
    pool_free(&pool, 999, 0);
    assert_int_equal(pool.nr_free, 5);
}

/* Order 0 over a nearly full large pool: the answer is the one free frame. */
static void test_order0_sparse(void **state)
{
    static uint64_t big[(1 << 20) / 64];
    struct frame_pool p;

    (void)state;
    pool_init(&p, big, 1 << 20);
    pool_free_range(&p, (1 << 20) - 1, 1);
    pool_free_range(&p, 77, 1);
    p.hint = 78;
    assert_int_equal(pool_alloc(&p, 0), (1 << 20) - 1);
    assert_int_equal(pool_alloc(&p, 0), 77);
    assert_int_equal(pool_alloc(&p, 0), -1);
    assert_int_equal(p.nr_free, 0);
}

/* ---- random operations against a bool-per-frame model ---- */

static bool model[MAXF];
static uint64_t model_nr_free;

static bool model_block_free(uint64_t f, unsigned order)
{
    uint64_t i;

    for (i = 0; i < (1ULL << order); i++)
        if (!model[f + i])
            return false;
    return true;
}

static bool model_any_block(uint64_t nr, unsigned order)
{
    uint64_t f;

    for (f = 0; f + (1ULL << order) <= nr; f += 1ULL << order)
        if (model_block_free(f, order))
            return true;
    return false;
}

static void model_set(uint64_t nr, uint64_t f, uint64_t count, bool v)
{
    for (; count && f < nr; f++, count--) {
        model_nr_free += v - model[f];
        model[f] = v;
    }
}

static void check_alloc(uint64_t nr, unsigned order)
{
    int64_t f = pool_alloc(&pool, order);

    if (f < 0) {
        assert_false(model_any_block(nr, order));
        return;
    }
    assert_int_equal((uint64_t)f % (1ULL << order), 0);
    assert_true((uint64_t)f + (1ULL << order) <= nr);
    assert_true(model_block_free((uint64_t)f, order));
    model_set(nr, (uint64_t)f, 1ULL << order, false);
}

static void test_random_vs_model(void **state)
{
    unsigned iter, op, order;
    uint64_t nr, f, i, n;

    (void)state;
    srand(777);
    for (iter = 0; iter < 40; iter++) {
        nr = 1 + (uint64_t)rand() % MAXF;
        setup_pool(nr, false);
        memset(model, 0, sizeof(model));
        model_nr_free = 0;
        for (op = 0; op < 3000; op++) {
            order = (unsigned)rand() % 8;
            f = (uint64_t)rand() % (nr + 16);
            n = (uint64_t)rand() % 300;
            switch (rand() % 8) {
            case 0: pool_free_range(&pool, f, n); model_set(nr, f, n, true); break;
            case 1: pool_reserve_range(&pool, f, n / 4); model_set(nr, f, n / 4, false); break;
            case 2: case 3:
                f &= ~((1ULL << order) - 1);
                pool_free(&pool, f, order);
                if (f + (1ULL << order) <= nr)
                    model_set(nr, f, 1ULL << order, true);
                break;
            default: check_alloc(nr, order); break;
            }
            assert_int_equal(pool.nr_free, model_nr_free);
        }
        for (i = 0; i < nr; i++)
            assert_int_equal(pool_is_free(&pool, i), model[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_all_used),
        cmocka_unit_test(test_ranges_and_accounting),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_exhaustion_and_reuse),
        cmocka_unit_test(test_next_fit),
        cmocka_unit_test(test_large_orders),
        cmocka_unit_test(test_bad_free),
        cmocka_unit_test(test_order0_sparse),
        cmocka_unit_test(test_random_vs_model),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
