/*
 * The virtual local APIC of an HVM vCPU (docs/hvm.md "Local APIC"): an
 * xAPIC at HVM_LAPIC_BASE whose page is not mapped by the nested page
 * tables, so every access is a nested page fault the decoder
 * (hvm/emulate.c) turns into vlapic_mmio_read/write. What it models: ID,
 * version, TPR/PPR, EOI, LDR/DFR, SVR (software enable), ISR/TMR/IRR, ESR,
 * ICR (fixed-vector IPIs to itself: the only vCPU), the six LVTs, and the
 * timer (one-shot and periodic, divide configuration) on a 1 GHz clock
 * (HVM_LAPIC_KHZ). The timer's expiry is system time; svm.c makes the
 * earliest deadline the vCPU's poll_deadline, so the scheduler's timer
 * wakes or interrupts it then, and injects the highest vector IRR holds
 * above PPR. No x2APIC, no TSC-deadline mode, no NMI/SMI/INIT delivery,
 * no interrupt sources but the timer and self IPIs (no IOAPIC, no PIC).
 */
#include "lib.h"
#include "domain.h"
#include "time.h"
#include "hvm.h"

#define APIC_ID     0x020
#define APIC_VER    0x030
#define APIC_TPR    0x080
#define APIC_APR    0x090
#define APIC_PPR    0x0a0
#define APIC_EOI    0x0b0
#define APIC_RRD    0x0c0
#define APIC_LDR    0x0d0
#define APIC_DFR    0x0e0
#define APIC_SVR    0x0f0
#define APIC_ISR    0x100
#define APIC_TMR    0x180
#define APIC_IRR    0x200
#define APIC_ESR    0x280
#define APIC_ICR    0x300
#define APIC_ICR2   0x310
#define APIC_LVTT   0x320       /* the LVTs: 0x320 + 0x10 * i, LVT_* below */
#define APIC_LVTERR 0x370
#define APIC_TMICT  0x380
#define APIC_TMCCT  0x390
#define APIC_TDCR   0x3e0

enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_NR };

#define LVT_MASKED      (1u << 16)
#define LVT_TIMER_PERIODIC (1u << 17)
#define SVR_ENABLED     (1u << 8)
#define ESR_SEND_ILLEGAL (1u << 5)
#define ESR_ILLEGAL_REG (1u << 7)
#define APIC_VERSION    0x00050014u     /* version 0x14, 6 LVTs (max LVT 5) */
#define APIC_BASE_MSR_VALUE (HVM_LAPIC_BASE | (1u << 11) | (1u << 8))  /* enabled, BSP */
#define MIN_PERIOD_NS   100000ULL       /* a periodic timer fires at most every 100 us */

/* What each LVT's writable bits are (vector, delivery mode, polarity, trigger, mask, timer mode). */
static const uint32_t lvt_mask[LVT_NR] = {
    0x000710ffu | (3u << 17), 0x000117ffu, 0x000117ffu, 0x0001f7ffu, 0x0001f7ffu, 0x000110ffu,
};

static struct hvm_vlapic *lapic(struct vcpu *v)
{
    return &v->arch.hvm->lapic;
}

static void set_vec(uint32_t *r, int vec, bool on)
{
    if (on)
        r[vec / 32] |= 1u << (vec % 32);
    else
        r[vec / 32] &= ~(1u << (vec % 32));
}

static int highest(const uint32_t *r)
{
    for (int i = 7; i >= 0; i--)
        if (r[i])
            return i * 32 + 31 - __builtin_clz(r[i]);
    return -1;
}

