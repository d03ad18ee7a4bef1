/* Parses the domain configuration file (docs/configuration.md); pure, host-tested. */
#include "types.h"
#include "lib.h"
#include "domconfig.h"
#include "cmdline.h"

enum dc_type { DC_NAME, DC_MODULE, DC_CMDLINE, DC_SIZE, DC_UINT, DC_BOOL, DC_DEVICES, DC_DISKS,
               DC_VIF, DC_NIC, DC_TYPE, DC_PAGING };

struct dc_field {
    const char *key;
    enum dc_type type;
    size_t off;             /* offset in struct domconfig_dom */
    uint64_t min, max;      /* DC_UINT range */
};

#define F(k, t, m, lo, hi) { k, t, offsetof(struct domconfig_dom, m), lo, hi }
static const struct dc_field fields[] = {
    F("name",       DC_NAME,    name,       0, 0),
    F("kernel",     DC_MODULE,  kernel,     0, 0),
    F("ramdisk",    DC_MODULE,  ramdisk,    0, 0),
    F("cmdline",    DC_CMDLINE, cmdline,    0, 0),
    F("memory",     DC_SIZE,    memory,     0, 0),
    F("maxmem",     DC_SIZE,    maxmem,     0, 0),
    F("vcpus",      DC_UINT,    vcpus,      1, DOMCONFIG_MAX_VCPUS),
    F("weight",     DC_UINT,    weight,     1, 65535),
    F("cap",        DC_UINT,    cap,        0, 100 * DOMCONFIG_MAX_VCPUS),
    F("privileged", DC_BOOL,    privileged, 0, 0),
    F("store",      DC_BOOL,    store,      0, 0),
    F("driver",     DC_BOOL,    driver,     0, 0),
    F("devices",    DC_DEVICES, devices,    0, 0),
    F("disk",       DC_DISKS,   nr_disks,   0, 0),
    F("vif",        DC_VIF,     vif,        0, 0),
    F("nic",        DC_NIC,     nic,        0, 0),
    F("type",       DC_TYPE,    hvm,        0, 0),
    F("dm",         DC_NAME,    dm,         0, 0),
    F("paging",     DC_PAGING,  shadow_paging, 0, 0),
    F("max_grant_frames",    DC_UINT, max_grant_frames,    1, DOMCONFIG_MAX_GRANT_FRAMES),
    F("max_maptrack_frames", DC_UINT, max_maptrack_frames, 0, DOMCONFIG_MAX_MAPTRACK_FRAMES),
};
#undef F

#define DC_MEM_MAX  (1ULL << 40)        /* 1 TiB: beyond any machine Tandem runs on */
static const char DC_RANGE[] = "out of range";

