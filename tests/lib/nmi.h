/*
 * A recording NMI callback for the test kernels (CALLBACKTYPE_nmi): one
 * entry per vCPU (0 and 1), each counting its NMIs and what it saw, then
 * returning with iret, which ends the NMI (Xen's async_exception_cleanup).
 */
#ifndef TANDEM_TEST_NMI_H
#define TANDEM_TEST_NMI_H

#include "test.h"

struct nmi_rec {
    volatile unsigned long count;
    volatile unsigned int depth, max_depth;     /* nesting seen (must stay 1) */
    volatile uint64_t rip, cs;                  /* from the last NMI's bounce frame */
    volatile uint8_t mask_in_handler;           /* evtchn_upcall_mask inside (shared_info must be mapped) */
    volatile unsigned int resend;               /* NMIs to send this vCPU from inside its callback */
};
extern struct nmi_rec nmi_recs[2];

/* Register the calling vCPU's NMI callback (it is vCPU `vcpu`, 0 or 1); 0 or a negated XEN_E*. */
long nmi_register(unsigned int vcpu);
long nmi_unregister(void);

#endif
