/*
 * The HVM domain builder (docs/hvm.md "Boot protocol"): guest-physical
 * memory 0..memory from the domain's own frames, nested page tables over
 * it, an ELF64 image's PT_LOAD segments copied to their physical addresses
 * (p_paddr), and vCPU 0 entering at e_entry in 32-bit flat protected mode
 * with paging off, as a Multiboot 1 loader leaves it: eax = 0x2BADB002,
 * ebx = the guest-physical address of a Multiboot information structure
 * (MEM, CMDLINE, MMAP) in a low page no segment uses. Everything is checked
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

#define MB_BOOT_MAGIC  0x2badb002   /* Multiboot 1: what the loader leaves in eax */
#define MB_INFO_MEM     (1u << 0)
#define MB_INFO_CMDLINE (1u << 2)
#define MB_INFO_MMAP    (1u << 6)
#define MB_INFO_LOADER  (1u << 9)

/* The Multiboot 1 information structure (the fields up to boot_loader_name). */
struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
    uint32_t syms[4], mmap_length, mmap_addr, drives_length, drives_addr, config_table;
    uint32_t boot_loader_name;
};
struct mb_mmap {
    uint32_t size;                  /* of the rest of the entry: 20 */
    uint64_t addr, len;
    uint32_t type;                  /* 1 RAM, 2 reserved */
} __attribute__((packed));

#define LOW_END  0x9fc00ULL         /* conventional memory reported as a PC's: 639 KiB */
#define HIGH_MEM 0x100000ULL

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
                    uint64_t *info_gpa, char *err, size_t errlen)
{
    uint64_t used[16][2];           /* the first PT_LOAD ranges below 1 MiB, for the info page */
    unsigned int nused = 0;
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
        if (ph.paddr < HIGH_MEM) {
            if (nused == ARRAY_SIZE(used))
                return fail(err, errlen, -XEN_EINVAL, "too many PT_LOAD segments below 1 MiB");
            used[nused][0] = ph.paddr;
            used[nused++][1] = ph.paddr + ph.memsz;
        }
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
    /* The Multiboot information page: the first low page (from 4 KiB) no segment touches. */
    for (*info_gpa = PAGE_SIZE; *info_gpa + PAGE_SIZE <= MIN(LOW_END, mem); *info_gpa += PAGE_SIZE) {
        bool clash = false;
        for (unsigned int i = 0; i < nused; i++)
            clash |= used[i][0] < *info_gpa + PAGE_SIZE && *info_gpa < used[i][1];
        if (!clash)
            return 0;
    }
    return fail(err, errlen, -XEN_EINVAL, "no free page below 639 KiB for the Multiboot information");
}

/* The Multiboot information in guest page info_gpa: memory, map, command line, loader name. */
static void write_mb_info(struct domain *d, uint64_t info_gpa, const char *cmdline)
{
    uint64_t mem = d->arch.hvm->nr_pages << PAGE_SHIFT;
    char *page = hvm_gfn_map(d, info_gpa >> PAGE_SHIFT);
    struct mb_info *mi = (struct mb_info *)page;
    struct mb_mmap *mm = (struct mb_mmap *)(page + 128);
    static const char loader[] = "Tandem";
    char *name = page + 256, *cl = page + 512;
    size_t room = PAGE_SIZE - 512 - 1;

    memset(page, 0, PAGE_SIZE);
    mi->flags = MB_INFO_MEM | MB_INFO_CMDLINE | MB_INFO_MMAP | MB_INFO_LOADER;
    mi->mem_lower = (uint32_t)(MIN(LOW_END, mem) >> 10);
    mi->mem_upper = mem > HIGH_MEM ? (uint32_t)(MIN(mem - HIGH_MEM, 0xffffffffULL << 10) >> 10) : 0;
    mm[0] = (struct mb_mmap){ 20, 0, MIN(LOW_END, mem), 1 };
    mm[1] = (struct mb_mmap){ 20, LOW_END, HIGH_MEM - LOW_END, 2 };
    mm[2] = (struct mb_mmap){ 20, HIGH_MEM, mem > HIGH_MEM ? mem - HIGH_MEM : 0, 1 };
    mi->mmap_addr = (uint32_t)(info_gpa + 128);
    mi->mmap_length = (mem > HIGH_MEM ? 3 : 2) * sizeof(*mm);
    memcpy(name, loader, sizeof(loader));
    mi->boot_loader_name = (uint32_t)(info_gpa + 256);
    strlcpy(cl, cmdline ? cmdline : "", room);
    mi->cmdline = (uint32_t)(info_gpa + 512);
}

int hvm_build_domain(struct domain *d, const struct dom_build_args *a, char *err, size_t errlen)
{
    const char *why;
    struct hvm_domain *hd;
    struct vcpu *v = d->vcpu[0];
    uint64_t entry, info_gpa;
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
    hd->uart.rx = -1;
    vrtc_init(&hd->rtc);
    hvm_irq_init(d);
    hd->shadow = a->hvm_shadow;
    hd->asid = svm_pick_asid(d->domain_id);
    if ((rc = load_elf(d, a, false, &entry, &info_gpa, err, errlen)))
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
    load_elf(d, a, true, &entry, &info_gpa, err, errlen);
    write_mb_info(d, info_gpa, a->cmdline);
    if (svm_vcpu_create(v, entry))
        return fail(err, errlen, -XEN_ENOMEM, "out of hypervisor memory for the VMCB");
    d->store_domid = DOMID_INVALID;     /* no PV devices: the store does not wait for it */
    memset(&v->regs, 0, sizeof(v->regs));
    v->regs.rip = entry;
    v->regs.rflags = X86_EFLAGS_MBS;
    v->regs.rax = MB_BOOT_MAGIC;
    v->regs.rbx = info_gpa;
    v->regs.cs = 0x08;
    v->regs.ss = 0x10;
    v->pause_flags &= ~VPF_down;
    printk("d%u: HVM (SVM, %s) kernel, entry %#lx, %lu pages, ASID %u, Multiboot information at %#lx\n",
           d->domain_id, hd->shadow ? "shadow paging" : "nested paging", (unsigned long)entry,
           (unsigned long)hd->nr_pages, hd->asid, (unsigned long)info_gpa);
    return 0;
}

void hvm_domain_destroy(struct domain *d)
{
    struct hvm_domain *hd = d->arch.hvm;

    if (!hd)
        return;
    svm_domain_report(d);
    hvm_irq_report(d);
    for (unsigned int i = 0; i < d->max_vcpus; i++)
        if (d->vcpu[i])
            svm_vcpu_destroy(d->vcpu[i]);
    npt_destroy(d);
    shadow_domain_destroy(d);
    xfree(hd->p2m);
    xfree(hd);
    d->arch.hvm = NULL;
}