static int dc_fail(struct domconfig_error *err, unsigned int line, const char *field,
                   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int dc_fail(struct domconfig_error *err, unsigned int line, const char *field,
                   const char *fmt, ...)
{
    va_list ap;

    err->line = line;
    snprintf(err->field, sizeof(err->field), "%s", field);
    va_start(ap, fmt);
    vsnprintf(err->why, sizeof(err->why), fmt, ap);
    va_end(ap);
    return -1;
}

static bool dc_space(char c)
{
    return c == ' ' || c == '\t';
}

/* "64" (MiB, as xl), "64M", "65536K", "1G". */
static const char *dc_size(const char *s, uint64_t *v)
{
    const char *end, *why = parse_number(s, v, &end);
    unsigned int shift = 20;

    if (why)
        return why;
    switch (*end | 0x20) {
    case 'k': shift = 10; end++; break;
    case 'm': shift = 20; end++; break;
    case 'g': shift = 30; end++; break;
    }
    if (*end)
        return "bad size (a number of MiB, or with a K, M or G suffix)";
    if (*v > (DC_MEM_MAX >> shift))
        return "too large (at most 1 TiB)";
    *v <<= shift;
    if (*v < (1ULL << 20))
        return "too small (at least 1 MiB)";
    if (*v & 4095)
        return "not a multiple of 4 KiB";
    return NULL;
}

static const char *dc_bool(const char *s, bool *b)
{
    return parse_bool(s, b) ? NULL : "not a boolean (use 1/0, yes/no, on/off, true/false)";
}

static const char *dc_name(const char *s)
{
    size_t n = strlen(s);

    if (n == 0)
        return "empty";
    if (n >= DOMCONFIG_NAME_LEN)
        return "too long (at most 31 characters)";
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.'))
            return "may only hold letters, digits, '-', '_' and '.'";
    return NULL;
}

/* One "TYPE/ID" of devices= in [s, e) into *dev; NULL or why it is bad. */
static const char *dc_device(const char *s, const char *e, struct domconfig_device *dev)
{
    const char *slash = s;
    uint64_t id = 0;

    while (slash < e && *slash != '/')
        slash++;
    if (slash == s || slash == e || slash + 1 == e)
        return "each device is TYPE/ID (e.g. vbd/51712), separated by commas";
    if (slash - s >= DOMCONFIG_DEVTYPE_LEN)
        return "a device type is at most 15 characters";
    for (const char *p = s; p < slash; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')))
            return "a device type may only hold a-z and 0-9";
    for (const char *p = slash + 1; p < e; p++) {
        if (*p < '0' || *p > '9')
            return "a device id is a decimal number (no sign)";
        id = id * 10 + (uint64_t)(*p - '0');
        if (id > 0xffffffffULL)
            return "a device id is below 2^32";
    }
    *dev = (struct domconfig_device){ .id = (uint32_t)id, .backend = DOMID_INVALID };
    memcpy(dev->type, s, (size_t)(slash - s));
    return NULL;
}

/* devices=TYPE/ID[,TYPE/ID...]: at most DOMCONFIG_MAX_DEVICES, no TYPE/ID twice. */
BUILD_BUG_ON(DOMCONFIG_MAX_DEVICES != 8);      /* as the message below says */
static const char *dc_devices(const char *v, struct domconfig_dom *d)
{
    const char *why, *e;

    d->nr_devices = 0;
    for (;; v = e + 1) {
        struct domconfig_device dev;

        for (e = v; *e && *e != ','; e++)
            ;
        if ((why = dc_device(v, e, &dev)) != NULL)
            return why;
        for (unsigned int i = 0; i < d->nr_devices; i++)
            if (d->devices[i].id == dev.id && !strcmp(d->devices[i].type, dev.type))
                return "a device is given twice";
        if (d->nr_devices == DOMCONFIG_MAX_DEVICES)
            return "too many devices (at most 8)";
        d->devices[d->nr_devices++] = dev;
        if (!*e)
            return NULL;
    }
}

/* A disk option's SIZE: bytes, or with a K, M or G suffix; a multiple of 512, at most 1 PiB. */
static const char *dc_disk_bytes(const char *s, uint64_t *v)
{
    const char *end, *why = parse_number(s, v, &end);
    unsigned int shift = 0;

    if (why)
        return "a disk SIZE is a number of bytes, or with a K, M or G suffix";
    switch (*end | 0x20) {
    case 'k': shift = 10; end++; break;
    case 'm': shift = 20; end++; break;
    case 'g': shift = 30; end++; break;
    }
    if (*end)
        return "a disk SIZE is a number of bytes, or with a K, M or G suffix";
    if (*v > (DOMCONFIG_DISK_BYTES_MAX >> shift))
        return "a disk SIZE is at most 1 PiB";
    *v <<= shift;
    if (*v & 511)
        return "a disk SIZE is a multiple of 512 bytes";
    return NULL;
}

/* One option of a disk= entry (NUL-terminated) into *k; NULL or why it is bad. */
static const char *dc_disk_option(const char *o, struct domconfig_disk *k)
{
    const char *why;

    if (!strncmp(o, "mode=", 5)) {
        if (k->has_mode)
            return "a disk option is given twice";
        k->has_mode = true;
        if (strcmp(o + 5, "r") && strcmp(o + 5, "w"))
            return "mode= is r (read-only) or w (read-write)";
        k->readonly = o[5] == 'r';
        return NULL;
    }
    if (!strncmp(o, "start=", 6)) {
        if (k->has_start)
            return "a disk option is given twice";
        k->has_start = true;
        return dc_disk_bytes(o + 6, &k->start);
    }
    if (!strncmp(o, "size=", 5)) {
        if (k->has_size)
            return "a disk option is given twice";
        k->has_size = true;
        if ((why = dc_disk_bytes(o + 5, &k->size)) != NULL)
            return why;
        return k->size ? NULL : "size=0: a region holds at least one sector";
    }
    return "a disk option is mode=r, mode=w, start=SIZE or size=SIZE";
}

/*
 * disk=IMAGE[:OPT...][,IMAGE[:OPT...]...]: the images are the toolstack's (tools/tandem-run
 * opens them); the hypervisor keeps their names and options, to give the domain its vbd
 * devices. Checks across entries (an image named twice) are dc_check_images'.
 */
BUILD_BUG_ON(DOMCONFIG_MAX_DISKS != 4);         /* as the message below says */
static const char *dc_disks(const char *v, struct domconfig_dom *d)
{
    const char *e, *c, *why;

    d->nr_disks = 0;
    for (;; v = e + 1) {
        struct domconfig_disk *k;
        size_t n;

        for (e = v; *e && *e != ','; e++)
            if (dc_space(*e))
                return "an image name holds no blanks";
        for (c = v; c < e && *c != ':'; c++)
            ;
        if (c == v)
            return "each disk is an image file name, separated by commas";
        if (c - v > DOMCONFIG_DISK_NAME_MAX)
            return "an image name is at most 255 characters";
        if (d->nr_disks == DOMCONFIG_MAX_DISKS)
            return "too many disks (at most 4)";
        k = &d->disks[d->nr_disks++];
        memset(k, 0, sizeof(*k));
        memcpy(k->image, v, (size_t)(c - v));
        while (c < e) {                 /* c at a ':' */
            char opt[32];
            const char *o = ++c;
            for (; c < e && *c != ':'; c++)
                ;
            n = (size_t)(c - o);
            if (n >= sizeof(opt))
                return "a disk option is mode=r, mode=w, start=SIZE or size=SIZE";
            memcpy(opt, o, n);
            opt[n] = 0;
            if ((why = dc_disk_option(opt, k)) != NULL)
                return why;
        }
        if (k->has_start && !k->has_size)
            return "start= needs size= (a region has both)";
        if (!*e)
            return NULL;
    }
}

static int dc_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* "XX:XX:XX:XX:XX:XX" into mac[6]; NULL or why it is bad. */
static const char *dc_mac(const char *s, uint8_t mac[6])
{
    unsigned int any = 0;

    for (unsigned int i = 0; i < 6; i++, s += 3) {
        int hi = dc_hex(s[0]), lo = hi < 0 ? -1 : dc_hex(s[1]);

        if (lo < 0 || s[2] != (i == 5 ? '\0' : ':'))
            return "a MAC is six hex pairs separated by ':' (e.g. 00:16:3e:00:00:01)";
        mac[i] = (uint8_t)(hi << 4 | lo);
        any |= mac[i];
    }
    if (mac[0] & 1)
        return "a multicast MAC (the first octet is odd) cannot name an interface";
    if (!any)
        return "the MAC 00:00:00:00:00:00 names no interface";
    return NULL;
}

/* vif= (defaults) or vif=mac=MAC: one network interface on the driver domain's uplink. */
static const char *dc_vif(const char *v, struct domconfig_dom *d)
{
    d->vif = true;
    d->vif_has_mac = false;
    if (!*v)
        return NULL;
    if (strncmp(v, "mac=", 4))
        return "the only vif setting is mac=XX:XX:XX:XX:XX:XX (or vif= for the defaults)";
    d->vif_has_mac = true;
    return dc_mac(v + 4, d->vif_mac);
}

/*
 * nic=ne2000 or nic=ne2000:mac=MAC (type=hvm, docs/configuration.md): the emulated NIC the
 * device model gives the domain. NE2000 is the only model; without nic= there is none.
 */
static const char *dc_nic(const char *v, struct domconfig_dom *d)
{
    static const char usage[] = "the NIC model is ne2000 (nic=ne2000 or nic=ne2000:mac=XX:XX:XX:XX:XX:XX)";

    d->nic_has_mac = false;
    if (strncmp(v, "ne2000", 6) || (v[6] && v[6] != ':'))
        return usage;
    d->nic = true;
    if (!v[6])
        return NULL;
    if (strncmp(v + 7, "mac=", 4))
        return usage;
    d->nic_has_mac = true;
    return dc_mac(v + 11, d->nic_mac);
}

/* Store value v into d as field f; NULL or why it is bad. */
static const char *dc_store(const struct dc_field *f, struct domconfig_dom *d, const char *v)
{
    void *p = (char *)d + f->off;
    uint64_t n;
    const char *why, *end;

    switch (f->type) {
    case DC_NAME:
        if ((why = dc_name(v)) != NULL)
            return why;
        memcpy(p, v, strlen(v) + 1);
        return NULL;
    case DC_MODULE:
        if (!*v)
            return "empty";
        if (strlen(v) >= DOMCONFIG_MODULE_LEN)
            return "too long (at most 63 characters)";
        memcpy(p, v, strlen(v) + 1);
        return NULL;
    case DC_CMDLINE:
        if (strlen(v) >= DOMCONFIG_CMDLINE_LEN)
            return "too long (at most 1023 characters)";
        memcpy(p, v, strlen(v) + 1);
        d->has_cmdline = true;
        return NULL;
    case DC_SIZE:
        return dc_size(v, (uint64_t *)p);
    case DC_UINT:
        if ((why = parse_number(v, &n, &end)) != NULL)
            return why;
        if (*end)
            return "not a number";
        if (n < f->min || n > f->max)
            return DC_RANGE;
        *(unsigned int *)p = (unsigned int)n;
        return NULL;
    case DC_BOOL:
        return dc_bool(v, (bool *)p);
    case DC_DEVICES:
        return dc_devices(v, d);
    case DC_DISKS:
        return dc_disks(v, d);
    case DC_VIF:
        return dc_vif(v, d);
    case DC_NIC:
        return dc_nic(v, d);
    case DC_TYPE:
        if (strcmp(v, "pv") && strcmp(v, "hvm"))
            return "not pv or hvm";
        d->hvm = !strcmp(v, "hvm");
        return NULL;
    case DC_PAGING:
        if (strcmp(v, "npt") && strcmp(v, "shadow"))
            return "not npt or shadow";
        d->shadow_paging = !strcmp(v, "shadow");
        d->has_paging = true;
        return NULL;
    }
    return "unknown type";
}

static const struct dc_field *dc_find(const char *key)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(fields); i++)
        if (!strcmp(key, fields[i].key))
            return &fields[i];
    return NULL;
}

