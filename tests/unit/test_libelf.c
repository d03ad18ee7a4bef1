/* Unit tests for hypervisor/common/libelf.c: images built here, then broken one field at a time. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libelf.h"
#include "tandem/elfnote.h"

#define IMG_MAX     0x10000
#define NOTES_OFF   0x600       /* notes area: [NOTES_OFF, LOAD_OFF) */
#define LOAD_OFF    0x1000
#define VBASE       0xffffffff80000000ULL
#define PADDR       0x200000ULL
#define KVA         (VBASE + PADDR)

struct tnote {
    const char *owner;
    uint32_t type, descsz;
    uint32_t fake_descsz;       /* if set, written to the header instead of descsz */
    unsigned seg;               /* which PT_NOTE segment (0 or 1) */
    uint8_t desc[256];
};

struct tspec {
    Elf64_Ehdr eh;              /* e_phoff/e_phnum/e_phentsize: 0 = filled in by the builder */
    unsigned nr_ph;
    Elf64_Phdr ph[24];          /* PT_NOTE headers are appended by the builder */
    unsigned nr_notes;
    struct tnote notes[32];
    unsigned note_trailer;      /* stray bytes after the notes of segment 0 */
    size_t img_len;             /* 0 = derived from the contents */
};

static uint8_t img[IMG_MAX] __attribute__((aligned(8)));

static struct tnote *note_find(struct tspec *s, const char *owner, uint32_t type)
{
    unsigned i;

    for (i = 0; i < s->nr_notes; i++)
        if (s->notes[i].type == type && !strcmp(s->notes[i].owner, owner))
            return &s->notes[i];
    assert_true(s->nr_notes < 32);
    s->notes[s->nr_notes] = (struct tnote){ .owner = owner, .type = type };
    return &s->notes[s->nr_notes++];
}

static void note_raw(struct tspec *s, const char *owner, uint32_t type, const void *d, uint32_t sz)
{
    struct tnote *n = note_find(s, owner, type);

    assert_true(sz <= sizeof(n->desc));
    memcpy(n->desc, d, sz);
    n->descsz = sz;
}

static void note_str(struct tspec *s, uint32_t type, const char *str)
{
    note_raw(s, "Xen", type, str, (uint32_t)strlen(str) + 1);
}

static void note_num(struct tspec *s, uint32_t type, uint64_t v, uint32_t size)
{
    note_raw(s, "Xen", type, &v, size);     /* host is little endian, like the image */
}

static void note_del(struct tspec *s, uint32_t type)
{
    unsigned i;

    for (i = 0; i < s->nr_notes; i++) {
        if (s->notes[i].type == type && !strcmp(s->notes[i].owner, "Xen")) {
            s->notes[i] = s->notes[--s->nr_notes];
            return;
        }
    }
}

static Elf64_Phdr load_ph(uint64_t off, uint64_t paddr, uint64_t filesz, uint64_t memsz)
{
    return (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = off,
                         .p_vaddr = paddr + VBASE, .p_paddr = paddr, .p_filesz = filesz,
                         .p_memsz = memsz, .p_align = 0x1000 };
}

