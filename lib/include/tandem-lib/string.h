/*
 * libtandem (lib/): memory and string primitives, one implementation for
 * the hypervisor, the guest kernels, their user programs and the host tests
 * (docs/architecture.md, "The freestanding library"). Freestanding: needs
 * only the compiler's <stddef.h>.
 */
#ifndef TANDEM_LIB_STRING_H
#define TANDEM_LIB_STRING_H

#include <stddef.h>

void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
/* Copies at most n - 1 bytes and NUL-terminates (if n); returns strlen(s). */
size_t strlcpy(char *d, const char *s, size_t n);
/* Digits of base (0: 10, or 16 after "0x"); *end (if end) is the first unused character. */
unsigned long long simple_strtoull(const char *s, const char **end, unsigned int base);

#endif