/*
 * Split "key=value" at *pp into key[] and val[] (quotes removed, \" and \\
 * unescaped inside quotes); advance *pp past it. NULL or why it is bad.
 */
static const char *dc_token(const char **pp, char *key, size_t keysz, char *val, size_t valsz)
{
    const char *p = *pp;
    size_t n = 0;

    while (*p && *p != '=' && !dc_space(*p))
        if (n + 1 < keysz)
            key[n++] = *p++;
        else
            p++;
    key[n] = '\0';
    if (*p != '=')
        return "missing '=value'";
    p++;
    n = 0;
    if (*p == '"') {
        for (p++; *p && *p != '"'; p++) {
            if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                p++;
            if (n + 1 < valsz)
                val[n++] = *p;
        }
        if (*p != '"')
            return "unterminated quoted value";
        p++;
        if (*p && !dc_space(*p))
            return "text after the closing quote";
    } else {
        for (; *p && !dc_space(*p); p++) {
            if (*p == '"')
                return "a quote inside an unquoted value";
            if (n + 1 < valsz)
                val[n++] = *p;
        }
    }
    val[n] = '\0';
    *pp = p;
    return NULL;
}

/* The device disk= or vif= implies, after devices=: it may be given there already. */
static int dc_add_device(struct domconfig_dom *d, const struct domconfig_device *dev, const char *field,
                         struct domconfig_error *err)
{
    for (unsigned int i = 0; i < d->nr_devices; i++)
        if (d->devices[i].id == dev->id && !strcmp(d->devices[i].type, dev->type))
            return dc_fail(err, d->line, field, "gives %s/%u, which devices= gives too", dev->type,
                           (unsigned int)dev->id);
    if (d->nr_devices == DOMCONFIG_MAX_DEVICES)
        return dc_fail(err, d->line, field,
                       "too many devices (at most %u, with devices=, disk= and vif= together)",
                       DOMCONFIG_MAX_DEVICES);
    d->devices[d->nr_devices++] = *dev;
    return 0;
}

