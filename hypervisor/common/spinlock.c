/*
 * Lock debugging's failure path (spinlock.h). It writes to the serial port
 * directly: the lock misused may be the console's own, so printk could
 * deadlock or recurse here.
 */
#include "lib.h"
#include "spinlock.h"
#include "console.h"
#include "shutdown.h"

static void raw_puts(const char *s)
{
    for (; *s; s++) {
        if (*s == '\n')
            serial_putc('\r');
        serial_putc(*s);
    }
}

__attribute__((noreturn)) void spin_debug_fail(const spinlock_t *l, const char *what)
{
    char buf[160];

    __asm__ __volatile__("cli" ::: "memory");
    snprintf(buf, sizeof(buf), "\nPanic: lock %p %s, from %p\n", (const void *)l, what,
             __builtin_return_address(0));
    raw_puts(buf);
    machine_halt(EXIT_PANIC);
}
