/*
 * Unit tests for hypercall-abi/include/tandem/io/ring.h (the shared-ring
 * macros pvdrivers use): a front and a back end on one shared area in one
 * process, checking each notify decision against Xen's rule written out
 * independently (the peer's event index lies in (old prod, new prod]),
 * suppression (no event while the peer has not re-armed), wrap-around at
 * 2^32; then the two ends in two threads with real concurrency and
 * semaphores as event channels (a lost wake-up shows as a timeout); and
 * a hostile front end moving req_prod while the back end reads it.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <tandem/io/ring.h>

struct t_req { uint64_t id; uint64_t val; };
struct t_rsp { uint64_t id; uint64_t val; };
DEFINE_RING_TYPES(t, struct t_req, struct t_rsp);

/* A small area (8 slots of 16 bytes) so indices wrap often; and a full page (252 -> 128 slots). */
#define SMALL_SZ (RING_HEADER_SIZE + 8 * 16 + 8)
static union { unsigned char b[4096]; uint64_t align; } page;
static t_sring_t *const sring = (t_sring_t *)(void *)page.b;

/* Xen's rule, written as a walk: does index `event` lie in (old, new]? */
static int xen_rule(RING_IDX old, RING_IDX new_, RING_IDX event)
{
    for (RING_IDX i = old; i != new_; ) {
        i++;
        if (i == event)
            return 1;
    }
    return 0;
}

static void test_sizes(void **state)
{
    t_front_ring_t f;

    (void)state;
    memset(page.b, 0xff, sizeof(page.b));
    SHARED_RING_INIT(sring);
    FRONT_RING_INIT(&f, sring, SMALL_SZ);
    assert_int_equal(RING_SIZE(&f), 8);
    FRONT_RING_INIT(&f, sring, 4096);
    assert_int_equal(RING_SIZE(&f), 128);
    assert_int_equal(__CONST_RING_SIZE(t, 4096), 128);
    assert_int_equal(offsetof(t_sring_t, ring), RING_HEADER_SIZE);
    assert_int_equal(sring->req_event, 1);
    assert_int_equal(sring->rsp_event, 1);
    assert_int_equal(sring->pad[0] | sring->pad[47], 0);
}

/* Every (old prod near 2^32 or 0, batch 0..8, event anywhere near): the macros decide as Xen does. */
static void test_notify_rule_exhaustive(void **state)
{
    static const RING_IDX bases[] = { 0, 1, 100, 0x7ffffffcu, 0xfffffff8u, 0xfffffffeu, 0xffffffffu };
    t_front_ring_t f;
    t_back_ring_t b;
    int notify, checked = 0;

    (void)state;
    for (size_t bi = 0; bi < sizeof(bases) / sizeof(bases[0]); bi++)
        for (RING_IDX n = 0; n <= 8; n++)
            for (int d = -12; d <= 12; d++) {
                RING_IDX old = bases[bi], ev = old + (RING_IDX)d;

                SHARED_RING_INIT(sring);
                sring->req_prod = old;
                sring->rsp_prod = old;
                sring->req_event = ev;
                sring->rsp_event = ev;
                FRONT_RING_ATTACH(&f, sring, old, SMALL_SZ);
                BACK_RING_ATTACH(&b, sring, old, SMALL_SZ);
                f.req_prod_pvt = old + n;
                RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);
                assert_int_equal(sring->req_prod, old + n);
                if (notify != xen_rule(old, old + n, ev))
                    fail_msg("req: old %#x n %u event %#x: notify %d", old, n, ev, notify);
                b.rsp_prod_pvt = old + n;
                RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b, notify);
                assert_int_equal(sring->rsp_prod, old + n);
                if (notify != xen_rule(old, old + n, ev))
                    fail_msg("rsp: old %#x n %u event %#x: notify %d", old, n, ev, notify);
                checked++;
            }
    assert_int_equal(checked, 7 * 9 * 25);
}

/*
 * Random single-threaded traffic starting near the wrap: a consumer that
 * ran RING_FINAL_CHECK and found nothing is "armed"; a push of one or
 * more messages notifies exactly when the consumer is armed, and a
 * notify disarms it (suppression until it re-arms).
 */