/* The driver domain's own disks are its devices (it drives them itself): no vbd for them. */
static int dc_add_disk_vif_devices(struct domconfig_dom *d, struct domconfig_error *err)
{
    struct domconfig_device dev;

    for (unsigned int i = 0; i < d->nr_disks && !d->driver; i++) {
        const struct domconfig_disk *k = &d->disks[i];
        /* An HVM domain's disks are emulated IDE drives (ide/0 the master, ide/1 the slave). */
        dev = d->hvm ? (struct domconfig_device){ .type = "ide", .id = i, .flags = TANDEM_DEVICE_disk,
                                                  .backend = DOMID_INVALID } :
                       (struct domconfig_device){ .type = "vbd", .id = DOMCONFIG_VBD_BASE + DOMCONFIG_VBD_STEP * i,
                                                  .flags = TANDEM_DEVICE_disk, .backend = DOMID_INVALID };
        if (k->readonly)
            dev.flags |= TANDEM_DEVICE_readonly;
        if (k->has_size) {
            dev.flags |= TANDEM_DEVICE_region;
            dev.region_start = k->start >> 9;
            dev.region_sectors = k->size >> 9;
        }
        memcpy(dev.serial, k->serial, sizeof(dev.serial));
        if (dc_add_device(d, &dev, "disk", err))
            return -1;
    }
    dev = (struct domconfig_device){ .type = "vif", .id = 0, .flags = TANDEM_DEVICE_vif,
                                     .backend = DOMID_INVALID };
    if (d->vif_has_mac) {               /* vif=mac=: its text in serial (getdevice) */
        const uint8_t *m = d->vif_mac;

        dev.flags |= TANDEM_DEVICE_mac;
        snprintf(dev.serial, sizeof(dev.serial), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                 m[5]);
    }
    if (d->vif && dc_add_device(d, &dev, "vif", err))
        return -1;
    /* An HVM domain's nic=: device ne2k/0 of its device model (the driver domain), MAC as vif='s. */
    dev = (struct domconfig_device){ .type = "ne2k", .id = 0, .flags = TANDEM_DEVICE_vif, .backend = DOMID_INVALID };
    if (d->nic_has_mac) {
        const uint8_t *m = d->nic_mac;

        dev.flags |= TANDEM_DEVICE_mac;
        snprintf(dev.serial, sizeof(dev.serial), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
                 m[5]);
    }
    return d->nic ? dc_add_device(d, &dev, "nic", err) : 0;
}

