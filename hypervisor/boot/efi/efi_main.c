/* tandem.efi: fill boot_info, place the core, exit boot services, enter the core. */
#include "efiboot.h"
#include "fwcfg.h"

#define STACK_BYTES     (16 * 1024)
#define GDT_CODE64      0x00af9a000000ffffull   /* selector 0x08 */
#define GDT_DATA        0x00cf92000000ffffull   /* selector 0x10 */

/* Everything handoff() needs, gathered while boot services still run. */
struct loader {
    EFI_LOADED_IMAGE *li;
    struct boot_info *bi;
    struct core_image ci;
    UINT64 cr3, stack_top, gdt;
    struct efi_memmap mm;
};

EFI_STATUS efi_alloc_low(UINT64 bytes, EFI_MEMORY_TYPE type, UINT64 align,
                         EFI_PHYSICAL_ADDRESS *out)
{
    UINTN pages = EFI_SIZE_TO_PAGES(bytes);
    UINTN slack = align > EFI_PAGE_SIZE ? EFI_SIZE_TO_PAGES(align) - 1 : 0;
    EFI_PHYSICAL_ADDRESS a = LOW_4G_LIMIT, aligned;
    EFI_STATUS st;

    st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, type, pages + slack, &a);
    if (EFI_ERROR(st))
        return st;
    /* Over-allocate, then give back the unaligned head and the unused tail. */
    aligned = ALIGN_UP(a, align);
    if (aligned > a)
        uefi_call_wrapper(BS->FreePages, 2, a, EFI_SIZE_TO_PAGES(aligned - a));
    if (slack > EFI_SIZE_TO_PAGES(aligned - a))
        uefi_call_wrapper(BS->FreePages, 2, aligned + pages * EFI_PAGE_SIZE,
                          slack - EFI_SIZE_TO_PAGES(aligned - a));
    *out = aligned;
    return EFI_SUCCESS;
}

void ascii_copy(char *dst, const char *src, UINTN cap)
{
    UINTN n = 0;

    while (n + 1 < cap && src[n]) {
        dst[n] = src[n];
        n++;
    }
    dst[n] = '\0';
}

static BOOLEAN is_efi_name(const CHAR16 *w, UINTN len)
{
    return len > 4 && w[len - 4] == L'.' && (w[len - 3] | 0x20) == L'e' &&
           (w[len - 2] | 0x20) == L'f' && (w[len - 1] | 0x20) == L'i';
}

/*
 * LoadOptions (UCS-2, QEMU's -append) as ASCII. Options that are not printable
 * text (a firmware boot entry's binary data) are ignored, and a leading
 * "NAME.efi" word (the UEFI shell passes its command line whole) is dropped.
 */
static void cmdline_from_options(const EFI_LOADED_IMAGE *li, char *out)
{
    const CHAR16 *s = li->LoadOptions;
    UINTN len = 0, i = 0, n = 0, max = s ? li->LoadOptionsSize / sizeof(CHAR16) : 0;

    for (; len < max && s[len]; len++)
        if ((s[len] < 0x20 && s[len] != L'\t' && s[len] != L'\r' && s[len] != L'\n') ||
            s[len] > 0x7e)
            return;
    while (i < len && s[i] <= L' ')
        i++;
    for (UINTN w = i; w <= len; w++) {
        if (w == len || s[w] <= L' ') {
            if (is_efi_name(s + i, w - i))
                i = w;
            break;
        }
    }
    while (i < len && s[i] <= L' ')
        i++;
    for (; i < len && n + 1 < BI_CMDLINE_LEN; i++)
        out[n++] = s[i] < L' ' ? ' ' : (char)s[i];
    while (n > 0 && out[n - 1] == ' ')
        n--;
    out[n] = '\0';
}

static UINT64 find_rsdp(void)
{
    EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
    UINT64 rsdp1 = 0;

    for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
        EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];

        if (CompareGuid(&t->VendorGuid, &acpi20) == 0)
            return (UINT64)(UINTN)t->VendorTable;
        if (CompareGuid(&t->VendorGuid, &acpi10) == 0)
            rsdp1 = (UINT64)(UINTN)t->VendorTable;
    }
    return rsdp1;
}

static EFI_STATUS boot_info_init(struct loader *ld)
{
    EFI_PHYSICAL_ADDRESS pa;
    EFI_STATUS st = efi_alloc_low(sizeof(struct boot_info), TANDEM_MEM_TYPE, EFI_PAGE_SIZE, &pa);

    if (EFI_ERROR(st))
        return st;
    ld->bi = (struct boot_info *)(UINTN)pa;
    ZeroMem(ld->bi, sizeof(*ld->bi));
    ld->bi->magic = BOOT_INFO_MAGIC;
    ld->bi->boot_path = BOOT_PATH_UEFI;
    ld->bi->acpi_rsdp = find_rsdp();
    cmdline_from_options(ld->li, ld->bi->cmdline);
    return EFI_SUCCESS;
}

