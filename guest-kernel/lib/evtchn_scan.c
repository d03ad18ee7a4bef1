/* Guest-side helpers of the PV ABI shared by every kernel here: pvclock time and the 2-level event scan. */
#include "guest.h"

uint64_t pvclock_read_ns(const volatile struct vcpu_time_info *t)
{
    uint32_t ver, lo, hi;
    uint64_t delta, ns;

    /* Seqlock: an odd or changed version means the hypervisor was updating it. */
    do {
        ver = t->version;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        __asm__ __volatile__("rdtsc" : "=a"(lo), "=d"(hi));
        delta = (((uint64_t)hi << 32) | lo) - t->tsc_timestamp;
        delta = t->tsc_shift >= 0 ? delta << t->tsc_shift : delta >> -t->tsc_shift;
        ns = t->system_time + (uint64_t)(((unsigned __int128)delta * t->tsc_to_system_mul) >> 32);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((ver & 1) || ver != t->version);
    return ns;
}

unsigned int evtchn_scan(struct shared_info *s, struct vcpu_info *vi,
                         void (*fn)(unsigned int port, void *ctx), void *ctx)
{
    unsigned int n = 0;

    /* Xen's order: clear upcall_pending, take the selector, then each word's pending & ~mask. */
    while (vi->evtchn_upcall_pending) {
        uint64_t sel;
        vi->evtchn_upcall_pending = 0;
        sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
        while (sel) {
            unsigned int w = __builtin_ctzll(sel);
            uint64_t bits;
            sel &= sel - 1;
            bits = s->evtchn_pending[w] & ~s->evtchn_mask[w];
            while (bits) {
                unsigned int port = w * 64 + __builtin_ctzll(bits);
                bits &= bits - 1;
                __atomic_fetch_and(&s->evtchn_pending[w], ~(1UL << (port % 64)), __ATOMIC_SEQ_CST);
                fn(port, ctx);
                n++;
            }
        }
    }
    return n;
}