/*
 * Each disk of d against the entries before it (earlier lines, then d's earlier disks): one
 * image may be named by several entries only if each has size= and no two regions overlap;
 * every entry gets the serial NAME/INDEX of the first entry naming its image (tandem-run
 * attaches each image once, with that serial). Images are told apart by name, as written.
 */
static int dc_check_images(const struct domconfig *cfg, struct domconfig_dom *d,
                           struct domconfig_error *err)
{
    for (unsigned int j = 0; j < d->nr_disks; j++) {
        struct domconfig_disk *k = &d->disks[j];
        char serial[DOMCONFIG_SERIAL_LEN];
        bool first = true;
        snprintf(serial, sizeof(serial), "%s/%u", d->name, j);  /* fits: the name is checked */
        memcpy(k->serial, serial, sizeof(serial));
        for (unsigned int m = 0; m <= cfg->nr; m++) {
            const struct domconfig_dom *o = m < cfg->nr ? &cfg->dom[m] : d;
            for (unsigned int i = 0; i < (o == d ? j : o->nr_disks); i++) {
                const struct domconfig_disk *p = &o->disks[i];
                if (strcmp(p->image, k->image))
                    continue;
                if (!p->has_size || !k->has_size)
                    return dc_fail(err, d->line, "disk", "disk %u names the same image as disk %u of "
                                   "line %u: an image named more than once needs size= in every entry",
                                   j, i, o->line);
                if (k->start < p->start + p->size && p->start < k->start + k->size)
                    return dc_fail(err, d->line, "disk", "disk %u overlaps disk %u of line %u (the "
                                   "regions of one image may not overlap)", j, i, o->line);
                if (first)
                    memcpy(k->serial, p->serial, sizeof(k->serial));
                first = false;
            }
        }
    }
    return 0;
}

