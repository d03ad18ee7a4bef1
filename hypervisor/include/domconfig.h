/*
 * The domain configuration file (docs/configuration.md): one `domain` line
 * per domain with key=value fields. Parsing is pure (no hypervisor state)
 * and host-testable (tests/unit/test_domconfig.c); setup.c matches the
 * kernels it names to boot modules and builds the domains.
 */
#ifndef TANDEM_DOMCONFIG_H
#define TANDEM_DOMCONFIG_H

#include "types.h"
#include "config.h"
#include <tandem/domctl.h>          /* TANDEM_DOMCTL_MAX_DEVICES, TANDEM_DOMCTL_DEVTYPE_LEN */

#define DOMCONFIG_MAX_DOMAINS   MAX_DOMAINS
#define DOMCONFIG_MAX_VCPUS     MAX_VCPUS
#define DOMCONFIG_NAME_LEN      32      /* as struct domain's name, NUL included */
#define DOMCONFIG_MODULE_LEN    64      /* kernel / ramdisk module names */
#define DOMCONFIG_CMDLINE_LEN   1024    /* start_info.cmd_line (MAX_GUEST_CMDLINE) */
#define DOMCONFIG_LINE_MAX      2048    /* longest line, newline excluded */
#define DOMCONFIG_DEFAULT_WEIGHT 256    /* Xen's credit scheduler default */
#define DOMCONFIG_MAX_GRANT_FRAMES    64    /* Xen's default max_grant_frames; also Tandem's most */
#define DOMCONFIG_MAX_MAPTRACK_FRAMES 1024  /* Xen's default max_maptrack_frames; also Tandem's most */
#define DOMCONFIG_MAX_DEVICES   TANDEM_DOMCTL_MAX_DEVICES   /* devices= entries */
#define DOMCONFIG_DEVTYPE_LEN   TANDEM_DOMCTL_DEVTYPE_LEN   /* "vbd": 1-15 of [a-z0-9], NUL included */
#define DOMCONFIG_MAX_DISKS     4       /* disk= images of one domain */
#define DOMCONFIG_HVM_DISKS     2       /* of an HVM domain: emulated IDE master and slave */
#define DOMCONFIG_DISK_NAME_MAX 255     /* one disk= image name, in characters */
#define DOMCONFIG_VBD_BASE      51712   /* xvda: Xen's vdev number (202 << 8); xvdb is +16 */
#define DOMCONFIG_VBD_STEP      16

#define DOMCONFIG_SERIAL_LEN    TANDEM_DOMCTL_SERIAL_LEN    /* "NAME/INDEX" + NUL (20 bytes used at most) */
#define DOMCONFIG_DISK_OWNER_MAX 18     /* name of a domain with disks: NAME/INDEX fits virtio-blk's 20 */
#define DOMCONFIG_DISK_BYTES_MAX (1ULL << 50)   /* start= and size= at most 1 PiB each */

/*
 * One device of the domain's list, as the store names it (device/TYPE/ID):
 * a devices= entry (flags 0, backend DOMID_INVALID: its store domain serves
 * it), or one disk= made (TANDEM_DEVICE_disk) or vif= or nic= (TANDEM_DEVICE_vif),
 * served by the driver domain (backend: its id, set by domconfig_parse).
 */
struct domconfig_device {
    char type[DOMCONFIG_DEVTYPE_LEN];
    uint32_t id;
    uint32_t flags;                     /* TANDEM_DEVICE_* */
    uint16_t backend;                   /* DOMID_INVALID: the store domain */
    uint64_t region_start;              /* TANDEM_DEVICE_region: 512-byte sectors */
    uint64_t region_sectors;
    char serial[DOMCONFIG_SERIAL_LEN];  /* TANDEM_DEVICE_disk: the image's virtio-blk serial */
};

/* One disk= entry: IMAGE[:mode=r|w][:start=SIZE][:size=SIZE]. */
struct domconfig_disk {
    char image[DOMCONFIG_DISK_NAME_MAX + 1];    /* as written (the toolstack finds the file) */
    bool readonly;                      /* mode=r */
    bool has_mode, has_start, has_size; /* the option was given */
    uint64_t start, size;               /* bytes, multiples of 512; a region iff has_size */
    char serial[DOMCONFIG_SERIAL_LEN];  /* NAME/INDEX of the first entry naming the same image */
};

