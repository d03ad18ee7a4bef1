/*
 * Shadow page tables for HVM domains with paging=shadow (docs/hvm.md
 * "Shadow paging"). The hardware always runs the guest in long mode on
 * 4-level shadow tables the hypervisor owns; the guest's own tables are
 * only ever read (and their A/D bits set) here.
 *
 * - Shadows are keyed by what they are a pure function of: (guest table
 *   gfn, level) for a shadow of a guest table, with the guest's RW/US/NX
 *   carried in each entry so the hardware combines them as the guest's
 *   walk would; (first frame, level, rights) for a piece of a guest large
 *   page or of the paging-off identity. So two address spaces sharing a
 *   table share its shadow, a recursive slot is just the same gfn at
 *   several levels, and the shadow of a CR3 stays cached for the next load.
 * - Filled on #PF from one checked walk (hvm_walk, which sets the guest's
 *   A and D as the CPU would). A leaf is read-only until the guest's D is
 *   set, so the first write faults and sets it.
 * - Guest page tables are write-protected: a frame with a shadow as a
 *   table is read-only in every shadow leaf (struct sh_frame counts the
 *   writable ones), so a guest write faults and is emulated (a MOV; the
 *   shadow entries made from what it overwrote are dropped and refilled on
 *   the next access), or the frame is left writable, out of sync: its
 *   shadows are re-checked against the guest entries they were made from
 *   (snap[]) at every CR3 load (and CR4 change) until they are found
 *   unchanged twice, then it is protected again. So a CR3 load of a cached
 *   shadow checks only the tables being written. INVLPG re-checks the path
 *   of its address. A mismatch drops the entry; the next access refills it.
 *   With the guest's CR0.WP clear (supervisor writes ignore RW) nothing is
 *   protected and every CR3 load re-checks every reachable shadow.
 * - Everything lives in a fixed-size pool of hypervisor heap pages; when it
 *   is full every shadow is dropped (a full flush) and refilled on demand.
 */
#include "lib.h"
#include "domain.h"
#include "mm.h"
#include "hvm.h"
#include "shadow.h"
#include "insn_decode.h"
#include "processor.h"
#include "../svm/svm.h"
#include "../svm/vmcb.h"
#include <tandem/errno.h>

#define SH_POOL_MIN 64
#define SH_POOL_MAX 2048
#define SH_WATCHDOG 4096        /* the same #PF this many times in a row: no progress, killed */
#define SH_NOMEM    (-1)
#define SH_EMUL_MAX 32          /* writes emulated on a page table before it is left writable (out of sync) */
#define SH_CLEAN_MAX 2          /* CR3 loads in a row finding an out-of-sync table unchanged: protected again */

static struct shadow_domain *sdom(struct domain *d)
{
    return d->arch.hvm->sh;
}

static unsigned int sh_bucket(uint64_t gfn, unsigned int level, unsigned int kind, unsigned int rights)
{
    uint64_t h = gfn * 0x9e3779b97f4a7c15ULL + level * 0x1f + kind * 0x101 + rights * 0x3b;
    return (unsigned int)((h >> 32) % SH_HASH);
}

static int32_t sh_find(struct shadow_domain *sd, uint64_t gfn, unsigned int level, unsigned int kind,
                       unsigned int rights)
{
    for (int32_t i = sd->hash[sh_bucket(gfn, level, kind, rights)]; i >= 0; i = sd->pool[i].next) {
        struct shadow_page *sp = &sd->pool[i];
        if (sp->gfn == gfn && sp->level == level && sp->kind == kind && sp->rights == rights)
            return i;
    }
    return -1;
}

/* Guest page-table writes are trapped (write protection) only while the guest's CR0.WP is set: without
 * it, supervisor writes ignore a leaf's RW. A change of CR0.WP flushes every shadow (shadow_cr.c). */
static bool sh_trapping(const struct vcpu *v)
{
    return v->arch.hvm->sh->cr0 & X86_CR0_WP;
}

static struct sh_frame *sh_fr(struct domain *d, uint64_t gfn)
{
    return gfn < d->arch.hvm->nr_pages ? &sdom(d)->fr[gfn] : NULL;
}