/* Whole-line checks once every field of a domain line is known. */
static int dc_check_domain(struct domconfig *cfg, struct domconfig_dom *d,
                           struct domconfig_error *err)
{
    if (!d->name[0])
        return dc_fail(err, d->line, "name", "missing (every domain needs a name)");
    if (!d->kernel[0])
        return dc_fail(err, d->line, "kernel", "missing (every domain needs a kernel)");
    if (d->maxmem && d->maxmem < (d->memory ? d->memory : d->maxmem))
        return dc_fail(err, d->line, "maxmem", "smaller than memory");
    if (d->cap > 100 * d->vcpus)
        return dc_fail(err, d->line, "cap", "above 100%% per vCPU (%u vCPUs: at most %u)",
                       d->vcpus, 100 * d->vcpus);
    if (d->hvm && (d->privileged || d->store || d->driver))
        return dc_fail(err, d->line, "type", "an HVM domain cannot be privileged, the store or the "
                       "driver domain (those are PV)");
    if (d->hvm && (d->ramdisk[0] || d->nr_devices || d->vif))
        return dc_fail(err, d->line, "type", "an HVM domain has no ramdisk, devices or vif yet "
                       "(docs/hvm.md)");
    if (d->nic && !d->hvm)
        return dc_fail(err, d->line, "nic", "only an HVM domain has an emulated NIC (a PV domain's "
                       "network is vif=)");
    if (d->hvm && d->nr_disks > DOMCONFIG_HVM_DISKS)
        return dc_fail(err, d->line, "disk", "an HVM domain has at most %u emulated disks (the IDE "
                       "primary channel's master and slave: docs/devmodel.md)", DOMCONFIG_HVM_DISKS);
    if (d->dm[0] && !d->hvm)
        return dc_fail(err, d->line, "dm", "only an HVM domain has a device model domain");
    if (d->has_paging && !d->hvm)
        return dc_fail(err, d->line, "paging", "only for type=hvm domains (PV domains manage their "
                       "own page tables)");
    if (d->hvm && d->vcpus > 1)
        return dc_fail(err, d->line, "type", "an HVM domain has one vCPU for now");
    if (d->store && !d->privileged)
        return dc_fail(err, d->line, "store",
                       "only the privileged domain may serve the store (add privileged=yes)");
    if (d->nr_disks && strlen(d->name) > DOMCONFIG_DISK_OWNER_MAX)
        return dc_fail(err, d->line, "name", "'%s': a domain with disks has a name of at most %u "
                       "characters (its disks' serials are NAME/INDEX)", d->name,
                       DOMCONFIG_DISK_OWNER_MAX);
    for (unsigned int i = 0; i < d->nr_disks && d->driver; i++)
        if (d->disks[i].has_mode || d->disks[i].has_start || d->disks[i].has_size)
            return dc_fail(err, d->line, "disk", "disk %u: the driver domain drives its own disks "
                           "whole (no mode=, start= or size=)", i);
    if (dc_check_images(cfg, d, err) || dc_add_disk_vif_devices(d, err))
        return -1;
    for (unsigned int i = 0; i < cfg->nr; i++) {
        if (!strcmp(cfg->dom[i].name, d->name))
            return dc_fail(err, d->line, "name", "'%s' is already the name of line %u",
                           d->name, cfg->dom[i].line);
        if (d->store && cfg->dom[i].store)
            return dc_fail(err, d->line, "store",
                           "only one domain may serve the store (line %u does)", cfg->dom[i].line);
        if (d->privileged && cfg->dom[i].privileged)
            return dc_fail(err, d->line, "privileged",
                           "only one domain may be privileged (line %u is)", cfg->dom[i].line);
        if (d->driver && cfg->dom[i].driver)
            return dc_fail(err, d->line, "driver",
                           "only one domain may be the driver domain (line %u is)", cfg->dom[i].line);
    }
    return 0;
}

