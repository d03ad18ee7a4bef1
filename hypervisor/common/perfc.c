/* COUNTERS lines: the per-domain event counters in a form tools/bench parses (perfc.h). */
#include "lib.h"
#include "perfc.h"
#include "domain.h"
#include "hypercall.h"

/* Per-hypercall values as "COUNTERS d=N <prefix><name>=V ..." lines of bounded length. */
static void dump_by_nr(const struct domain *d, const char *prefix, const uint64_t *val)
{
    char line[200];
    size_t head, len;

    head = len = (size_t)snprintf(line, sizeof(line), "COUNTERS d=%u", d->domain_id);
    for (unsigned int nr = 0; nr < NR_HYPERCALLS; nr++) {
        char item[64];
        size_t n;

        if (!d->ctr.hypercall_by_nr[nr])
            continue;
        n = (size_t)snprintf(item, sizeof(item), " %s%s=%lu", prefix, hypercall_name(nr),
                             (unsigned long)val[nr]);
        if (len + n >= sizeof(line)) {
            printk("%s\n", line);
            len = head;
        }
        memcpy(line + len, item, n + 1);
        len += n;
    }
    if (len > head)
        printk("%s\n", line);
}

void perfc_dump_domain(struct domain *d)
{
    const struct domain_counters *c = &d->ctr;

    printk("COUNTERS d=%u hypercalls=%lu bounces=%lu upcalls=%lu pt_validations=%lu "
           "tlb_flushes=%lu cr3_switches=%lu ptwr=%lu emul=%lu\n", d->domain_id,
           (unsigned long)c->hypercalls, (unsigned long)c->bounces, (unsigned long)c->upcalls,
           (unsigned long)c->pt_validations, (unsigned long)c->tlb_flushes,
           (unsigned long)c->cr3_switches, (unsigned long)c->ptwr_emulations,
           (unsigned long)c->priv_emulations);
    printk("COUNTERS d=%u mm_restarts=%lu mm_teardown_restarts=%lu reuse_flushes=%lu\n", d->domain_id,
           (unsigned long)c->mm_restarts, (unsigned long)c->mm_teardown_restarts,
           (unsigned long)c->reuse_flushes);
    printk("COUNTERS d=%u mmu_entries=%lu cr3_baseptr=%lu\n", d->domain_id,
           (unsigned long)c->mmu_entries, (unsigned long)c->cr3_baseptr);
    dump_by_nr(d, "hc.", c->hypercall_by_nr);
#ifdef TANDEM_DEBUG
    dump_by_nr(d, "tsc.", c->hypercall_tsc);
#endif
}

void perfc_dump(void)
{
    for (struct domain *d = domain_list; d; d = d->next_in_list)
        perfc_dump_domain(d);
}
