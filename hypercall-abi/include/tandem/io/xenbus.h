/*
 * XenBus device states: each end of a split device publishes one of these
 * as a decimal string in its "state" key in xenstore. Values are Xen's
 * io/xenbus.h; the prose is Tandem's.
 *
 * Usual life of a device (front end F, back end B; toolstack creates both
 * directories in Initialising):
 *
 *   B: publish features, go InitWait ---------------------------.
 *   F: (waits for B >= InitWait) grant the ring(s), allocate an |
 *      unbound event channel for B's domain, write ring-ref and |
 *      event-channel, go Initialised (blk) or Connected (net)   |
 *   B: (sees F Initialised/Connected) map ring, bind port,      v
 *      publish device properties, go Connected
 *   F: (sees B Connected) read properties (e.g. disk size), go Connected
 *
 *   Teardown: either side goes Closing; the other reacts by going
 *   Closing then Closed; when both are Closed the toolstack may remove
 *   the directories, or the front end may start again at Initialising.
 *
 *   Unknown        0  no "state" key yet / cannot be read
 *   Initialising   1  setting up
 *   InitWait       2  early setup done, waiting for the peer's details
 *   Initialised    3  details published, waiting for the peer to connect
 *   Connected      4  normal operation
 *   Closing        5  shutting down (error or unplug)
 *   Closed         6  gone; may be restarted
 *   Reconfiguring  7  changing parameters while connected (rare)
 *   Reconfigured   8  change done
 *
 * A side may skip InitWait or Initialised when it has nothing to
 * negotiate; peers must accept the shorter path.
 */
#ifndef TANDEM_PUBLIC_IO_XENBUS_H
#define TANDEM_PUBLIC_IO_XENBUS_H

#ifndef __ASSEMBLY__
#include <stdint.h>

enum xenbus_state {
    XenbusStateUnknown       = 0,
    XenbusStateInitialising  = 1,
    XenbusStateInitWait      = 2,
    XenbusStateInitialised   = 3,
    XenbusStateConnected     = 4,
    XenbusStateClosing       = 5,
    XenbusStateClosed        = 6,
    XenbusStateReconfiguring = 7,
    XenbusStateReconfigured  = 8
};
typedef enum xenbus_state XenbusState;
#endif

#endif