static int dc_parse_domain(struct domconfig *cfg, const char *p, unsigned int line,
                           struct domconfig_error *err)
{
    struct domconfig_dom *d;
    char key[24], val[DOMCONFIG_CMDLINE_LEN + 1];
    unsigned int seen = 0;
    const struct dc_field *f;
    const char *why;

    if (cfg->nr == DOMCONFIG_MAX_DOMAINS)
        return dc_fail(err, line, "", "too many domains (at most %u)", DOMCONFIG_MAX_DOMAINS);
    d = &cfg->dom[cfg->nr];
    *d = (struct domconfig_dom){ .line = line, .vcpus = 1, .weight = DOMCONFIG_DEFAULT_WEIGHT,
                                 .max_grant_frames = DOMCONFIG_MAX_GRANT_FRAMES,
                                 .max_maptrack_frames = DOMCONFIG_MAX_MAPTRACK_FRAMES };
    for (;;) {
        while (dc_space(*p))
            p++;
        if (!*p || *p == '#')
            break;
        why = dc_token(&p, key, sizeof(key), val, sizeof(val));
        if (why)
            return dc_fail(err, line, key, "%s", why);
        if (!(f = dc_find(key)))
            return dc_fail(err, line, key, "unknown field");
        if (seen & (1U << (f - fields)))
            return dc_fail(err, line, key, "given twice");
        seen |= 1U << (f - fields);
        if ((why = dc_store(f, d, val)) == DC_RANGE)
            return dc_fail(err, line, key, "'%s': out of range (%lu to %lu)", val,
                           (unsigned long)f->min, (unsigned long)f->max);
        if (why && strlen(val) > 40)            /* too long to quote usefully */
            return dc_fail(err, line, key, "%s", why);
        if (why)
            return dc_fail(err, line, key, "'%s': %s", val, why);
    }
    if (dc_check_domain(cfg, d, err))
        return -1;
    cfg->nr++;
    return 0;
}

/* One line, NUL-terminated, without its newline. */
static int dc_parse_line(struct domconfig *cfg, const char *s, unsigned int line,
                         struct domconfig_error *err)
{
    char word[16];
    size_t n = 0;

    while (dc_space(*s))
        s++;
    if (!*s || *s == '#')
        return 0;
    while (*s && !dc_space(*s))
        if (n + 1 < sizeof(word))
            word[n++] = *s++;
        else
            s++;
    word[n] = '\0';
    if (strcmp(word, "domain"))
        return dc_fail(err, line, "", "unknown statement '%s' (expected 'domain')", word);
    return dc_parse_domain(cfg, s, line, err);
}

/* Disks and interfaces are the driver domain's to drive: without one, nothing would serve them. */
static int dc_check_driver(const struct domconfig *cfg, struct domconfig_error *err)
{
    const struct domconfig_dom *need = NULL;

    for (unsigned int i = 0; i < cfg->nr; i++) {
        if (cfg->dom[i].driver)
            return 0;
        if (!need && (cfg->dom[i].nr_disks || cfg->dom[i].vif))
            need = &cfg->dom[i];
    }
    if (!need)
        return 0;
    return dc_fail(err, need->line, need->nr_disks ? "disk" : "vif",
                   "no driver domain to serve it (give one domain driver=yes)");
}

/*
 * dm=NAME names another line's PV domain (ids assigned): its device model may act on this one.
 * An HVM domain with emulated disks has the driver domain's (which serves them) as its device
 * model: dm= may name it, or nothing.
 */
static int dc_resolve_dm(struct domconfig *cfg, struct domconfig_error *err)
{
    const struct domconfig_dom *drv = NULL;

    for (unsigned int i = 0; i < cfg->nr; i++)
        if (cfg->dom[i].driver)
            drv = &cfg->dom[i];
    for (unsigned int i = 0; i < cfg->nr; i++) {
        struct domconfig_dom *d = &cfg->dom[i];
        unsigned int k;
        d->dm_domid = DOMID_INVALID;
        if (d->hvm && d->nic && !drv)
            return dc_fail(err, d->line, "nic", "the emulated NIC comes from the driver domain's device "
                           "model: no line has driver=yes");
        if (d->hvm && (d->nr_disks || d->nic) && drv) {
            if (d->dm[0] && strcmp(d->dm, drv->name))
                return dc_fail(err, d->line, "dm", "'%s': an HVM domain's emulated devices are served by "
                               "the driver domain's device model ('%s'): dm= names it or is left out", d->dm,
                               drv->name);
            d->dm_domid = drv->domid;
            continue;
        }
        if (!d->dm[0])
            continue;
        for (k = 0; k < cfg->nr && strcmp(cfg->dom[k].name, d->dm); k++)
            ;
        if (k == cfg->nr)
            return dc_fail(err, d->line, "dm", "no domain is named '%s'", d->dm);
        if (cfg->dom[k].hvm)
            return dc_fail(err, d->line, "dm", "'%s' is an HVM domain: a device model runs in a PV "
                           "domain", d->dm);
        d->dm_domid = cfg->dom[k].domid;
    }
    return 0;
}

