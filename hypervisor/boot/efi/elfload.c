/* Places the embedded core ELF (stripped tandem.elf, see embed.S) in memory. */
#include "efiboot.h"

/* The subset of ELF64 the loader reads. */
struct elf64_ehdr {
    UINT8  ident[16];
    UINT16 type, machine;
    UINT32 version;
    UINT64 entry, phoff, shoff;
    UINT32 flags;
    UINT16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
    UINT32 type, flags;
    UINT64 offset, vaddr, paddr, filesz, memsz, align;
};

#define PT_LOAD     1
#define EM_X86_64   62
#define ELFCLASS64  2

extern const UINT8 tandem_core_start[], tandem_core_end[];

static UINT64 core_size(void)
{
    return (UINT64)(tandem_core_end - tandem_core_start);
}

static const struct elf64_phdr *core_phdr(UINTN i)
{
    const struct elf64_ehdr *eh = (const void *)tandem_core_start;

    return (const void *)(tandem_core_start + eh->phoff + i * eh->phentsize);
}

static BOOLEAN ehdr_ok(const struct elf64_ehdr *eh)
{
    if (core_size() < sizeof(*eh) ||
        eh->ident[0] != 0x7f || eh->ident[1] != 'E' || eh->ident[2] != 'L' ||
        eh->ident[3] != 'F' || eh->ident[4] != ELFCLASS64 || eh->machine != EM_X86_64)
        return FALSE;
    return eh->phentsize >= sizeof(struct elf64_phdr) && eh->phoff < core_size() &&
           eh->phnum <= (core_size() - eh->phoff) / eh->phentsize;
}

/* A high segment must lie in the file and in [HV_IMAGE_VA, image_end). */
static BOOLEAN phdr_ok(const struct elf64_phdr *ph, UINT64 image_end)
{
    return ph->filesz <= ph->memsz && ph->offset <= core_size() &&
           ph->filesz <= core_size() - ph->offset &&
           ph->memsz <= image_end - ph->vaddr && ph->vaddr < image_end;
}

/* Finds the hv_image_header: the bytes at HV_IMAGE_VA, in some segment's file part. */
static const struct hv_image_header *find_header(void)
{
    const struct elf64_ehdr *eh = (const void *)tandem_core_start;

    for (UINTN i = 0; i < eh->phnum; i++) {
        const struct elf64_phdr *ph = core_phdr(i);

        if (ph->type == PT_LOAD && ph->vaddr <= HV_IMAGE_VA &&
            HV_IMAGE_VA - ph->vaddr + sizeof(struct hv_image_header) <= ph->filesz &&
            ph->offset <= core_size() && ph->filesz <= core_size() - ph->offset)
            return (const void *)(tandem_core_start + ph->offset + (HV_IMAGE_VA - ph->vaddr));
    }
    return NULL;
}

static const struct hv_image_header *check_core(void)
{
    const struct elf64_ehdr *eh = (const void *)tandem_core_start;
    const struct hv_image_header *hdr;

    if (!ehdr_ok(eh)) {
        Print(L"tandem.efi: error: embedded core is not an x86-64 ELF64\n");
        return NULL;
    }
    hdr = find_header();
    if (!hdr || hdr->magic != HV_IMAGE_MAGIC || hdr->image_start != HV_IMAGE_VA ||
        hdr->image_end <= hdr->image_start || hdr->image_end - hdr->image_start > SZ_1G ||
        hdr->entry64 < hdr->image_start || hdr->entry64 >= hdr->image_end) {
        Print(L"tandem.efi: error: no valid hv_image_header at %lx\n", HV_IMAGE_VA);
        return NULL;
    }
    for (UINTN i = 0; i < eh->phnum; i++) {
        const struct elf64_phdr *ph = core_phdr(i);

        if (ph->type == PT_LOAD && ph->vaddr >= HV_IMAGE_VA && !phdr_ok(ph, hdr->image_end)) {
            Print(L"tandem.efi: error: core segment %d at %lx is malformed\n", i, ph->vaddr);
            return NULL;
        }
    }
    return hdr;
}

EFI_STATUS core_load(struct core_image *ci)
{
    const struct elf64_ehdr *eh = (const void *)tandem_core_start;
    const struct hv_image_header *hdr = check_core();
    EFI_STATUS st;

    if (!hdr)
        return EFI_LOAD_ERROR;
    ci->len = hdr->image_end - hdr->image_start;
    ci->entry64 = hdr->entry64;
    st = efi_alloc_low(ci->len, TANDEM_MEM_TYPE, SZ_2M, &ci->phys);
    if (EFI_ERROR(st)) {
        Print(L"tandem.efi: error: no 2 MiB-aligned %ld KiB below 4 GiB for the core: %r\n",
              ci->len >> 10, st);
        return st;
    }
    ZeroMem((void *)(UINTN)ci->phys, ALIGN_UP(ci->len, EFI_PAGE_SIZE));
    for (UINTN i = 0; i < eh->phnum; i++) {
        const struct elf64_phdr *ph = core_phdr(i);

        if (ph->type != PT_LOAD || ph->vaddr < HV_IMAGE_VA)
            continue;   /* the 32-bit Multiboot stub */
        CopyMem((void *)(UINTN)(ci->phys + (ph->vaddr - HV_IMAGE_VA)),
                (void *)(tandem_core_start + ph->offset), ph->filesz);
    }
    return EFI_SUCCESS;
}