/* Frame gfn is a write-protected page table: every shadow leaf mapping it must be read-only. */
static bool sh_wp(const struct vcpu *v, uint64_t gfn)
{
    const struct sh_frame *f = sh_fr(v->domain, gfn);

    return f && f->tables && !f->oos && sh_trapping(v);
}

/* The guest frame leaf i of level-1 shadow sp maps (meaningful while the entry is present). */
static uint64_t sh_leaf_gfn(const struct shadow_page *sp, unsigned int i)
{
    return sp->kind == SH_SPLIT ? sp->gfn + i : (sp->snap[i] & PADDR_MASK) >> PAGE_SHIFT;
}

/* Count leaf old (mapping old_gfn) replaced by e (mapping gfn) at slot i of shadow idx. */
static void sh_leaf_account(struct domain *d, uint64_t old, uint64_t old_gfn, uint64_t e, uint64_t gfn,
                            int32_t idx, unsigned int i)
{
    struct sh_frame *f;

    if ((old & (_PAGE_PRESENT | _PAGE_RW)) == (_PAGE_PRESENT | _PAGE_RW) && (f = sh_fr(d, old_gfn)) && f->writable)
        f->writable--;
    if ((e & (_PAGE_PRESENT | _PAGE_RW)) == (_PAGE_PRESENT | _PAGE_RW) && (f = sh_fr(d, gfn))) {
        f->writable++;
        f->hint = ((uint32_t)idx << 9 | i) + 1;
    }
}

/* Drop entry i of shadow idx (the next access refills it). */
static void sh_drop(struct domain *d, int32_t idx, unsigned int i)
{
    struct shadow_page *sp = &sdom(d)->pool[idx];

    if (sp->level == 1)
        sh_leaf_account(d, sp->t[i], sh_leaf_gfn(sp, i), 0, 0, idx, i);
    sp->t[i] = 0;
    if (sp->snap)
        sp->snap[i] = 0;
    d->arch.hvm->shc.unshadows++;
}

/* Make every shadow leaf that maps gfn read-only: the last one made first (the hint), else a scan of
 * the level-1 shadows until none is left. */
static void sh_protect(struct domain *d, uint64_t gfn)
{
    struct shadow_domain *sd = sdom(d);
    struct sh_frame *f = sh_fr(d, gfn);
    uint64_t ma = (uint64_t)d->arch.hvm->p2m[gfn] << PAGE_SHIFT;

    if (!f->writable)
        return;
    if (f->hint && (f->hint - 1) >> 9 < sd->nr) {
        struct shadow_page *sp = &sd->pool[(f->hint - 1) >> 9];
        uint64_t *e = &sp->t[(f->hint - 1) & 511];

        if (sp->level == 1 && (*e & (_PAGE_PRESENT | _PAGE_RW)) == (_PAGE_PRESENT | _PAGE_RW) && (*e & PADDR_MASK) == ma) {
            *e &= ~(_PAGE_RW | _PAGE_DIRTY);
            f->writable--;
        }
    }
    for (unsigned int p = 0; f->writable && p < sd->nr; p++) {
        uint64_t *t = sd->pool[p].t;

        if (sd->pool[p].level != 1)
            continue;
        for (unsigned int i = 0; i < 512; i++)
            if ((t[i] & (_PAGE_PRESENT | _PAGE_RW)) == (_PAGE_PRESENT | _PAGE_RW) && (t[i] & PADDR_MASK) == ma) {
                t[i] &= ~(_PAGE_RW | _PAGE_DIRTY);
                if (!--f->writable)
                    break;
            }
    }
    f->writable = 0;                    /* (the scan found them all: the count can only have been exact) */
}

/* The shadow with that key, made (empty, in sync) if there is none; SH_NOMEM if the pool is full.
 * A frame's first shadow as a table write-protects it. */
