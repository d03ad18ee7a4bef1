/*
 * The kernel's access to user memory: a range is checked against the user
 * half and the current address space, demand-zero pages (heap, stack) are
 * faulted in on the way, and only then copied (one vCPU: nothing unmaps
 * them meanwhile). Errors are -EFAULT, or -ENOMEM when no page is left.
 */
#include "mm.h"
#include <tandem/errno.h>

static bool demand_region(struct mm *mm, uint64_t va, uint64_t *lo, uint64_t *hi)
{
    if (va >= mm->brk_start && va < mm->brk) {
        *lo = mm->brk_start;
        *hi = (mm->brk + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
        return true;
    }
    if (va >= USER_STACK_TOP - USER_STACK_MAX && va < USER_STACK_TOP) {
        *lo = USER_STACK_TOP - USER_STACK_MAX;
        *hi = USER_STACK_TOP;
        return true;
    }
    return false;
}

int mm_demand_fault(struct mm *mm, uint64_t va)
{
    uint64_t lo, hi;

    if (!demand_region(mm, va, &lo, &hi))
        return -XEN_EFAULT;
    return mm_fault_in(mm, va & ~(PAGE_SIZE - 1), lo, hi);
}

int user_access_ok(uint64_t va, uint64_t len, bool write)
{
    struct mm *mm = active_mm;
    uint64_t end = va + len;

    if (!mm || end < va || end > USER_TOP)
        return -XEN_EFAULT;
    for (uint64_t a = va & ~(PAGE_SIZE - 1); a < end; a += PAGE_SIZE) {
        uint64_t *pte = mm_pte(mm, a);
        int rc;
        if ((!pte || !(*pte & _PAGE_PRESENT)) && (rc = mm_demand_fault(mm, a)))
            return rc;
        pte = mm_pte(mm, a);
        if (write && !(*pte & _PAGE_RW))
            return -XEN_EFAULT;
    }
    return 0;
}

int copy_from_user(void *dst, uint64_t src, uint64_t len)
{
    int rc = user_access_ok(src, len, false);

    if (!rc)
        memcpy(dst, (const void *)src, len);
    return rc;
}

int copy_to_user(uint64_t dst, const void *src, uint64_t len)
{
    int rc = user_access_ok(dst, len, true);

    if (!rc)
        memcpy((void *)dst, src, len);
    return rc;
}

long strncpy_from_user(char *dst, uint64_t src, long max)
{
    for (long i = 0; i < max; i++) {
        if (copy_from_user(&dst[i], src + i, 1))
            return -XEN_EFAULT;
        if (!dst[i])
            return i;
    }
    return -XEN_EINVAL;
}