/* A valid generic-loader kernel: one PT_LOAD at KVA (0x2000 file, 0x3000 mem) plus notes. */
static void spec_generic(struct tspec *s)
{
    memset(s, 0, sizeof(*s));
    memcpy(s->eh.e_ident, ELFMAG, SELFMAG);
    s->eh.e_ident[EI_CLASS] = ELFCLASS64;
    s->eh.e_ident[EI_DATA] = ELFDATA2LSB;
    s->eh.e_ident[EI_VERSION] = EV_CURRENT;
    s->eh.e_type = ET_EXEC;
    s->eh.e_machine = EM_X86_64;
    s->eh.e_version = EV_CURRENT;
    s->eh.e_entry = KVA;
    s->eh.e_ehsize = sizeof(Elf64_Ehdr);
    s->ph[s->nr_ph++] = load_ph(LOAD_OFF, PADDR, 0x2000, 0x3000);
    note_str(s, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    note_str(s, XEN_ELFNOTE_LOADER, "generic");
    note_str(s, XEN_ELFNOTE_GUEST_OS, "Tandem");
    note_str(s, XEN_ELFNOTE_GUEST_VERSION, "0.1");
    note_str(s, XEN_ELFNOTE_FEATURES, "writable_descriptor_tables");
    note_num(s, XEN_ELFNOTE_VIRT_BASE, VBASE, 8);
    note_num(s, XEN_ELFNOTE_ENTRY, KVA + 0x10, 8);
    note_num(s, XEN_ELFNOTE_HYPERCALL_PAGE, KVA + 0x1000, 8);
}

/* Like Linux 6.1's xen-head.S, plus foreign-owner notes that must be ignored. */
static void spec_linux(struct tspec *s)
{
    static const uint8_t build_id[20] = { 1, 2, 3 };
    uint64_t l1_mfn_valid[2] = { 1, 1 };
    uint32_t one = 1;

    spec_generic(s);
    s->nr_notes = 0;
    s->ph[0] = load_ph(LOAD_OFF, 0x1000000, 0x2000, 0x2000);
    s->ph[s->nr_ph++] = load_ph(LOAD_OFF + 0x2000, 0x1002000, 0x1000, 0x3000);
    s->ph[s->nr_ph++] = load_ph(0, 0x1008000, 0, 0);        /* empty: skipped */
    s->eh.e_entry = 0xffffffff81000000ULL;
    note_raw(s, "GNU", NT_GNU_BUILD_ID, build_id, sizeof(build_id));
    note_raw(s, "Linux", XEN_ELFNOTE_ENTRY, &one, 4);
    note_str(s, XEN_ELFNOTE_GUEST_OS, "linux");
    note_str(s, XEN_ELFNOTE_GUEST_VERSION, "2.6");
    note_str(s, XEN_ELFNOTE_XEN_VERSION, "xen-3.0");
    note_num(s, XEN_ELFNOTE_VIRT_BASE, VBASE, 8);
    note_num(s, XEN_ELFNOTE_INIT_P2M, 0x8000000000ULL, 8);
    note_num(s, XEN_ELFNOTE_ENTRY, 0xffffffff81000100ULL, 8);
    note_str(s, XEN_ELFNOTE_FEATURES, "!writable_page_tables|pae_pgdir_above_4gb");
    note_num(s, XEN_ELFNOTE_SUPPORTED_FEATURES, 0x801, 4);
    note_str(s, XEN_ELFNOTE_PAE_MODE, "yes");
    note_raw(s, "Xen", XEN_ELFNOTE_L1_MFN_VALID, l1_mfn_valid, 16);
    note_num(s, XEN_ELFNOTE_SUSPEND_CANCEL, 1, 4);
    note_num(s, XEN_ELFNOTE_MOD_START_PFN, 1, 4);
    note_num(s, XEN_ELFNOTE_HV_START_LOW, 0xffff800000000000ULL, 8);
    note_num(s, XEN_ELFNOTE_PADDR_OFFSET, 0, 8);
    note_num(s, XEN_ELFNOTE_PHYS32_ENTRY, 0x1000200, 4);
    note_num(s, 99, 0, 2);                                  /* unknown type, odd size */
}

static size_t put_note(size_t off, const struct tnote *n)
{
    uint32_t namesz = (uint32_t)strlen(n->owner) + 1;
    uint32_t hdr[3] = { namesz, n->fake_descsz ? n->fake_descsz : n->descsz, n->type };

    memcpy(img + off, hdr, sizeof(hdr));
    memcpy(img + off + 12, n->owner, namesz);
    off += 12 + ((namesz + 3) & ~3U);
    memcpy(img + off, n->desc, n->descsz);
    return off + ((n->descsz + 3) & ~3U);
}

/* Serialize s into img; returns the image length. */
static size_t build(const struct tspec *s)
{
    Elf64_Phdr ph[26];
    Elf64_Ehdr eh = s->eh;
    size_t off = NOTES_OFF, len = LOAD_OFF, start, end;
    unsigned nr = s->nr_ph, seg, i;

    memset(img, 0, sizeof(img));
    memcpy(ph, s->ph, nr * sizeof(ph[0]));
    for (seg = 0; seg < 2; seg++) {
        for (i = 0, start = off; i < s->nr_notes; i++)
            if (s->notes[i].seg == seg)
                off = put_note(off, &s->notes[i]);
        if (seg == 0)
            off += s->note_trailer;
        if (off > start)
            ph[nr++] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = start, .p_filesz = off - start,
                                     .p_align = 4 };
    }
    assert_true(off <= LOAD_OFF);
    for (i = 0; i < s->nr_ph; i++) {
        end = ph[i].p_offset + ph[i].p_filesz;
        if (ph[i].p_type != PT_LOAD || end > IMG_MAX || end < ph[i].p_offset)
            continue;
        for (start = ph[i].p_offset; start < end; start++)
            img[start] = (uint8_t)(start * 7 + 1);
        len = end > len ? end : len;
    }
    eh.e_phoff = eh.e_phoff ? eh.e_phoff : sizeof(eh);
    eh.e_phnum = eh.e_phnum ? eh.e_phnum : (Elf64_Half)nr;
    eh.e_phentsize = eh.e_phentsize ? eh.e_phentsize : sizeof(Elf64_Phdr);
    memcpy(img, &eh, sizeof(eh));
    memcpy(img + sizeof(eh), ph, nr * sizeof(ph[0]));
    return s->img_len ? s->img_len : len;
}