static int32_t sh_get(struct vcpu *v, uint64_t gfn, unsigned int level, unsigned int kind,
                      unsigned int rights)
{
    struct domain *d = v->domain;
    struct shadow_domain *sd = sdom(d);
    int32_t i = sh_find(sd, gfn, level, kind, rights);
    struct shadow_page *sp;
    unsigned int b;

    if (i >= 0)
        return i;
    if (sd->nr == sd->max)
        return SH_NOMEM;
    sp = &sd->pool[sd->nr];
    if (!(sp->t = xzalloc_bytes(PAGE_SIZE)))
        return SH_NOMEM;
    sp->snap = NULL;
    if (kind == SH_TABLE && !(sp->snap = xzalloc_bytes(PAGE_SIZE))) {
        xfree(sp->t);
        return SH_NOMEM;
    }
    sp->gfn = gfn;
    sp->level = (uint8_t)level;
    sp->kind = (uint8_t)kind;
    sp->rights = (uint8_t)rights;
    sp->seen = sd->gen;
    b = sh_bucket(gfn, level, kind, rights);
    sp->next = sd->hash[b];
    sd->hash[b] = (int32_t)sd->nr;
    d->arch.hvm->shc.pages = ++sd->nr;
    if (kind == SH_TABLE && sh_fr(d, gfn) && !sd->fr[gfn].tables++ && sh_trapping(v))
        sh_protect(d, gfn);
    return (int32_t)(sd->nr - 1);
}

static void sh_free_all(struct domain *d)
{
    struct shadow_domain *sd = sdom(d);

    for (unsigned int i = 0; i < sd->nr; i++) {
        xfree(sd->pool[i].t);
        xfree(sd->pool[i].snap);
    }
    sd->nr = 0;
    for (unsigned int b = 0; b < SH_HASH; b++)
        sd->hash[b] = -1;
    memset(sd->fr, 0, d->arch.hvm->nr_pages * sizeof(*sd->fr));
    sd->nr_oos = 0;
    d->arch.hvm->shc.pages = 0;
}

/*
 * Re-check every present entry of shadow page idx (a guest table's) and,
 * with tree, below the entries that still match, its children: an entry
 * whose guest entry changed since it was filled is dropped. Visits a page
 * once per generation. Allocates nothing, so pool pointers stay valid.
 * How many entries it dropped.
 */
static unsigned int sh_resync_page(struct domain *d, int32_t idx, bool tree)
{
    struct shadow_domain *sd = sdom(d);
    struct shadow_page *sp = &sd->pool[idx];
    const uint64_t *g;
    unsigned int dropped = 0;

    if (sp->kind != SH_TABLE || sp->seen == sd->gen)
        return 0;
    sp->seen = sd->gen;
    d->arch.hvm->shc.resyncs++;
    g = hvm_gfn_map(d, sp->gfn);        /* checked below nr_pages when the shadow was made */
    for (unsigned int i = 0; i < 512; i++) {
        uint64_t ge;
        int32_t c;

        if (!(sp->t[i] & _PAGE_PRESENT))
            continue;
        ge = __atomic_load_n(&g[i], __ATOMIC_RELAXED);
        if (ge != sp->snap[i]) {
            sh_drop(d, idx, i);
            dropped++;
            continue;
        }
        if (tree && sp->level > 1 && !(ge & _PAGE_PSE) &&
            (c = sh_find(sd, (ge & PADDR_MASK) >> PAGE_SHIFT, sp->level - 1u, SH_TABLE, 0)) >= 0)
            dropped += sh_resync_page(d, c, true);
    }
    return dropped;
}

/* Every shadow of an out-of-sync frame, against the guest's table; a frame found unchanged
 * SH_CLEAN_MAX times in a row is write-protected again (it is in sync now). */
static void sh_resync_oos(struct domain *d)
{
    struct shadow_domain *sd = sdom(d);

    for (unsigned int k = 0; k < sd->nr_oos;) {
        uint64_t gfn = sd->oos[k];
        struct sh_frame *f = &sd->fr[gfn];
        unsigned int dropped = 0;
        int32_t idx;

        for (unsigned int level = 1; level <= 4; level++)
            if ((idx = sh_find(sd, gfn, level, SH_TABLE, 0)) >= 0)
                dropped += sh_resync_page(d, idx, false);
        if (dropped || ++f->clean < SH_CLEAN_MAX) {
            if (dropped)
                f->clean = 0;
            k++;
            continue;
        }
        f->oos = 0;
        f->emul = 0;
        f->clean = 0;
        sh_protect(d, gfn);
        sd->oos[k] = sd->oos[--sd->nr_oos];
        d->arch.hvm->shc.pt_reprotects++;
    }
}

