/* Refusals that say why, with loglvl=debug: the per-CPU note and the rate-limited line (refuse.h). */
#include "lib.h"
#include "refuse.h"
#include "config.h"
#include "cpu.h"
#include "domain.h"
#include "hypercall.h"
#include "spinlock.h"
#include "time.h"
#include <tandem/errno.h>
#include <tandem/xen.h>

#define NOTE_LEN    200
#define BURST       40              /* lines at once, then RATE a second */
#define RATE        20

bool refuse_log_on __pv_fast_data;
static char note[NR_CPUS][NOTE_LEN];
static spinlock_t rate_lock = SPIN_LOCK_UNLOCKED;
static uint64_t tokens = BURST, refill_ns;
static unsigned long suppressed;

void refuse_enable(bool on)
{
    refuse_log_on = on;
}

__pv_fast void refuse_begin(void)
{
    if (refuse_log_on)
        note[this_cpu()->cpu_id][0] = '\0';
}

void refuse_note(const char *fmt, ...)
{
    char *n = note[this_cpu()->cpu_id];
    size_t len = strlen(n);
    va_list ap;

    if (len && len + 2 < NOTE_LEN) {
        strlcpy(n + len, "; ", NOTE_LEN - len);
        len += 2;
    }
    va_start(ap, fmt);
    vsnprintf(n + len, NOTE_LEN - len, fmt, ap);
    va_end(ap);
}

/* Token bucket: true if a line may go out now; counts the ones that may not. */
static bool rate_ok(unsigned long *dropped)
{
    uint64_t now = now_ns();
    unsigned long f = spin_lock_irqsave(&rate_lock);
    bool ok;

    if (now > refill_ns) {
        tokens = MIN(tokens + (now - refill_ns) * RATE / 1000000000ULL, (uint64_t)BURST);
        refill_ns = now;
    }
    ok = tokens > 0;
    if (ok) {
        tokens--;
        *dropped = suppressed;
        suppressed = 0;
    } else {
        suppressed++;
    }
    spin_unlock_irqrestore(&rate_lock, f);
    return ok;
}

static const char *errno_name(long rc)
{
    static const struct { int e; const char *n; } names[] = {
        { XEN_EPERM, "EPERM" }, { XEN_ENOENT, "ENOENT" }, { XEN_ESRCH, "ESRCH" }, { XEN_ENXIO, "ENXIO" },
        { XEN_E2BIG, "E2BIG" }, { XEN_EAGAIN, "EAGAIN" }, { XEN_ENOMEM, "ENOMEM" },
        { XEN_EACCES, "EACCES" }, { XEN_EFAULT, "EFAULT" }, { XEN_EBUSY, "EBUSY" },
        { XEN_EEXIST, "EEXIST" }, { XEN_EINVAL, "EINVAL" }, { XEN_ENOSPC, "ENOSPC" },
        { XEN_ENOSYS, "ENOSYS" }, { XEN_EOPNOTSUPP, "EOPNOTSUPP" },
    };

    for (unsigned int i = 0; i < ARRAY_SIZE(names); i++)
        if (-rc == names[i].e)
            return names[i].n;
    return "error";
}

static const char *gntst_name(long st)
{
    static const char *const names[] = { "okay", "general_error", "bad_domain", "bad_gntref", "bad_handle",
                                         "bad_virt_addr", "bad_dev_addr", "no_device_space",
                                         "permission_denied", "bad_page", "bad_copy_arg",
                                         "address_too_big", "eagain", "no_space" };

    return st <= 0 && -st < (long)ARRAY_SIZE(names) ? names[-st] : "?";
}

static void emit(const struct domain *d, const char *what, long rc, bool gntst)
{
    const char *n = note[this_cpu()->cpu_id];
    unsigned long dropped;

    if (!rate_ok(&dropped))
        return;
    if (dropped)
        printk(XENLOG_DEBUG "refused: %lu more lines not shown (rate limit)\n", dropped);
    printk(XENLOG_DEBUG "d%u refused %s: %ld (%s%s)%s%s\n", d->domain_id, what, rc,
           gntst ? "GNTST_" : "-", gntst ? gntst_name(rc) : errno_name(rc), n[0] ? ": " : "", n);
}

void refuse_report(const struct domain *d, unsigned long nr, uint64_t a1, uint64_t a2, uint64_t a3, long rc)
{
    char what[96];

    /* iret returns the frame's rax, any value; a continuation returns the (positive) number. */
    if (!refuse_log_on || rc >= 0 || rc < -4095 || nr == __HYPERVISOR_iret)
        return;
    snprintf(what, sizeof(what), "%s(%#lx, %#lx, %#lx)", hypercall_name(nr), (unsigned long)a1,
             (unsigned long)a2, (unsigned long)a3);
    emit(d, what, rc, false);
}

void refuse_log_op(const struct domain *d, const char *what, long status)
{
    if (!refuse_log_on)
        return;
    emit(d, what, status, true);
    note[this_cpu()->cpu_id][0] = '\0';     /* the next op's rule starts afresh */
}
