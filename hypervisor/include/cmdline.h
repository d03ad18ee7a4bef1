/* Command-line parsing into a table of typed parameters (pure, host-testable). */
#ifndef TANDEM_CMDLINE_H
#define TANDEM_CMDLINE_H

#include "types.h"

enum param_type {
    PARAM_BOOL,     /* var: bool *; "k", "no-k", "k=0|1|yes|no|on|off|true|false" */
    PARAM_UINT,     /* var: uint64_t *; "k=123" or "k=0x7b" */
    PARAM_SIZE,     /* var: uint64_t *; "k=64M": number, optional K/M/G/T (x1024^n) */
    PARAM_STR,      /* var: char[len]; "k=text", truncated, always NUL-terminated */
};

struct cmdline_param {
    const char *name;
    enum param_type type;
    void *var;
    size_t len;     /* PARAM_STR: size of the buffer at var; unused otherwise */
};

/*
 * Parse space-separated "key[=value]" words; double quotes group spaces
 * into one word and are removed ("k=\"a b\"" gives "a b"). An exact name
 * match wins over the "no-" boolean form. A bad value leaves the variable
 * unchanged. For each unknown key or bad value, report(key, why, ctx) is
 * called if report is non-NULL (key is NUL-terminated, possibly truncated).
 * Returns the number of problems (0 = all understood). cmdline may be NULL.
 */
int cmdline_parse(const char *cmdline, const struct cmdline_param *params, unsigned n,
                  void (*report)(const char *key, const char *why, void *ctx), void *ctx);

/* Multiboot loaders prepend the image name: returns s past leading spaces,
 * the first word and the spaces after it (so "" if there is only one word). */
const char *cmdline_skip_first_word(const char *s);

/* Shared value parsers (also used by domconfig.c). */
/* Decimal or 0x hex into *v; NULL or why it is bad ("not a number", "number too large");
 * *end is the first character not used. */
const char *parse_number(const char *s, uint64_t *v, const char **end);
/* 1/0, yes/no, on/off, true/false; false when s is none of them. */
bool parse_bool(const char *s, bool *b);

#endif