static void test_suppression_model(void **state)
{
    t_front_ring_t f;
    t_back_ring_t b;
    unsigned int seed = 3;
    int back_armed = 1, front_armed = 1, notify, work, events = 0, msgs = 0;
    RING_IDX start = 0xffffff00u;

    (void)state;
    SHARED_RING_INIT(sring);
    sring->req_prod = sring->rsp_prod = start;
    sring->req_event = sring->rsp_event = start + 1;
    FRONT_RING_ATTACH(&f, sring, start, SMALL_SZ);
    BACK_RING_ATTACH(&b, sring, start, SMALL_SZ);
    for (int i = 0; i < 200000; i++) {
        seed = seed * 1103515245u + 12345u;
        switch ((seed >> 16) % 6) {
        case 0: {               /* front: queue up to the free slots, push */
            unsigned int k = (seed >> 20) % (RING_FREE_REQUESTS(&f) + 1);

            for (unsigned int j = 0; j < k; j++) {
                RING_GET_REQUEST(&f, f.req_prod_pvt)->id = f.req_prod_pvt;
                f.req_prod_pvt++;
            }
            RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);
            assert_int_equal(notify, k > 0 && back_armed);
            if (notify)
                back_armed = 0, events++;
            msgs += k;
            break;
        }
        case 1: {               /* back: consume some, answer each */
            RING_IDX avail = RING_HAS_UNCONSUMED_REQUESTS(&b);
            unsigned int k = (seed >> 20) % (avail + 1);

            for (unsigned int j = 0; j < k; j++) {
                struct t_req rq;

                RING_COPY_REQUEST(&b, b.req_cons, &rq);
                assert_int_equal(rq.id, b.req_cons);
                b.req_cons++;
                RING_GET_RESPONSE(&b, b.rsp_prod_pvt)->id = rq.id;
                b.rsp_prod_pvt++;
            }
            break;
        }
        case 2:                 /* back: push responses */
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b, notify);
            if (notify)
                assert_true(front_armed), front_armed = 0, events++;
            else
                assert_true(!front_armed || sring->rsp_prod == f.rsp_cons);
            break;
        case 3:                 /* back: about to sleep? */
            RING_FINAL_CHECK_FOR_REQUESTS(&b, work);
            assert_int_equal(!!work, b.req_cons != sring->req_prod);
            if (!work)
                back_armed = 1;
            break;
        case 4:                 /* front: read responses */
            while (RING_HAS_UNCONSUMED_RESPONSES(&f)) {
                assert_int_equal(RING_GET_RESPONSE(&f, f.rsp_cons)->id, f.rsp_cons);
                f.rsp_cons++;
            }
            break;
        case 5:                 /* front: about to sleep? */
            RING_FINAL_CHECK_FOR_RESPONSES(&f, work);
            if (!work)
                front_armed = 1;
            break;
        }
        assert_true(f.req_prod_pvt - f.rsp_cons <= RING_SIZE(&f));
    }
    assert_true(msgs > 10000);
    assert_true(events < msgs);         /* suppression saved events */
    print_message("  %d requests, %d events, final req_prod %#x\n", msgs, events, sring->req_prod);
}

/* ---- two threads ---- */

#define NR_MSGS 300000
static sem_t to_back, to_front;         /* the two directions' event channels */
static int back_events, front_events, timeouts;

/* Block on an "event channel" for at most 5 s; false on timeout (a lost wake-up). */
static int wait_event(sem_t *s)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 5;
    while (sem_timedwait(s, &ts))
        if (errno != EINTR)
            return 0;
    return 1;
}

static void *back_thread(void *arg)
{
    t_back_ring_t b;
    int work, notify, done = 0;

    (void)arg;
    BACK_RING_INIT(&b, sring, 4096);
    while (done < NR_MSGS) {
        RING_IDX rp = RING_READ_IDX(sring->req_prod);

        xen_rmb();              /* req_prod before the request slots */
        assert_false(RING_REQUEST_PROD_OVERFLOW(&b, rp));
        while (b.req_cons != rp) {
            struct t_req rq;
            struct t_rsp *rs;

            RING_COPY_REQUEST(&b, b.req_cons, &rq);
            b.req_cons++;
            rs = RING_GET_RESPONSE(&b, b.rsp_prod_pvt);
            rs->id = rq.id;
            rs->val = rq.val * 3;
            b.rsp_prod_pvt++;
            done++;
        }
        RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b, notify);
        if (notify)
            sem_post(&to_front), front_events++;
        RING_FINAL_CHECK_FOR_REQUESTS(&b, work);
        if (!work && done < NR_MSGS && !wait_event(&to_back)) {
            timeouts++;
            break;
        }
    }
    return NULL;
}

