/* The user programs' library (see ulib.h). */
#include "ulib.h"

void exit(int status)
{
    for (;;)
        syscall1(SYS_exit, status);
}

int printf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(buf) - 1)
        n = sizeof(buf) - 1;
    write(1, buf, n);       /* one write: a line never mixes with another process's */
    return n;
}

unsigned long atoul(const char *s)
{
    unsigned long v = 0;

    while (*s >= '0' && *s <= '9')
        v = v * 10 + (unsigned long)(*s++ - '0');
    return v;
}

const char *strerror(long err)
{
    switch (-err) {
    case UAPI_ENOENT: return "no such program";
    case UAPI_E2BIG: return "argument list too long";
    case UAPI_ENOEXEC: return "not an executable";
    case UAPI_ECHILD: return "no child";
    case UAPI_EAGAIN: return "no process slot";
    case UAPI_ENOMEM: return "out of memory";
    case UAPI_EFAULT: return "bad address";
    case UAPI_EINVAL: return "invalid argument";
    case UAPI_ENOSYS: return "no such system call";
    default: return "error";
    }
}
