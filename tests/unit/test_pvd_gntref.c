/* Unit tests for pvdrivers/common/gntref.c: claim/release, exhaustion, double and stray releases, a random model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pv_gntref.h"
#include <tandem/errno.h>

#define FIRST 8                 /* Linux leaves refs 0..7 to the toolstack (console, store) */
#define COUNT 64

static uint32_t next[COUNT];
static struct gntref_pool pool;

static void setup(void)
{
    memset(next, 0x5a, sizeof(next));
    assert_int_equal(gntref_pool_init(&pool, FIRST, COUNT, next), 0);
}

static void test_init_bad(void **state)
{
    (void)state;
    assert_int_equal(gntref_pool_init(&pool, 0, 0, next), -XEN_EINVAL);
    assert_int_equal(gntref_pool_init(&pool, 0xfffffff0u, 0x20, next), -XEN_EINVAL);
    assert_int_equal(gntref_pool_init(&pool, 0, GNTREF_END, next), -XEN_EINVAL);
    assert_int_equal(gntref_pool_init(&pool, 0xffffffc0u, COUNT, next), 0);   /* ends at 2^32-1 */
}

/* Every ref of the range exactly once, then -ENOSPC; a released ref is claimed again. */
static void test_exhaustion(void **state)
{
    static int seen[COUNT];
    grant_ref_t r, keep = 12345;
    int i;

    (void)state;
    setup();
    memset(seen, 0, sizeof(seen));
    for (i = 0; i < COUNT; i++) {
        assert_int_equal(gntref_claim(&pool, &r), 0);
        assert_true(r >= FIRST && r < FIRST + COUNT);
        assert_int_equal(seen[r - FIRST]++, 0);
        assert_true(gntref_is_claimed(&pool, r));
    }
    assert_int_equal(gntref_nr_free(&pool), 0);
    assert_int_equal(gntref_claim(&pool, &keep), -XEN_ENOSPC);
    assert_int_equal(keep, 12345);
    assert_int_equal(gntref_release(&pool, FIRST + 5), 0);
    assert_int_equal(gntref_claim(&pool, &r), 0);
    assert_int_equal(r, FIRST + 5);
    assert_int_equal(gntref_claim(&pool, &r), -XEN_ENOSPC);
}

/* Double release, never-claimed, below and above the range: -EINVAL, pool unchanged. */
static void test_bad_release(void **state)
{
    grant_ref_t a, b, r;

    (void)state;
    setup();
    assert_int_equal(gntref_claim(&pool, &a), 0);
    assert_int_equal(gntref_claim(&pool, &b), 0);
    assert_int_equal(gntref_release(&pool, a), 0);
    assert_int_equal(gntref_release(&pool, a), -XEN_EINVAL);
    assert_int_equal(gntref_release(&pool, FIRST + 40), -XEN_EINVAL);
    assert_int_equal(gntref_release(&pool, FIRST - 1), -XEN_EINVAL);
    assert_int_equal(gntref_release(&pool, FIRST + COUNT), -XEN_EINVAL);
    assert_int_equal(gntref_release(&pool, 0xffffffffu), -XEN_EINVAL);
    assert_false(gntref_is_claimed(&pool, FIRST - 1));
    assert_int_equal(gntref_nr_free(&pool), COUNT - 1);
    /* The list is intact: exactly COUNT - 1 more claims succeed, all distinct from b. */
    for (int i = 0; i < COUNT - 1; i++) {
        assert_int_equal(gntref_claim(&pool, &r), 0);
        assert_int_not_equal(r, b);
    }
    assert_int_equal(gntref_claim(&pool, &r), -XEN_ENOSPC);
}

/* Random claims and releases (some bogus) against a bitmap model. */
static void test_random_vs_model(void **state)
{
    static int model[COUNT];
    unsigned int seed = 11, nfree = COUNT;
    grant_ref_t r;
    int i, rc;

    (void)state;
    setup();
    memset(model, 0, sizeof(model));
    for (i = 0; i < 100000; i++) {
        seed = seed * 1103515245u + 12345u;
        if ((seed >> 16) & 1) {
            rc = gntref_claim(&pool, &r);
            if (!nfree) {
                assert_int_equal(rc, -XEN_ENOSPC);
                continue;
            }
            assert_int_equal(rc, 0);
            assert_int_equal(model[r - FIRST], 0);
            model[r - FIRST] = 1;
            nfree--;
        } else {
            r = FIRST - 2 + (seed >> 17) % (COUNT + 4);
            rc = gntref_release(&pool, r);
            if (r >= FIRST && r < FIRST + COUNT && model[r - FIRST]) {
                assert_int_equal(rc, 0);
                model[r - FIRST] = 0;
                nfree++;
            } else {
                assert_int_equal(rc, -XEN_EINVAL);
            }
        }
        assert_int_equal(gntref_nr_free(&pool), nfree);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_bad),
        cmocka_unit_test(test_exhaustion),
        cmocka_unit_test(test_bad_release),
        cmocka_unit_test(test_random_vs_model),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
