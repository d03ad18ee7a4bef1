/* Parses "key[=value]" command lines into a caller-supplied table of typed parameters. */
#include "types.h"
#include "lib.h"
#include "cmdline.h"

#define CL_KEY_MAX  64      /* longer keys cannot match and are reported truncated */
#define CL_NUM_MAX  32      /* longest numeric or boolean value text */

static bool cl_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *cl_skip_spaces(const char *s)
{
    while (cl_space(*s))
        s++;
    return s;
}

/* End of the word at s: the first space outside double quotes, or the NUL. */
static const char *cl_word_end(const char *s)
{
    bool quoted = false;

    for (; *s && (quoted || !cl_space(*s)); s++)
        if (*s == '"')
            quoted = !quoted;
    return s;
}

/* Copy [s, e) minus quotes into dst[size] (NUL-terminated if size > 0); returns the full length. */
static size_t cl_unquote(const char *s, const char *e, char *dst, size_t size)
{
    size_t n = 0;

    for (; s < e; s++) {
        if (*s == '"')
            continue;
        if (n + 1 < size)
            dst[n] = *s;
        n++;
    }
    if (size)
        dst[MIN(n, size - 1)] = '\0';
    return n;
}

/* Decimal or 0x hex into *v; returns NULL or why it is bad. *end: first unparsed char. */
const char *parse_number(const char *s, uint64_t *v, const char **end)
{
    unsigned base = 10, d;
    const char *start;

    *v = 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    for (start = s;; s++) {
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (base == 16 && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f')
            d = (unsigned)((*s | 0x20) - 'a' + 10);
        else
            break;
        if (*v > (UINT64_MAX - d) / base)
            return "number too large";
        *v = *v * base + d;
    }
    *end = s;
    return s == start ? "not a number" : NULL;
}

static const char *cl_uint(const char *s, uint64_t *v)
{
    const char *end, *why = parse_number(s, v, &end);

    return why ? why : *end ? "trailing characters after number" : NULL;
}

static const char *cl_size(const char *s, uint64_t *v)
{
    static const char units[] = "kmgt";
    const char *end, *why = parse_number(s, v, &end), *u;
    unsigned shift = 0;

    if (why)
        return why;
    if (*end && (u = strchr(units, *end | 0x20)) != NULL) {
        shift = 10 * (unsigned)(u - units + 1);
        end++;
    }
    if (*end)
        return "bad size suffix (use K, M, G or T)";
    if (*v > (UINT64_MAX >> shift))
        return "size too large";
    *v <<= shift;
    return NULL;
}

bool parse_bool(const char *s, bool *b)
{
    static const char *const yes[] = { "1", "yes", "on", "true" };
    static const char *const no[] = { "0", "no", "off", "false" };

    for (unsigned i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(s, yes[i]) || !strcmp(s, no[i])) {
            *b = !strcmp(s, yes[i]);
            return true;
        }
    }
    return false;
}

static const char *cl_bool(const char *s, bool *b)
{
    return parse_bool(s, b) ? NULL : "bad boolean (use 1/0, yes/no, on/off, true/false)";
}

/* Store value [v, ve) (v NULL: no "=") into p; returns NULL or why it is bad. */
static const char *cl_apply(const struct cmdline_param *p, bool negated,
                            const char *v, const char *ve)
{
    char buf[CL_NUM_MAX];
    uint64_t num;
    bool b = !negated;
    const char *why = NULL;

    if (negated || (!v && p->type == PARAM_BOOL)) {
        if (v)
            return "\"no-\" form takes no value";
        *(bool *)p->var = b;
        return NULL;
    }
    if (!v)
        return "missing value";
    if (p->type == PARAM_STR) {
        cl_unquote(v, ve, p->var, p->len);
        return NULL;
    }
    if (cl_unquote(v, ve, buf, sizeof(buf)) >= sizeof(buf))
        return "value too long";
    if (p->type == PARAM_BOOL) {
        why = cl_bool(buf, &b);
        if (!why)
            *(bool *)p->var = b;
        return why;
    }
    why = p->type == PARAM_SIZE ? cl_size(buf, &num) : cl_uint(buf, &num);
    if (!why)
        *(uint64_t *)p->var = num;
    return why;
}

/* Exact name first, then "no-<name>" for booleans. */
static const struct cmdline_param *cl_find(const struct cmdline_param *params, unsigned n,
                                           const char *key, bool *negated)
{
    unsigned i;

    *negated = false;
    for (i = 0; i < n; i++)
        if (!strcmp(key, params[i].name))
            return &params[i];
    if (strncmp(key, "no-", 3))
        return NULL;
    *negated = true;
    for (i = 0; i < n; i++)
        if (params[i].type == PARAM_BOOL && !strcmp(key + 3, params[i].name))
            return &params[i];
    return NULL;
}

int cmdline_parse(const char *cmdline, const struct cmdline_param *params, unsigned n,
                  void (*report)(const char *key, const char *why, void *ctx), void *ctx)
{
    const char *w, *we, *eq, *why;
    const struct cmdline_param *p;
    char key[CL_KEY_MAX];
    bool negated;
    int problems = 0;

    for (w = cmdline ? cl_skip_spaces(cmdline) : ""; *w; w = cl_skip_spaces(we)) {
        we = cl_word_end(w);
        for (eq = w; eq < we && *eq != '='; eq++)
            ;
        if (cl_unquote(w, eq, key, sizeof(key)) >= sizeof(key))
            p = NULL;
        else if (!key[0] && eq == we)
            continue;                       /* "" on its own */
        else
            p = cl_find(params, n, key, &negated);
        why = p ? cl_apply(p, negated, eq < we ? eq + 1 : NULL, we) : "unknown parameter";
        if (why) {
            problems++;
            if (report)
                report(key, why, ctx);
        }
    }
    return problems;
}

const char *cmdline_skip_first_word(const char *s)
{
    if (!s)
        return NULL;
    return cl_skip_spaces(cl_word_end(cl_skip_spaces(s)));
}