/* Resynchronise what the guest may have changed unseen, for a CR3 load from root (or CR4). */
static void sh_resync(struct vcpu *v, int32_t root)
{
    sdom(v->domain)->gen++;             /* every shadow is due a check before it is used again */
    if (sh_trapping(v))
        sh_resync_oos(v->domain);
    else
        sh_resync_page(v->domain, root, true);
}

/* A linked-in shadow that may be out of sync: check it before it is used. */
static void sh_resync_child(struct vcpu *v, int32_t idx)
{
    struct shadow_page *sp = &sdom(v->domain)->pool[idx];

    if (sp->kind != SH_TABLE)
        return;
    if (!sh_trapping(v))
        sh_resync_page(v->domain, idx, true);
    else if (sdom(v->domain)->fr[sp->gfn].oos)
        sh_resync_page(v->domain, idx, false);
}

/* Frame gfn (a page table) is left writable: its shadows are resynchronised at CR3 loads. */
static void sh_unshadow(struct domain *d, uint64_t gfn)
{
    struct shadow_domain *sd = sdom(d);
    struct sh_frame *f = &sd->fr[gfn];

    if (f->oos || sd->nr_oos >= sd->max)
        return;                         /* (never full: each out-of-sync frame has a shadow page) */
    f->oos = 1;
    f->clean = 0;
    sd->oos[sd->nr_oos++] = (uint32_t)gfn;
    d->arch.hvm->shc.pt_unshadows++;
}

void shadow_guest_wrote(struct domain *d, uint64_t gpa, size_t len)
{
    struct shadow_domain *sd = sdom(d);
    uint64_t gfn = gpa >> PAGE_SHIFT;
    struct sh_frame *f;
    unsigned int first = (gpa & (PAGE_SIZE - 1)) / 8, last;
    int32_t idx;

    if (!sd || !len || !(f = sh_fr(d, gfn)) || !f->tables || f->oos)
        return;
    last = (unsigned int)(((gpa & (PAGE_SIZE - 1)) + len - 1) / 8);
    for (unsigned int level = 1; level <= 4; level++) {
        if ((idx = sh_find(sd, gfn, level, SH_TABLE, 0)) < 0)
            continue;
        for (unsigned int i = first; i <= last && i < 512; i++)
            if (sd->pool[idx].t[i] & _PAGE_PRESENT)
                sh_drop(d, idx, i);
    }
}

/* The key of the shadow the VMCB's CR3 should point at, for the guest's mode. */
static int32_t sh_root_get(struct vcpu *v, bool *hit)
{
    struct shadow_vcpu *sv = v->arch.hvm->sh;
    struct shadow_domain *sd = sdom(v->domain);

    if (!(sv->cr0 & X86_CR0_PG)) {
        *hit = true;
        return sh_get(v, 0, 4, SH_SPLIT, SH_R_WRITE | SH_R_USER);   /* identity */
    }
    *hit = sh_find(sd, (sv->cr3 & PADDR_MASK) >> PAGE_SHIFT, 4, SH_TABLE, 0) >= 0;
    return sh_get(v, (sv->cr3 & PADDR_MASK) >> PAGE_SHIFT, 4, SH_TABLE, 0);
}

static void sh_kill(struct vcpu *v, struct cpu_user_regs *regs, const char *why)
{
    if (regs)
        svm_crash(v, regs, why);
}

