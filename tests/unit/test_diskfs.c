/*
 * Unit tests for guest-kernel/kernel/diskfs.c, the program disk format's checks
 * (docs/diskfs.md): a sound directory as tools/mkdisk writes it, then each way a
 * hostile disk can lie (magic, version, count, checksum, names, places, lengths,
 * overlaps, duplicates, a directory or file past the end of the disk).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "diskfs.h"
#include <tandem/errno.h>

static struct diskfs_dir dir;
static const uint64_t DISK = 2048;      /* a 1 MiB disk */

static void reseal(void)
{
    size_t n = 64u * (1u + dir.hdr.count);

    dir.hdr.dir_checksum = 0;
    dir.hdr.dir_checksum = diskfs_fnv1a(DISKFS_FNV_INIT, &dir, n);
}

static void add(const char *name, uint64_t first, uint64_t len)
{
    struct diskfs_entry *e = &dir.ent[dir.hdr.count++];

    memset(e, 0, sizeof(*e));
    strncpy(e->name, name, sizeof(e->name));
    e->first_sector = first;
    e->length = len;
    e->checksum = 0x1234;
    reseal();
}

/* Two files: "hello" 3000 bytes at sector 1, "big" 64 KiB right after. */
static void fresh(void)
{
    memset(&dir, 0, sizeof(dir));
    memcpy(dir.hdr.magic, DISKFS_MAGIC, 8);
    dir.hdr.version = DISKFS_VERSION;
    dir.hdr.disk_sectors = DISK;
    add("hello", 1, 3000);
    add("big", 7, 65536);
}

static int check(size_t len, uint64_t sectors, int *bad, const char **why)
{
    size_t need;

    return diskfs_check(&dir, len, sectors, &need, why, bad);
}

static void expect_refused(int which, const char *text)
{
    const char *why;
    int bad;

    assert_int_equal(check(sizeof(dir), DISK, &bad, &why), -XEN_EINVAL);
    assert_int_equal(bad, which);
    assert_non_null(strstr(why, text));
}

static void test_sound(void **state)
{
    const char *why;
    int bad;

    (void)state;
    fresh();
    assert_int_equal(check(sizeof(dir), DISK, &bad, &why), 0);
    assert_ptr_equal(diskfs_find(&dir, "big"), &dir.ent[1]);
    assert_ptr_equal(diskfs_find(&dir, "hello"), &dir.ent[0]);
    assert_null(diskfs_find(&dir, "hell"));
    assert_null(diskfs_find(&dir, "hello2"));
    assert_null(diskfs_find(&dir, ""));
    assert_int_equal(diskfs_dir_sectors(0), 1);
    assert_int_equal(diskfs_dir_sectors(7), 1);
    assert_int_equal(diskfs_dir_sectors(8), 2);
    assert_int_equal(diskfs_dir_sectors(63), 8);
    /* A file ending exactly at the disk's end is fine. */
    dir.ent[1].length = (DISK - 7) * 512;
    reseal();
    assert_int_equal(check(sizeof(dir), DISK, &bad, &why), 0);
}

/* Only the header's sector read so far: how much more the directory needs. */
static void test_need_more(void **state)
{
    const char *why;
    size_t need = 1;
    int bad;

    (void)state;
    fresh();
    assert_int_equal(diskfs_check(&dir, 512, DISK, &need, &why, &bad), 0);
    assert_int_equal(need, 0);          /* 3 entries fit in the first sector */
    dir.ent[0].first_sector = 200;      /* out of the way of a directory of 2 sectors */
    for (int i = 0; i < 10; i++) {
        char name[8];
        snprintf(name, sizeof(name), "f%d", i);
        add(name, 300 + (uint64_t)i, 1);
    }
    assert_int_equal(diskfs_check(&dir, 512, DISK, &need, &why, &bad), 0);
    assert_int_equal(need, 1024);
    assert_int_equal(diskfs_check(&dir, 1024, DISK, &need, &why, &bad), 0);
    assert_int_equal(need, 0);
    assert_int_equal(diskfs_check(&dir, 100, DISK, &need, &why, &bad), -XEN_EINVAL);
}

static void test_header_refused(void **state)
{
    const char *why;
    int bad;

    (void)state;
    fresh();
    dir.hdr.magic[0] = 'X';
    expect_refused(-1, "magic");
    fresh();
    dir.hdr.version = 2;
    reseal();
    expect_refused(-1, "version");
    fresh();
    dir.hdr.count = 64;
    expect_refused(-1, "too many");
    fresh();
    dir.hdr.count = 0xffffffffu;
    expect_refused(-1, "too many");
    fresh();
    dir.hdr.reserved[5] = 1;
    reseal();
    expect_refused(-1, "reserved");
    fresh();
    dir.ent[0].name[1] = 'a';           /* one byte of the directory changed */
    expect_refused(-1, "checksum");
    fresh();
    dir.hdr.dir_checksum ^= 1;
    expect_refused(-1, "checksum");
    fresh();
    dir.hdr.count = 1;                  /* the checksum covers only the entries counted */
    expect_refused(-1, "checksum");
    /* A directory bigger than the disk. */
    fresh();
    while (dir.hdr.count < 20)
        add("x", 0, 0);
    assert_int_equal(check(sizeof(dir), 2, &bad, &why), -XEN_EINVAL);
    assert_non_null(strstr(why, "past the end"));
    assert_int_equal(check(sizeof(dir), 0, &bad, &why), -XEN_EINVAL);
}

static void test_entries_refused(void **state)
{
    static const char *const bad_names[] = { "", "a b", "a/b", "x\n", "\xff" };

    (void)state;
    for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
        fresh();
        memset(dir.ent[1].name, 0, DISKFS_NAME_LEN);
        memcpy(dir.ent[1].name, bad_names[i], strlen(bad_names[i]));
        reseal();
        expect_refused(1, "bad name");
    }
    fresh();
    memset(dir.ent[1].name, 'a', DISKFS_NAME_LEN);      /* no NUL */
    reseal();
    expect_refused(1, "bad name");
    fresh();
    dir.ent[1].name[10] = 'z';                          /* after the NUL */
    reseal();
    expect_refused(1, "bytes after its end");
    fresh();
    dir.ent[0].flags = 1;
    reseal();
    expect_refused(0, "flags");
    fresh();
    dir.ent[0].length = 0;
    reseal();
    expect_refused(0, "length");
    fresh();
    dir.ent[0].length = DISKFS_FILE_MAX + 1;
    reseal();
    expect_refused(0, "limit");
    fresh();
    dir.ent[0].length = UINT64_MAX;
    reseal();
    expect_refused(0, "limit");
    fresh();
    dir.ent[0].first_sector = 0;
    reseal();
    expect_refused(0, "inside the directory");
    fresh();
    dir.ent[1].first_sector = DISK - 1;                 /* 128 sectors from the last one */
    reseal();
    expect_refused(1, "past the end");
    fresh();
    dir.ent[1].first_sector = UINT64_MAX - 10;          /* no wrap-around */
    reseal();
    expect_refused(1, "past the end");
    fresh();
    dir.ent[1].first_sector = 5;                        /* hello is sectors 1..6 */
    reseal();
    expect_refused(1, "overlap");
    fresh();
    strcpy(dir.ent[1].name, "hello");
    reseal();
    expect_refused(1, "duplicate");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sound),
        cmocka_unit_test(test_need_more),
        cmocka_unit_test(test_header_refused),
        cmocka_unit_test(test_entries_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
