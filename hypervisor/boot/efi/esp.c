/*
 * Loads boot.lst and the modules it names from the directory holding
 * tandem.efi (an ESP or USB stick). Format: docs/boot-uefi.md.
 */
#include "efiboot.h"

#define PATH_CHARS  512

static BOOLEAN is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * The directory of the image's file path, from its MEDIA_FILEPATH nodes, with
 * a trailing backslash ("\EFI\BOOT\"), or "" for the volume root.
 */
static BOOLEAN image_dir(EFI_DEVICE_PATH *dp, CHAR16 *dir)
{
    UINTN n = 0;

    for (; dp && !IsDevicePathEnd(dp); dp = NextDevicePathNode(dp)) {
        const FILEPATH_DEVICE_PATH *fp = (const void *)dp;
        UINTN chars = (DevicePathNodeLength(dp) - SIZE_OF_FILEPATH_DEVICE_PATH) / sizeof(CHAR16);

        if (DevicePathType(dp) != MEDIA_DEVICE_PATH || DevicePathSubType(dp) != MEDIA_FILEPATH_DP)
            continue;
        if (n > 0 && dir[n - 1] != L'\\' && chars > 0 && fp->PathName[0] != L'\\')
            dir[n++] = L'\\';
        for (UINTN i = 0; i < chars && fp->PathName[i]; i++) {
            if (n + 2 >= PATH_CHARS)
                return FALSE;
            dir[n++] = fp->PathName[i] == L'/' ? L'\\' : fp->PathName[i];
        }
    }
    while (n > 0 && dir[n - 1] != L'\\')
        n--;
    dir[n] = L'\0';
    return TRUE;
}

/* dir + rel (ASCII, '/' accepted); a rel starting with a slash is from the volume root. */
static BOOLEAN join_path(CHAR16 *out, const CHAR16 *dir, const char *rel, UINTN rel_len)
{
    UINTN n = 0;

    if (rel_len > 0 && (rel[0] == '/' || rel[0] == '\\'))
        dir = L"";
    for (; *dir; dir++)
        out[n++] = *dir;
    if (n + rel_len + 1 > PATH_CHARS)
        return FALSE;
    for (UINTN i = 0; i < rel_len; i++)
        out[n++] = rel[i] == '/' ? L'\\' : (CHAR16)(UINT8)rel[i];
    out[n] = L'\0';
    return TRUE;
}

/* Reads a whole file into fresh EfiLoaderData pages below 4 GiB (tail zeroed). */
static EFI_STATUS read_file(EFI_FILE_HANDLE root, CHAR16 *path, EFI_PHYSICAL_ADDRESS *pa, UINT64 *len)
{
    EFI_FILE_HANDLE fh;
    EFI_FILE_INFO *info;
    UINT64 alloc, done = 0;
    EFI_STATUS st = uefi_call_wrapper(root->Open, 5, root, &fh, path, EFI_FILE_MODE_READ, 0);

    if (EFI_ERROR(st))
        return st;
    info = LibFileInfo(fh);
    if (!info) {
        uefi_call_wrapper(fh->Close, 1, fh);
        return EFI_DEVICE_ERROR;
    }
    *len = info->FileSize;
    FreePool(info);
    alloc = *len ? ALIGN_UP(*len, EFI_PAGE_SIZE) : EFI_PAGE_SIZE;
    st = efi_alloc_low(alloc, EfiLoaderData, EFI_PAGE_SIZE, pa);
    while (!EFI_ERROR(st) && done < *len) {
        UINTN chunk = *len - done;

        st = uefi_call_wrapper(fh->Read, 3, fh, &chunk, (void *)(UINTN)(*pa + done));
        if (!EFI_ERROR(st) && chunk == 0)
            st = EFI_END_OF_FILE;
        done += chunk;
    }
    uefi_call_wrapper(fh->Close, 1, fh);
    if (!EFI_ERROR(st))
        ZeroMem((void *)(UINTN)(*pa + *len), alloc - *len);
    return st;
}

/* One boot.lst line, trimmed and NUL-terminated: a comment, "tandem ARGS" or "PATH [ARGS]". */
static EFI_STATUS parse_line(EFI_FILE_HANDLE root, const CHAR16 *dir, const char *line,
                             struct boot_info *bi)
{
    CHAR16 path[PATH_CHARS];
    struct bi_module *m = &bi->modules[bi->nr_modules];
    UINTN word = 0;
    EFI_STATUS st;

    while (line[word] && !is_blank(line[word]))
        word++;
    if (word == 0 || line[0] == '#')
        return EFI_SUCCESS;
    if (word == 6 && CompareMem(line, "tandem", 6) == 0) {
        while (is_blank(line[word]))
            word++;
        if (bi->cmdline[0] == '\0')
            ascii_copy(bi->cmdline, line + word, BI_CMDLINE_LEN);
        return EFI_SUCCESS;
    }
    if (bi->nr_modules == BI_MAX_MODULES) {
        Print(L"tandem.efi: warning: boot.lst: more than %d modules, \"%a\" ignored\n",
              BI_MAX_MODULES, line);
        return EFI_SUCCESS;
    }
    if (!join_path(path, dir, line, word))
        return EFI_BAD_BUFFER_SIZE;
    st = read_file(root, path, &m->start, &m->len);
    if (EFI_ERROR(st)) {
        Print(L"tandem.efi: error: cannot load %s: %r\n", path, st);
        return st;
    }
    ascii_copy(m->cmdline, line, BI_MOD_CMDLINE_LEN);
    Print(L"tandem.efi: mod%d: %s: %ld bytes at %lx\n", bi->nr_modules, path, m->len, m->start);
    bi->nr_modules++;
    return EFI_SUCCESS;
}

static EFI_STATUS parse_list(EFI_FILE_HANDLE root, const CHAR16 *dir, const char *text,
                             UINT64 len, struct boot_info *bi)
{
    char line[BI_MOD_CMDLINE_LEN];
    UINT64 i = 0;

    while (i < len) {
        UINTN n = 0;

        while (i < len && is_blank(text[i]))
            i++;
        while (i < len && text[i] != '\n') {
            if (n < sizeof(line) - 1)
                line[n++] = text[i];
            i++;
        }
        while (n > 0 && is_blank(line[n - 1]))
            n--;
        line[n] = '\0';
        EFI_STATUS st = parse_line(root, dir, line, bi);
        if (EFI_ERROR(st))
            return st;
    }
    return EFI_SUCCESS;
}

EFI_STATUS esp_load(EFI_HANDLE image, struct boot_info *bi)
{
    EFI_LOADED_IMAGE *li;
    EFI_FILE_HANDLE root;
    CHAR16 dir[PATH_CHARS], path[PATH_CHARS];
    EFI_PHYSICAL_ADDRESS pa;
    UINT64 len;
    EFI_STATUS st;

    st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li);
    if (EFI_ERROR(st) || !image_dir(li->FilePath, dir))
        return EFI_NOT_FOUND;
    root = LibOpenRoot(li->DeviceHandle);
    if (!root)
        return EFI_NOT_FOUND;
    if (!join_path(path, dir, "boot.lst", 8) || EFI_ERROR(read_file(root, path, &pa, &len))) {
        uefi_call_wrapper(root->Close, 1, root);
        return EFI_NOT_FOUND;
    }
    Print(L"tandem.efi: reading %s\n", path);
    st = parse_list(root, dir, (const char *)(UINTN)pa, len, bi);
    if (st == EFI_NOT_FOUND)
        st = EFI_LOAD_ERROR;    /* a listed module is missing: not "no boot.lst" */
    uefi_call_wrapper(BS->FreePages, 2, pa, EFI_SIZE_TO_PAGES(len ? len : 1));
    uefi_call_wrapper(root->Close, 1, root);
    return st;
}
