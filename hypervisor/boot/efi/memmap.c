/* The final UEFI memory map: ExitBootServices and conversion to boot_info regions. */
#include "efiboot.h"

/* Room for descriptors added between memmap_prepare() and the final map. */
#define SLACK_DESCS 32
#define EXIT_TRIES  8

EFI_STATUS memmap_prepare(struct efi_memmap *mm)
{
    UINTN size = 0, key, desc_size = 0;
    UINT32 ver;
    EFI_STATUS st;

    st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, NULL, &key, &desc_size, &ver);
    if (st != EFI_BUFFER_TOO_SMALL || desc_size < sizeof(EFI_MEMORY_DESCRIPTOR))
        return EFI_ERROR(st) ? st : EFI_DEVICE_ERROR;
    /* These two allocations themselves may split a region or two. */
    mm->cap = size + SLACK_DESCS * desc_size;
    mm->scratch_cap = mm->cap / desc_size;
    mm->buf = AllocatePool(mm->cap);
    mm->scratch = AllocatePool(mm->scratch_cap * sizeof(*mm->scratch));
    return mm->buf && mm->scratch ? EFI_SUCCESS : EFI_OUT_OF_RESOURCES;
}

/* No Print() from here on: the console may allocate and change the map key. */
EFI_STATUS memmap_exit(EFI_HANDLE image, struct efi_memmap *mm)
{
    EFI_STATUS st = EFI_INVALID_PARAMETER;

    for (int i = 0; i < EXIT_TRIES && st == EFI_INVALID_PARAMETER; i++) {
        mm->size = mm->cap;
        st = uefi_call_wrapper(BS->GetMemoryMap, 5, &mm->size, mm->buf, &mm->key,
                               &mm->desc_size, &mm->desc_ver);
        if (EFI_ERROR(st))
            return st;
        st = uefi_call_wrapper(BS->ExitBootServices, 2, image, mm->key);
    }
    return st;
}

static UINT32 bi_type(UINT32 efi_type)
{
    switch (efi_type) {
    case EfiConventionalMemory:
    case EfiBootServicesCode:
    case EfiBootServicesData:
    case EfiLoaderCode:
    case EfiLoaderData:
        return BI_MEM_USABLE;
    case EfiACPIReclaimMemory:
        return BI_MEM_ACPI;
    case EfiACPIMemoryNVS:
        return BI_MEM_NVS;
    case EfiUnusableMemory:
        return BI_MEM_BAD;
    default:    /* runtime services, MMIO, reserved, persistent, TANDEM_MEM_TYPE */
        return BI_MEM_RESERVED;
    }
}

/* Insertion sort by base: UEFI does not promise an ordered map. */
static void sort_regions(struct bi_mem_region *r, UINTN n)
{
    for (UINTN i = 1; i < n; i++) {
        struct bi_mem_region x = r[i];
        UINTN j = i;

        for (; j > 0 && r[j - 1].base > x.base; j--)
            r[j] = r[j - 1];
        r[j] = x;
    }
}

/*
 * Runs after ExitBootServices. Regions past BI_MAX_MEM_REGIONS are dropped:
 * the core then sees less RAM, never reserved memory as usable.
 */
void memmap_convert(const struct efi_memmap *mm, struct boot_info *bi)
{
    UINTN n = 0, out = 0;

    for (UINTN off = 0; off + mm->desc_size <= mm->size && n < mm->scratch_cap;
         off += mm->desc_size) {
        const EFI_MEMORY_DESCRIPTOR *d = (const void *)((const UINT8 *)mm->buf + off);

        if (d->NumberOfPages == 0)
            continue;
        mm->scratch[n].base = d->PhysicalStart;
        mm->scratch[n].len = d->NumberOfPages * EFI_PAGE_SIZE;
        mm->scratch[n].type = bi_type(d->Type);
        mm->scratch[n].pad = 0;
        n++;
    }
    sort_regions(mm->scratch, n);
    for (UINTN i = 0; i < n; i++) {
        struct bi_mem_region *prev = out ? &bi->mem[out - 1] : NULL;

        if (prev && prev->type == mm->scratch[i].type &&
            prev->base + prev->len == mm->scratch[i].base)
            prev->len += mm->scratch[i].len;
        else if (out < BI_MAX_MEM_REGIONS)
            bi->mem[out++] = mm->scratch[i];
    }
    bi->nr_mem = (UINT32)out;
}
