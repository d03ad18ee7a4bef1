/* Checked copies to and from guest virtual memory. */
#include "lib.h"
#include "guest_access.h"
#include "page.h"
#include "refuse.h"
#include <tandem/errno.h>


__pv_fast bool guest_range_ok(guest_va_t va, size_t len)
{
    guest_va_t end = va + len;

    if (end < va)
        return false;
    if (len == 0)
        return true;
    /* Lower half: [0, 2^47). Upper half: [HYPERVISOR_VIRT_END, 2^64). */
    if (end <= 0x0000800000000000UL)
        return true;
    return va >= 0xFFFF880000000000UL;
}

__pv_fast int copy_from_guest(void *dst, guest_va_t src, size_t len)
{
    if (!guest_range_ok(src, len)) {
        REFUSE_WHY("reading %zu bytes at %#lx: not guest address space (non-canonical, "
                   "wraps or the hypervisor's range)", len, (unsigned long)src);
        return -XEN_EFAULT;
    }
    if (raw_copy_guest(dst, (const void *)src, len)) {
        REFUSE_WHY("reading %zu bytes at %#lx: not mapped readable in the current page tables",
                   len, (unsigned long)src);
        return -XEN_EFAULT;
    }
    return 0;
}

__pv_fast int copy_to_guest(guest_va_t dst, const void *src, size_t len)
{
    if (!guest_range_ok(dst, len)) {
        REFUSE_WHY("writing %zu bytes at %#lx: not guest address space (non-canonical, "
                   "wraps or the hypervisor's range)", len, (unsigned long)dst);
        return -XEN_EFAULT;
    }
    if (raw_copy_guest((void *)dst, src, len)) {
        REFUSE_WHY("writing %zu bytes at %#lx: not mapped writable in the current page tables",
                   len, (unsigned long)dst);
        return -XEN_EFAULT;
    }
    return 0;
}

int copy_string_from_guest(char *dst, guest_va_t src, size_t max)
{
    for (size_t i = 0; i < max; i++) {
        if (copy_from_guest(&dst[i], src + i, 1))
            return -XEN_EFAULT;
        if (!dst[i])
            return 0;
    }
    dst[max - 1] = '\0';
    return -XEN_E2BIG;
}
