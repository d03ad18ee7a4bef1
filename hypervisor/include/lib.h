/* Freestanding library: strings, formatting, logging and the error policy. */
#ifndef TANDEM_LIB_H
#define TANDEM_LIB_H

#include "types.h"

/* Strings and formatting: libtandem (lib/include/tandem-lib/, one copy for every tree). */
#include <tandem-lib/string.h>
#include <tandem-lib/printf.h>

/* Log levels, Xen's names. printk() without a level prefix logs at INFO. */
#define XENLOG_ERR     "<0>"
#define XENLOG_WARNING "<1>"
#define XENLOG_INFO    "<2>"
#define XENLOG_DEBUG   "<3>"
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vprintk(const char *fmt, va_list ap);

/* Hypervisor inconsistency: print, dump, stop the machine. Never for guest input. */
__noreturn void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define BUG() panic("BUG at %s:%d", __FILE__, __LINE__)
#define BUG_ON(c) do { if (unlikely(c)) panic("BUG_ON(%s) at %s:%d", #c, __FILE__, __LINE__); } while (0)
#ifdef NDEBUG
#define ASSERT(c) do { } while (0)
#else
#define ASSERT(c) do { if (unlikely(!(c))) panic("Assertion '%s' failed at %s:%d", #c, __FILE__, __LINE__); } while (0)
#endif

#endif
