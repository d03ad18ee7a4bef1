/* Unit tests for hypervisor/common/cmdline.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cmdline.h"

static bool flag, other;
static uint64_t num, size;
static char str[16], tiny[4];

static const struct cmdline_param params[] = {
    { "flag", PARAM_BOOL, &flag, 0 },
    { "other", PARAM_BOOL, &other, 0 },
    { "num", PARAM_UINT, &num, 0 },
    { "mem", PARAM_SIZE, &size, 0 },
    { "name", PARAM_STR, str, sizeof(str) },
    { "tiny", PARAM_STR, tiny, sizeof(tiny) },
    { "no-reboot", PARAM_UINT, &num, 0 },       /* a real name that starts "no-" */
};

static char reports[1024];

static void report(const char *key, const char *why, void *ctx)
{
    size_t used = strlen(reports);

    assert_ptr_equal(ctx, reports);
    snprintf(reports + used, sizeof(reports) - used, "[%s: %s]", key, why);
}

static int parse(const char *s)
{
    flag = other = false;
    num = size = 0;
    memset(str, 0, sizeof(str));
    memset(tiny, 0, sizeof(tiny));
    reports[0] = '\0';
    return cmdline_parse(s, params, sizeof(params) / sizeof(params[0]), report, reports);
}

static void test_bool(void **state)
{
    static const char *const yes[] = { "1", "yes", "on", "true" };
    static const char *const no[] = { "0", "no", "off", "false" };
    char buf[32];
    unsigned i;

    (void)state;
    assert_int_equal(parse("flag"), 0);
    assert_true(flag);
    assert_int_equal(parse("flag no-flag"), 0);
    assert_false(flag);
    for (i = 0; i < 4; i++) {
        snprintf(buf, sizeof(buf), "flag=%s", yes[i]);
        assert_int_equal(parse(buf), 0);
        assert_true(flag);
        snprintf(buf, sizeof(buf), "flag no-other flag=%s", no[i]);
        assert_int_equal(parse(buf), 0);
        assert_false(flag);
    }
    assert_int_equal(parse("flag=maybe no-flag=1 flag= other"), 3);
    assert_false(flag);                         /* bad values leave it unchanged */
    assert_true(other);
    assert_non_null(strstr(reports, "[flag: bad boolean"));
    assert_non_null(strstr(reports, "[no-flag: \"no-\" form takes no value]"));
}

static void test_uint(void **state)
{
    (void)state;
    assert_int_equal(parse("num=12345"), 0);
    assert_int_equal(num, 12345);
    assert_int_equal(parse("num=0x7fFF"), 0);
    assert_int_equal(num, 0x7fff);
    assert_int_equal(parse("num=0X10"), 0);
    assert_int_equal(num, 16);
    assert_int_equal(parse("num=18446744073709551615"), 0);
    assert_int_equal(num, UINT64_MAX);
    assert_int_equal(parse("num=0xffffffffffffffff"), 0);
    assert_int_equal(num, UINT64_MAX);
    assert_int_equal(parse("num=7 num=18446744073709551616"), 1);
    assert_int_equal(num, 7);
    assert_string_equal(reports, "[num: number too large]");
    assert_int_equal(parse("num=0x1ffffffffffffffff"), 1);
    assert_int_equal(parse("num=12x num=0x num= num -5 num=1_000"), 6);
    assert_non_null(strstr(reports, "[num: trailing characters after number]"));
    assert_non_null(strstr(reports, "[num: not a number]"));
    assert_non_null(strstr(reports, "[num: missing value]"));
    assert_int_equal(parse("num=123456789012345678901234567890123"), 1);
    assert_string_equal(reports, "[num: value too long]");
}

