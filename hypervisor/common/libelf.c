/* Validates a Xen-style PV ELF64 kernel image and extracts its load layout and Xen notes. */
#include "types.h"
#include "lib.h"
#include "libelf.h"
#include "tandem/elfnote.h"
#include "tandem/errno.h"
#include "tandem/xen.h"
#include <tandem-lib/elf64.h>

/* The ELF64 layouts and constants: lib/include/tandem-lib/elf64.h (read with memcpy, the image may be unaligned). */
#define VA_LOW_END      0x0000800000000000ULL   /* first non-canonical address */
#define VA_HIGH_START   0xFFFF800000000000ULL   /* first canonical upper-half address */

typedef unsigned long long ull;

struct elf_ctx {
    const uint8_t *img;
    size_t len;
    struct elf_pv_info *info;
    uint32_t seen;          /* bit t set: Xen note of type t was found */
    unsigned int note_segs; /* PT_NOTE program headers seen */
    char *err;
    size_t errlen;
};

static const char *const note_names[] = {
    [XEN_ELFNOTE_INFO] = "INFO",
    [XEN_ELFNOTE_ENTRY] = "ENTRY",
    [XEN_ELFNOTE_HYPERCALL_PAGE] = "HYPERCALL_PAGE",
    [XEN_ELFNOTE_VIRT_BASE] = "VIRT_BASE",
    [XEN_ELFNOTE_PADDR_OFFSET] = "PADDR_OFFSET",
    [XEN_ELFNOTE_XEN_VERSION] = "XEN_VERSION",
    [XEN_ELFNOTE_GUEST_OS] = "GUEST_OS",
    [XEN_ELFNOTE_GUEST_VERSION] = "GUEST_VERSION",
    [XEN_ELFNOTE_LOADER] = "LOADER",
    [XEN_ELFNOTE_PAE_MODE] = "PAE_MODE",
    [XEN_ELFNOTE_FEATURES] = "FEATURES",
    [XEN_ELFNOTE_BSD_SYMTAB] = "BSD_SYMTAB",
    [XEN_ELFNOTE_HV_START_LOW] = "HV_START_LOW",
    [XEN_ELFNOTE_L1_MFN_VALID] = "L1_MFN_VALID",
    [XEN_ELFNOTE_SUSPEND_CANCEL] = "SUSPEND_CANCEL",
    [XEN_ELFNOTE_INIT_P2M] = "INIT_P2M",
    [XEN_ELFNOTE_MOD_START_PFN] = "MOD_START_PFN",
    [XEN_ELFNOTE_SUPPORTED_FEATURES] = "SUPPORTED_FEATURES",
    [XEN_ELFNOTE_PHYS32_ENTRY] = "PHYS32_ENTRY",
};
BUILD_BUG_ON(XEN_ELFNOTE_MAX >= 32);    /* struct elf_ctx.seen */

const char *elf_note_name(unsigned type)
{
    if (type < ARRAY_SIZE(note_names) && note_names[type])
        return note_names[type];
    return "unknown";
}

__attribute__((format(printf, 2, 3)))
static int elf_fail(struct elf_ctx *c, const char *fmt, ...)
{
    va_list ap;

    if (c->err && c->errlen) {
        va_start(ap, fmt);
        vsnprintf(c->err, c->errlen, fmt, ap);
        va_end(ap);
    }
    return -XEN_EINVAL;
}

/* True if [off, off + size) lies inside the image; overflow-safe. */
static bool elf_in_image(const struct elf_ctx *c, uint64_t off, uint64_t size)
{
    return size <= c->len && off <= c->len - size;
}

