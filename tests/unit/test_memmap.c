/* Unit tests for hypervisor/common/memmap.c, with a byte-model cross-check on random maps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "memmap.h"

#define U   BI_MEM_USABLE
#define R   BI_MEM_RESERVED
#define GiB (1ULL << 30)
#define R_(b, l, t) { .base = (b), .len = (l), .type = (t) }

static struct mem_range out[256];

static int run(const struct bi_mem_region *map, unsigned n, const struct mem_range *res,
               unsigned nres, uint64_t min, uint64_t max, unsigned max_out)
{
    memset(out, 0xa5, sizeof(out));
    return memmap_free_ranges(map, n, res, nres, min, max, out, max_out);
}

/* Ranges written must equal want[0..nwant). */
static void expect(int got, const struct mem_range *want, unsigned nwant)
{
    unsigned i;

    assert_int_equal(got, nwant);
    for (i = 0; i < nwant; i++) {
        if (out[i].start != want[i].start || out[i].end != want[i].end)
            fail_msg("range %u: [%#llx, %#llx), want [%#llx, %#llx)", i,
                     (unsigned long long)out[i].start, (unsigned long long)out[i].end,
                     (unsigned long long)want[i].start, (unsigned long long)want[i].end);
    }
}

static void test_simple(void **state)
{
    static const struct bi_mem_region map[] = { R_(0, 0x9fc00, U), R_(0x100000, 0x7ff00000, U) };
    static const struct mem_range want[] = { { 0, 0x9f000 }, { 0x100000, 0x80000000 } };

    (void)state;
    expect(run(map, 2, NULL, 0, 0, UINT64_MAX, 8), want, 2);
}

static void test_unsorted_overlapping_merge(void **state)
{
    static const struct bi_mem_region map[] = {
        R_(0x300000, 0x100000, U), R_(0x100000, 0x100000, U),
        R_(0x180000, 0x180000, U),      /* overlaps one neighbour, touches the other */
        R_(0x1000, 0x800, U), R_(0x1800, 0x1800, U),   /* unaligned, adjacent: merge to 2 pages */
    };
    static const struct mem_range want[] = { { 0x1000, 0x3000 }, { 0x100000, 0x400000 } };

    (void)state;
    expect(run(map, 5, NULL, 0, 0, UINT64_MAX, 8), want, 2);
}

static void test_non_usable_wins(void **state)
{
    static const struct bi_mem_region map[] = {
        R_(0x100000, 0x1000000, U),
        R_(0x200800, 0x10, R),                          /* inside: costs one page */
        R_(0x300000, 0x100000, BI_MEM_ACPI),
        R_(0x500000, 0x1000, BI_MEM_NVS),
        R_(0x600000, 0x1000, BI_MEM_BAD),
        R_(0x700000, 0x1000, 12),                       /* unknown type: not RAM */
        R_(0x1000000, 0x200000, R),                     /* covers the usable end */
        R_(0x80000, 0x81000, R),                        /* covers the usable start */
    };
    static const struct mem_range want[] = {
        { 0x101000, 0x200000 }, { 0x201000, 0x300000 }, { 0x400000, 0x500000 },
        { 0x501000, 0x600000 }, { 0x601000, 0x700000 }, { 0x701000, 0x1000000 },
    };

    (void)state;
    expect(run(map, 8, NULL, 0, 0, UINT64_MAX, 8), want, 6);
}

static void test_unaligned_edges(void **state)
{
    static const struct bi_mem_region map[] = { R_(0x1001, 0x4ffe, U), R_(0x10000, 0xfff, U) };
    static const struct mem_range want[] = { { 0x2000, 0x5000 } };

    (void)state;
    expect(run(map, 2, NULL, 0, 0, UINT64_MAX, 8), want, 1);
}