int shadow_update_root(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs, bool cr3_load)
{
    struct domain *d = v->domain;
    struct hvm_domain *hd = d->arch.hvm;
    struct shadow_vcpu *sv = v->arch.hvm->sh;
    struct shadow_domain *sd = sdom(d);
    bool paging = sv->cr0 & X86_CR0_PG, hit;
    int32_t r;

    if (paging && ((sv->cr3 & PADDR_MASK) >> PAGE_SHIFT) >= hd->nr_pages) {
        char why[96];
        snprintf(why, sizeof(why), "CR3 %#lx: its top-level page table lies outside its memory",
                 (unsigned long)sv->cr3);
        sh_kill(v, regs, why);
        return -1;
    }
    if ((r = sh_root_get(v, &hit)) < 0) {
        sh_free_all(d);
        hd->shc.full_flushes++;
        hit = false;
        if ((r = sh_root_get(v, &hit)) < 0) {
            sh_kill(v, regs, "out of hypervisor memory for shadow page tables");
            return -1;
        }
    }
    if (paging) {
        if (cr3_load) {
            hd->shc.cr3_switches++;
            hd->shc.cr3_hits += hit;
        }
        sh_resync(v, r);
    }
    sv->root = r;
    vm->cr3 = __pa(sd->pool[r].t);
    return 0;
}

void shadow_resync_all(struct vcpu *v)
{
    struct shadow_vcpu *sv = v->arch.hvm->sh;

    if (!(sv->cr0 & X86_CR0_PG) || sv->root < 0)
        return;
    sh_resync(v, sv->root);
}

void shadow_flush(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs)
{
    sh_free_all(v->domain);
    v->domain->arch.hvm->shc.full_flushes++;
    shadow_update_root(v, vm, regs, false);
}

void shadow_invlpg(struct vcpu *v, uint64_t va)
{
    struct domain *d = v->domain;
    struct shadow_vcpu *sv = v->arch.hvm->sh;
    struct shadow_domain *sd = sdom(d);
    int32_t idx = sv->root;

    d->arch.hvm->shc.invlpgs++;
    if (!(sv->cr0 & X86_CR0_PG))
        return;
    /* The path of va, top down: drop the first entry whose guest entry changed. */
    for (unsigned int level = 4; level >= 1 && idx >= 0; level--) {
        struct shadow_page *sp = &sd->pool[idx];
        unsigned int i = (va >> (12 + 9 * (level - 1))) & 511;
        const uint64_t *g;
        uint64_t ge;

        if (sp->kind != SH_TABLE || !(sp->t[i] & _PAGE_PRESENT))
            return;
        g = hvm_gfn_map(d, sp->gfn);
        ge = __atomic_load_n(&g[i], __ATOMIC_RELAXED);
        if (ge != sp->snap[i]) {
            sh_drop(d, idx, i);
            return;
        }
        if (level == 1 || (ge & _PAGE_PSE))
            return;
        idx = sh_find(sd, (ge & PADDR_MASK) >> PAGE_SHIFT, level - 1, SH_TABLE, 0);
    }
}

/*
 * Fill the shadow path of va from walk w (leaf_level: the guest's page
 * level, 5 for the paging-off identity). 1 if an entry changed, 0 if the
 * shadow already said all this, SH_NOMEM if the pool is full.
 */