/* fw_cfg modules win; without them, boot.lst beside tandem.efi. */
static EFI_STATUS load_modules(EFI_HANDLE image, struct boot_info *bi)
{
    EFI_STATUS st = modules_from_fwcfg(bi);

    if (EFI_ERROR(st) || bi->nr_modules > 0)
        return st;
    st = esp_load(image, bi);
    if (st == EFI_NOT_FOUND) {
        Print(L"tandem.efi: warning: no modules (no fw_cfg opt/tandem/mod0, no boot.lst)\n");
        return EFI_SUCCESS;
    }
    return st;
}

/* The entry stack with the GDT below it, in memory the core keeps reserved. */
static EFI_STATUS entry_stack_init(struct loader *ld)
{
    EFI_PHYSICAL_ADDRESS pa;
    EFI_STATUS st = efi_alloc_low(EFI_PAGE_SIZE + STACK_BYTES, TANDEM_MEM_TYPE, EFI_PAGE_SIZE, &pa);
    UINT64 *gdt = (UINT64 *)(UINTN)pa;

    if (EFI_ERROR(st))
        return st;
    ZeroMem(gdt, EFI_PAGE_SIZE + STACK_BYTES);
    gdt[1] = GDT_CODE64;
    gdt[2] = GDT_DATA;
    ld->gdt = pa;
    ld->stack_top = pa + EFI_PAGE_SIZE + STACK_BYTES;
    return EFI_SUCCESS;
}

/* handoff() runs from tandem.efi's own pages: identity-map them even above 4 GiB. */
static UINT64 ident_top(const EFI_LOADED_IMAGE *li)
{
    UINT64 end = (UINT64)(UINTN)li->ImageBase + li->ImageSize;

    return ALIGN_UP(end > SZ_4G ? end : SZ_4G, SZ_1G);
}

/* Everything up to the last allocation; efi_main() reports a failure. */
static EFI_STATUS prepare(EFI_HANDLE image, struct loader *ld)
{
    EFI_STATUS st;

    st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&ld->li);
    if (!EFI_ERROR(st))
        st = boot_info_init(ld);
    if (!EFI_ERROR(st))
        st = core_load(&ld->ci);
    if (EFI_ERROR(st))
        return st;
    ld->bi->image_phys = ld->ci.phys;
    ld->bi->image_len = ld->ci.len;
    Print(L"tandem.efi: core image %ld KiB at %lx, ACPI RSDP at %lx\n",
          ld->ci.len >> 10, ld->ci.phys, ld->bi->acpi_rsdp);
    st = load_modules(image, ld->bi);
    if (EFI_ERROR(st))
        return st;
    Print(L"tandem.efi: command line \"%a\"\n", ld->bi->cmdline);
    st = entry_stack_init(ld);
    if (!EFI_ERROR(st))
        st = paging_build(&ld->ci, ident_top(ld->li), &ld->cr3);
    if (!EFI_ERROR(st))
        st = memmap_prepare(&ld->mm);
    return st;
}

/*
 * Back in the firmware, QEMU would sit in the UEFI shell until a test's
 * timeout: power off instead (QEMU exits with status 0, never a pass). On
 * real hardware the firmware takes over (next boot option or its menu).
 */
static void fail_fast_in_qemu(void)
{
    if (!fwcfg_present())
        return;
    Print(L"tandem.efi: powering off the virtual machine\n");
    uefi_call_wrapper(RT->ResetSystem, 4, EfiResetShutdown, EFI_LOAD_ERROR, 0, NULL);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    struct loader ld;
    EFI_STATUS st;

    InitializeLib(image, systab);
    Print(L"tandem.efi: Tandem UEFI loader\n");
    ZeroMem(&ld, sizeof(ld));
    st = prepare(image, &ld);
    if (EFI_ERROR(st)) {
        Print(L"tandem.efi: error: boot aborted: %r\n", st);
        fail_fast_in_qemu();
        return st;
    }
    Print(L"tandem.efi: %d modules, exiting boot services, core entry %lx\n",
          ld.bi->nr_modules, ld.ci.entry64);
    st = memmap_exit(image, &ld.mm);
    if (EFI_ERROR(st)) {
        /* The console may already be gone; try anyway. */
        Print(L"tandem.efi: error: ExitBootServices failed: %r\n", st);
        return st;
    }
    memmap_convert(&ld.mm, ld.bi);
    handoff(ld.cr3, ld.stack_top, ld.ci.entry64, ld.bi, ld.gdt);
}
