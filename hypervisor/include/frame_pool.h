/*
 * Bitmap frame allocator (pure, host-testable). A set bit means "free".
 * No locking and no ownership tracking: the hypervisor's wrapper holds the
 * lock and checks that a domain frees only frames it owns; this layer only
 * guarantees that bad input (double free, out-of-range) cannot corrupt it.
 */
#ifndef TANDEM_FRAME_POOL_H
#define TANDEM_FRAME_POOL_H

#include "types.h"

struct frame_pool {
    uint64_t *bitmap;   /* DIV_ROUND_UP(nr_frames, 64) words, owned by the caller */
    uint64_t nr_frames;
    uint64_t nr_free;   /* always equals the number of set bits */
    uint64_t hint;      /* next-fit start: frame after the last allocation */
};

/* Bits past nr_frames stay clear. Every frame starts used. */
void pool_init(struct frame_pool *p, uint64_t *bitmap, uint64_t nr_frames);

/* Mark [first, first + count) free / used, clipped to nr_frames; idempotent. */
void pool_free_range(struct frame_pool *p, uint64_t first, uint64_t count);
void pool_reserve_range(struct frame_pool *p, uint64_t first, uint64_t count);

/*
 * 2^order contiguous free frames whose first frame is a multiple of 2^order,
 * marked used. Next-fit from `hint`, wrapping once. Returns the first frame,
 * or -1 if no such block exists (always for 2^order > nr_frames).
 */
int64_t pool_alloc(struct frame_pool *p, unsigned order);

/*
 * Mark the block [first, first + 2^order) free. Returns silently, changing
 * nothing, if the block is misaligned or not inside the pool; frames already
 * free stay free (nr_free counts each frame once).
 */
void pool_free(struct frame_pool *p, uint64_t first, unsigned order);

/* False for frames outside the pool. */
bool pool_is_free(const struct frame_pool *p, uint64_t frame);

#endif
