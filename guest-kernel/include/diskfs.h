/*
 * diskfs.h: the program disk format (docs/diskfs.md): a directory of named
 * files (user programs, ELF) at the start of a disk, written by
 * `tools/mkdisk FILE SIZE programs:ELF[,ELF...]`, read by the bundled
 * kernel (kernel/diskprog.c: `disk ls xvda`, `run xvda:NAME`).
 *
 * Sector 0 begins with the 64-byte header; the entries follow it, 64 bytes
 * each, in sectors 0.. (the directory: 64 * (1 + count) bytes, at most 8
 * sectors). Files are whole sectors after the directory, each starting on
 * a sector boundary. Integers are little-endian.
 *
 * The disk is not trusted: kernel/diskfs.c checks a directory (magic,
 * version, count, checksum, every entry's name, place and length against
 * the real disk) before anything uses it, and a file's checksum after it is
 * read. Pure code (no kernel calls): tests/unit/test_diskfs.c runs it on
 * the host.
 */
#ifndef GUEST_DISKFS_H
#define GUEST_DISKFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DISKFS_MAGIC            "TANDEMFS"      /* 8 bytes, no NUL */
#define DISKFS_VERSION          1u
#define DISKFS_SECTOR           512u
#define DISKFS_MAX_ENTRIES      63u             /* header + 63 entries = 4 KiB */
#define DISKFS_DIR_MAX_SECTORS  8u
#define DISKFS_NAME_LEN         32u             /* NUL-terminated, NUL-padded: 1..31 characters */
#define DISKFS_FILE_MAX         (1u << 20)      /* bytes: the most a file may have */

struct diskfs_header {
    char     magic[8];          /* DISKFS_MAGIC */
    uint32_t version;           /* DISKFS_VERSION */
    uint32_t count;             /* entries, 0..DISKFS_MAX_ENTRIES */
    uint64_t dir_checksum;      /* diskfs_fnv1a of the directory's 64 * (1 + count) bytes, this field 0 */
    uint64_t disk_sectors;      /* the image's size when it was made (information only) */
    uint8_t  reserved[32];      /* 0 */
};

struct diskfs_entry {
    char     name[DISKFS_NAME_LEN];     /* [A-Za-z0-9_.-], 1..31, then NULs */
    uint64_t first_sector;      /* >= the directory's sectors */
    uint64_t length;            /* bytes, 1..DISKFS_FILE_MAX; the file fills ceil(length / 512) sectors */
    uint64_t checksum;          /* diskfs_fnv1a of its length bytes */
    uint32_t flags;             /* 0 */
    uint32_t reserved;          /* 0 */
};

/* The largest directory, as read from the disk. */
struct diskfs_dir {
    struct diskfs_header hdr;
    struct diskfs_entry ent[DISKFS_MAX_ENTRIES];
};

_Static_assert(sizeof(struct diskfs_header) == 64, "diskfs header is 64 bytes");
_Static_assert(sizeof(struct diskfs_entry) == 64, "diskfs entry is 64 bytes");
_Static_assert(sizeof(struct diskfs_dir) == DISKFS_DIR_MAX_SECTORS * DISKFS_SECTOR, "diskfs directory is 4 KiB");

/* FNV-1a, 64 bits (offset basis DISKFS_FNV_INIT): the format's checksum. */
#define DISKFS_FNV_INIT 0xcbf29ce484222325ULL
uint64_t diskfs_fnv1a(uint64_t h, const void *p, size_t len);

/* Sectors the directory of a header with `count` entries occupies (count <= max). */
unsigned int diskfs_dir_sectors(uint32_t count);

/*
 * Check the first `len` bytes of a disk of `disk_sectors` sectors (len: at
 * least the header's sector; the whole directory once the header said how
 * big it is; 0 if a larger read is needed first: then *need is set).
 * 0 if the directory is sound, else -XEN_EINVAL with *why a message and
 * *bad the entry at fault (-1: the header).
 */
int diskfs_check(const void *buf, size_t len, uint64_t disk_sectors, size_t *need, const char **why, int *bad);

/* The entry named `name` of a checked directory, or NULL. */
const struct diskfs_entry *diskfs_find(const struct diskfs_dir *dir, const char *name);

/* Whether `name` is a valid entry name (what diskfs_check demands of entries). */
bool diskfs_name_ok(const char *name, size_t max);

#endif