static void test_reserved_holes(void **state)
{
    static const struct bi_mem_region map[] = { R_(0, 64ULL << 20, U) };
    static const struct mem_range res[] = {
        { 0x200000, 0x400123 },         /* hypervisor image, unaligned end */
        { 0x800000, 0x800000 },         /* empty */
        { 0x1000000, 0x1400000 },       /* a module */
        { 0x1200000, 0x1300000 },       /* overlapping reservation */
        { 0x3fff000, 0x5000000 },       /* past the end of RAM */
    };
    static const struct mem_range want[] = {
        { 0, 0x200000 }, { 0x401000, 0x1000000 }, { 0x1400000, 0x3fff000 },
    };

    (void)state;
    expect(run(map, 1, res, 5, 0, UINT64_MAX, 8), want, 3);
}

static void test_min_max_clipping(void **state)
{
    static const struct bi_mem_region map[] = { R_(0, 0x9f000, U), R_(0x100000, 8 * GiB, U) };
    static const struct mem_range want[] = { { 0x2000, 0x9f000 }, { 0x100000, 4 * GiB } };
    static const struct mem_range want2[] = { { 0x200000, 0x3ff000 } };

    (void)state;
    expect(run(map, 2, NULL, 0, 0x1800, 4 * GiB, 8), want, 2);
    expect(run(map, 2, NULL, 0, 0x1ff001, 0x3fffff, 8), want2, 1);
    expect(run(map, 2, NULL, 0, 4 * GiB, 4 * GiB, 8), NULL, 0);
    expect(run(map, 2, NULL, 0, 5 * GiB, 1 * GiB, 8), NULL, 0);
}

static void test_out_of_space(void **state)
{
    static const struct bi_mem_region map[] = {
        R_(0x1000, 0x1000, U), R_(0x3000, 0x1000, U), R_(0x5000, 0x1000, U),
    };
    static const struct mem_range want[] = { { 0x1000, 0x2000 }, { 0x3000, 0x4000 } };

    (void)state;
    assert_int_equal(run(map, 3, NULL, 0, 0, UINT64_MAX, 2), -28);
    expect(2, want, 2);                         /* the first max_out are valid */
    assert_int_equal(run(map, 3, NULL, 0, 0, UINT64_MAX, 3), 3);
    assert_int_equal(run(map, 3, NULL, 0, 0, UINT64_MAX, 0), -28);
    assert_int_equal(run(map, 0, NULL, 0, 0, UINT64_MAX, 0), 0);
}

static void test_zero_and_wrapping(void **state)
{
    static const struct bi_mem_region map[] = {
        R_(0x100000, 0, R),                             /* zero length: no effect */
        R_(0x0, 0x400000, U),
        R_(0xfffffffffff00000ULL, 0x200000, U),         /* wraps: ignored */
        R_(0x2000000, 0x1000000, U),
        R_(0x2800000, ~0ULL, R),                        /* wraps: clipped, still excludes */
        R_(0x300000, 0, U),
    };
    static const struct mem_range want[] = { { 0, 0x400000 }, { 0x2000000, 0x2800000 } };

    (void)state;
    expect(run(map, 6, NULL, 0, 0, UINT64_MAX, 8), want, 2);
    expect(run(&map[2], 1, NULL, 0, 0, UINT64_MAX, 8), NULL, 0);
}

static void test_top_of_address_space(void **state)
{
    static const struct bi_mem_region map[] = { R_(0xffffffffffff0000ULL, 0xffff, U) };
    static const struct mem_range want[] = { { 0xffffffffffff0000ULL, 0xfffffffffffff000ULL } };

    (void)state;
    expect(run(map, 1, NULL, 0, 0xffffffffffff0000ULL, UINT64_MAX, 8), want, 1);
    expect(run(map, 1, NULL, 0, 0xfffffffffffff001ULL, UINT64_MAX, 8), NULL, 0);
}

