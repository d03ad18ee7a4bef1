/*
 * xenbus_state.c: both ends' reactions to the peer's state change
 * (pv_xenbus_state.h has the table). One function per role; each case
 * names the Linux driver path it matches or where it is stricter.
 */
#include "pv_xenbus_state.h"

static struct xenbus_step step(XenbusState next, unsigned int actions)
{
    struct xenbus_step s = { next, actions };

    return s;
}

static bool closing_or_closed(XenbusState s)
{
    return s == XenbusStateClosing || s == XenbusStateClosed;
}

/* blkfront's blkback_changed / netfront's netback_changed. */
static struct xenbus_step front_step(XenbusState self, unsigned int peer, bool peer_ok,
                                     unsigned int flags)
{
    XenbusState published = (flags & XBS_FRONT_EARLY_CONNECT) ? XenbusStateConnected
                                                              : XenbusStateInitialised;

    switch (peer) {
    case XenbusStateInitWait:
        /* talk_to_backend only once, from Initialising. */
        if (self == XenbusStateInitialising)
            return step(published, XBS_ACT_PUBLISH);
        break;
    case XenbusStateConnected:
        if (self != XenbusStateInitialising && self != XenbusStateInitialised)
            break;              /* already connected, or closing: nothing new */
        if (!peer_ok)
            return step(XenbusStateClosing, XBS_ACT_FAIL | XBS_ACT_DISCONNECT);
        /* A back end that skipped InitWait: publish first (blkfront does the same). */
        return step(XenbusStateConnected, XBS_ACT_CONNECT |
                    (self == XenbusStateInitialising ? XBS_ACT_PUBLISH : 0));
    case XenbusStateClosing:
    case XenbusStateClosed:
        /* xenbus_frontend_closed: straight to Closed. */
        if (self != XenbusStateClosed)
            return step(XenbusStateClosed, XBS_ACT_DISCONNECT);
        break;
    default:
        if (peer > XenbusStateReconfigured && !closing_or_closed(self))
            return step(XenbusStateClosing, XBS_ACT_FAIL | XBS_ACT_DISCONNECT);
        break;
    }
    return step(self, 0);
}

/* blkback's frontend_changed. */
static struct xenbus_step back_step(XenbusState self, unsigned int peer, bool peer_ok)
{
    switch (peer) {
    case XenbusStateInitialising:
        if (self == XenbusStateClosed)          /* "prepare for reconnect" */
            return step(XenbusStateInitWait, 0);
        break;
    case XenbusStateInitialised:
    case XenbusStateConnected:
        /* Stricter than Linux: connect only from InitWait, never from Closing/Closed. */
        if (self != XenbusStateInitWait)
            break;
        if (!peer_ok)
            return step(XenbusStateClosing, XBS_ACT_FAIL | XBS_ACT_DISCONNECT);
        return step(XenbusStateConnected, XBS_ACT_CONNECT);
    case XenbusStateClosing:
        if (!closing_or_closed(self) && self != XenbusStateUnknown)
            return step(XenbusStateClosing, XBS_ACT_DISCONNECT);
        break;
    case XenbusStateClosed:
    case XenbusStateUnknown:
        if (self != XenbusStateClosed)
            return step(XenbusStateClosed, XBS_ACT_DISCONNECT |
                        (peer == XenbusStateUnknown ? XBS_ACT_REMOVE : 0));
        if (peer == XenbusStateUnknown)
            return step(self, XBS_ACT_REMOVE);
        break;
    default:
        if (peer > XenbusStateReconfigured && !closing_or_closed(self))
            return step(XenbusStateClosing, XBS_ACT_FAIL | XBS_ACT_DISCONNECT);
        break;
    }
    return step(self, 0);
}

struct xenbus_step xenbus_state_step(enum xenbus_role role, XenbusState self, unsigned int peer,
                                     bool peer_ok, unsigned int flags)
{
    if (role == XENBUS_FRONTEND)
        return front_step(self, peer, peer_ok, flags);
    return back_step(self, peer, peer_ok);
}

const char *xenbus_state_name(unsigned int state)
{
    static const char *const names[] = {
        "Unknown", "Initialising", "InitWait", "Initialised", "Connected",
        "Closing", "Closed", "Reconfiguring", "Reconfigured",
    };

    return state < sizeof(names) / sizeof(names[0]) ? names[state] : "invalid";
}
