/* kernel_panic: the guest kernel's last word when its own state is wrong. */
#include "kernel.h"

__attribute__((noreturn, format(printf, 1, 2))) void kernel_panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk("kernel panic: %s\n", buf);
    shutdown(SHUTDOWN_crash);
}