static int sh_fill(struct vcpu *v, uint64_t va, const struct hvm_walk *w, unsigned int leaf_level)
{
    struct domain *d = v->domain;
    struct hvm_domain *hd = d->arch.hvm;
    struct shadow_domain *sd = sdom(d);
    uint64_t gfn = w->gpa >> PAGE_SHIFT, leaf = leaf_level <= 4 ? w->pte[4 - leaf_level] : 0;
    unsigned int rights = SH_R_WRITE | SH_R_USER;
    int32_t idx = v->arch.hvm->sh->root;
    int changed = 0;

    if (leaf_level <= 4)
        rights = ((leaf & _PAGE_RW) && (leaf & _PAGE_DIRTY) ? SH_R_WRITE : 0) | (leaf & _PAGE_USER ? SH_R_USER : 0) |
                 (leaf & _PAGE_NX ? SH_R_NX : 0);
    for (unsigned int level = 4; level >= 1; level--) {
        struct shadow_page *sp = &sd->pool[idx];
        unsigned int i = (va >> (12 + 9 * (level - 1))) & 511;
        uint64_t ge = level >= leaf_level ? w->pte[4 - level] : 0, want, old = sp->t[i], old_gfn = 0;
        int32_t child = -1;

        if (level == 1) {
            /* writable only if the guest's entry is (RW and D) and the frame is no write-protected
             * page table */
            bool rw = (rights & SH_R_WRITE) && !sh_wp(v, gfn);
            want = ((uint64_t)hd->p2m[gfn] << PAGE_SHIFT) | _PAGE_PRESENT | _PAGE_ACCESSED | (rw ? _PAGE_RW | _PAGE_DIRTY : 0) |
                   (rights & SH_R_USER ? _PAGE_USER : 0) | (rights & SH_R_NX ? _PAGE_NX : 0);
            old_gfn = sh_leaf_gfn(sp, i);
        } else if (level > leaf_level) {
            /* a guest table below: its shadow, with this entry's own rights */
            child = sh_get(v, (ge & PADDR_MASK) >> PAGE_SHIFT, level - 1, SH_TABLE, 0);
            if (child < 0)
                return SH_NOMEM;
            want = __pa(sd->pool[child].t) | _PAGE_PRESENT | _PAGE_ACCESSED | (ge & (_PAGE_RW | _PAGE_USER | _PAGE_NX));
        } else {
            /* inside a guest large page (or the identity): the piece covering gfn */
            uint64_t span = 1ULL << (9 * (level - 1));
            child = sh_get(v, gfn & ~(span - 1), level - 1, SH_SPLIT, rights);
            if (child < 0)
                return SH_NOMEM;
            want = __pa(sd->pool[child].t) | _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_RW | _PAGE_USER;
        }
        if (sp->kind == SH_TABLE)
            sp->snap[i] = ge;
        if (old != want) {
            if (level == 1)
                sh_leaf_account(d, old, old_gfn, want, gfn, idx, i);
            sp->t[i] = want;
            changed = 1;
            hd->shc.fills++;
            if (level == 1 && (old & _PAGE_PRESENT) && !(old & _PAGE_RW) && (want & _PAGE_RW))
                hd->shc.wp_faults++;
            if (child >= 0)
                sh_resync_child(v, child);  /* a cached shadow linked in again: check it first */
        }
        if (level == 1)
            break;
        idx = child;
    }
    return changed;
}

/*
 * Emulate the write that faulted at va (guest-physical gpa) on a write-protected page table: a MOV to
 * memory (the MMIO decoder's forms), naturally aligned and not at a page's first byte unless a byte
 * (so the fault's address is the operand's and it lies in one page). The write goes through hvm_copy_to_guest, which drops the shadow entries
 * made from what it overwrote (shadow_guest_wrote); the next access refills them. False: not
 * emulated (not such a MOV, or the table was written too often: it is left writable instead).
 */
static bool sh_emulate_pt_write(struct vcpu *v, struct cpu_user_regs *regs, uint64_t va, uint64_t gpa)
{
    struct sh_frame *f = &sdom(v->domain)->fr[gpa >> PAGE_SHIFT];
    struct hvm_mmio_insn in;
    uint8_t b[HVM_MAX_INSN];
    unsigned int n;
    uint64_t val;

    if (f->emul >= SH_EMUL_MAX)
        return false;
    n = hvm_fetch_insn(v, regs->rip, b, sizeof(b));
    /* (offset 0 of a page may be the second part of a write that crosses into it: not emulated) */
    if (hvm_decode_mmio(b, n, hvm_code_bits(v), &in) || !in.write || (va & (in.size - 1)) ||
        (in.size > 1 && !(va & (PAGE_SIZE - 1))))
        return false;
    val = in.imm ? in.immval : hvm_reg_read(regs, in.reg, in.size, in.rex);
    if (!hvm_copy_to_guest(v->domain, gpa, &val, in.size))
        return false;
    hvm_step(v, regs, in.len);
    f->emul++;
    v->domain->arch.hvm->shc.pt_emulated++;
    v->arch.hvm->sh->wd_count = 0;      /* progress */
    return true;
}

/* Give the guest the #PF its own tables call for (or #DF if it hit while delivering one). */
static void sh_reflect(struct vmcb *vm, uint64_t va, uint32_t ec)
{
    uint64_t ev = vm->eventinj;
    unsigned int vec = ev & 0xff;

    vm->cr2 = va;
    if ((ev & EVENTINJ_VALID) && (ev & 0x700) == EVENTINJ_TYPE_EXC &&
        (vec == 14 || vec == 0 || (vec >= 10 && vec <= 13))) {
        vm->eventinj = 8 | EVENTINJ_TYPE_EXC | EVENTINJ_VALID | EVENTINJ_EV;    /* #DF(0) */
        return;
    }
    vm->eventinj = 14 | EVENTINJ_TYPE_EXC | EVENTINJ_VALID | EVENTINJ_EV | ((uint64_t)ec << 32);
}

