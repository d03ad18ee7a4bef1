/*
 * HVM guest memory as the guest's own CPU sees it: guest-physical through
 * the p2m, and guest-virtual through the guest's page tables (docs/hvm.md
 * "Guest walks"). Shared by the shadow code (hvm/shadow.c), which walks to
 * fill shadow entries, and the instruction emulator (hvm/emulate.c), which
 * fetches the bytes at RIP. Every guest-physical address is checked against
 * the domain's memory; nothing here trusts an entry the guest wrote.
 */
#include "lib.h"
#include "domain.h"
#include "mm.h"
#include "processor.h"
#include "hvm.h"
#include "shadow.h"

void *hvm_gfn_map(struct domain *d, uint64_t gfn)
{
    struct hvm_domain *hd = d->arch.hvm;

    if (!hd || gfn >= hd->nr_pages)
        return NULL;
    return mfn_to_virt(hd->p2m[gfn]);
}

bool hvm_copy_from_guest(struct domain *d, void *dst, uint64_t gpa, size_t len)
{
    char *out = dst;

    while (len) {
        uint64_t off = gpa & (PAGE_SIZE - 1);
        size_t n = MIN(len, (size_t)(PAGE_SIZE - off));
        char *p = hvm_gfn_map(d, gpa >> PAGE_SHIFT);
        if (!p)
            return false;
        memcpy(out, p + off, n);
        out += n;
        gpa += n;
        len -= n;
    }
    return true;
}

bool hvm_copy_to_guest(struct domain *d, uint64_t gpa, const void *src, size_t len)
{
    const char *in = src;

    while (len) {
        uint64_t off = gpa & (PAGE_SIZE - 1);
        size_t n = MIN(len, (size_t)(PAGE_SIZE - off));
        char *p = hvm_gfn_map(d, gpa >> PAGE_SHIFT);
        if (!p)
            return false;
        memcpy(p + off, in, n);
        if (d->arch.hvm->shadow)
            shadow_guest_wrote(d, gpa, n);
        in += n;
        gpa += n;
        len -= n;
    }
    return true;
}

int hvm_walk(struct vcpu *v, uint64_t gva, uint32_t access, unsigned int flags, struct hvm_walk *w)
{
    struct domain *d = v->domain;
    struct hvm_paging pg;
    bool user, write, fetch;
    uint64_t table;
    int level;

    hvm_get_paging(v, &pg);
    memset(w, 0, sizeof(*w));
    user = access & HVM_PFEC_USER;
    write = access & HVM_PFEC_WRITE;
    fetch = access & HVM_PFEC_FETCH;
    if (!(pg.cr0 & X86_CR0_PG)) {
        w->gpa = gva & 0xffffffffULL;       /* paging off: 32-bit protected mode */
        w->page_level = 1;
        w->perm_write = w->perm_user = w->perm_exec = true;
        return HVM_WALK_OK;
    }
    if (!(pg.efer & EFER_LMA) || !(pg.cr4 & X86_CR4_PAE))
        return HVM_WALK_UNSUPPORTED;        /* 32-bit and PAE legacy paging: not offered */
    /* Non-canonical addresses never get here (#GP before any walk). */
    w->levels = 4;
    w->perm_write = w->perm_user = w->perm_exec = true;
    table = pg.cr3 & PADDR_MASK;
    for (level = 4; level >= 1; level--) {
        unsigned int idx = (gva >> (12 + 9 * (level - 1))) & 511;
        uint64_t *t = hvm_gfn_map(d, table >> PAGE_SHIFT);
        uint64_t e;

        if (!t)
            return HVM_WALK_BAD_TABLE;      /* a table outside its memory */
        w->table_gfn[4 - level] = table >> PAGE_SHIFT;
        w->entry[4 - level] = &t[idx];
        e = __atomic_load_n(&t[idx], __ATOMIC_RELAXED);
        w->pte[4 - level] = e;
        if (!(e & _PAGE_PRESENT)) {
            w->pfec = access & (HVM_PFEC_WRITE | HVM_PFEC_USER | HVM_PFEC_FETCH);
            return HVM_WALK_FAULT;
        }
        /* Reserved: NX without EFER.NXE, address bits 48..51, PS in an L4, a large page's low bits. */
        if (((e & _PAGE_NX) && !(pg.efer & EFER_NXE)) || (e & 0x000f000000000000ULL) ||
            ((e & _PAGE_PSE) && level == 4) ||
            ((e & _PAGE_PSE) && level == 2 && (e & 0x1fe000ULL)) ||
            ((e & _PAGE_PSE) && level == 3 && (e & 0x3fffe000ULL))) {
            w->pfec = HVM_PFEC_PRESENT | HVM_PFEC_RSVD |
                      (access & (HVM_PFEC_WRITE | HVM_PFEC_USER | HVM_PFEC_FETCH));
            return HVM_WALK_FAULT;
        }
        if (!(e & _PAGE_RW))
            w->perm_write = false;
        if (!(e & _PAGE_USER))
            w->perm_user = false;
        if (e & _PAGE_NX)
            w->perm_exec = false;
        if (level == 1 || (e & _PAGE_PSE)) {
            uint64_t span = 1ULL << (12 + 9 * (level - 1));
            w->page_level = (unsigned int)level;
            w->gpa = (e & PADDR_MASK & ~(span - 1)) | (gva & (span - 1));
            break;
        }
        table = e & PADDR_MASK;
    }
    if ((user && !w->perm_user) ||
        (write && !w->perm_write && (user || (pg.cr0 & X86_CR0_WP))) ||
        (fetch && !w->perm_exec && (pg.efer & EFER_NXE))) {
        w->pfec = HVM_PFEC_PRESENT | (access & (HVM_PFEC_WRITE | HVM_PFEC_USER | HVM_PFEC_FETCH));
        return HVM_WALK_FAULT;
    }
    if (flags & HVM_WALK_SET_AD) {
        /* As the CPU does: A on every level walked, D on the leaf for a write. */
        for (unsigned int i = 0; i < 4 && w->entry[i]; i++) {
            uint64_t want = _PAGE_ACCESSED | ((write && i == 4 - w->page_level) ? _PAGE_DIRTY : 0);
            if ((w->pte[i] & want) != want)
                w->pte[i] = __atomic_or_fetch(w->entry[i], want, __ATOMIC_RELAXED);
        }
    }
    return HVM_WALK_OK;
}

unsigned int hvm_fetch_insn(struct vcpu *v, uint64_t rip, uint8_t *buf, unsigned int len)
{
    struct hvm_paging pg;
    unsigned int got = 0;

    hvm_get_paging(v, &pg);
    while (got < len) {
        struct hvm_walk w;
        uint64_t va = rip + got;
        unsigned int n = MIN(len - got, (unsigned int)(PAGE_SIZE - (va & (PAGE_SIZE - 1))));
        uint32_t acc = HVM_PFEC_FETCH | (pg.cpl == 3 ? HVM_PFEC_USER : 0);

        if (hvm_walk(v, va, acc, 0, &w) != HVM_WALK_OK ||
            !hvm_copy_from_guest(v->domain, buf + got, w.gpa, n))
            break;
        got += n;
    }
    return got;
}