static char err[256];
static struct elf_pv_info info;

/* Parse the first len bytes of img from an exactly-sized heap copy (so ASan sees overreads). */
static int parse_len(size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    int rc;

    assert_non_null(copy);
    memcpy(copy, img, len);
    memset(err, 'X', sizeof(err));
    rc = elf_pv_parse(copy, len, &info, err, sizeof(err));
    free(copy);
    assert_true(memchr(err, '\0', sizeof(err)) != NULL);
    return rc;
}

static int parse(const struct tspec *s)
{
    return parse_len(build(s));
}

#define expect_err(s, ...) expect_err_(s, __LINE__, __VA_ARGS__, NULL)
static void expect_err_(const struct tspec *s, int line, ...)
{
    const char *needle;
    int rc = parse(s);
    va_list ap;

    if (rc != -22)
        fail_msg("line %d: rc %d, want -22 (err \"%s\")", line, rc, err);
    va_start(ap, line);
    while ((needle = va_arg(ap, const char *)) != NULL)
        if (!strstr(err, needle))
            fail_msg("line %d: error \"%s\" does not mention \"%s\"", line, err, needle);
    va_end(ap);
}

static void expect_ok(const struct tspec *s)
{
    int rc = parse(s);

    if (rc != 0)
        fail_msg("rc %d: %s", rc, err);
    assert_string_equal(err, "");
}

/* ---- success cases ---- */

static void test_generic_ok(void **state)
{
    struct tspec s;

    (void)state;
    spec_generic(&s);
    expect_ok(&s);
    assert_int_equal(info.entry, KVA + 0x10);
    assert_int_equal(info.virt_base, VBASE);
    assert_int_equal(info.paddr_offset, 0);
    assert_int_equal(info.hypercall_page, KVA + 0x1000);
    assert_int_equal(info.init_p2m, ELF_UNSET);
    assert_int_equal(info.hv_start_low, ELF_UNSET);
    assert_false(info.mod_start_pfn);
    assert_string_equal(info.xen_version, "xen-3.0");
    assert_string_equal(info.loader, "generic");
    assert_string_equal(info.guest_os, "Tandem");
    assert_string_equal(info.guest_version, "0.1");
    assert_string_equal(info.features, "writable_descriptor_tables");
    assert_int_equal(info.virt_kstart, KVA);
    assert_int_equal(info.virt_kend, KVA + 0x3000);
    assert_int_equal(info.nr_segs, 1);
    assert_int_equal(info.segs[0].va, KVA);
    assert_int_equal(info.segs[0].file_off, LOAD_OFF);
    assert_int_equal(info.segs[0].filesz, 0x2000);
    assert_int_equal(info.segs[0].memsz, 0x3000);
    assert_int_equal(info.segs[0].flags, PF_R | PF_X);
}

static void test_linux_ok(void **state)
{
    struct tspec s;

    (void)state;
    spec_linux(&s);
    expect_ok(&s);
    assert_int_equal(info.entry, 0xffffffff81000100ULL);
    assert_int_equal(info.virt_base, VBASE);
    assert_int_equal(info.hypercall_page, ELF_UNSET);
    assert_int_equal(info.init_p2m, 0x8000000000ULL);
    assert_int_equal(info.hv_start_low, 0xffff800000000000ULL);
    assert_true(info.mod_start_pfn);
    assert_string_equal(info.guest_os, "linux");
    assert_string_equal(info.loader, "");
    assert_string_equal(info.features, "!writable_page_tables|pae_pgdir_above_4gb");
    assert_int_equal(info.nr_segs, 2);
    assert_int_equal(info.segs[0].va, 0xffffffff81000000ULL);
    assert_int_equal(info.segs[1].va, 0xffffffff81002000ULL);
    assert_int_equal(info.segs[1].memsz, 0x3000);
    assert_int_equal(info.virt_kstart, 0xffffffff81000000ULL);
    assert_int_equal(info.virt_kend, 0xffffffff81005000ULL);
}