/* One attempt at a #PF: 0 handled (or the domain killed), SH_NOMEM to retry after a flush. */
static int sh_fault(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs, uint64_t va, uint32_t ec)
{
    struct domain *d = v->domain;
    struct hvm_domain *hd = d->arch.hvm;
    struct shadow_vcpu *sv = v->arch.hvm->sh;
    struct hvm_walk w;
    unsigned int leaf_level = 5;
    char why[160];
    bool smap;
    int rc;

    if (sv->cr0 & X86_CR0_PG) {
        rc = hvm_walk(v, va, ec & (HVM_PFEC_WRITE | HVM_PFEC_USER | HVM_PFEC_FETCH), HVM_WALK_SET_AD, &w);
        if (rc == HVM_WALK_FAULT) {
            hd->shc.fault_guest++;
            sh_reflect(vm, va, w.pfec);
            return 0;
        }
        if (rc != HVM_WALK_OK) {
            snprintf(why, sizeof(why), rc == HVM_WALK_BAD_TABLE ?
                     "a page table on the walk of %#lx lies outside its memory" :
                     "the walk of %#lx found a paging mode that is not offered", (unsigned long)va);
            sh_kill(v, regs, why);
            return 0;
        }
        leaf_level = w.page_level;
    } else {
        memset(&w, 0, sizeof(w));
        w.gpa = va & 0xffffffffULL;         /* paging off: guest-physical = linear */
    }
    if ((w.gpa >> PAGE_SHIFT) >= hd->nr_pages) {
        hd->shc.fault_mmio++;
        if (hvm_emulate_mmio(v, regs, w.gpa, ec)) {
            sv->wd_count = 0;               /* emulated and stepped over: progress (a polling loop) */
            return 0;
        }
        snprintf(why, sizeof(why), "guest-virtual %#lx maps guest-physical %#lx, outside its %lu KiB "
                 "(error %#x)", (unsigned long)va, (unsigned long)w.gpa,
                 (unsigned long)(hd->nr_pages * 4), ec);
        sh_kill(v, regs, why);
        return 0;
    }
    smap = (sv->cr4 & X86_CR4_SMAP) && w.perm_user && !(ec & HVM_PFEC_USER) &&
           !(regs->rflags & X86_EFLAGS_AC);   /* the hardware refused it (hvm_walk knows no SMAP) */
    if ((ec & HVM_PFEC_WRITE) && !smap && sh_wp(v, w.gpa >> PAGE_SHIFT)) {
        /* a write its tables allow, to a page table we write-protect: do it for the guest, or
         * leave that table writable (out of sync) and let the write through */
        hd->shc.pt_wp_faults++;
        if (sh_emulate_pt_write(v, regs, va, w.gpa))
            return 0;
        sh_unshadow(d, w.gpa >> PAGE_SHIFT);
    }
    if ((rc = sh_fill(v, va, &w, leaf_level)) < 0)
        return rc;
    if (rc) {
        hd->shc.fault_fill++;
        return 0;
    }
    /* Nothing to fix: the hardware enforces something of the guest's own (SMEP, SMAP...). */
    hd->shc.fault_spurious++;
    sh_reflect(vm, va, ec & 0x1f);
    return 0;
}