static uint32_t ppr(const struct hvm_vlapic *l)
{
    int isrv = highest(l->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

    return (l->tpr & 0xf0) >= isr_class ? l->tpr & 0xff : isr_class;
}

void vlapic_init(struct vcpu *v)
{
    struct hvm_vlapic *l = lapic(v);

    memset(l, 0, sizeof(*l));
    l->id = v->vcpu_id << 24;
    l->dfr = 0xffffffffu;
    l->svr = 0xff;                          /* software-disabled, as at reset */
    for (unsigned int i = 0; i < LVT_NR; i++)
        l->lvt[i] = LVT_MASKED;
}

uint64_t vlapic_apic_base(struct vcpu *v)
{
    (void)v;
    return APIC_BASE_MSR_VALUE;
}

/* IA32_APIC_BASE: the same value is accepted, reserved bits (x2APIC's EXTD too) #GP, moving or
 * disabling it is not emulated. */
int vlapic_apic_base_write(struct vcpu *v, uint64_t val)
{
    if (val == APIC_BASE_MSR_VALUE)
        return HVM_MSR_OK;
    if (val & ~(0xfffff000ULL | (1u << 11) | (1u << 8)))
        return HVM_MSR_GP;
    printk(XENLOG_ERR "d%uv%u: IA32_APIC_BASE write %#lx: moving or disabling the local APIC "
           "(at %#lx, enabled) is not emulated\n", v->domain->domain_id, v->vcpu_id,
           (unsigned long)val, (unsigned long)HVM_LAPIC_BASE);
    return HVM_MSR_KILL;
}

static uint64_t timer_divisor(const struct hvm_vlapic *l)
{
    unsigned int d = (l->tdcr & 3) | ((l->tdcr & 8) >> 1);

    return d == 7 ? 1 : 2ULL << d;
}

static uint64_t timer_period_ns(const struct hvm_vlapic *l)
{
    /* 1 GHz: a tick is a ns. */
    uint64_t p = (uint64_t)l->tmict * timer_divisor(l);

    if (l->lvt[LVT_TIMER] & LVT_TIMER_PERIODIC)
        p = MAX(p, MIN_PERIOD_NS);
    return p;
}

static void timer_load(struct hvm_vlapic *l, uint64_t now)
{
    l->timer_start = now;
    l->timer_deadline = l->tmict ? now + timer_period_ns(l) : 0;
}

static uint32_t timer_current(const struct hvm_vlapic *l, uint64_t now)
{
    uint64_t period = timer_period_ns(l), elapsed;

    if (!l->tmict || !period || (!l->timer_deadline && !(l->lvt[LVT_TIMER] & LVT_TIMER_PERIODIC)))
        return 0;
    elapsed = now - l->timer_start;
    if (l->lvt[LVT_TIMER] & LVT_TIMER_PERIODIC)
        elapsed %= period;
    else if (elapsed >= period)
        return 0;
    return (uint32_t)((period - elapsed) / timer_divisor(l));
}

uint64_t vlapic_update(struct vcpu *v, uint64_t now)
{
    struct hvm_vlapic *l = lapic(v);
    uint32_t lvt = l->lvt[LVT_TIMER];

    if (l->timer_deadline && now >= l->timer_deadline) {
        if (!(lvt & LVT_MASKED) && (l->svr & SVR_ENABLED) && (lvt & 0xff) >= 16)
            set_vec(l->irr, lvt & 0xff, true);
        if (lvt & LVT_TIMER_PERIODIC) {
            uint64_t period = timer_period_ns(l);
            /* Ticks missed while it could not run are one interrupt, not a burst. */
            l->timer_deadline += period * ((now - l->timer_deadline) / period + 1);
        } else {
            l->timer_deadline = 0;
        }
    }
    return l->timer_deadline;
}

int vlapic_pending(struct vcpu *v)
{
    struct hvm_vlapic *l = lapic(v);
    int vec = highest(l->irr);

    if (vec < 0 || !(l->svr & SVR_ENABLED) || ((uint32_t)vec & 0xf0) <= (ppr(l) & 0xf0))
        return -1;
    return vec;
}

void vlapic_accept(struct vcpu *v, int vec)
{
    struct hvm_vlapic *l = lapic(v);

    set_vec(l->irr, vec, false);
    set_vec(l->isr, vec, true);
}

void vlapic_set_cr8(struct vcpu *v, unsigned int cr8)
{
    struct hvm_vlapic *l = lapic(v);

    if ((l->tpr >> 4) != (cr8 & 0xf))
        l->tpr = (cr8 & 0xf) << 4;
}

/* A fixed IPI from the ICR: the only destination there is, this vCPU. */
static void send_ipi(struct vcpu *v, struct hvm_vlapic *l)
{
    unsigned int vec = l->icr_lo & 0xff, mode = (l->icr_lo >> 8) & 7, shorthand = (l->icr_lo >> 18) & 3;
    bool to_self = shorthand == 1 || shorthand == 2 ||
                   (shorthand == 0 && !(l->icr_lo & (1u << 11)) && (l->icr_hi >> 24) == (l->id >> 24));

    if (mode != 0) {
        printk(XENLOG_DEBUG "d%uv%u: APIC IPI delivery mode %u not emulated: dropped\n",
               v->domain->domain_id, v->vcpu_id, mode);
        return;
    }
    if (!to_self)
        return;                             /* no other vCPU */
    if (vec < 16) {
        l->esr |= ESR_SEND_ILLEGAL;
        return;
    }
    set_vec(l->irr, (int)vec, true);
}

static uint32_t reg_read(struct vcpu *v, struct hvm_vlapic *l, unsigned int reg, bool *ok)
{
    *ok = true;
    if (reg >= APIC_ISR && reg < APIC_ISR + 0x80)
        return l->isr[(reg - APIC_ISR) / 16];
    if (reg >= APIC_TMR && reg < APIC_TMR + 0x80)
        return l->tmr[(reg - APIC_TMR) / 16];
    if (reg >= APIC_IRR && reg < APIC_IRR + 0x80)
        return l->irr[(reg - APIC_IRR) / 16];
    if (reg >= APIC_LVTT && reg <= APIC_LVTERR)
        return l->lvt[(reg - APIC_LVTT) / 16];
    switch (reg) {
    case APIC_ID: return l->id;
    case APIC_VER: return APIC_VERSION;
    case APIC_TPR: return l->tpr;
    case APIC_APR: return 0;
    case APIC_PPR: return ppr(l);
    case APIC_EOI: return 0;
    case APIC_RRD: return 0;
    case APIC_LDR: return l->ldr;
    case APIC_DFR: return l->dfr;
    case APIC_SVR: return l->svr;
    case APIC_ESR: return l->esr;
    case APIC_ICR: return l->icr_lo & ~(1u << 12);     /* never "send pending" */
    case APIC_ICR2: return l->icr_hi;
    case APIC_TMICT: return l->tmict;
    case APIC_TMCCT: return timer_current(l, now_ns());
    case APIC_TDCR: return l->tdcr;
    default:
        (void)v;
        *ok = false;
        return 0;
    }
}

static void reg_write(struct vcpu *v, struct hvm_vlapic *l, unsigned int reg, uint32_t val)
{
    uint64_t now = now_ns();

    if (reg >= APIC_LVTT && reg <= APIC_LVTERR) {
        unsigned int i = (reg - APIC_LVTT) / 16;
        uint32_t old = l->lvt[i];
        l->lvt[i] = val & lvt_mask[i];
        if (!(l->svr & SVR_ENABLED))
            l->lvt[i] |= LVT_MASKED;        /* software-disabled: the LVTs stay masked */
        if (i == LVT_TIMER && ((old ^ l->lvt[i]) & LVT_TIMER_PERIODIC))
            timer_load(l, now);             /* a mode change restarts the count */
        return;
    }
    switch (reg) {
    case APIC_TPR:
        l->tpr = val & 0xff;
        hvm_set_vtpr(v, l->tpr >> 4);
        break;
    case APIC_EOI: {
        int vec = highest(l->isr);
        if (vec >= 0)
            set_vec(l->isr, vec, false);
        break;
    }
    case APIC_LDR: l->ldr = val & 0xff000000u; break;
    case APIC_DFR: l->dfr = val | 0x0fffffffu; break;
    case APIC_SVR:
        l->svr = val & 0x13ffu;
        if (!(l->svr & SVR_ENABLED))
            for (unsigned int i = 0; i < LVT_NR; i++)
                l->lvt[i] |= LVT_MASKED;
        break;
    case APIC_ESR: l->esr = 0; break;       /* a write clears it (the errors since are latched) */
    case APIC_ICR:
        l->icr_lo = val & 0x000cdfffu;
        send_ipi(v, l);
        break;
    case APIC_ICR2: l->icr_hi = val & 0xff000000u; break;
    case APIC_TMICT:
        l->tmict = val;
        timer_load(l, now);
        break;
    case APIC_TDCR:
        l->tdcr = val & 0xbu;
        timer_load(l, now);             /* the count restarts at the new rate */
        break;
    case APIC_ID: case APIC_VER: case APIC_APR: case APIC_PPR: case APIC_RRD: case APIC_TMCCT:
        break;                              /* read-only */
    default:
        if ((reg >= APIC_ISR && reg < APIC_IRR + 0x80))
            break;                          /* ISR, TMR, IRR: read-only */
        l->esr |= ESR_ILLEGAL_REG;
        break;
    }
}

/*
 * Registers are 32 bits at 16-byte strides. Reads of 1, 2 or 4 bytes inside a register's
 * first 4 give those bytes; a 1- or 2-byte write merges into the register; an access that
 * crosses into a register's padding or is 8 bytes wide is refused (kills the domain: the
 * hardware's behaviour is undefined, and no kernel does it).
 */
bool vlapic_mmio_read(struct vcpu *v, uint64_t off, unsigned int size, uint64_t *val)
{
    struct hvm_vlapic *l = lapic(v);
    unsigned int in = off & 15;
    bool ok;
    uint32_t r;

    if (size > 4 || in + size > 4)
        return false;
    r = reg_read(v, l, (unsigned int)(off & ~15ULL), &ok);
    if (!ok)
        l->esr |= ESR_ILLEGAL_REG;
    *val = r >> (8 * in);
    return true;
}

bool vlapic_mmio_write(struct vcpu *v, uint64_t off, unsigned int size, uint64_t val)
{
    struct hvm_vlapic *l = lapic(v);
    unsigned int in = off & 15, reg = (unsigned int)(off & ~15ULL);
    uint32_t r = (uint32_t)val;
    bool ok;

    if (size > 4 || in + size > 4)
        return false;
    if (size < 4) {
        uint32_t mask = ((1u << (8 * size)) - 1) << (8 * in);
        r = (reg_read(v, l, reg, &ok) & ~mask) | (((uint32_t)val << (8 * in)) & mask);
    }
    reg_write(v, l, reg, r);
    return true;
}
