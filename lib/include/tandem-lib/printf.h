/*
 * libtandem (lib/): formatting into a buffer. The formats: d i u x X p s c %,
 * the l, ll and z length modifiers, a width (or *), the flags 0 - #.
 * Returns the length the whole output would have (C's snprintf rule).
 */
#ifndef TANDEM_LIB_PRINTF_H
#define TANDEM_LIB_PRINTF_H

#include <stddef.h>
#include <stdarg.h>

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
