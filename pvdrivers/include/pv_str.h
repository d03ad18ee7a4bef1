/*
 * pv_str.h: the strings of the store's keys as every split driver makes and
 * reads them (pvdrivers.md): paths "dir/key", decimal numbers written, and
 * decimal numbers read (digits only, no sign or blanks, not empty, at most
 * UINT32_MAX). Inline, so each driver library stays free of a link
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

/* v in decimal into buf (room for its digits and a NUL: 21 bytes hold any v), NUL-terminated; buf. */
static inline char *pv_utoa(char *buf, uint64_t v)
{
    char tmp[20];
    unsigned int n = 0, i = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        buf[i++] = tmp[--n];
    buf[i] = '\0';
    return buf;
}

/* "dir/key" into dst (cap bytes, cap >= 2), each part cut so that it fits. */
static inline void pv_path_join(char *dst, unsigned int cap, const char *dir, const char *key)
{
    unsigned int n = 0;

    for (; *dir && n < cap - 2; dir++)
        dst[n++] = *dir;
    dst[n++] = '/';
    for (; *key && n < cap - 1; key++)
        dst[n++] = *key;
    dst[n] = '\0';
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
