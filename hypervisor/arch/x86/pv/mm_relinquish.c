/*
 * A dead domain's memory given back in bounded steps (Xen's
 * domain_relinquish_resources / relinquish_memory): the pins, the
 * validations left partway, then every frame, each step within the PV MMU's
 * work budget (pv/mm.c), a table teardown left partway parked in vCPU 0.
 */
#include "lib.h"
#include "mm.h"
#include "grant_table.h"
#include "domain.h"
#include "pv.h"
#include "cpu.h"
#include "mm_internal.h"
#include <tandem/errno.h>

/*
 * Drop one type and general reference to m as put_page_and_type_preemptible
 * does, the teardown it may leave parked in v->arch.pv.mm_pending (empty).
 */
static int put_and_type_parked(struct vcpu *v, mfn_t m)
{
    struct page_info *pg = mfn_to_page(m);

    if (pv_mm_put_type_begin(pg) && pv_mm_teardown(pg, true)) {
        v->arch.pv.mm_pending = m;                  /* the general reference goes with it */
        v->domain->ctr.mm_teardown_restarts++;
        return -XEN_ERESTART;
    }
    put_page(pg);
    return 0;
}

/* domain_relinquish_memory's phases (Xen's RELMEM_*). */
enum { REL_vcpus, REL_pins, REL_partial, REL_free, REL_done };

/*
 * Tear down a dead domain's memory through the reference machinery: drop
 * every reference the domain itself holds (base pointers, GDTs, registered
 * vcpu_info, the hypervisor's ring and shared_info references, pins; the
 * tables devalidate in cascade), then free each frame nothing references.
 * A frame another domain still maps stays allocated as a zombie until its
 * last reference goes (Xen keeps such a domain's pages the same way).
 *
 * Preemptible, as Xen's domain_relinquish_resources: each call does about
 * MM_PREEMPT_WORK units (table entries torn down, frames visited) and
 * returns -XEN_ERESTART while work remains, its progress in d->rel. A
 * teardown left partway is parked in vCPU 0's mm_pending (the audit counts
 * it there) and finished first by the next call. The frames cannot change
 * meanwhile: the domain never runs again, reservations refuse it.
 */
/*
 * A dead domain's frame becomes a zombie, freed now (or by its last
 * reference's put_page) through page_free_if_zombie, the one way a zombie
 * is freed: a racing put_page elsewhere cannot free it twice.
 */
static void rel_give_back(struct domain *d, mfn_t m)
{
    struct page_info *pg = &frame_table[m];

    page_flags_update(pg, 0, PGF_zombie);
    if (pg->count || pg->type_count)
        d->rel.zombies++;           /* for the report: still mapped elsewhere */
    page_free_if_zombie(pg);
}

int domain_relinquish_memory(struct domain *d)
{
    struct vcpu *park = d->vcpu[0];
    mfn_t m, si = d->shared_info_mfn;
    int rc;

    BUG_ON(!park);
    pv_mm_preempt_reset();
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i] && (rc = pv_mm_finish_pending(d->vcpu[i], true)))
            return rc;
    switch (d->rel.phase) {
    case REL_vcpus:
        for (; d->rel.vcpu < d->max_vcpus; d->rel.vcpu++) {
            struct vcpu *v = d->vcpu[d->rel.vcpu];
            if (!v)
                continue;
            if (d->rel.vcpu && pv_mm_preempt_check())
                return -XEN_ERESTART;
            pv_set_gdt_frames(v, NULL, 0);
            pv_destroy_ldt(v);
            if ((m = v->arch.pv.kernel_l4)) {
                v->arch.pv.kernel_l4 = 0;
                if (put_and_type_parked(park, m))
                    return -XEN_ERESTART;
            }
            if ((m = v->arch.pv.user_l4)) {
                v->arch.pv.user_l4 = 0;
                if (put_and_type_parked(park, m))
                    return -XEN_ERESTART;
            }
            if (v->vcpu_info_mfn != INVALID_MFN)
                put_page_and_type(v->vcpu_info_mfn);
            v->vcpu_info_mfn = INVALID_MFN;
        }
        if (d->console_mfn)
            put_page_and_type(d->console_mfn);
        if (d->store_mfn)
            put_page_and_type(d->store_mfn);
        d->console_mfn = d->store_mfn = 0;
        d->rel.phase = REL_pins;
        d->rel.next = d->page_list;
        /* fall through */
    case REL_pins:
        while ((m = d->rel.next) != ~0UL) {
            if (pv_mm_preempt_check())
                return -XEN_ERESTART;
            pv_mm_work_add(1);
            d->rel.next = frame_table[m].next;
            if ((page_flags_update(&frame_table[m], PGF_pinned, 0) & PGF_pinned) &&
                put_and_type_parked(park, m))
                return -XEN_ERESTART;
        }
        d->rel.phase = REL_partial;
        d->rel.next = d->page_list;
        /* fall through */
    case REL_partial:
        /* Validations the guest left partway (preempted, never taken over). */
        while ((m = d->rel.next) != ~0UL) {
            if (pv_mm_preempt_check())
                return -XEN_ERESTART;
            pv_mm_work_add(1);
            d->rel.next = frame_table[m].next;
            if (pv_drop_partial_preemptible(park, &frame_table[m]))
                return -XEN_ERESTART;
        }
        d->rel.phase = REL_free;
        /* fall through */
    case REL_free:
        /*
         * Each frame leaves the list as it is visited: a zombie may be freed
         * by its last mapper between two steps, so none stays linked.
         */
        while ((m = d->page_list) != ~0UL) {
            if (pv_mm_preempt_check())
                return -XEN_ERESTART;
            pv_mm_work_add(1);
            d->page_list = frame_table[m].next;
            if (d->page_list != ~0UL)
                frame_table[d->page_list].prev = ~0UL;
            frame_table[m].next = frame_table[m].prev = ~0UL;
            rel_give_back(d, m);
        }
        d->tot_pages = 0;
        put_page_and_type(si);      /* the hypervisor's own reference */
        rel_give_back(d, si);
        /* The grant table frames, as shared_info (mapped elsewhere: zombies until unmapped). */
        for (unsigned int i = 0; d->grant_table && i < d->grant_table->nr_held; i++) {
            put_page_and_type(d->grant_table->frames[i]);
            rel_give_back(d, d->grant_table->frames[i]);
        }
        if (d->grant_table)
            d->grant_table->nr_held = 0;
        if (d->rel.zombies)
            printk(XENLOG_WARNING "d%u: %lu frames still mapped by other domains, freed when unmapped\n",
                   d->domain_id, (unsigned long)d->rel.zombies);
        d->rel.phase = REL_done;
        /* fall through */
    default:
        return 0;
    }
}
