/* The hypercall table, built from the one list (hypercalls.def); -ENOSYS for everything else. */
#include "lib.h"
#include "hypercall.h"
#include "domain.h"
#include "cpu.h"
#include "processor.h"
#include <tandem/errno.h>
#include <tandem/xen.h>

/* Calls not implemented yet fall back to -ENOSYS through weak aliases. */
static long do_ni_hypercall(uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    return -XEN_ENOSYS;
}
#define X(nr, name, nargs) \
    extern hypercall_fn_t do_##name __attribute__((weak, alias("do_ni_hypercall")));
#include "../../hypercall-abi/hypercalls.def"
#undef X

static hypercall_fn_t *const table[NR_HYPERCALLS] = {
#define X(nr, name, nargs) [nr] = do_##name,
#include "../../hypercall-abi/hypercalls.def"
#undef X
};

static const char *const names[NR_HYPERCALLS] = {
#define X(nr, name, nargs) [nr] = #name,
#include "../../hypercall-abi/hypercalls.def"
#undef X
};

long hypercall_continue(unsigned long nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct cpu_user_regs *regs = guest_cpu_regs();

    if (current->in_multicall)
        return 0;
    regs->rip -= 2;             /* back onto the SYSCALL */
    regs->rdi = a1;
    regs->rsi = a2;
    regs->rdx = a3;
    regs->r10 = a4;
    return nr;
}

const char *hypercall_name(unsigned long nr)
{
    return nr < NR_HYPERCALLS && names[nr] ? names[nr] : "unknown";
}

long hypercall_dispatch(unsigned long nr, uint64_t a1, uint64_t a2, uint64_t a3,
                        uint64_t a4, uint64_t a5)
{
    struct domain *d = current->domain;

    d->ctr.hypercalls++;
    if (nr >= NR_HYPERCALLS || !table[nr])
        return -XEN_ENOSYS;
    d->ctr.hypercall_by_nr[nr]++;
#ifdef TANDEM_DEBUG
    {
        /* make DEBUG=1: ticks per hypercall (a multicall's include its entries'). */
        uint64_t t0 = rdtsc();
        long ret = table[nr](a1, a2, a3, a4, a5);
        d->ctr.hypercall_tsc[nr] += rdtsc() - t0;
        return ret;
    }
#else
    return table[nr](a1, a2, a3, a4, a5);
#endif
}