struct domconfig_dom {
    unsigned int line;                  /* where it was defined (1-based) */
    uint16_t domid;                     /* assigned by domconfig_parse */
    char name[DOMCONFIG_NAME_LEN];
    char kernel[DOMCONFIG_MODULE_LEN];  /* module name to match */
    char ramdisk[DOMCONFIG_MODULE_LEN]; /* "" = none */
    char cmdline[DOMCONFIG_CMDLINE_LEN];
    bool has_cmdline;                   /* cmdline= given (else the module's own arguments) */
    uint64_t memory;                    /* bytes; 0 = not given (the caller's default) */
    uint64_t maxmem;                    /* bytes; 0 = not given (= memory) */
    unsigned int vcpus;                 /* 1..DOMCONFIG_MAX_VCPUS */
    unsigned int weight;                /* 1..65535 */
    unsigned int cap;                   /* percent of one CPU, 0 = none */
    unsigned int max_grant_frames;      /* 1..DOMCONFIG_MAX_GRANT_FRAMES */
    unsigned int max_maptrack_frames;   /* 0..DOMCONFIG_MAX_MAPTRACK_FRAMES (0: maps nothing) */
    bool hvm;                           /* type=hvm: a full-virtualization (SVM) domain; else pv */
    char dm[DOMCONFIG_NAME_LEN];        /* dm=NAME (HVM only): the PV domain that runs its device model */
    uint16_t dm_domid;                  /* that domain's id (domconfig_parse), DOMID_INVALID without */
    bool has_paging;                    /* paging= given (type=hvm only) */
    bool shadow_paging;                 /* paging=shadow: shadow page tables; else nested paging */
    bool privileged;
    bool store;                         /* the store domain (requires privileged; at most one) */
    bool driver;                        /* the driver domain: owns the PCI functions (at most one) */
    unsigned int nr_disks;              /* disk= entries */
    struct domconfig_disk disks[DOMCONFIG_MAX_DISKS];
    bool vif;                           /* vif= given: one network interface, vif/0 */
    bool vif_has_mac;                   /* vif=mac=...: vif_mac holds it */
    uint8_t vif_mac[6];
    bool nic;                           /* nic=ne2000 (type=hvm): an emulated NE2000, device ne2k/0 */
    bool nic_has_mac;                   /* nic=ne2000:mac=...: nic_mac holds it */
    uint8_t nic_mac[6];
    /* devices= entries in the order given, then vbd/51712.. per disk (none for the driver
     * domain's own disks: it drives them itself; ide/0, ide/1 for an HVM domain), then vif/0
     * or an HVM domain's ne2k/0 */
    unsigned int nr_devices;
    struct domconfig_device devices[DOMCONFIG_MAX_DEVICES];
};

struct domconfig {
    unsigned int nr;
    struct domconfig_dom dom[DOMCONFIG_MAX_DOMAINS];
};

/* The first problem found: where it is and why ("" field: the line as a whole). */
struct domconfig_error {
    unsigned int line;                  /* 0: the file as a whole */
    char field[24];
    char why[128];
};

/*
 * Parse text[0..len) (need not be NUL-terminated) into *cfg and assign
 * domain IDs as Xen numbers them: the privileged domain (at most one) is 0,
 * the others 1, 2, ... in file order. Returns 0, or -1 with *err set and
 * *cfg unspecified. Never reads outside text[0..len).
 */
int domconfig_parse(const char *text, size_t len, struct domconfig *cfg,
                    struct domconfig_error *err);

/* "line 3, field 'memory': why" (or "line 3: why", or "why") into buf. */
void domconfig_format_error(const struct domconfig_error *err, char *buf, size_t size);

/*
 * Whether a boot module holds a configuration rather than a kernel: it is
 * one unless it starts with the ELF magic (0x7f 'E' 'L' 'F').
 */
bool domconfig_is_config(const void *data, size_t len);

/*
 * Whether the boot module whose loader string is `module_cmdline` ("path
 * args...") is the one named `name`: the last path components ('/' or '\'
 * separated) of the module's path and of name are equal.
 */
bool domconfig_module_matches(const char *module_cmdline, const char *name);

#endif