static void test_highest_ram(void **state)
{
    static const struct bi_mem_region map[] = {
        R_(0x100000, 0x1000000, U), R_(0x7f000000, 0x10000, BI_MEM_ACPI),
        R_(0xfec00000, 0x1000, R), R_(0xfffffffffff00000ULL, 0x200000, U),
        R_(0x7ff00000, 0, U),
    };
    static const struct bi_mem_region nvs[] = { R_(0x80000000, 0x1000, BI_MEM_NVS) };

    (void)state;
    assert_int_equal(memmap_highest_ram(map, 5), 0x7f010000);
    assert_int_equal(memmap_highest_ram(nvs, 1), 0x80001000);
    assert_int_equal(memmap_highest_ram(map, 0), 0);
    assert_int_equal(memmap_highest_ram(&map[2], 1), 0);
}

/* ---- random maps against a 16-byte-cell model of a 1 MiB space ---- */

#define CELL    16
#define SPACE   (1U << 20)
#define NCELLS  (SPACE / CELL)

static uint8_t usable[NCELLS], blocked[NCELLS];

static void mark(uint8_t *cells, uint64_t s, uint64_t e)
{
    for (; s < e && s < SPACE; s += CELL)
        cells[s / CELL] = 1;
}

/* Expected ranges: whole pages whose cells are all free, merged. */
static unsigned model(uint64_t min, uint64_t max, struct mem_range *want)
{
    unsigned n = 0, c;
    uint64_t pg;
    int free_pg;

    for (pg = 0; pg < SPACE; pg += 4096) {
        free_pg = pg >= min && pg + 4096 <= max;
        for (c = 0; c < 4096 / CELL && free_pg; c++)
            free_pg = usable[pg / CELL + c] && !blocked[pg / CELL + c];
        if (!free_pg)
            continue;
        if (n && want[n - 1].end == pg)
            want[n - 1].end += 4096;
        else
            want[n++] = (struct mem_range){ pg, pg + 4096 };
    }
    return n;
}

static uint64_t rnd_addr(void)
{
    return (uint64_t)(rand() % (SPACE / CELL)) * CELL;
}

static void test_random_vs_model(void **state)
{
    struct bi_mem_region map[BI_MAX_MEM_REGIONS];
    struct mem_range res[8], want[256];
    unsigned iter, i, n, nres, nwant;
    uint64_t min, max;

    (void)state;
    srand(4242);
    for (iter = 0; iter < 300; iter++) {
        memset(usable, 0, sizeof(usable));
        memset(blocked, 0, sizeof(blocked));
        n = 1 + (unsigned)rand() % BI_MAX_MEM_REGIONS;
        for (i = 0; i < n; i++) {
            map[i] = (struct bi_mem_region){ rnd_addr(), rnd_addr() / (1 + rand() % 64),
                                             rand() % 4 ? U : 1 + (uint32_t)rand() % 5, 0 };
            map[i].len = MIN(map[i].len & ~(uint64_t)(CELL - 1), SPACE - map[i].base);
            mark(map[i].type == U ? usable : blocked, map[i].base, map[i].base + map[i].len);
        }
        nres = (unsigned)rand() % 9;
        for (i = 0; i < nres; i++) {
            res[i].start = rnd_addr();
            res[i].end = MIN(res[i].start + (rnd_addr() / 32 & ~(uint64_t)(CELL - 1)), SPACE);
            mark(blocked, res[i].start, res[i].end);
        }
        min = rand() % 3 ? 0 : rnd_addr();
        max = rand() % 3 ? UINT64_MAX : rnd_addr();
        nwant = model(min, max, want);
        expect(run(map, n, res, nres, min, max, 256), want, nwant);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple),
        cmocka_unit_test(test_unsorted_overlapping_merge),
        cmocka_unit_test(test_non_usable_wins),
        cmocka_unit_test(test_unaligned_edges),
        cmocka_unit_test(test_reserved_holes),
        cmocka_unit_test(test_min_max_clipping),
        cmocka_unit_test(test_out_of_space),
        cmocka_unit_test(test_zero_and_wrapping),
        cmocka_unit_test(test_top_of_address_space),
        cmocka_unit_test(test_highest_ram),
        cmocka_unit_test(test_random_vs_model),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
