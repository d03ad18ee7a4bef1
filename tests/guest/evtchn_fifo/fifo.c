/* The guest side of the FIFO event ABI for evtchn_fifo (see fifo.h). */
#include "fifo.h"
#include "multidom.h"
#include <tandem/sched.h>

struct fifo_vcpu fifo_vcpu[2];
uint64_t fifo_page_mfn[EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES];
unsigned int fifo_pages;
static volatile event_word_t *fifo_page[EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES];

long fifo_op(unsigned int cmd, void *arg) { return HC2(event_channel_op, cmd, arg); }

long fifo_init(unsigned int vcpu, uint32_t offset, uint8_t *link_bits)
{
    uint64_t mfn = pt_free_mfn();
    uint8_t *va = mfn ? pt_map_rw(mfn) : NULL;
    struct evtchn_init_control ic = { .control_gfn = mfn, .offset = offset, .vcpu = vcpu };
    long rc;

    if (!va) {
        test_error("fifo: no frame for a control block");
        return -1;
    }
    memset(va, 0, 4096);
    rc = fifo_op(EVTCHNOP_init_control, &ic);
    if (link_bits)
        *link_bits = ic.link_bits;
    if (rc) {
        pt_unmap_va(va);
        return rc;
    }
    fifo_vcpu[vcpu].cb = (struct evtchn_fifo_control_block *)(va + offset);
    fifo_vcpu[vcpu].cb_mfn = mfn;
    memset(fifo_vcpu[vcpu].head, 0, sizeof(fifo_vcpu[vcpu].head));
    return 0;
}

long fifo_expand_gfn(uint64_t gfn)
{
    struct evtchn_expand_array e = { .array_gfn = gfn };

    return fifo_op(EVTCHNOP_expand_array, &e);
}

long fifo_expand(void)
{
    uint64_t mfn = pt_free_mfn();
    event_word_t *va = mfn ? pt_map_rw(mfn) : NULL;
    long rc;

    if (!va) {
        test_error("fifo: no frame for an event-array page");
        return -1;
    }
    for (unsigned int i = 0; i < EVTCHN_FIFO_EVENT_WORDS_PER_PAGE; i++)
        va[i] = FIFO_WORD(EVTCHN_FIFO_MASKED);
    if ((rc = fifo_expand_gfn(mfn))) {
        pt_unmap_va(va);
        return rc;
    }
    fifo_page_mfn[fifo_pages] = mfn;
    fifo_page[fifo_pages++] = va;
    return 0;
}

long fifo_set_priority(uint32_t port, uint32_t prio)
{
    struct evtchn_set_priority sp = { .port = port, .priority = prio };

    return fifo_op(EVTCHNOP_set_priority, &sp);
}

volatile event_word_t *fifo_word(uint32_t port)
{
    unsigned int p = port / EVTCHN_FIFO_EVENT_WORDS_PER_PAGE;

    return p < fifo_pages && fifo_page[p] ? &fifo_page[p][port % EVTCHN_FIFO_EVENT_WORDS_PER_PAGE] : NULL;
}

void fifo_unmask_direct(uint32_t port)
{
    __atomic_fetch_and(fifo_word(port), ~FIFO_WORD(EVTCHN_FIFO_MASKED), __ATOMIC_SEQ_CST);
}

void fifo_mask(uint32_t port)
{
    __atomic_fetch_or(fifo_word(port), FIFO_WORD(EVTCHN_FIFO_MASKED), __ATOMIC_SEQ_CST);
}

/* Linux's clear_linked: LINKED and LINK cleared together; the old LINK is the next port. */
static uint32_t clear_linked(volatile event_word_t *w)
{
    event_word_t old = *w, new;

    do
        new = old & ~(FIFO_WORD(EVTCHN_FIFO_LINKED) | EVTCHN_FIFO_LINK_MASK);
    while (!__atomic_compare_exchange_n(w, &old, new, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST));
    return old & EVTCHN_FIFO_LINK_MASK;
}

/* Linux's __evtchn_fifo_handle_events and consume_one_event. */
unsigned int fifo_consume(unsigned int vcpu, uint32_t *out, unsigned int max)
{
    struct fifo_vcpu *fv = &fifo_vcpu[vcpu];
    uint32_t ready = __atomic_exchange_n(&fv->cb->ready, 0, __ATOMIC_SEQ_CST);
    unsigned int n = 0, guard = 0;

    while (ready && guard++ < 100000) {
        unsigned int q = __builtin_ctz(ready);
        uint32_t port = fv->head[q] ? fv->head[q] : __atomic_load_n(&fv->cb->head[q], __ATOMIC_SEQ_CST);
        volatile event_word_t *w = fifo_word(port);
        uint32_t next;

        if (!port || !w) {
            test_fail("fifo: vCPU %u queue %u ready with head port %u (no word)", vcpu, q, port);
            break;
        }
        next = clear_linked(w);
        if (!next)
            ready &= ~(1U << q);
        if ((*w & FIFO_WORD(EVTCHN_FIFO_PENDING)) && !(*w & FIFO_WORD(EVTCHN_FIFO_MASKED))) {
            __atomic_fetch_and(w, ~FIFO_WORD(EVTCHN_FIFO_PENDING), __ATOMIC_SEQ_CST);
            if (n < max)
                out[n++] = port;
        }
        fv->head[q] = next;
        ready |= __atomic_exchange_n(&fv->cb->ready, 0, __ATOMIC_SEQ_CST);
    }
    return n;
}

bool fifo_wait(uint32_t port, uint64_t deadline)
{
    uint32_t ports[1] = { port };
    struct sched_poll p = { .ports = (uint64_t)ports, .nr_ports = 1, .timeout = deadline };
    volatile event_word_t *w = fifo_word(port);

    while (!(*w & FIFO_WORD(EVTCHN_FIFO_PENDING)) && md_now() < deadline)
        if (HC2(sched_op, SCHEDOP_poll, &p))
            break;
    return *w & FIFO_WORD(EVTCHN_FIFO_PENDING);
}
