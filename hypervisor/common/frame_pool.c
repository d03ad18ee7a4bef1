/* Bitmap frame allocator: next-fit, naturally aligned power-of-two blocks, exact free count. */
#include "types.h"
#include "frame_pool.h"

#define FP_BITS 64

/* Block starts allowed inside one word for orders 0..5: multiples of 2^order. */
static const uint64_t fp_align[6] = {
    ~0ULL, 0x5555555555555555ULL, 0x1111111111111111ULL,
    0x0101010101010101ULL, 0x0001000100010001ULL, 0x0000000100000001ULL,
};

static uint64_t fp_words(const struct frame_pool *p)
{
    return DIV_ROUND_UP(p->nr_frames, FP_BITS);
}

/* Not __builtin_popcountll: without POPCNT it is a libgcc call; the hypervisor has no libgcc. */
static unsigned fp_popcount(uint64_t x)
{
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (unsigned)((x * 0x0101010101010101ULL) >> 56);
}

/* Set (free) or clear (used) the `mask` bits of word w, keeping nr_free exact. */
static void fp_set(struct frame_pool *p, uint64_t w, uint64_t mask, bool free)
{
    uint64_t old = p->bitmap[w];
    uint64_t new = free ? old | mask : old & ~mask;

    p->nr_free += fp_popcount(new & ~old);
    p->nr_free -= fp_popcount(old & ~new);
    p->bitmap[w] = new;
}

/* Mark [first, first + count) clipped to the pool. */
static void fp_mark(struct frame_pool *p, uint64_t first, uint64_t count, bool free)
{
    uint64_t end, w, mask;

    if (first >= p->nr_frames)
        return;
    end = first + MIN(count, p->nr_frames - first);
    while (first < end) {
        w = first / FP_BITS;
        mask = ~0ULL << (first % FP_BITS);
        if (end - w * FP_BITS < FP_BITS)
            mask &= (1ULL << (end % FP_BITS)) - 1;
        fp_set(p, w, mask, free);
        first = (w + 1) * FP_BITS;
    }
}

void pool_init(struct frame_pool *p, uint64_t *bitmap, uint64_t nr_frames)
{
    uint64_t i;

    p->bitmap = bitmap;
    p->nr_frames = nr_frames;
    p->nr_free = 0;
    p->hint = 0;
    for (i = 0; i < fp_words(p); i++)
        bitmap[i] = 0;
}

void pool_free_range(struct frame_pool *p, uint64_t first, uint64_t count)
{
    fp_mark(p, first, count, true);
}

void pool_reserve_range(struct frame_pool *p, uint64_t first, uint64_t count)
{
    fp_mark(p, first, count, false);
}

/* Bits b of w such that bits [b, b + 2^order) are all set and b is 2^order aligned. */
static uint64_t fp_fit(uint64_t w, unsigned order)
{
    unsigned s;

    for (s = 1; s < (1U << order); s <<= 1)
        w &= w >> s;
    return w & fp_align[order];
}

/* Orders 0-5: blocks inside one word. Words with no free bit cost one test. */
static int64_t fp_alloc_small(struct frame_pool *p, unsigned order)
{
    uint64_t nw = fp_words(p), w0 = p->hint / FP_BITS, i, w, bits;

    for (i = 0; i <= nw; i++) {     /* w0 twice: from the hint, then whole */
        w = w0 + i < nw ? w0 + i : w0 + i - nw;
        bits = p->bitmap[w];
        if (i == 0)
            bits &= ~0ULL << (p->hint % FP_BITS);
        if (bits && (bits = fp_fit(bits, order)))
            return (int64_t)(w * FP_BITS + (unsigned)__builtin_ctzll(bits));
    }
    return -1;
}

static bool fp_words_full(const struct frame_pool *p, uint64_t w, uint64_t count)
{
    while (count--)
        if (p->bitmap[w++] != ~0ULL)
            return false;
    return true;
}

/* Orders >= 6: blocks of whole words (bits past nr_frames are never set). */
static int64_t fp_alloc_large(struct frame_pool *p, unsigned order)
{
    uint64_t bw = 1ULL << (order - 6), nb = fp_words(p) / bw;
    uint64_t b0 = DIV_ROUND_UP(p->hint / FP_BITS, bw), i, b;

    if (b0 >= nb)
        b0 = 0;
    for (i = 0; i < nb; i++) {
        b = b0 + i < nb ? b0 + i : b0 + i - nb;
        if (fp_words_full(p, b * bw, bw))
            return (int64_t)(b * bw * FP_BITS);
    }
    return -1;
}

int64_t pool_alloc(struct frame_pool *p, unsigned order)
{
    int64_t f;

    if (order >= 63 || (1ULL << order) > p->nr_frames)
        return -1;
    if (p->hint >= p->nr_frames)
        p->hint = 0;
    f = order < 6 ? fp_alloc_small(p, order) : fp_alloc_large(p, order);
    if (f < 0)
        return -1;
    fp_mark(p, (uint64_t)f, 1ULL << order, false);
    p->hint = (uint64_t)f + (1ULL << order);
    if (p->hint >= p->nr_frames)
        p->hint = 0;
    return f;
}

void pool_free(struct frame_pool *p, uint64_t first, unsigned order)
{
    uint64_t size;

    if (order >= 63)
        return;
    size = 1ULL << order;
    if ((first & (size - 1)) || first >= p->nr_frames || size > p->nr_frames - first)
        return;
    fp_mark(p, first, size, true);
}

bool pool_is_free(const struct frame_pool *p, uint64_t frame)
{
    return frame < p->nr_frames && (p->bitmap[frame / FP_BITS] >> (frame % FP_BITS)) & 1;
}
