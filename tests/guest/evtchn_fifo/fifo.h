/*
 * The guest side of the FIFO event ABI for evtchn_fifo's kernels: control
 * blocks and event-array pages in frames of our own (mapped in pt.h's
 * scratch area), and the consumer loop of Linux's events_fifo.c (queues in
 * priority order, each from its head along LINK), which records what it
 * finds instead of handling interrupts.
 */
#ifndef EVTCHN_FIFO_TEST_H
#define EVTCHN_FIFO_TEST_H

#include "pt.h"
#include <tandem/event_channel.h>

#define FIFO_WORD(b) ((event_word_t)1 << (b))

struct fifo_vcpu {
    struct evtchn_fifo_control_block *cb;   /* our mapping */
    uint64_t cb_mfn;
    uint32_t head[EVTCHN_FIFO_MAX_QUEUES];  /* the consumer's own heads (Linux's q->head) */
};

extern struct fifo_vcpu fifo_vcpu[2];
extern uint64_t fifo_page_mfn[EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES];
extern unsigned int fifo_pages;             /* event-array pages given (and mapped by us) */

long fifo_op(unsigned int cmd, void *arg);
/* init_control for vcpu with a fresh zeroed frame at offset; *link_bits gets the OUT field. */
long fifo_init(unsigned int vcpu, uint32_t offset, uint8_t *link_bits);
/* One more event-array page: a fresh frame, every word MASKED (as Linux), given with expand_array. */
long fifo_expand(void);
long fifo_expand_gfn(uint64_t gfn);
long fifo_set_priority(uint32_t port, uint32_t prio);

/* The word of port (NULL if we gave no page for it). */
volatile event_word_t *fifo_word(uint32_t port);
void fifo_unmask_direct(uint32_t port);     /* the guest's own clear of MASKED */
void fifo_mask(uint32_t port);
/* Consume vCPU vcpu's queues; ports found pending and unmasked go to out (PENDING cleared). */
unsigned int fifo_consume(unsigned int vcpu, uint32_t *out, unsigned int max);

/* Sleep until port's word is pending or deadline (SCHEDOP_poll); true if pending. */
bool fifo_wait(uint32_t port, uint64_t deadline);

#endif