/* No VIRT_BASE, PADDR_OFFSET or ENTRY: a kernel linked at 1 MiB runs at VA == pfn * 4 KiB. */
static void test_defaults(void **state)
{
    struct tspec s;

    (void)state;
    spec_generic(&s);
    note_del(&s, XEN_ELFNOTE_VIRT_BASE);
    note_del(&s, XEN_ELFNOTE_ENTRY);
    note_del(&s, XEN_ELFNOTE_HYPERCALL_PAGE);
    s.ph[0].p_paddr = s.ph[0].p_vaddr = 0x100000;
    s.eh.e_entry = 0x100020;
    expect_ok(&s);
    assert_int_equal(info.entry, 0x100020);
    assert_int_equal(info.virt_base, 0);
    assert_int_equal(info.paddr_offset, 0);
    assert_int_equal(info.segs[0].va, 0x100000);
    assert_int_equal(info.virt_kstart, 0x100000);
    assert_int_equal(info.virt_kend, 0x103000);
}

/* Old style: p_paddr holds the VA and PADDR_OFFSET == VIRT_BASE. Unaligned edges round outward. */
static void test_paddr_offset_and_rounding(void **state)
{
    struct tspec s;

    (void)state;
    spec_generic(&s);
    note_num(&s, XEN_ELFNOTE_PADDR_OFFSET, VBASE, 8);
    s.ph[0].p_paddr = KVA + 0x10;
    s.ph[0].p_memsz = 0x2ff0;
    expect_ok(&s);
    assert_int_equal(info.paddr_offset, VBASE);
    assert_int_equal(info.segs[0].va, KVA + 0x10);
    assert_int_equal(info.virt_kstart, KVA);
    assert_int_equal(info.virt_kend, KVA + 0x3000);
}

static void test_numeric_4byte_and_repeats(void **state)
{
    struct tspec s;

    (void)state;
    spec_generic(&s);
    note_del(&s, XEN_ELFNOTE_VIRT_BASE);
    note_del(&s, XEN_ELFNOTE_HYPERCALL_PAGE);
    s.ph[0].p_paddr = 0x100000;
    note_num(&s, XEN_ELFNOTE_ENTRY, 0x100004, 4);
    note_num(&s, XEN_ELFNOTE_MOD_START_PFN, 1, 8);
    s.notes[s.nr_notes] = s.notes[0];           /* XEN_VERSION again, second segment */
    s.notes[s.nr_notes].seg = 1;
    memcpy(s.notes[s.nr_notes].desc, "xen-3.0.4", 10);
    s.notes[s.nr_notes++].descsz = 10;
    expect_ok(&s);
    assert_int_equal(info.entry, 0x100004);
    assert_true(info.mod_start_pfn);
    assert_string_equal(info.xen_version, "xen-3.0.4");
    note_num(&s, XEN_ELFNOTE_MOD_START_PFN, 2, 4);
    expect_ok(&s);
    assert_false(info.mod_start_pfn);
}

