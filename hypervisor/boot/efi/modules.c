/* Loads the guest modules named opt/tandem/modN (and modN.cmdline) from QEMU fw_cfg. */
#include "efiboot.h"
#include "fwcfg.h"

/* "opt/tandem/mod" N suffix, N < 100. */
static void mod_name(char *buf, UINT32 n, const char *suffix)
{
    const char *prefix = "opt/tandem/mod";
    UINTN i = 0;

    while (*prefix)
        buf[i++] = *prefix++;
    if (n >= 10)
        buf[i++] = (char)('0' + n / 10);
    buf[i++] = (char)('0' + n % 10);
    while (*suffix)
        buf[i++] = *suffix++;
    buf[i] = '\0';
}

/* bi_module.cmdline: the modN.cmdline file without trailing blanks, else "modN". */
static void mod_cmdline(UINT32 n, char *out)
{
    char name[32];
    UINT16 sel;
    UINT32 size;

    mod_name(name, n, ".cmdline");
    if (!fwcfg_find(name, &sel, &size)) {
        mod_name(name, n, "");
        ascii_copy(out, name + sizeof("opt/tandem/") - 1, BI_MOD_CMDLINE_LEN);
        return;
    }
    if (size > BI_MOD_CMDLINE_LEN - 1)
        size = BI_MOD_CMDLINE_LEN - 1;
    fwcfg_read(sel, out, size);
    out[size] = '\0';
    while (size > 0 && (out[size - 1] == '\0' || out[size - 1] == '\n' ||
                        out[size - 1] == '\r' || out[size - 1] == ' '))
        out[--size] = '\0';
}

static EFI_STATUS load_one(UINT32 n, UINT16 sel, UINT32 size, struct bi_module *m)
{
    EFI_PHYSICAL_ADDRESS pa;
    UINT64 alloc = size ? ALIGN_UP(size, EFI_PAGE_SIZE) : EFI_PAGE_SIZE;
    EFI_STATUS st = efi_alloc_low(alloc, EfiLoaderData, EFI_PAGE_SIZE, &pa);

    if (EFI_ERROR(st)) {
        Print(L"tandem.efi: error: no memory below 4 GiB for mod%d (%d bytes): %r\n", n, size, st);
        return st;
    }
    fwcfg_read(sel, (void *)(UINTN)pa, size);
    ZeroMem((void *)(UINTN)(pa + size), alloc - size);
    m->start = pa;
    m->len = size;
    mod_cmdline(n, m->cmdline);
    Print(L"tandem.efi: mod%d: %d bytes at %lx \"%a\"\n", n, size, pa, m->cmdline);
    return EFI_SUCCESS;
}

EFI_STATUS modules_from_fwcfg(struct boot_info *bi)
{
    char name[32];
    UINT16 sel;
    UINT32 size, n;
    EFI_STATUS st;

    if (!fwcfg_init())
        return EFI_SUCCESS;
    for (n = 0; n < BI_MAX_MODULES; n++) {
        mod_name(name, n, "");
        if (!fwcfg_find(name, &sel, &size))
            break;
        if (n == 0)
            Print(L"tandem.efi: loading modules from fw_cfg (%a)\n",
                  fwcfg_has_dma() ? "DMA" : "port I/O");
        st = load_one(n, sel, size, &bi->modules[n]);
        if (EFI_ERROR(st))
            return st;
        bi->nr_modules = n + 1;
    }
    mod_name(name, n, "");
    if (fwcfg_find(name, &sel, &size))
        Print(L"tandem.efi: warning: %a and later are ignored (at most %d modules)\n",
              name, BI_MAX_MODULES);
    return EFI_SUCCESS;
}
