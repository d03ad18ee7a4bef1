/* Places the embedded core ELF (stripped tandem.elf, see embed.S) in memory. */
#include "efiboot.h"
#include <tandem-lib/elf64.h>

extern const UINT8 tandem_core_start[], tandem_core_end[];

static UINT64 core_size(void)
{
    return (UINT64)(tandem_core_end - tandem_core_start);
}

static const struct elf64_phdr *core_phdr(UINTN i)
{
    const struct elf64_ehdr *eh = (const void *)tandem_core_start;

    return (const void *)(tandem_core_start + eh->e_phoff + i * eh->e_phentsize);
}

static BOOLEAN ehdr_ok(const struct elf64_ehdr *eh)
{
    if (core_size() < sizeof(*eh) ||
        eh->e_ident[0] != 0x7f || eh->e_ident[1] != 'E' || eh->e_ident[2] != 'L' ||
        eh->e_ident[3] != 'F' || eh->e_ident[4] != ELFCLASS64 || eh->e_machine != EM_X86_64)
        return FALSE;
    return eh->e_phentsize >= sizeof(struct elf64_phdr) && eh->e_phoff < core_size() &&
           eh->e_phnum <= (core_size() - eh->e_phoff) / eh->e_phentsize;
}

/* A high segment must lie in the file and in [HV_IMAGE_VA, image_end). */
static BOOLEAN phdr_ok(const struct elf64_phdr *ph, UINT64 image_end)
{
    return ph->p_filesz <= ph->p_memsz && ph->p_offset <= core_size() &&
           ph->p_filesz <= core_size() - ph->p_offset &&
           ph->p_memsz <= image_end - ph->p_vaddr && ph->p_vaddr < image_end;
}

/* Finds the hv_image_header: the bytes at HV_IMAGE_VA, in some segment's file part. */
static const struct hv_image_header *find_header(void)
{
    const struct elf64_ehdr *eh = (const void *)tandem_core_start;

    for (UINTN i = 0; i < eh->e_phnum; i++) {
        const struct elf64_phdr *ph = core_phdr(i);

        if (ph->p_type == PT_LOAD && ph->p_vaddr <= HV_IMAGE_VA &&
            HV_IMAGE_VA - ph->p_vaddr + sizeof(struct hv_image_header) <= ph->p_filesz &&
            ph->p_offset <= core_size() && ph->p_filesz <= core_size() - ph->p_offset)
            return (const void *)(tandem_core_start + ph->p_offset + (HV_IMAGE_VA - ph->p_vaddr));
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
    for (UINTN i = 0; i < eh->e_phnum; i++) {
        const struct elf64_phdr *ph = core_phdr(i);

        if (ph->p_type == PT_LOAD && ph->p_vaddr >= HV_IMAGE_VA && !phdr_ok(ph, hdr->image_end)) {
            Print(L"tandem.efi: error: core segment %d at %lx is malformed\n", i, ph->p_vaddr);
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
    for (UINTN i = 0; i < eh->e_phnum; i++) {
        const struct elf64_phdr *ph = core_phdr(i);

        if (ph->p_type != PT_LOAD || ph->p_vaddr < HV_IMAGE_VA)
            continue;   /* the 32-bit Multiboot stub */
        CopyMem((void *)(UINTN)(ci->phys + (ph->p_vaddr - HV_IMAGE_VA)),
                (void *)(tandem_core_start + ph->p_offset), ph->p_filesz);
    }
    return EFI_SUCCESS;
}
