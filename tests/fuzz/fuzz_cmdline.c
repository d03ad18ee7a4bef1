/* Fuzz target: the hypervisor command-line parser (hypervisor/common/cmdline.c). */
#include <string.h>
#include "fuzz.h"
#include "cmdline.h"

static void report(const char *key, const char *why, void *ctx)
{
    FUZZ_CHECK(key && why);
    FUZZ_CHECK(strlen(key) < 4096);
    ++*(unsigned *)ctx;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1), str[8], big[64];
    bool b = false;
    uint64_t u = 0, sz = 0, v;
    unsigned calls = 0;
    const char *end;
    const struct cmdline_param params[] = {
        { "flag", PARAM_BOOL, &b, 0 }, { "no-x", PARAM_BOOL, &b, 0 },
        { "n", PARAM_UINT, &u, 0 }, { "mem", PARAM_SIZE, &sz, 0 },
        { "s", PARAM_STR, str, sizeof(str) }, { "long", PARAM_STR, big, sizeof(big) },
        { "", PARAM_BOOL, &b, 0 },
    };
    int problems;

    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    str[0] = big[0] = '\0';
    problems = cmdline_parse(s, params, sizeof(params) / sizeof(params[0]), report, &calls);
    FUZZ_CHECK(problems >= 0 && (unsigned)problems == calls);
    FUZZ_CHECK(strlen(str) < sizeof(str) && strlen(big) < sizeof(big));
    end = cmdline_skip_first_word(s);
    FUZZ_CHECK(end >= s && end <= s + strlen(s));
    if (!parse_number(s, &v, &end))
        FUZZ_CHECK(end > s && end <= s + strlen(s));
    parse_bool(s, &b);
    free(s);
    return 0;
}
