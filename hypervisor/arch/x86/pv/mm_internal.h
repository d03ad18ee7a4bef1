/*
 * What pv/mm.c shares with pv/mm_relinquish.c only (private to pv/):
 * the work budget and the two halves of dropping a type reference.
 */
#ifndef TANDEM_PV_MM_INTERNAL_H
#define TANDEM_PV_MM_INTERNAL_H

#include "mm.h"

/* Count n units of page-table work on this CPU; true once the budget (MM_PREEMPT_WORK) is spent. */
void pv_mm_work_add(unsigned int n);
bool pv_mm_preempt_check(void);
/* Drop one type reference: true when it was the last of a validated L2-L4 table, now PGF_dying, whose teardown the caller owes. */
bool pv_mm_put_type_begin(struct page_info *pg);
/* Tear a table down (PGF_dying); -XEN_ERESTART when preemptible and the budget ran out first. */
int pv_mm_teardown(struct page_info *pg, bool preemptible);

#endif
