/*
 * diskprog.c: user programs from a program disk (docs/diskfs.md) on a vbd
 * (xvd.h): `disk ls|check DISK`, and exec's loader for names "DISK:NAME"
 * (exec_loader, proc.h), so `run xvda:hello` or a process's exec of
 * "xvda:hello" runs a program that is not built into the kernel.
 *
 * The disk is not trusted. The directory is checked whole (diskfs.c) before
 * any entry is used, a file's checksum after it is read, and the ELF image
 * by exec's loader as a built-in one is; every refusal is one message line
 * "DISK: ..." and an error, never a crash.
 */
#include "kernel.h"
#include "mm.h"
#include "proc.h"
#include "kalloc.h"
#include "xvd.h"
#include "diskfs.h"
#include <tandem/errno.h>

#define CONNECT_WAIT_NS 10000000000ULL          /* a disk still connecting at boot */

static const char *rc_text(int rc)
{
    switch (rc) {
    case -XEN_ENOTCONN: return "not connected";
    case -XEN_EIO: return "I/O error";
    case -XEN_ETIMEDOUT: return "timed out";
    case -XEN_EINVAL: return "invalid";
    case -XEN_ENOMEM: return "out of memory";
    default: return "error";
    }
}

static struct xvd *disk_open(const char *name)
{
    struct xvd *d = xvd_by_name(name);

    if (!d) {
        printk("%s: no such disk\n", name);
        return NULL;
    }
    if (!xvd_wait_connected(d, CONNECT_WAIT_NS)) {
        printk("%s: not connected\n", name);
        return NULL;
    }
    return d;
}

/* Read and check the directory of d: 0, or -errno after one message line. */
static int dir_read(struct xvd *d, struct diskfs_dir *dir)
{
    uint64_t sectors = xvd_sectors(d);
    uint32_t n = sectors < DISKFS_DIR_MAX_SECTORS ? (uint32_t)sectors : DISKFS_DIR_MAX_SECTORS;
    const char *why;
    size_t need;
    int rc, bad;

    memset(dir, 0, sizeof(*dir));
    if (n && (rc = xvd_read(d, 0, n, dir))) {
        printk("%s: cannot read the directory: %s (%d)\n", xvd_name(d), rc_text(rc), rc);
        return rc;
    }
    if ((rc = diskfs_check(dir, (size_t)n * DISKFS_SECTOR, sectors, &need, &why, &bad))) {
        if (bad < 0)
            printk("%s: not a valid program disk: %s\n", xvd_name(d), why);
        else
            printk("%s: not a valid program disk: entry %d: %s\n", xvd_name(d), bad, why);
        return rc;
    }
    return 0;
}

/* The file of entry e into fresh contiguous pages, its checksum checked: the image, or NULL. */
static uint8_t *file_read(struct xvd *d, const struct diskfs_entry *e, int *err)
{
    uint32_t sectors = (uint32_t)((e->length + DISKFS_SECTOR - 1) / DISKFS_SECTOR);
    unsigned int pages = (sectors * DISKFS_SECTOR + PAGE_SIZE - 1) / PAGE_SIZE;
    uint64_t pfn = alloc_pages(pages, PG_KERNEL);
    uint8_t *buf;
    int rc;

    if (!pfn) {
        printk("%s: %s: %lu bytes: out of memory\n", xvd_name(d), e->name, (unsigned long)e->length);
        *err = -XEN_ENOMEM;
        return NULL;
    }
    buf = pfn_to_virt(pfn);
    if ((rc = xvd_read(d, e->first_sector, sectors, buf))) {
        printk("%s: %s: read failed: %s (%d)\n", xvd_name(d), e->name, rc_text(rc), rc);
        free_pages(pfn, pages, PG_KERNEL);
        *err = rc;
        return NULL;
    }
    if (diskfs_fnv1a(DISKFS_FNV_INIT, buf, e->length) != e->checksum) {
        printk("%s: %s: checksum mismatch (corrupt file)\n", xvd_name(d), e->name);
        free_pages(pfn, pages, PG_KERNEL);
        *err = -XEN_EIO;
        return NULL;
    }
    *err = 0;
    return buf;
}

