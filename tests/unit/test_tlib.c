/*
 * Unit tests for libtandem (lib/src/string.c, lib/src/vsnprintf.c), the one
 * copy the hypervisor, the guest kernels and their user programs link. Built
 * on the host with every symbol renamed tlib_* (tests/unit/build.mk), so the
 * C library's own functions serve as the reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <cmocka.h>

void *tlib_memcpy(void *d, const void *s, size_t n);
void *tlib_memmove(void *d, const void *s, size_t n);
void *tlib_memset(void *d, int c, size_t n);
int tlib_memcmp(const void *a, const void *b, size_t n);
size_t tlib_strlen(const char *s);
size_t tlib_strnlen(const char *s, size_t max);
int tlib_strcmp(const char *a, const char *b);
int tlib_strncmp(const char *a, const char *b, size_t n);
char *tlib_strchr(const char *s, int c);
size_t tlib_strlcpy(char *d, const char *s, size_t n);
unsigned long long tlib_simple_strtoull(const char *s, const char **end, unsigned int base);
int tlib_snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define SAME(fmt, ...) do {                                                         \
        char want[128], got[128];                                                   \
        int wn = snprintf(want, sizeof(want), fmt, __VA_ARGS__);                    \
        int gn = tlib_snprintf(got, sizeof(got), fmt, __VA_ARGS__);                 \
        assert_string_equal(got, want);                                             \
        assert_int_equal(gn, wn);                                                   \
    } while (0)

static void test_formats_match_libc(void **state)
{
    SAME("%d %d %d", 0, -1, INT_MIN);
    SAME("%i|%5d|%-5d|%05d|%-3d|", 42, -42, 42, -42, 7);
    SAME("%u %x %X %#x %#X", 4000000000u, 0xbeefu, 0xbeefu, 0x1au, 0x1au);
    SAME("%lu %ld %lx", ULONG_MAX, LONG_MIN, 0xfedcba9876543210UL);
    SAME("%llu %lld %llx", ULLONG_MAX, LLONG_MIN, 0x8000000000000000ULL);
    SAME("%zu %zx", (size_t)123456789, (size_t)0xabc);
    SAME("%016lx %8x|", 0x1234UL, 0x99u);
    SAME("[%s] [%8s] [%-8s] [%*d]", "abc", "abc", "abc", 6, 17);
    SAME("%c%c%c %%", 'T', 'a', 'n');
    (void)state;
}

static void test_pointer_and_null(void **state)
{
    char buf[64];

    tlib_snprintf(buf, sizeof(buf), "%p", (void *)0xdeadbeefUL);
    assert_string_equal(buf, "00000000deadbeef");
    const char *volatile null = NULL;

    tlib_snprintf(buf, sizeof(buf), "%s", null);
    assert_string_equal(buf, "(null)");
    (void)state;
}

static void test_truncation(void **state)
{
    char buf[8];

    memset(buf, 'x', sizeof(buf));
    assert_int_equal(tlib_snprintf(buf, 5, "%s-%d", "hello", 12345), 11);
    assert_string_equal(buf, "hell");
    assert_int_equal(buf[5], 'x');                  /* nothing past size */
    assert_int_equal(tlib_snprintf(buf, 0, "%d", 99), 2);
    assert_int_equal(buf[0], 'h');                  /* size 0: untouched */
    (void)state;
}

static void test_strings(void **state)
{
    char buf[16], ov[] = "abcdefgh";

    assert_int_equal(tlib_strlen(""), 0);
    assert_int_equal(tlib_strlen("tandem"), 6);
    assert_int_equal(tlib_strnlen("tandem", 3), 3);
    assert_true(tlib_strcmp("abc", "abd") < 0);
    assert_true(tlib_strcmp("b", "a") > 0);
    assert_int_equal(tlib_strcmp("same", "same"), 0);
    assert_true(tlib_strcmp("\xff", "a") > 0);      /* compared as unsigned char */
    assert_int_equal(tlib_strncmp("abcX", "abcY", 3), 0);
    assert_true(tlib_strncmp("ab", "abc", 5) < 0);
    assert_ptr_equal(tlib_strchr(ov, 'd'), ov + 3);
    assert_ptr_equal(tlib_strchr(ov, '\0'), ov + 8);
    assert_null(tlib_strchr(ov, 'z'));
    assert_int_equal(tlib_strlcpy(buf, "a long source string", 6), 20);
    assert_string_equal(buf, "a lon");
    assert_int_equal(tlib_strlcpy(buf, "fits", sizeof(buf)), 4);
    assert_string_equal(buf, "fits");
    tlib_memmove(ov + 2, ov, 5);                    /* overlapping, forwards */
    assert_string_equal(ov, "ababcdeh");
    tlib_memmove(ov, ov + 2, 5);                    /* overlapping, backwards */
    assert_string_equal(ov, "abcdedeh");
    tlib_memset(buf, 'q', 3);
    assert_int_equal(tlib_memcmp(buf, "qqqs", 3), 0);
    assert_true(tlib_memcmp("\x01", "\x80", 1) < 0);
    tlib_memcpy(buf, "copy", 5);
    assert_string_equal(buf, "copy");
    (void)state;
}

static void test_strtoull(void **state)
{
    const char *end;

    assert_int_equal(tlib_simple_strtoull("1234x", &end, 0), 1234);
    assert_int_equal(*end, 'x');
    assert_int_equal(tlib_simple_strtoull("0x7fG", &end, 0), 0x7f);
    assert_int_equal(*end, 'G');
    assert_int_equal(tlib_simple_strtoull("777", NULL, 8), 0777);
    assert_int_equal(tlib_simple_strtoull("789", &end, 8), 7);
    assert_int_equal(*end, '8');
    assert_int_equal(tlib_simple_strtoull("ffffffffffffffff", NULL, 16), UINT64_MAX);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_formats_match_libc),
        cmocka_unit_test(test_pointer_and_null),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_strings),
        cmocka_unit_test(test_strtoull),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
