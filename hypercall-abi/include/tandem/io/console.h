/*
 * The PV console ring: one page shared between a domU and its console
 * back end. Layout is Xen's io/console.h; the prose is Tandem's.
 *
 * The page is start_info.console.domU.mfn, its event channel
 * start_info.console.domU.evtchn (0: no ring console).
 *
 *   offset  size  field       written by  meaning
 *   0       1024  in[]        back end    bytes for the guest (keyboard)
 *   1024    2048  out[]       guest       bytes from the guest (screen)
 *   3072    4     in_cons     guest       in[] bytes consumed
 *   3076    4     in_prod     back end    in[] bytes produced
 *   3080    4     out_cons    back end    out[] bytes consumed
 *   3084    4     out_prod    guest       out[] bytes produced
 *   3088    1     connection  back end    XENCONSOLE_* (newer Xen)
 *   3089    3     pad
 *   (3092 bytes; the rest of the page is unused)
 *
 * Indices are free-running uint32_t; byte i lives at buf[i & (size-1)];
 * prod - cons is the fill level (never more than the buffer size).
 *
 * Guest output: copy bytes into out[] at out_prod, write barrier, advance
 * out_prod, then EVTCHNOP_send on the console port. If out[] is full,
 * wait (Linux loops on SCHEDOP_yield), so the back end must drain it.
 * The back end reads out[] from out_cons to out_prod (read barrier after
 * reading out_prod), then advances out_cons.
 * Guest input: the back end fills in[] and advances in_prod, then raises
 * the guest's port; the guest consumes and advances in_cons.
 */
#ifndef TANDEM_PUBLIC_IO_CONSOLE_H
#define TANDEM_PUBLIC_IO_CONSOLE_H

#ifndef __ASSEMBLY__
#include <stdint.h>

typedef uint32_t XENCONS_RING_IDX;
#endif

/* Slot of index <idx> in buffer <ring> (an array member, e.g. intf->out). */
#define MASK_XENCONS_IDX(idx, ring) ((idx) & (sizeof(ring) - 1))

/*
 * connection: the back end sets CONNECTED once it services the ring. A
 * builder may start it at DISCONNECTED; a guest that sees DISCONNECTED may
 * drop output instead of waiting for space. Zeroed pages read CONNECTED,
 * which is what older back ends leave.
 */
#define XENCONSOLE_CONNECTED     0
#define XENCONSOLE_DISCONNECTED  1

#ifndef __ASSEMBLY__
struct xencons_interface {
    char in[1024];              /* OUT (back end to guest) */
    char out[2048];             /* IN (guest to back end) */
    XENCONS_RING_IDX in_cons;   /* guest writes */
    XENCONS_RING_IDX in_prod;   /* back end writes */
    XENCONS_RING_IDX out_cons;  /* back end writes */
    XENCONS_RING_IDX out_prod;  /* guest writes */
    uint8_t connection;         /* back end writes: XENCONSOLE_* */
    uint8_t pad[3];
};
#endif

#endif