void shadow_page_fault(struct vcpu *v, struct vmcb *vm, struct cpu_user_regs *regs)
{
    struct shadow_vcpu *sv = v->arch.hvm->sh;
    uint64_t va = vm->exitinfo2;
    uint32_t ec = (uint32_t)vm->exitinfo1;

    v->domain->arch.hvm->shc.faults++;
    /* (A #PF while delivering INT n/INT3/INTO left no event to re-inject: svm_enter drops those.) */
    if (regs->rip == sv->wd_rip && va == sv->wd_va && ec == sv->wd_ec) {
        if (++sv->wd_count >= SH_WATCHDOG) {
            char why[128];
            snprintf(why, sizeof(why), "no progress: the same page fault (%#lx, error %#x) at rip %#lx "
                     "%u times in a row", (unsigned long)va, ec, (unsigned long)regs->rip, sv->wd_count);
            shadow_dump(v);
            svm_crash(v, regs, why);
            return;
        }
    } else {
        sv->wd_rip = regs->rip;
        sv->wd_va = va;
        sv->wd_ec = ec;
        sv->wd_count = 1;
    }
    if (ec & HVM_PFEC_RSVD) {
        /* A shadow entry the current EFER no longer accepts (NX after NXE went off): start again. */
        shadow_flush(v, vm, regs);
        return;
    }
    if (sh_fault(v, vm, regs, va, ec) == SH_NOMEM) {
        shadow_flush(v, vm, regs);
        if (v->domain->state == DOM_RUNNING && sh_fault(v, vm, regs, va, ec) == SH_NOMEM)
            svm_crash(v, regs, "the shadow pool cannot hold one walk");
    }
}

/* Until the instruction emulator (hvm/emulate.c) is linked in: no emulated MMIO. */
__attribute__((weak)) bool hvm_emulate_mmio(struct vcpu *v, struct cpu_user_regs *regs, uint64_t gpa,
                                            uint32_t pfec)
{
    (void)v; (void)regs; (void)gpa; (void)pfec;
    return false;
}

int shadow_domain_init(struct domain *d)
{
    struct hvm_domain *hd = d->arch.hvm;
    struct shadow_domain *sd = xzalloc(struct shadow_domain);

    if (!sd)
        return -XEN_ENOMEM;
    sd->max = (unsigned int)MIN((uint64_t)SH_POOL_MAX, MAX((uint64_t)SH_POOL_MIN, hd->nr_pages / 4));
    if (!(sd->pool = xzalloc_bytes(sd->max * sizeof(struct shadow_page)))) {
        xfree(sd);
        return -XEN_ENOMEM;
    }
    sd->fr = xzalloc_bytes(hd->nr_pages * sizeof(*sd->fr));
    sd->oos = xzalloc_bytes(sd->max * sizeof(*sd->oos));
    if (!sd->fr || !sd->oos) {
        xfree(sd->fr);
        xfree(sd->oos);
        xfree(sd->pool);
        xfree(sd);
        return -XEN_ENOMEM;
    }
    for (unsigned int b = 0; b < SH_HASH; b++)
        sd->hash[b] = -1;
    sd->gen = 1;
    hd->sh = sd;
    return 0;
}

void shadow_domain_destroy(struct domain *d)
{
    struct hvm_domain *hd = d->arch.hvm;
    const struct hvm_shadow_counters *c = &hd->shc;

    if (!hd->sh)
        return;
    printk("d%u (%s): shadow faults %lu: fill %lu guest %lu spurious %lu mmio %lu; fills %lu "
           "wp %lu; cr3 loads %lu cached %lu; resyncs %lu unshadows %lu; invlpg %lu; "
           "full flushes %lu; pages %lu of %u; page-table writes %lu: emulated %lu, unshadowed %lu, "
           "protected again %lu\n", d->domain_id, d->name,
           (unsigned long)c->faults, (unsigned long)c->fault_fill, (unsigned long)c->fault_guest,
           (unsigned long)c->fault_spurious, (unsigned long)c->fault_mmio, (unsigned long)c->fills,
           (unsigned long)c->wp_faults, (unsigned long)c->cr3_switches, (unsigned long)c->cr3_hits,
           (unsigned long)c->resyncs, (unsigned long)c->unshadows, (unsigned long)c->invlpgs,
           (unsigned long)c->full_flushes, (unsigned long)c->pages, hd->sh->max,
           (unsigned long)c->pt_wp_faults, (unsigned long)c->pt_emulated, (unsigned long)c->pt_unshadows,
           (unsigned long)c->pt_reprotects);
    sh_free_all(d);
    xfree(hd->sh->fr);
    xfree(hd->sh->oos);
    xfree(hd->sh->pool);
    xfree(hd->sh);
    hd->sh = NULL;
}
