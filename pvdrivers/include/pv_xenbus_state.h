/*
 * pv_xenbus_state.h: the split-device handshake (tandem/io/xenbus.h) as a
 * pure function. A driver calls xenbus_state_step each time the peer's
 * "state" key changes (its watch fired), does the actions it returns in
 * the bit order below, then writes the returned state to its own "state"
 * key. If an action fails, the driver does DISCONNECT and writes Closing,
 * which is also this function's answer to every misbehaving peer (FAIL
 * always comes with DISCONNECT). No I/O and no memory here, so both
 * sides' rules are unit tested as a table.
 *
 * The rules follow Linux's xen-blkfront/netfront (front) and xen-blkback
 * (back); where Linux is lenient towards a peer, Tandem is stricter, so a
 * hostile peer cannot move us out of order:
 *
 *   front  peer InitWait            Initialising -> Initialised (PUBLISH),
 *                                   or -> Connected with XBS_FRONT_EARLY_CONNECT
 *                                   (netfront's path: it connects in PUBLISH,
 *                                   and the back end's Connected brings no action)
 *   front  peer Connected           Initialised -> Connected (CONNECT);
 *                                   Initialising -> Connected (PUBLISH|CONNECT:
 *                                   a back end may skip InitWait);
 *                                   without peer_ok (bad properties): -> Closing (DISCONNECT|FAIL)
 *   front  peer Closing / Closed    any but Closed -> Closed (DISCONNECT)
 *   back   peer Initialised/Connected  InitWait -> Connected (CONNECT), only
 *                                   with peer_ok (ring refs and event channel
 *                                   read and valid); without: -> Closing (DISCONNECT|FAIL).
 *                                   From any other state: ignored (Linux would
 *                                   connect from Closed too).
 *   back   peer Initialising        Closed -> InitWait (reconnect)
 *   back   peer Closing             Initialising..Connected -> Closing (DISCONNECT)
 *   back   peer Closed / Unknown    any but Closed -> Closed (DISCONNECT);
 *                                   Unknown also REMOVE (the front end is gone)
 *   either peer value above 8       -> Closing (DISCONNECT|FAIL), unless already Closing/Closed
 *   anything else                   no change, no action.
 *
 * Starting: a back end writes InitWait when its device appears (after
 * publishing features); a front end starts in Initialising. Both are the
 * driver's own steps, not peer reactions, so they are not in this table.
 */
#ifndef PV_XENBUS_STATE_H
#define PV_XENBUS_STATE_H

#include <stdbool.h>
#include <tandem/io/xenbus.h>

enum xenbus_role {
    XENBUS_FRONTEND,
    XENBUS_BACKEND
};

/* Actions, done in this bit order. */
#define XBS_ACT_DISCONNECT 0x01u   /* tear down rings and channel if set up (idempotent) */
#define XBS_ACT_PUBLISH    0x02u   /* front: grant ring(s), alloc event channel, write their keys */
#define XBS_ACT_CONNECT    0x04u   /* front: use the back end's properties; back: map ring(s),
                                    * bind the channel, publish device properties */
#define XBS_ACT_FAIL       0x08u   /* the peer misbehaved: log it (e.g. write an error node) */
#define XBS_ACT_REMOVE     0x10u   /* back: the front end is gone; the device may be removed */

/* Flags. */
#define XBS_FRONT_EARLY_CONNECT 0x01u  /* front: go Connected at once after PUBLISH (netfront) */

struct xenbus_step {
    XenbusState next;           /* state to write (== self: write nothing) */
    unsigned int actions;       /* XBS_ACT_* */
};

/*
 * What to do when the peer's state becomes `peer` (a raw value read from
 * the store: any number, hostile ones included) while ours is `self`.
 * `peer_ok`: the peer's details needed to connect are present and valid
 * (back end: ring-ref(s) and event-channel; front end: the back end's
 * device properties); only looked at when the answer would be CONNECT.
 */
struct xenbus_step xenbus_state_step(enum xenbus_role role, XenbusState self, unsigned int peer,
                                     bool peer_ok, unsigned int flags);

/* "Connected" etc., or "invalid" for a value above 8. */
const char *xenbus_state_name(unsigned int state);

#endif