/* Domain IDs as Xen numbers them; then disk= and vif= devices name the driver domain's. */
static void dc_assign_ids(struct domconfig *cfg)
{
    uint16_t next = 1, driver = DOMID_INVALID;

    for (unsigned int i = 0; i < cfg->nr; i++) {
        cfg->dom[i].domid = cfg->dom[i].privileged ? 0 : next++;
        if (cfg->dom[i].driver)
            driver = cfg->dom[i].domid;
    }
    for (unsigned int i = 0; i < cfg->nr; i++)
        for (unsigned int k = 0; k < cfg->dom[i].nr_devices; k++)
            if (cfg->dom[i].devices[k].flags & (TANDEM_DEVICE_disk | TANDEM_DEVICE_vif))
                cfg->dom[i].devices[k].backend = driver;
}

int domconfig_parse(const char *text, size_t len, struct domconfig *cfg,
                    struct domconfig_error *err)
{
    char buf[DOMCONFIG_LINE_MAX + 1];
    unsigned int line = 0;
    size_t pos = 0;

    memset(err, 0, sizeof(*err));
    cfg->nr = 0;
    while (pos < len) {
        size_t n = 0;

        line++;
        for (; pos < len && text[pos] != '\n'; pos++) {
            if (text[pos] == '\0')
                return dc_fail(err, line, "", "NUL byte (not a text file?)");
            if (n == DOMCONFIG_LINE_MAX)
                return dc_fail(err, line, "", "line too long (at most %u characters)",
                               DOMCONFIG_LINE_MAX);
            buf[n++] = text[pos];
        }
        pos++;                                  /* the newline */
        if (n && buf[n - 1] == '\r')
            n--;
        buf[n] = '\0';
        if (dc_parse_line(cfg, buf, line, err))
            return -1;
    }
    if (cfg->nr == 0)
        return dc_fail(err, 0, "", "no 'domain' line");
    if (dc_check_driver(cfg, err))
        return -1;
    dc_assign_ids(cfg);
    return dc_resolve_dm(cfg, err);
}

void domconfig_format_error(const struct domconfig_error *err, char *buf, size_t size)
{
    if (err->line && err->field[0])
        snprintf(buf, size, "line %u, field '%s': %s", err->line, err->field, err->why);
    else if (err->line)
        snprintf(buf, size, "line %u: %s", err->line, err->why);
    else
        snprintf(buf, size, "%s", err->why);
}

bool domconfig_is_config(const void *data, size_t len)
{
    const unsigned char *p = data;

    return !(len >= 4 && p[0] == 0x7f && p[1] == 'E' && p[2] == 'L' && p[3] == 'F');
}

/* The last path component of [s, e): after the last '/' or '\'. */
static const char *dc_basename(const char *s, const char *e)
{
    const char *b = s;

    for (; s < e; s++)
        if (*s == '/' || *s == '\\')
            b = s + 1;
    return b;
}

bool domconfig_module_matches(const char *module_cmdline, const char *name)
{
    const char *s = module_cmdline, *e, *b, *nb;
    size_t nlen = strlen(name), blen;

    while (dc_space(*s))
        s++;
    for (e = s; *e && !dc_space(*e); e++)
        ;
    b = dc_basename(s, e);
    nb = dc_basename(name, name + nlen);
    blen = (size_t)(e - b);
    return blen > 0 && blen == strlen(nb) && !memcmp(b, nb, blen);
}