static void file_free(uint8_t *buf, uint64_t length)
{
    unsigned int pages = (unsigned int)(((length + DISKFS_SECTOR - 1) / DISKFS_SECTOR * DISKFS_SECTOR +
                                         PAGE_SIZE - 1) / PAGE_SIZE);

    free_pages(virt_to_pfn(buf), pages, PG_KERNEL);
}

/* exec_loader: "DISK:NAME" (both checked here) into out. */
static int disk_load(const char *path, struct program *out)
{
    const char *colon = strchr(path, ':');
    char dev[8];
    struct diskfs_dir *dir;
    const struct diskfs_entry *e;
    struct xvd *d;
    int rc;

    if (!colon || colon == path || (size_t)(colon - path) >= sizeof(dev) ||
        !diskfs_name_ok(colon + 1, DISKFS_NAME_LEN)) {
        printk("%s: not DISK:NAME\n", path);
        return -XEN_ENOENT;
    }
    memcpy(dev, path, (size_t)(colon - path));
    dev[colon - path] = 0;
    if (!(d = disk_open(dev)))
        return -XEN_ENODEV;
    if (!(dir = kalloc(sizeof(*dir))))
        return -XEN_ENOMEM;
    if ((rc = dir_read(d, dir))) {
        kfree(dir);
        return rc;
    }
    if (!(e = diskfs_find(dir, colon + 1))) {
        printk("%s: no program '%s' on it\n", dev, colon + 1);
        kfree(dir);
        return -XEN_ENOENT;
    }
    out->name = path;
    out->size = e->length;
    out->elf = file_read(d, e, &rc);
    kfree(dir);
    return out->elf ? 0 : rc;
}

static void disk_unload(struct program *prog)
{
    file_free((uint8_t *)prog->elf, prog->size);
    prog->elf = NULL;
}

void diskprog_init(void)
{
    exec_loader = disk_load;
    exec_unloader = disk_unload;
}

/* `disk ls DISK`: the directory; `disk check DISK`: every file read and its checksum checked. */
static void disk_list(const char *name, bool check)
{
    struct diskfs_dir *dir;
    struct xvd *d;
    unsigned int good = 0;

    if (!(d = disk_open(name)))
        return;
    if (!(dir = kalloc(sizeof(*dir)))) {
        printk("%s: out of memory\n", name);
        return;
    }
    if (dir_read(d, dir)) {
        kfree(dir);
        return;
    }
    printk("%s: program disk, %u file%s, %lu sectors\n", name, dir->hdr.count, dir->hdr.count == 1 ? "" : "s",
           (unsigned long)xvd_sectors(d));
    for (uint32_t i = 0; i < dir->hdr.count; i++) {
        const struct diskfs_entry *e = &dir->ent[i];
        uint8_t *buf;
        int rc;

        printk("  %-16s %7lu bytes  sectors %lu+%lu  checksum %016lx\n", e->name, (unsigned long)e->length,
               (unsigned long)e->first_sector, (unsigned long)((e->length + DISKFS_SECTOR - 1) / DISKFS_SECTOR),
               (unsigned long)e->checksum);
        if (check && (buf = file_read(d, e, &rc))) {
            good++;
            file_free(buf, e->length);
        }
    }
    if (check)
        printk("%s: %u of %u files intact\n", name, good, dir->hdr.count);
    kfree(dir);
}

bool diskprog_command(char **w, int nw)
{
    if (nw < 1 || strcmp(w[0], "disk"))
        return false;
    if (nw == 3 && !strcmp(w[1], "ls"))
        disk_list(w[2], false);
    else if (nw == 3 && !strcmp(w[1], "check"))
        disk_list(w[2], true);
    else
        printk("disk ls DISK | check DISK (a program disk, docs/diskfs.md); run DISK:NAME [ARGS] runs one\n");
    return true;
}
