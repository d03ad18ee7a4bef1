/* Freestanding library: strings, formatting, logging and the error policy. */
#ifndef TANDEM_LIB_H
#define TANDEM_LIB_H

#include "types.h"

void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
size_t strlcpy(char *d, const char *s, size_t n);
unsigned long long simple_strtoull(const char *s, const char **end, unsigned int base);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

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
