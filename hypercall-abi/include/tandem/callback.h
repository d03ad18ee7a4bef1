/*
 * callback_op hypercall (number 30): register the guest entry points the
 * hypervisor bounces to. Numbers and layouts are Xen's; prose is Tandem's.
 *
 * Call: callback_op(cmd, arg), arg = guest VA of the struct below.
 * Every callback is entered on a bounce frame (docs/abi/layouts.md) with
 * CS = FLAT_KERNEL_CS; the event and NMI callbacks always run with events
 * masked, the others only when registered with CALLBACKF_mask_events.
 * An unknown type gives -ENOSYS. The address is not checked when it is
 * registered; a bad one shows up when the callback is first delivered
 * (and then crashes the domain, never the hypervisor).
 */
#ifndef TANDEM_PUBLIC_CALLBACK_H
#define TANDEM_PUBLIC_CALLBACK_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif

#define CALLBACKOP_register     0   /* IN: struct callback_register */
#define CALLBACKOP_unregister   1   /* IN: struct callback_unregister */

#define CALLBACKTYPE_event                0 /* event-channel upcall */
#define CALLBACKTYPE_failsafe             1 /* segment reload failed on exit */
#define CALLBACKTYPE_syscall              2 /* SYSCALL from 64-bit guest user mode */
#define CALLBACKTYPE_sysenter_deprecated  3 /* no longer accepted */
#define CALLBACKTYPE_nmi                  4 /* virtual NMI */
#define CALLBACKTYPE_sysenter             5 /* SYSENTER from 32-bit user mode */
#define CALLBACKTYPE_syscall32            7 /* SYSCALL from 32-bit user mode */

/* Mask events while the callback runs (implied for event and nmi). */
#define _CALLBACKF_mask_events  0
#define CALLBACKF_mask_events   (1U << _CALLBACKF_mask_events)

#ifndef __ASSEMBLY__
/* 16 bytes. */
struct callback_register {
    uint16_t type;              /* IN: CALLBACKTYPE_* */
    uint16_t flags;             /* IN: CALLBACKF_* */
    uint32_t pad;
    uint64_t address;           /* IN: guest VA of the entry point */
};
typedef struct callback_register callback_register_t;

/*
 * Only the nmi callback can be removed. Known types that cannot be
 * removed give -EINVAL; unknown types give -ENOSYS.
 */
struct callback_unregister {
    uint16_t type;              /* IN: CALLBACKTYPE_* */
    uint16_t pad;
};
typedef struct callback_unregister callback_unregister_t;
#endif

#endif
