/* The few C library functions the compiler may call, and the QEMU exit port. */
#include "native.h"

void *memset(void *p, int c, size_t n)
{
    void *d = p;
    __asm__ __volatile__("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
    return p;
}

void *memcpy(void *d, const void *s, size_t n)
{
    void *r = d;
    __asm__ __volatile__("rep movsb" : "+D"(d), "+S"(s), "+c"(n) :: "memory");
    return r;
}

/* isa-debug-exit at 0xf4: QEMU exits with status (value << 1) | 1. */
void qemu_exit(uint8_t value)
{
    outb(0xf4, value);
    for (;;)
        __asm__ __volatile__("cli; hlt");
}