static void test_two_threads(void **state)
{
    t_front_ring_t f;
    pthread_t th;
    uint64_t sent = 0, got = 0;
    int notify, work;

    (void)state;
    memset(page.b, 0, sizeof(page.b));
    SHARED_RING_INIT(sring);
    FRONT_RING_INIT(&f, sring, 4096);
    sem_init(&to_back, 0, 0);
    sem_init(&to_front, 0, 0);
    back_events = front_events = timeouts = 0;
    assert_int_equal(pthread_create(&th, NULL, back_thread, NULL), 0);
    while (got < NR_MSGS) {
        while (sent < NR_MSGS && !RING_FULL(&f)) {
            struct t_req *rq = RING_GET_REQUEST(&f, f.req_prod_pvt);

            rq->id = sent;
            rq->val = sent++;
            f.req_prod_pvt++;
        }
        RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);
        if (notify)
            sem_post(&to_back), back_events++;
        for (;;) {
            RING_IDX rp = RING_READ_IDX(sring->rsp_prod);

            xen_rmb();          /* rsp_prod before the response slots */
            assert_false(RING_RESPONSE_PROD_OVERFLOW(&f, rp));
            while (f.rsp_cons != rp) {
                struct t_rsp rs;

                RING_COPY_RESPONSE(&f, f.rsp_cons, &rs);
                if (rs.id != got || rs.val != got * 3)
                    fail_msg("response %llu: id %llu val %llu", (unsigned long long)got,
                             (unsigned long long)rs.id, (unsigned long long)rs.val);
                got++;
                f.rsp_cons++;
            }
            if (!RING_FULL(&f) && sent < NR_MSGS)
                break;          /* room to send more */
            RING_FINAL_CHECK_FOR_RESPONSES(&f, work);
            if (work)
                continue;
            if (got == NR_MSGS)
                break;
            if (!wait_event(&to_front)) {
                timeouts++;
                break;
            }
        }
        if (timeouts)
            break;
    }
    pthread_join(th, NULL);
    assert_int_equal(timeouts, 0);
    assert_int_equal(got, NR_MSGS);
    print_message("  %d requests each way, %d events to the back end, %d to the front end\n",
                  NR_MSGS, back_events, front_events);
    sem_destroy(&to_back);
    sem_destroy(&to_front);
}

/* ---- hostile front end ---- */

static volatile int stop_flipping;

/* Moves req_prod between a small and a huge distance ahead as fast as it can. */
static void *flip_thread(void *arg)
{
    RING_IDX base = *(RING_IDX *)arg;

    while (!stop_flipping) {
        RING_WRITE_IDX(sring->req_prod, base + 1);
        RING_WRITE_IDX(sring->req_prod, base + 0x40000000u);
    }
    return NULL;
}

/* The back end's count of pending requests never exceeds its free response slots, however req_prod moves. */
static void test_hostile_req_prod(void **state)
{
    t_back_ring_t b;
    pthread_t th;
    RING_IDX base = 5, worst = 0;

    (void)state;
    SHARED_RING_INIT(sring);
    BACK_RING_ATTACH(&b, sring, base, 4096);
    stop_flipping = 0;
    assert_int_equal(pthread_create(&th, NULL, flip_thread, &base), 0);
    for (int i = 0; i < 20000000; i++) {
        RING_IDX n = RING_HAS_UNCONSUMED_REQUESTS(&b);

        if (n > worst)
            worst = n;
    }
    stop_flipping = 1;
    pthread_join(th, NULL);
    print_message("  largest pending count seen: %u (ring size %u)\n", worst, RING_SIZE(&b));
    assert_true(worst <= RING_SIZE(&b));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_notify_rule_exhaustive),
        cmocka_unit_test(test_suppression_model),
        cmocka_unit_test(test_two_threads),
        cmocka_unit_test(test_hostile_req_prod),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