static int elf_check_ehdr(struct elf_ctx *c, struct elf64_ehdr *eh)
{
    if (c->len < sizeof(*eh))
        return elf_fail(c, "image too small for an ELF header (%llu bytes < 64)", (ull)c->len);
    memcpy(eh, c->img, sizeof(*eh));
    if (memcmp(eh->e_ident, "\177ELF", 4))
        return elf_fail(c, "bad ELF magic (e_ident[0..3] is not \\x7fELF)");
    if (eh->e_ident[4] != ELFCLASS64)
        return elf_fail(c, "e_ident[EI_CLASS] %u is not ELFCLASS64", eh->e_ident[4]);
    if (eh->e_ident[5] != ELFDATA2LSB)
        return elf_fail(c, "e_ident[EI_DATA] %u is not ELFDATA2LSB", eh->e_ident[5]);
    if (eh->e_ident[6] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return elf_fail(c, "e_version %u / e_ident[EI_VERSION] %u is not EV_CURRENT",
                        eh->e_version, eh->e_ident[6]);
    if (eh->e_machine != EM_X86_64)
        return elf_fail(c, "e_machine %u is not EM_X86_64 (62)", eh->e_machine);
    if (eh->e_type != ET_EXEC)
        return elf_fail(c, "e_type %u is not ET_EXEC (2)", eh->e_type);
    if (eh->e_phnum == 0 || eh->e_phnum == PN_XNUM)
        return elf_fail(c, "e_phnum %u: need 1 to 65534 program headers", eh->e_phnum);
    if (eh->e_phentsize < sizeof(struct elf64_phdr))
        return elf_fail(c, "e_phentsize %u < 56", eh->e_phentsize);
    if (eh->e_phoff > c->len)
        return elf_fail(c, "e_phoff 0x%llx beyond image size 0x%llx", (ull)eh->e_phoff,
                        (ull)c->len);
    if ((c->len - eh->e_phoff) / eh->e_phentsize < eh->e_phnum)
        return elf_fail(c, "e_phnum %u: program header table at e_phoff 0x%llx needs 0x%llx bytes, "
                        "image has 0x%llx", eh->e_phnum, (ull)eh->e_phoff,
                        (ull)eh->e_phnum * eh->e_phentsize, (ull)(c->len - eh->e_phoff));
    return 0;
}

static void elf_read_phdr(const struct elf_ctx *c, const struct elf64_ehdr *eh,
                          unsigned i, struct elf64_phdr *ph)
{
    memcpy(ph, c->img + eh->e_phoff + (uint64_t)i * eh->e_phentsize, sizeof(*ph));
}

/* Little-endian 4- or 8-byte numeric note. */
static int elf_note_num(struct elf_ctx *c, unsigned type, const uint8_t *d, uint32_t sz,
                        uint64_t *val)
{
    uint64_t v = 0;

    if (sz != 4 && sz != 8)
        return elf_fail(c, "%s note: descsz %u, a numeric note must be 4 or 8 bytes",
                        elf_note_name(type), sz);
    while (sz--)
        v = (v << 8) | d[sz];
    *val = v;
    return 0;
}

/*
 * String note into dst[size]. The string ends at a NUL or at descsz, as in
 * Xen (Linux 6.1's FEATURES note has no NUL). Too long: truncated, or
 * refused if `exact`.
 */
static int elf_note_str(struct elf_ctx *c, unsigned type, const uint8_t *d, uint32_t sz,
                        char *dst, size_t size, bool exact)
{
    size_t n = 0;

    while (n < sz && d[n])
        n++;
    if (n >= size) {
        if (exact)
            return elf_fail(c, "%s note: string of %llu bytes exceeds the %llu-byte limit",
                            elf_note_name(type), (ull)n, (ull)size - 1);
        n = size - 1;
    }
    memcpy(dst, d, n);
    dst[n] = '\0';
    return 0;
}

static uint64_t *elf_num_field(struct elf_pv_info *info, unsigned type)
{
    switch (type) {
    case XEN_ELFNOTE_ENTRY:          return &info->entry;
    case XEN_ELFNOTE_HYPERCALL_PAGE: return &info->hypercall_page;
    case XEN_ELFNOTE_VIRT_BASE:      return &info->virt_base;
    case XEN_ELFNOTE_PADDR_OFFSET:   return &info->paddr_offset;
    case XEN_ELFNOTE_HV_START_LOW:   return &info->hv_start_low;
    case XEN_ELFNOTE_INIT_P2M:       return &info->init_p2m;
    default:                         return NULL;
    }
}

static char *elf_str_field(struct elf_pv_info *info, unsigned type, size_t *size)
{
    switch (type) {
    case XEN_ELFNOTE_XEN_VERSION:   *size = sizeof(info->xen_version);   return info->xen_version;
    case XEN_ELFNOTE_GUEST_OS:      *size = sizeof(info->guest_os);      return info->guest_os;
    case XEN_ELFNOTE_GUEST_VERSION: *size = sizeof(info->guest_version); return info->guest_version;
    case XEN_ELFNOTE_LOADER:        *size = sizeof(info->loader);        return info->loader;
    case XEN_ELFNOTE_FEATURES:      *size = sizeof(info->features);      return info->features;
    default:                        return NULL;
    }
}

/* One note with owner "Xen"; desc is sz bytes inside the image. */
static int elf_xen_note(struct elf_ctx *c, unsigned type, const uint8_t *desc, uint32_t sz)
{
    uint64_t *num = elf_num_field(c->info, type);
    uint64_t v;
    size_t size = 0;
    char *str = elf_str_field(c->info, type, &size);
    int rc = 0;

    if (num) {
        rc = elf_note_num(c, type, desc, sz, num);
    } else if (str) {
        rc = elf_note_str(c, type, desc, sz, str, size, type == XEN_ELFNOTE_FEATURES);
    } else if (type == XEN_ELFNOTE_MOD_START_PFN) {
        rc = elf_note_num(c, type, desc, sz, &v);
        c->info->mod_start_pfn = !rc && v == 1;
    } else {
        return 0;   /* a note Tandem does not use */
    }
    if (!rc)
        c->seen |= 1U << type;
    return rc;
}

static bool elf_owner_is_xen(const uint8_t *name, uint32_t namesz)
{
    return (namesz == 3 || (namesz == 4 && name[3] == '\0')) && !memcmp(name, "Xen", 3);
}

/* Every note of PT_NOTE segment `idx`; notes are 4-byte aligned (name and desc padded). */
static int elf_parse_notes(struct elf_ctx *c, unsigned idx, const struct elf64_phdr *ph)
{
    const uint8_t *base;
    struct elf64_nhdr nh;
    uint64_t pos = 0, left, name_pad, desc_pad;
    bool xen;

    if (!elf_in_image(c, ph->p_offset, ph->p_filesz))
        return elf_fail(c, "PT_NOTE segment %u: p_offset 0x%llx + p_filesz 0x%llx beyond image "
                        "size 0x%llx", idx, (ull)ph->p_offset, (ull)ph->p_filesz, (ull)c->len);
    base = c->img + ph->p_offset;
    while (pos < ph->p_filesz) {
        left = ph->p_filesz - pos;
        if (left < sizeof(nh))
            return elf_fail(c, "PT_NOTE segment %u: truncated note header at offset 0x%llx "
                            "(%llu bytes left)", idx, (ull)pos, (ull)left);
        memcpy(&nh, base + pos, sizeof(nh));
        left -= sizeof(nh);
        name_pad = ROUNDUP((uint64_t)nh.n_namesz, 4);
        desc_pad = ROUNDUP((uint64_t)nh.n_descsz, 4);
        xen = name_pad <= left && elf_owner_is_xen(base + pos + sizeof(nh), nh.n_namesz);
        if (name_pad > left || nh.n_descsz > left - name_pad) {
            if (xen)
                return elf_fail(c, "PT_NOTE segment %u: %s note truncated (descsz %u, %llu bytes "
                                "left)", idx, elf_note_name(nh.n_type), nh.n_descsz,
                                (ull)(left - name_pad));
            return elf_fail(c, "PT_NOTE segment %u: note type %u truncated at offset 0x%llx "
                            "(namesz %u, descsz %u, %llu bytes left)", idx, nh.n_type, (ull)pos,
                            nh.n_namesz, nh.n_descsz, (ull)left);
        }
        if (xen) {
            int rc = elf_xen_note(c, nh.n_type, base + pos + sizeof(nh) + name_pad, nh.n_descsz);
            if (rc)
                return rc;
        }
        pos += sizeof(nh) + name_pad + desc_pad;
    }
    return 0;
}

/* VA range [va, end) must be canonical, not wrap, and stay out of Xen's hole. */
static int elf_check_va(struct elf_ctx *c, unsigned idx, uint64_t va, uint64_t memsz)
{
    uint64_t end = va + memsz;

    if (end < va || end > (uint64_t)0 - PAGE_SIZE)
        return elf_fail(c, "PT_LOAD segment %u: VA 0x%llx + p_memsz 0x%llx wraps past the top "
                        "of the address space", idx, (ull)va, (ull)memsz);
    if (!(end <= VA_LOW_END || va >= VA_HIGH_START))
        return elf_fail(c, "PT_LOAD segment %u: VA range [0x%llx, 0x%llx) is not canonical",
                        idx, (ull)va, (ull)end);
    if (va < HYPERVISOR_VIRT_END && end > HYPERVISOR_VIRT_START)
        return elf_fail(c, "PT_LOAD segment %u: VA range [0x%llx, 0x%llx) overlaps the hypervisor "
                        "hole [0x%llx, 0x%llx)", idx, (ull)va, (ull)end,
                        (ull)HYPERVISOR_VIRT_START, (ull)HYPERVISOR_VIRT_END);
    return 0;
}

static int elf_add_load(struct elf_ctx *c, unsigned idx, const struct elf64_phdr *ph)
{
    struct elf_pv_info *info = c->info;
    struct elf_pv_seg *seg;
    uint64_t va;
    int rc;

    if (ph->p_filesz > ph->p_memsz)
        return elf_fail(c, "PT_LOAD segment %u: p_filesz 0x%llx > p_memsz 0x%llx", idx,
                        (ull)ph->p_filesz, (ull)ph->p_memsz);
    if (ph->p_filesz && !elf_in_image(c, ph->p_offset, ph->p_filesz))
        return elf_fail(c, "PT_LOAD segment %u: p_offset 0x%llx + p_filesz 0x%llx beyond image "
                        "size 0x%llx", idx, (ull)ph->p_offset, (ull)ph->p_filesz, (ull)c->len);
    if (!ph->p_memsz)
        return 0;
    if (info->nr_segs == ELF_MAX_SEGS)
        return elf_fail(c, "PT_LOAD segment %u: more than ELF_MAX_SEGS (%u) PT_LOAD segments",
                        idx, ELF_MAX_SEGS);
    if (ph->p_paddr < info->paddr_offset)
        return elf_fail(c, "PT_LOAD segment %u: p_paddr 0x%llx below PADDR_OFFSET 0x%llx", idx,
                        (ull)ph->p_paddr, (ull)info->paddr_offset);
    va = ph->p_paddr - info->paddr_offset + info->virt_base;
    if (va < info->virt_base)
        return elf_fail(c, "PT_LOAD segment %u: p_paddr 0x%llx - PADDR_OFFSET + VIRT_BASE 0x%llx "
                        "wraps: p_paddr must be the offset from VIRT_BASE (give the output sections "
                        "AT(ADDR(.text) - VIRT_BASE) in the linker script, e.g. .text : AT(0))",
                        idx, (ull)ph->p_paddr, (ull)info->virt_base);
    rc = elf_check_va(c, idx, va, ph->p_memsz);
    if (rc)
        return rc;
    seg = &info->segs[info->nr_segs++];
    *seg = (struct elf_pv_seg){ va, ph->p_offset, ph->p_filesz, ph->p_memsz, ph->p_flags };
    info->virt_kstart = MIN(info->virt_kstart, ROUNDDOWN(va, PAGE_SIZE));
    info->virt_kend = MAX(info->virt_kend, ROUNDUP(va + ph->p_memsz, PAGE_SIZE));
    return 0;
}

/* One pass over the program headers, handling segments of type `type`. */
static int elf_scan(struct elf_ctx *c, const struct elf64_ehdr *eh, uint32_t type)
{
    struct elf64_phdr ph;
    unsigned i;
    int rc = 0;

    for (i = 0; i < eh->e_phnum && !rc; i++) {
        elf_read_phdr(c, eh, i, &ph);
        if (ph.p_type != type)
            continue;
        c->note_segs += type == PT_NOTE;
        rc = type == PT_NOTE ? elf_parse_notes(c, i, &ph) : elf_add_load(c, i, &ph);
    }
    return rc;
}

static bool elf_in_kernel(const struct elf_pv_info *info, uint64_t va)
{
    return va >= info->virt_kstart && va < info->virt_kend;
}

/* Xen's acceptance rules (libelf-dominfo.c elf_xen_note_check, elf_xen_addr_calc_check). */
static int elf_check_xen_rules(struct elf_ctx *c)
{
    const struct elf_pv_info *i = c->info;

    if (!c->note_segs)
        return elf_fail(c, "no PT_NOTE segment: the Xen notes (XEN_VERSION and the rest) must be in a "
                        "PT_NOTE program header (linker script: PHDRS { ... note PT_NOTE; }, .note : { ... } :note)");
    if (!(c->seen & (1U << XEN_ELFNOTE_XEN_VERSION)))
        return elf_fail(c, "XEN_VERSION note missing: not a Xen PV kernel");
    if (strncmp(i->xen_version, "xen-3.0", 7))
        return elf_fail(c, "XEN_VERSION note \"%s\" does not start \"xen-3.0\"", i->xen_version);
    if (strncmp(i->guest_os, "linux", 5) && strncmp(i->loader, "generic", 7)) {
        if (!(c->seen & (1U << XEN_ELFNOTE_LOADER)))
            return elf_fail(c, "LOADER note missing (required unless GUEST_OS is \"linux\"; "
                            "GUEST_OS is \"%s\")", i->guest_os);
        return elf_fail(c, "LOADER note \"%s\" is not \"generic\"", i->loader);
    }
    if (i->virt_base > i->virt_kstart)
        return elf_fail(c, "VIRT_BASE note 0x%llx above the lowest segment VA 0x%llx",
                        (ull)i->virt_base, (ull)i->virt_kstart);
    if (!elf_in_kernel(i, i->entry))
        return elf_fail(c, "ENTRY 0x%llx (from %s) outside the loaded range [0x%llx, 0x%llx)",
                        (ull)i->entry,
                        c->seen & (1U << XEN_ELFNOTE_ENTRY) ? "ENTRY note" : "e_entry",
                        (ull)i->virt_kstart, (ull)i->virt_kend);
    if (i->hypercall_page != ELF_UNSET && !elf_in_kernel(i, i->hypercall_page))
        return elf_fail(c, "HYPERCALL_PAGE note 0x%llx outside the loaded range [0x%llx, 0x%llx)",
                        (ull)i->hypercall_page, (ull)i->virt_kstart, (ull)i->virt_kend);
    if (i->hypercall_page != ELF_UNSET && (i->hypercall_page & (PAGE_SIZE - 1)))
        return elf_fail(c, "HYPERCALL_PAGE note 0x%llx not page aligned", (ull)i->hypercall_page);
    if (i->init_p2m != ELF_UNSET && elf_in_kernel(i, i->init_p2m))
        return elf_fail(c, "INIT_P2M note 0x%llx inside the loaded range [0x%llx, 0x%llx)",
                        (ull)i->init_p2m, (ull)i->virt_kstart, (ull)i->virt_kend);
    return 0;
}

int elf_pv_parse(const void *image, size_t len, struct elf_pv_info *info,
                 char *err, size_t errlen)
{
    struct elf_ctx c = { .img = image, .len = len, .info = info, .err = err, .errlen = errlen };
    struct elf64_ehdr eh;
    int rc;

    if (err && errlen)
        err[0] = '\0';
    memset(info, 0, sizeof(*info));
    info->hypercall_page = info->init_p2m = info->hv_start_low = ELF_UNSET;
    info->virt_kstart = ELF_UNSET;
    if (!image)
        return elf_fail(&c, "no image");
    rc = elf_check_ehdr(&c, &eh);
    if (!rc)
        rc = elf_scan(&c, &eh, PT_NOTE);    /* notes first: VIRT_BASE, PADDR_OFFSET */
    if (!rc)
        rc = elf_scan(&c, &eh, PT_LOAD);
    if (rc)
        return rc;
    if (!info->nr_segs)
        return elf_fail(&c, "no PT_LOAD segment with p_memsz > 0");
    if (!(c.seen & (1U << XEN_ELFNOTE_ENTRY)))
        info->entry = eh.e_entry;
    return elf_check_xen_rules(&c);
}
