/*
 * Unit tests for pvdrivers/common/xenbus_state.c: every cell of both
 * roles' tables (self 0..8 x peer 0..9 x peer_ok x flags) against an
 * explicit list of the cells that do something, a full handshake and
 * teardown driven through the function from both sides (with watch
 * events coalesced, as xenstore may deliver only the latest value), and
 * hostile peers that must not make the back end connect.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "pv_xenbus_state.h"

#define U  XenbusStateUnknown
#define I1 XenbusStateInitialising
#define IW XenbusStateInitWait
#define I3 XenbusStateInitialised
#define C  XenbusStateConnected
#define CG XenbusStateClosing
#define CD XenbusStateClosed
#define BAD 9                   /* a value no state has */
#define ANY -1

#define DISC XBS_ACT_DISCONNECT
#define PUB  XBS_ACT_PUBLISH
#define CONN XBS_ACT_CONNECT
#define FAIL XBS_ACT_FAIL
#define REM  XBS_ACT_REMOVE

#define EARLY XBS_FRONT_EARLY_CONNECT

/* One non-trivial cell: ok/flags ANY match both values. First match wins. */
struct cell {
    enum xenbus_role role;
    int self, peer, ok, flags;
    XenbusState next;
    unsigned int actions;
};

static const struct cell cells[] = {
    /* front end */
    { XENBUS_FRONTEND, I1, IW, ANY, 0,     I3, PUB },
    { XENBUS_FRONTEND, I1, IW, ANY, EARLY, C,  PUB },
    { XENBUS_FRONTEND, I1, C,  1,   ANY,   C,  PUB | CONN },
    { XENBUS_FRONTEND, I3, C,  1,   ANY,   C,  CONN },
    { XENBUS_FRONTEND, I1, C,  0,   ANY,   CG, DISC | FAIL },
    { XENBUS_FRONTEND, I3, C,  0,   ANY,   CG, DISC | FAIL },
    /* back end closing or closed: every front state but Closed goes Closed */
    { XENBUS_FRONTEND, CD, CG, ANY, ANY,   CD, 0 },
    { XENBUS_FRONTEND, CD, CD, ANY, ANY,   CD, 0 },
    { XENBUS_FRONTEND, ANY, CG, ANY, ANY,  CD, DISC },
    { XENBUS_FRONTEND, ANY, CD, ANY, ANY,  CD, DISC },
    { XENBUS_FRONTEND, CG, BAD, ANY, ANY,  CG, 0 },
    { XENBUS_FRONTEND, CD, BAD, ANY, ANY,  CD, 0 },
    { XENBUS_FRONTEND, ANY, BAD, ANY, ANY, CG, DISC | FAIL },

    /* back end */
    { XENBUS_BACKEND, CD, I1, ANY, ANY,    IW, 0 },
    { XENBUS_BACKEND, IW, I3, 1,   ANY,    C,  CONN },
    { XENBUS_BACKEND, IW, C,  1,   ANY,    C,  CONN },
    { XENBUS_BACKEND, IW, I3, 0,   ANY,    CG, DISC | FAIL },
    { XENBUS_BACKEND, IW, C,  0,   ANY,    CG, DISC | FAIL },
    { XENBUS_BACKEND, U,  CG, ANY, ANY,    U,  0 },
    { XENBUS_BACKEND, CG, CG, ANY, ANY,    CG, 0 },
    { XENBUS_BACKEND, CD, CG, ANY, ANY,    CD, 0 },
    { XENBUS_BACKEND, ANY, CG, ANY, ANY,   CG, DISC },
    { XENBUS_BACKEND, CD, CD, ANY, ANY,    CD, 0 },
    { XENBUS_BACKEND, ANY, CD, ANY, ANY,   CD, DISC },
    { XENBUS_BACKEND, CD, U,  ANY, ANY,    CD, REM },
    { XENBUS_BACKEND, ANY, U, ANY, ANY,    CD, DISC | REM },
    { XENBUS_BACKEND, CG, BAD, ANY, ANY,   CG, 0 },
    { XENBUS_BACKEND, CD, BAD, ANY, ANY,   CD, 0 },
    { XENBUS_BACKEND, ANY, BAD, ANY, ANY,  CG, DISC | FAIL },
};

static bool matches(int want, int got)
{
    return want == ANY || want == got;
}

static const struct cell *find(enum xenbus_role role, int self, int peer, int ok, int flags)
{
    for (size_t i = 0; i < sizeof(cells) / sizeof(cells[0]); i++) {
        const struct cell *c = &cells[i];

        if (c->role == role && matches(c->self, self) && matches(c->peer, peer) &&
            matches(c->ok, ok) && matches(c->flags, flags))
            return c;
    }
    return NULL;
}

/* All 2 x 9 x 10 x 2 x 2 cells; cells not listed change nothing and do nothing. */
static void test_whole_table(void **state)
{
    int role, self, peer, ok, flags, nontrivial = 0;

    (void)state;
    for (role = 0; role < 2; role++)
        for (self = 0; self <= 8; self++)
            for (peer = 0; peer <= BAD; peer++)
                for (ok = 0; ok < 2; ok++)
                    for (flags = 0; flags <= (int)EARLY; flags++) {
                        const struct cell *c = find(role, self, peer, ok, flags);
                        struct xenbus_step s = xenbus_state_step(role, self, peer, ok, flags);
                        XenbusState next = c ? c->next : (XenbusState)self;
                        unsigned int act = c ? c->actions : 0;

                        if (s.next != next || s.actions != act)
                            fail_msg("%s self %s peer %s ok %d flags %d: got %s/%#x, want %s/%#x",
                                     role ? "back" : "front", xenbus_state_name(self),
                                     xenbus_state_name(peer), ok, flags,
                                     xenbus_state_name(s.next), s.actions,
                                     xenbus_state_name(next), act);
                        nontrivial += s.next != (XenbusState)self || s.actions;
                    }
    assert_true(nontrivial > 100);
    /* Peer values far out of range are hostile too. */
    assert_int_equal(xenbus_state_step(XENBUS_BACKEND, C, 0xffffffffu, true, 0).next, CG);
    assert_int_equal(xenbus_state_step(XENBUS_FRONTEND, C, 1000, true, 0).next, CG);
    assert_string_equal(xenbus_state_name(C), "Connected");
    assert_string_equal(xenbus_state_name(BAD), "invalid");
}

