/*
 * pv_str.h: the decimal numbers of the store's keys, as every split driver
 * reads them (pvdrivers.md): digits only, no sign or blanks, not empty,
 * at most UINT32_MAX. Inline, so each driver library stays free of a link
 * dependency for it. Errors are negative Xen errno values.
 */
#ifndef PV_STR_H
#define PV_STR_H

#include <stddef.h>
#include <stdint.h>
#include <tandem/errno.h>

/* The `len` bytes at s as a decimal uint32_t: 0, or -XEN_EINVAL. */
static inline int pv_parse_u32(const char *s, size_t len, uint32_t *out)
{
    uint64_t v = 0;

    if (!len)
        return -XEN_EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -XEN_EINVAL;
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > UINT32_MAX)
            return -XEN_EINVAL;
    }
    *out = (uint32_t)v;
    return 0;
}

/* The same for a NUL-terminated string. */
static inline int pv_parse_u32_str(const char *s, uint32_t *out)
{
    size_t len = 0;

    while (s[len])
        len++;
    return pv_parse_u32(s, len, out);
}

#endif