static void test_long_strings(void **state)
{
    char big[200];
    struct tspec s;

    (void)state;
    memset(big, 'v', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    spec_generic(&s);
    note_str(&s, XEN_ELFNOTE_GUEST_VERSION, big);       /* informational: truncated, as Xen */
    expect_ok(&s);
    assert_int_equal(strlen(info.guest_version), sizeof(info.guest_version) - 1);
    note_str(&s, XEN_ELFNOTE_FEATURES, big);            /* meaning would change: refused */
    expect_err(&s, "FEATURES note", "199");
}

static void test_max_segments(void **state)
{
    struct tspec s;
    unsigned i;

    (void)state;
    spec_generic(&s);
    for (i = 1; i < ELF_MAX_SEGS; i++)
        s.ph[s.nr_ph++] = load_ph(0, PADDR + 0x3000 * i, 0, 0x1000);
    expect_ok(&s);
    assert_int_equal(info.nr_segs, ELF_MAX_SEGS);
    assert_int_equal(info.virt_kend, KVA + 0x3000 * (ELF_MAX_SEGS - 1) + 0x1000);
    s.ph[s.nr_ph++] = load_ph(0, PADDR + 0x3000 * i, 0, 0x1000);
    expect_err(&s, "PT_LOAD segment 16", "ELF_MAX_SEGS");
}

/* ---- ELF header ---- */

static void test_bad_header(void **state)
{
    struct tspec s;

    (void)state;
    spec_generic(&s);
    s.eh.e_ident[EI_MAG1] = 'X';
    expect_err(&s, "magic");
    spec_generic(&s);
    s.eh.e_ident[EI_CLASS] = ELFCLASS32;
    expect_err(&s, "EI_CLASS", "ELFCLASS64");
    spec_generic(&s);
    s.eh.e_ident[EI_DATA] = ELFDATA2MSB;
    expect_err(&s, "ELFDATA2LSB");
    spec_generic(&s);
    s.eh.e_version = 0;
    expect_err(&s, "e_version");
    spec_generic(&s);
    s.eh.e_machine = EM_386;
    expect_err(&s, "e_machine 3");
    spec_generic(&s);
    s.eh.e_type = ET_DYN;
    expect_err(&s, "e_type 3");
    spec_generic(&s);
    s.img_len = 40;
    expect_err(&s, "too small");
}

static void test_bad_phdr_table(void **state)
{
    struct tspec s;

    (void)state;
    spec_generic(&s);
    s.eh.e_phoff = 0x100000;
    expect_err(&s, "e_phoff 0x100000");
    s.eh.e_phoff = ~0ULL - 8;                       /* would wrap */
    expect_err(&s, "e_phoff");
    spec_generic(&s);
    s.eh.e_phnum = 0xfffe;
    expect_err(&s, "e_phnum 65534");
    s.eh.e_phnum = PN_XNUM;
    expect_err(&s, "e_phnum 65535");
    spec_generic(&s);
    s.eh.e_phoff = 0x2fc8;                          /* one 56-byte header fits, two do not */
    s.eh.e_phnum = 2;
    expect_err(&s, "e_phnum 2");
    spec_generic(&s);
    s.eh.e_phentsize = 32;
    expect_err(&s, "e_phentsize 32");
    spec_generic(&s);
    s.nr_ph = 0;                                    /* only the PT_NOTE remains */
    expect_err(&s, "no PT_LOAD");
}

/* ---- PT_LOAD segments ---- */

static void test_bad_segment_file(void **state)
{
    struct tspec s;

    (void)state;
    spec_generic(&s);
    s.ph[0].p_filesz = 0x4000;
    expect_err(&s, "PT_LOAD segment 0: p_filesz 0x4000 > p_memsz 0x3000");
    assert_string_equal(err, "PT_LOAD segment 0: p_filesz 0x4000 > p_memsz 0x3000");
    spec_generic(&s);
    s.ph[s.nr_ph++] = load_ph(0x100000, PADDR + 0x3000, 0x1000, 0x1000);
    expect_err(&s, "PT_LOAD segment 1", "p_offset 0x100000");
    spec_generic(&s);
    s.ph[0].p_offset = ~0ULL - 0x10;
    expect_err(&s, "PT_LOAD segment 0", "p_offset");
    spec_generic(&s);
    s.img_len = LOAD_OFF + 0x1fff;
    expect_err(&s, "PT_LOAD segment 0", "beyond image");
}

static void expect_va_err(uint64_t virt_base, uint64_t memsz, const char *needle)
{
    struct tspec s;

    spec_generic(&s);
    note_num(&s, XEN_ELFNOTE_VIRT_BASE, virt_base, 8);
    s.ph[0].p_memsz = memsz;
    s.ph[0].p_filesz = memsz < 0x2000 ? memsz : 0x2000;
    expect_err(&s, "PT_LOAD segment 0", needle);
}

static void test_bad_segment_va(void **state)
{
    (void)state;
    expect_va_err(0xffff840000000000ULL, 0x3000, "hypervisor hole");
    expect_va_err(0xffff880000000000ULL - PADDR - 0x1000, 0x3000, "hypervisor hole");
    expect_va_err(0x0000800000000000ULL - PADDR, 0x3000, "not canonical");
    expect_va_err(0x0000800000000000ULL - PADDR - 0x1000, 0x3000, "not canonical");
    expect_va_err(0xfffffffffffff000ULL - PADDR, 0x3000, "wraps");
    expect_va_err(0xfffffffffffff000ULL - PADDR, 0xff0, "wraps");
    expect_va_err(~0ULL, 0x3000, "wraps");
}

static void test_paddr_below_offset(void **state)
{
    struct tspec s;

    (void)state;
    spec_generic(&s);
    note_num(&s, XEN_ELFNOTE_PADDR_OFFSET, PADDR + 0x1000, 8);
    expect_err(&s, "PT_LOAD segment 0", "below PADDR_OFFSET");
    /* The usual porting slip: p_paddr = the VA (no AT() in the linker script). The message says how. */
    spec_generic(&s);
    s.ph[0].p_paddr = KVA;
    expect_err(&s, "PT_LOAD segment 0", "wraps", "AT(");
}

/* ---- notes ---- */

static void test_bad_notes(void **state)
{
    uint8_t nonul[5] = { 'l', 'i', 'n', 'u', 'x' };
    struct tspec s;

    (void)state;
    spec_generic(&s);
    note_find(&s, "Xen", XEN_ELFNOTE_XEN_VERSION)->fake_descsz = 0x100;
    expect_err(&s, "XEN_VERSION note truncated");
    spec_generic(&s);
    note_raw(&s, "GNU", NT_GNU_BUILD_ID, "abcd", 4);
    note_find(&s, "GNU", NT_GNU_BUILD_ID)->fake_descsz = 0x1000;
    expect_err(&s, "note type 3 truncated");
    spec_generic(&s);
    s.note_trailer = 8;
    expect_err(&s, "truncated note header", "8 bytes left");
    spec_generic(&s);
    note_num(&s, XEN_ELFNOTE_ENTRY, KVA, 3);
    expect_err(&s, "ENTRY note", "descsz 3", "4 or 8");
    spec_generic(&s);
    /* A string ending at descsz without a NUL is accepted, as Xen does (Linux 6.1). */
    note_raw(&s, "Xen", XEN_ELFNOTE_GUEST_OS, nonul, sizeof(nonul));
    expect_ok(&s);
}

static void test_xen_version(void **state)
{
    struct tspec s;

    (void)state;
    spec_generic(&s);
    note_del(&s, XEN_ELFNOTE_XEN_VERSION);
    expect_err(&s, "XEN_VERSION note missing");
    spec_generic(&s);
    s.nr_notes = 0;                                 /* no PT_NOTE at all */
    expect_err(&s, "no PT_NOTE segment", "PHDRS");
    spec_generic(&s);
    note_str(&s, XEN_ELFNOTE_XEN_VERSION, "xen-2.0");
    expect_err(&s, "XEN_VERSION", "xen-2.0");
}

static void test_loader(void **state)
{
    struct tspec s;

    (void)state;
    spec_generic(&s);
    note_del(&s, XEN_ELFNOTE_LOADER);
    expect_err(&s, "LOADER note missing", "Tandem");
    note_str(&s, XEN_ELFNOTE_GUEST_OS, "linux");    /* Linux needs no LOADER */
    expect_ok(&s);
    spec_generic(&s);
    note_str(&s, XEN_ELFNOTE_LOADER, "elf");
    expect_err(&s, "LOADER note \"elf\"");
}

static void test_addresses(void **state)
{
    struct tspec s;

    (void)state;
    spec_generic(&s);
    note_num(&s, XEN_ELFNOTE_ENTRY, KVA + 0x3000, 8);     /* == virt_kend */
    expect_err(&s, "ENTRY 0x", "ENTRY note", "outside");
    note_del(&s, XEN_ELFNOTE_ENTRY);
    s.eh.e_entry = KVA - 1;
    expect_err(&s, "e_entry", "outside");
    spec_generic(&s);
    note_num(&s, XEN_ELFNOTE_HYPERCALL_PAGE, KVA + 0x1008, 8);
    expect_err(&s, "HYPERCALL_PAGE", "not page aligned");
    note_num(&s, XEN_ELFNOTE_HYPERCALL_PAGE, KVA + 0x3000, 8);
    expect_err(&s, "HYPERCALL_PAGE", "outside");
    spec_generic(&s);
    note_num(&s, XEN_ELFNOTE_VIRT_BASE, VBASE + 0x800, 8);  /* kstart rounds below it */
    note_num(&s, XEN_ELFNOTE_PADDR_OFFSET, PADDR, 8);
    expect_err(&s, "VIRT_BASE");
    spec_generic(&s);
    note_num(&s, XEN_ELFNOTE_INIT_P2M, KVA + 0x2000, 8);
    expect_err(&s, "INIT_P2M");
}

/* ---- API edges ---- */

static void test_err_buffer(void **state)
{
    struct tspec s;
    char small[8];
    size_t len;

    (void)state;
    spec_generic(&s);
    s.eh.e_ident[EI_MAG0] = 0;
    len = build(&s);
    assert_int_equal(elf_pv_parse(img, len, &info, NULL, 0), -22);
    assert_int_equal(elf_pv_parse(img, len, &info, small, sizeof(small)), -22);
    assert_int_equal(strlen(small), sizeof(small) - 1);
    assert_int_equal(elf_pv_parse(NULL, 100, &info, small, sizeof(small)), -22);
}

static void test_note_names(void **state)
{
    (void)state;
    assert_string_equal(elf_note_name(XEN_ELFNOTE_ENTRY), "ENTRY");
    assert_string_equal(elf_note_name(XEN_ELFNOTE_XEN_VERSION), "XEN_VERSION");
    assert_string_equal(elf_note_name(XEN_ELFNOTE_INIT_P2M), "INIT_P2M");
    assert_string_equal(elf_note_name(XEN_ELFNOTE_PHYS32_ENTRY), "PHYS32_ENTRY");
    assert_string_equal(elf_note_name(XEN_ELFNOTE_MAX + 1), "unknown");
    assert_string_equal(elf_note_name(~0U), "unknown");
}

/* ---- robustness ---- */

static void truncate_all(const struct tspec *s)
{
    size_t len = build(s), l;

    for (l = 0; l < len; l++) {
        if (parse_len(l) != -22 || !err[0])
            fail_msg("truncated to %zu of %zu bytes: rc not -22 or no message (\"%s\")",
                     l, len, err);
    }
    assert_int_equal(parse_len(len), 0);
}

static void test_truncated_everywhere(void **state)
{
    struct tspec s;

    (void)state;
    spec_generic(&s);
    truncate_all(&s);
    spec_linux(&s);
    truncate_all(&s);
}

/* Random byte corruption of headers and notes: never crash; success implies a sane result. */
static void test_random_corruption(void **state)
{
    struct tspec s;
    size_t len, i;
    unsigned iter, k;
    uint8_t saved[LOAD_OFF];
    int rc;

    (void)state;
    srand(12345);
    spec_linux(&s);
    len = build(&s);
    memcpy(saved, img, sizeof(saved));
    for (iter = 0; iter < 20000; iter++) {
        memcpy(img, saved, sizeof(saved));
        for (k = 0; k < 1 + (unsigned)rand() % 4; k++)
            img[(size_t)rand() % LOAD_OFF] = (uint8_t)rand();
        rc = parse_len(len);
        assert_true(rc == 0 || (rc == -22 && err[0]));
        if (rc)
            continue;
        assert_true(info.nr_segs >= 1 && info.nr_segs <= ELF_MAX_SEGS);
        assert_true(info.entry >= info.virt_kstart && info.entry < info.virt_kend);
        for (i = 0; i < info.nr_segs; i++) {
            assert_true(info.segs[i].filesz <= info.segs[i].memsz);
            assert_true(info.segs[i].file_off + info.segs[i].filesz <= len);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generic_ok),
        cmocka_unit_test(test_linux_ok),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_paddr_offset_and_rounding),
        cmocka_unit_test(test_numeric_4byte_and_repeats),
        cmocka_unit_test(test_long_strings),
        cmocka_unit_test(test_max_segments),
        cmocka_unit_test(test_bad_header),
        cmocka_unit_test(test_bad_phdr_table),
        cmocka_unit_test(test_bad_segment_file),
        cmocka_unit_test(test_bad_segment_va),
        cmocka_unit_test(test_paddr_below_offset),
        cmocka_unit_test(test_bad_notes),
        cmocka_unit_test(test_xen_version),
        cmocka_unit_test(test_loader),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_err_buffer),
        cmocka_unit_test(test_note_names),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_random_corruption),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
