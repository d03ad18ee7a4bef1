/* Test kernel arguments from the guest command line. */
#include "testarg.h"

unsigned long test_arg(const char *key, unsigned long dflt)
{
    const char *p = start_info->cmd_line;
    size_t n = strlen(key);

    while (*p) {
        while (*p == ' ')
            p++;
        if (!strncmp(p, key, n) && p[n] == '=')
            return strtoul(p + n + 1, NULL, 0);
        while (*p && *p != ' ')
            p++;
    }
    return dflt;
}