static void test_size(void **state)
{
    (void)state;
    assert_int_equal(parse("mem=4096"), 0);
    assert_int_equal(size, 4096);
    assert_int_equal(parse("mem=64M"), 0);
    assert_int_equal(size, 64ULL << 20);
    assert_int_equal(parse("mem=4k"), 0);
    assert_int_equal(size, 4096);
    assert_int_equal(parse("mem=2G"), 0);
    assert_int_equal(size, 2ULL << 30);
    assert_int_equal(parse("mem=3T"), 0);
    assert_int_equal(size, 3ULL << 40);
    assert_int_equal(parse("mem=0x10M"), 0);
    assert_int_equal(size, 16ULL << 20);
    assert_int_equal(parse("mem=16777215T"), 0);
    assert_int_equal(size, 16777215ULL << 40);
    assert_int_equal(parse("mem=16777216T"), 1);
    assert_string_equal(reports, "[mem: size too large]");
    assert_int_equal(parse("mem=1E mem=1MB mem=M"), 3);
    assert_non_null(strstr(reports, "[mem: bad size suffix"));
    assert_non_null(strstr(reports, "[mem: not a number]"));
    assert_int_equal(size, 0);
}

static void test_str(void **state)
{
    (void)state;
    assert_int_equal(parse("name=tandem"), 0);
    assert_string_equal(str, "tandem");
    assert_int_equal(parse("name=\"a b  c\" flag"), 0);
    assert_string_equal(str, "a b  c");
    assert_true(flag);
    assert_int_equal(parse("tiny=hello"), 0);
    assert_string_equal(tiny, "hel");
    assert_int_equal(parse("name=0123456789abcdefghij"), 0);
    assert_string_equal(str, "0123456789abcde");
    assert_int_equal(parse("name=x name="), 0);    /* last wins, empty allowed */
    assert_string_equal(str, "");
    assert_int_equal(parse("name"), 1);
    assert_string_equal(reports, "[name: missing value]");
    assert_int_equal(parse("\"name=q u\" num=\"42\""), 0);
    assert_string_equal(str, "q u");
    assert_int_equal(num, 42);
    assert_int_equal(parse("name=\"unterminated flag"), 0);
    assert_string_equal(str, "unterminated fl");
    assert_false(flag);
}

static void test_unknown_and_spacing(void **state)
{
    char longkey[100];

    (void)state;
    assert_int_equal(parse(NULL), 0);
    assert_int_equal(parse(""), 0);
    assert_int_equal(parse("   \t "), 0);
    assert_int_equal(parse("  flag\t\tnum=3   mem=1K  "), 0);
    assert_true(flag);
    assert_int_equal(num, 3);
    assert_int_equal(size, 1024);
    assert_int_equal(parse("bogus=1 flag whatever no-num =5 \"\""), 4);
    assert_string_equal(reports, "[bogus: unknown parameter][whatever: unknown parameter]"
                                 "[no-num: unknown parameter][: unknown parameter]");
    assert_true(flag);
    memset(longkey, 'k', sizeof(longkey) - 1);
    longkey[sizeof(longkey) - 1] = '\0';
    assert_int_equal(parse(longkey), 1);
    assert_int_equal(strlen(reports), strlen("[: unknown parameter]") + 63);
    assert_int_equal(cmdline_parse("x y flag", params, 7, NULL, NULL), 2);   /* no reporter */
    assert_true(flag);
}

static void test_exact_name_beats_no_prefix(void **state)
{
    (void)state;
    assert_int_equal(parse("no-reboot=9"), 0);
    assert_int_equal(num, 9);
    assert_int_equal(parse("no-reboot"), 1);
    assert_string_equal(reports, "[no-reboot: missing value]");
}

static void test_skip_first_word(void **state)
{
    (void)state;
    assert_string_equal(cmdline_skip_first_word("tandem.mb console=com1 x"), "console=com1 x");
    assert_string_equal(cmdline_skip_first_word("  /boot/tandem   a=1"), "a=1");
    assert_string_equal(cmdline_skip_first_word("tandem.mb"), "");
    assert_string_equal(cmdline_skip_first_word("tandem.mb   "), "");
    assert_string_equal(cmdline_skip_first_word(""), "");
    assert_string_equal(cmdline_skip_first_word("\"/my dir/tandem\" a"), "a");
    assert_null(cmdline_skip_first_word(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_uint),
        cmocka_unit_test(test_size),
        cmocka_unit_test(test_str),
        cmocka_unit_test(test_unknown_and_spacing),
        cmocka_unit_test(test_exact_name_beats_no_prefix),
        cmocka_unit_test(test_skip_first_word),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