/* One side of a simulated device: its state, what it did, and what the peer's watch has seen. */
struct side {
    enum xenbus_role role;
    XenbusState state;
    unsigned int flags;
    int connected, published;   /* resources held */
    int connects;               /* CONNECT actions done */
};

/* Deliver the peer's current state to s (one watch firing) and apply the answer. */
static void deliver(struct side *s, const struct side *peer, bool peer_ok)
{
    struct xenbus_step st = xenbus_state_step(s->role, s->state, peer->state, peer_ok, s->flags);

    if (st.actions & DISC)
        s->connected = s->published = 0;
    if (st.actions & PUB) {
        assert_int_equal(s->role, XENBUS_FRONTEND);
        s->published = 1;
    }
    if (st.actions & CONN) {
        assert_int_equal(s->connected, 0);      /* never connect twice without a disconnect */
        s->connected = 1;
        s->connects++;
    }
    s->state = st.next;
}

/* Front end's ring details are in the store once it has published. */
static bool front_ok(const struct side *f)
{
    return f->published;
}

static void handshake(unsigned int front_flags, bool coalesce)
{
    struct side f = { XENBUS_FRONTEND, I1, front_flags, 0, 0, 0 };
    struct side b = { XENBUS_BACKEND, I1, 0, 0, 0, 0 };
    int round;

    b.state = IW;                               /* back end probed, features written */
    for (round = 0; round < 6; round++) {
        deliver(&f, &b, true);
        if (!coalesce || round % 2)
            deliver(&b, &f, front_ok(&f));
    }
    assert_int_equal(f.state, C);
    assert_int_equal(b.state, C);
    /* An early-connecting front end did its connecting in PUBLISH. */
    assert_int_equal(f.connects, (front_flags & EARLY) ? 0 : 1);
    assert_int_equal(b.connects, 1);

    /* Back end unplugged: it goes Closing; the front end closes; then the back end too. */
    b.state = CG;
    b.connected = 0;
    deliver(&f, &b, true);
    assert_int_equal(f.state, CD);
    assert_false(f.connected || f.published);
    deliver(&b, &f, false);
    assert_int_equal(b.state, CD);

    /* The front end starts again; the back end re-offers InitWait; they reconnect. */
    f.state = I1;
    deliver(&b, &f, false);
    assert_int_equal(b.state, IW);
    for (round = 0; round < 4; round++) {
        deliver(&f, &b, true);
        deliver(&b, &f, front_ok(&f));
    }
    assert_int_equal(f.state, C);
    assert_int_equal(b.state, C);
    assert_int_equal(b.connects, 2);
}

static void test_handshake(void **state)
{
    (void)state;
    handshake(0, false);
    handshake(0, true);
    handshake(EARLY, false);
    handshake(EARLY, true);
}

/* A front end that jumps to Connected without writing ring refs: the back end closes, never connects. */
static void test_hostile_front_connects_early(void **state)
{
    struct xenbus_step s;

    (void)state;
    s = xenbus_state_step(XENBUS_BACKEND, IW, C, false, 0);
    assert_int_equal(s.next, CG);
    assert_false(s.actions & CONN);
    assert_true(s.actions & FAIL);
    /* Before the back end is ready (Initialising) or after it closed: ignored. */
    s = xenbus_state_step(XENBUS_BACKEND, I1, C, true, 0);
    assert_int_equal(s.next, I1);
    assert_int_equal(s.actions, 0);
    s = xenbus_state_step(XENBUS_BACKEND, CD, C, true, 0);
    assert_int_equal(s.next, CD);
    assert_int_equal(s.actions, 0);
    s = xenbus_state_step(XENBUS_BACKEND, CG, I3, true, 0);
    assert_int_equal(s.actions, 0);
}

/*
 * A random hostile front end (any value, ring refs valid or not) against a
 * back end: the back end connects only from InitWait with valid refs,
 * never twice without a disconnect, and always ends in a state 0..8.
 */
static void test_hostile_random_front(void **state)
{
    struct side b = { XENBUS_BACKEND, IW, 0, 0, 0, 0 };
    struct side f = { XENBUS_FRONTEND, I1, 0, 0, 0, 0 };
    unsigned int seed = 7;
    int i;

    (void)state;
    for (i = 0; i < 200000; i++) {
        XenbusState before = b.state;
        bool ok;

        seed = seed * 1103515245u + 12345u;
        f.state = (XenbusState)((seed >> 16) % 12);
        ok = (seed >> 28) & 1;
        deliver(&b, &f, ok);
        if (b.state == C && before != C)
            assert_true(ok && before == IW && (f.state == I3 || f.state == C));
        assert_true(b.state <= XenbusStateReconfigured);
        assert_true(b.state != IW || before == IW || before == CD);
    }
    assert_true(b.connects > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_table),
        cmocka_unit_test(test_handshake),
        cmocka_unit_test(test_hostile_front_connects_early),
        cmocka_unit_test(test_hostile_random_front),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
