/*
 * diskfs.c: checks of the program disk format (diskfs.h, docs/diskfs.md).
 * Everything on the disk is hostile until checked here; pure code with no
 * calls out (no library either), host-tested by tests/unit/test_diskfs.c.
 */
#include "diskfs.h"
#include <tandem/errno.h>

uint64_t diskfs_fnv1a(uint64_t h, const void *p, size_t len)
{
    const uint8_t *b = p;

    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

unsigned int diskfs_dir_sectors(uint32_t count)
{
    return (unsigned int)((64u * (1u + count) + DISKFS_SECTOR - 1) / DISKFS_SECTOR);
}

bool diskfs_name_ok(const char *name, size_t max)
{
    size_t n = 0;

    for (; n < max && name[n]; n++) {
        char c = name[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '-' || c == '.'))
            return false;
    }
    return n > 0 && n < max;
}

static bool names_equal(const char *a, const char *b)
{
    size_t i = 0;

    for (; i < DISKFS_NAME_LEN && a[i] == b[i]; i++)
        if (!a[i])
            return true;
    return false;
}

static int fail(const char **why, int *bad, const char *text, int which)
{
    *why = text;
    *bad = which;
    return -XEN_EINVAL;
}

int diskfs_check(const void *buf, size_t len, uint64_t disk_sectors, size_t *need, const char **why, int *bad)
{
    const struct diskfs_dir *d = buf;
    const struct diskfs_header *h = &d->hdr;
    const uint8_t *bytes = buf;
    unsigned int dir_sectors;
    uint64_t sum;

    *need = 0;
    *why = "ok";
    *bad = -1;
    if (len < DISKFS_SECTOR || disk_sectors < 1)
        return fail(why, bad, "the disk is smaller than one sector", -1);
    for (unsigned int i = 0; i < 8; i++)
        if (h->magic[i] != DISKFS_MAGIC[i])
            return fail(why, bad, "bad magic (not a program disk)", -1);
    if (h->version != DISKFS_VERSION)
        return fail(why, bad, "unknown version", -1);
    if (h->count > DISKFS_MAX_ENTRIES)
        return fail(why, bad, "too many entries", -1);
    dir_sectors = diskfs_dir_sectors(h->count);
    if (dir_sectors > disk_sectors)
        return fail(why, bad, "the directory runs past the end of the disk", -1);
    if (len < (size_t)dir_sectors * DISKFS_SECTOR) {
        *need = (size_t)dir_sectors * DISKFS_SECTOR;
        return 0;
    }
    for (unsigned int i = 0; i < sizeof(h->reserved); i++)
        if (h->reserved[i])
            return fail(why, bad, "reserved header bytes are not 0", -1);
    /* The checksum covers the header (its own field as 0) and the entries. */
    sum = diskfs_fnv1a(DISKFS_FNV_INIT, bytes, 16);
    sum = diskfs_fnv1a(sum, "\0\0\0\0\0\0\0\0", 8);
    sum = diskfs_fnv1a(sum, bytes + 24, 64u * (1u + h->count) - 24);
    if (sum != h->dir_checksum)
        return fail(why, bad, "directory checksum mismatch (corrupt directory)", -1);
    for (uint32_t i = 0; i < h->count; i++) {
        const struct diskfs_entry *e = &d->ent[i];
        uint64_t sectors = (e->length + DISKFS_SECTOR - 1) / DISKFS_SECTOR;

        if (!diskfs_name_ok(e->name, DISKFS_NAME_LEN))
            return fail(why, bad, "bad name", (int)i);
        for (unsigned int k = 0; k < DISKFS_NAME_LEN; k++)
            if (k > 0 && !e->name[k - 1] && e->name[k])
                return fail(why, bad, "bad name (bytes after its end)", (int)i);
        if (e->flags || e->reserved)
            return fail(why, bad, "unknown flags", (int)i);
        if (!e->length || e->length > DISKFS_FILE_MAX)
            return fail(why, bad, "length 0 or beyond the limit (1 MiB)", (int)i);
        if (e->first_sector < dir_sectors)
            return fail(why, bad, "file inside the directory", (int)i);
        if (e->first_sector > disk_sectors || sectors > disk_sectors - e->first_sector)
            return fail(why, bad, "file runs past the end of the disk (truncated image?)", (int)i);
        for (uint32_t j = 0; j < i; j++) {
            const struct diskfs_entry *o = &d->ent[j];
            uint64_t os = (o->length + DISKFS_SECTOR - 1) / DISKFS_SECTOR;

            if (names_equal(o->name, e->name))
                return fail(why, bad, "duplicate name", (int)i);
            if (e->first_sector < o->first_sector + os && o->first_sector < e->first_sector + sectors)
                return fail(why, bad, "files overlap", (int)i);
        }
    }
    return 0;
}

const struct diskfs_entry *diskfs_find(const struct diskfs_dir *dir, const char *name)
{
    for (uint32_t i = 0; i < dir->hdr.count && i < DISKFS_MAX_ENTRIES; i++) {
        const char *a = dir->ent[i].name;
        size_t k = 0;

        while (k < DISKFS_NAME_LEN && a[k] && a[k] == name[k])
            k++;
        if (k < DISKFS_NAME_LEN && !a[k] && !name[k])
            return &dir->ent[i];
    }
    return NULL;
}
