/* Failure injection for the error-path tests: see fault_inject.h. */
#include "lib.h"
#include "fault_inject.h"
#include "cmdline.h"

char opt_fail_step[FAIL_STEP_LEN];

/* Does the entry s ("SITE:N[@D]", up to ',' or the end) name (site, step, d)? */
static bool entry_matches(const char *s, const char *site, unsigned int step, unsigned int d)
{
    size_t len = strlen(site);
    uint64_t n, dom;
    const char *end;

    if (strncmp(s, site, len) || s[len] != ':')
        return false;
    if (parse_number(s + len + 1, &n, &end) || n != step)
        return false;
    if (*end != '@')
        return *end == ',' || *end == '\0';
    if (parse_number(end + 1, &dom, &end) || dom != d)
        return false;
    return *end == ',' || *end == '\0';
}

bool fault_inject(const char *site, unsigned int step, unsigned int d)
{
    for (const char *s = opt_fail_step; *s; ) {
        if (entry_matches(s, site, step, d)) {
            printk(XENLOG_WARNING "fail_step: %s step %u fails for d%u (test knob)\n", site, step, d);
            return true;
        }
        while (*s && *s != ',')
            s++;
        if (*s == ',')
            s++;
    }
    return false;
}
