/*
 * The HVM domain builder (docs/hvm.md "Boot protocol"): guest-physical
 * memory 0..memory from the domain's own frames, nested page tables over
 * it, an ELF64 image's PT_LOAD segments copied to their physical addresses
 * (p_paddr), and vCPU 0 entering at e_entry in 32-bit flat protected mode
 * with paging off (as Multiboot), eax = HVM_BOOT_MAGIC, ebx = the memory
 * size in bytes (at most 4 GiB - 1 is reported). Everything is checked
 * against the image size and the memory size before anything is copied.
 */
#include "lib.h"
#include "domain.h"
#include "domain_build.h"
#include "mm.h"
#include "hvm.h"
#include "shadow.h"
#include "../svm/svm.h"
#include <tandem/errno.h>

#define HVM_BOOT_MAGIC 0x54484d31   /* "1MHT" */

struct elf64_ehdr {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};
struct elf64_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

static int fail(char *err, size_t errlen, int rc, const char *why)
{
    snprintf(err, errlen, "%s", why);
    return rc;
}

/* Check the image and copy its segments (when copy) into the domain's memory. */
static int load_elf(struct domain *d, const struct dom_build_args *a, bool copy, uint64_t *entry,
                    char *err, size_t errlen)
{
    struct hvm_domain *hd = d->arch.hvm;
    uint64_t mem = hd->nr_pages << PAGE_SHIFT;
    struct elf64_ehdr eh;
    bool loaded = false;

    if (a->kernel_len < sizeof(eh))
        return fail(err, errlen, -XEN_EINVAL, "image too small for an ELF header");
    memcpy(&eh, a->kernel, sizeof(eh));
    if (memcmp(eh.ident, "\177ELF", 4) || eh.ident[4] != 2 || eh.ident[5] != 1 || eh.machine != 62)
        return fail(err, errlen, -XEN_EINVAL, "not an x86-64 ELF64 image (HVM images: ELF64, p_paddr)");
    if (eh.phentsize < sizeof(struct elf64_phdr) || eh.phnum == 0 ||
        eh.phoff > a->kernel_len || (uint64_t)eh.phnum * eh.phentsize > a->kernel_len - eh.phoff)
        return fail(err, errlen, -XEN_EINVAL, "bad program header table");
    for (unsigned int i = 0; i < eh.phnum; i++) {
        struct elf64_phdr ph;
        memcpy(&ph, (const char *)a->kernel + eh.phoff + (uint64_t)i * eh.phentsize, sizeof(ph));
        if (ph.type != 1 || !ph.memsz)      /* PT_LOAD */
            continue;
        if (ph.filesz > ph.memsz || ph.offset > a->kernel_len || ph.filesz > a->kernel_len - ph.offset)
            return fail(err, errlen, -XEN_EINVAL, "a PT_LOAD segment lies outside the image");
        if (ph.paddr >= mem || ph.memsz > mem - ph.paddr)
            return fail(err, errlen, -XEN_EINVAL, "a PT_LOAD segment lies outside the domain's memory");
        loaded = true;
        if (!copy)
            continue;
        for (uint64_t off = 0; off < ph.filesz; ) {
            uint64_t gpa = ph.paddr + off, n = MIN(ph.filesz - off, PAGE_SIZE - (gpa & (PAGE_SIZE - 1)));
            memcpy((char *)mfn_to_virt(hd->p2m[gpa >> PAGE_SHIFT]) + (gpa & (PAGE_SIZE - 1)),
                   (const char *)a->kernel + ph.offset + off, n);
            off += n;
        }
    }
    if (!loaded)
        return fail(err, errlen, -XEN_EINVAL, "no PT_LOAD segment");
    if (eh.entry >= mem || eh.entry >= (1ULL << 32))
        return fail(err, errlen, -XEN_EINVAL, "entry point outside the domain's memory (or above 4 GiB)");
    *entry = eh.entry;
    return 0;
}

int hvm_build_domain(struct domain *d, const struct dom_build_args *a, char *err, size_t errlen)
{
    const char *why;
    struct hvm_domain *hd;
    struct vcpu *v = d->vcpu[0];
    uint64_t entry;
    int rc;

    if (!hvm_available(&why)) {
        snprintf(err, errlen, "type=hvm needs AMD SVM with nested paging, and %s "
                 "(under QEMU: -cpu max or qemu64,+svm,+npt)", why);
        return -XEN_ENODEV;
    }
    if (d->max_vcpus != 1)
        return fail(err, errlen, -XEN_EINVAL, "HVM domains have exactly one vCPU for now (vcpus=1)");
    if (!(hd = xzalloc(struct hvm_domain)))
        return fail(err, errlen, -XEN_ENOMEM, "out of hypervisor memory");
    d->arch.hvm = hd;
    hd->nr_pages = d->max_pages;
    hd->shadow = a->hvm_shadow;
    hd->asid = svm_pick_asid(d->domain_id);
    if ((rc = load_elf(d, a, false, &entry, err, errlen)))
        return rc;
    if (!(hd->p2m = xzalloc_bytes(hd->nr_pages * sizeof(mfn_t))))
        return fail(err, errlen, -XEN_ENOMEM, "out of hypervisor memory for the p2m");
    for (uint64_t pfn = 0; pfn < hd->nr_pages; pfn++) {
        mfn_t m = alloc_domheap_page(d);
        if (m == INVALID_MFN) {
            snprintf(err, errlen, "out of machine memory after %lu of %lu pages",
                     (unsigned long)pfn, (unsigned long)hd->nr_pages);
            return -XEN_ENOMEM;
        }
        hd->p2m[pfn] = m;
        set_gpfn_from_mfn(m, pfn);
    }
    if (hd->shadow ? shadow_domain_init(d) != 0 : npt_build(d) != 0)
        return fail(err, errlen, -XEN_ENOMEM, hd->shadow ? "out of hypervisor memory for the shadow pool" :
                    "out of hypervisor memory for the nested page tables");
    load_elf(d, a, true, &entry, err, errlen);
    if (svm_vcpu_create(v, entry))
        return fail(err, errlen, -XEN_ENOMEM, "out of hypervisor memory for the VMCB");
    d->store_domid = DOMID_INVALID;     /* no PV devices: the store does not wait for it */
    memset(&v->regs, 0, sizeof(v->regs));
    v->regs.rip = entry;
    v->regs.rflags = X86_EFLAGS_MBS;
    v->regs.rax = HVM_BOOT_MAGIC;
    v->regs.rbx = MIN(hd->nr_pages << PAGE_SHIFT, 0xffffffffULL);
    v->regs.cs = 0x08;
    v->regs.ss = 0x10;
    v->pause_flags &= ~VPF_down;
    printk("d%u: HVM (SVM, %s) kernel, entry %#lx, %lu pages, ASID %u\n",
           d->domain_id, hd->shadow ? "shadow paging" : "nested paging", (unsigned long)entry,
           (unsigned long)hd->nr_pages, hd->asid);
    return 0;
}

void hvm_domain_destroy(struct domain *d)
{
    struct hvm_domain *hd = d->arch.hvm;

    if (!hd)
        return;
    svm_domain_report(d);
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i])
            svm_vcpu_destroy(d->vcpu[i]);
    npt_destroy(d);
    shadow_domain_destroy(d);
    xfree(hd->p2m);
    xfree(hd);
    d->arch.hvm = NULL;
}
