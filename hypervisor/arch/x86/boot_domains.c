/*
 * The domains built at boot: from a configuration file in module 0
 * (docs/configuration.md), or without one, domain 1 from module 0 (kernel)
 * and module 1 (initrd). With a store domain (store=yes) it is built first,
 * then the others, each waiting for it (docs/xenstore.md).
 */
#include "lib.h"
#include "gdbstub.h"
#include "bootinfo.h"
#include "mm.h"
#include "domain.h"
#include "domain_build.h"
#include "domconfig.h"
#include "grant_table.h"
#include "cmdline.h"
#include "boot_domains.h"
#include "pci.h"
#include "hvm/hvm.h"
#include <tandem/sched.h>

/* A domain the builder refused never runs: it is shut down as crashed with the reason. */
static void refuse(struct domain *d, const char *why)
{
    strlcpy(d->crash_why, why, sizeof(d->crash_why));
    d->state = DOM_SHUTDOWN;
    d->shutdown_reason = SHUTDOWN_crash;
}

/* Build d; true if it was built (false: refused, shut down as crashed). */
static bool build_one(struct domain *d, const struct bi_module *k, const struct bi_module *rd,
                      const char *cmdline, domid_t store_domid, bool hvm, bool shadow)
{
    struct dom_build_args a = {
        .kernel = __va(k->start), .kernel_len = k->len,
        .initrd = rd ? __va(rd->start) : NULL, .initrd_len = rd ? rd->len : 0,
        .cmdline = cmdline, .store_domid = store_domid, .hvm_shadow = shadow,
    };
    char err[256];

    if ((hvm ? hvm_build_domain(d, &a, err, sizeof(err)) : pv_build_domain(d, &a, err, sizeof(err))) == 0) {
        gdbstub_domain_built(d);        /* gdb=: it waits for the debugger */
        return true;
    }
    printk(XENLOG_ERR "d%u: cannot build the domain from '%s': %s\n", d->domain_id, k->cmdline, err);
    refuse(d, err);
    return false;
}

/* The driver domain gets every PCI function but the bridges (drivers/pci). */
static bool give_devices(struct domain *d)
{
    int rc = pci_assign_driver_domain(d);

    if (!rc) {
        printk("d%u (%s) is the driver domain\n", d->domain_id, d->name);
        return true;
    }
    printk(XENLOG_ERR "d%u: not built: its PCI functions could not be given to it (%d)\n", d->domain_id, rc);
    refuse(d, "its PCI functions could not be given to it");
    return false;
}

static void build_legacy(const struct boot_info *bi, uint64_t mem, unsigned int vcpus)
{
    struct domain *d = domain_create(1, "domU", false, mem >> PAGE_SHIFT, vcpus);

    if (!d)
        panic("out of memory creating domain 1");
    build_one(d, &bi->modules[0], bi->nr_modules > 1 ? &bi->modules[1] : NULL,
              cmdline_skip_first_word(bi->modules[0].cmdline), DOMID_INVALID, false, false);
}

/* The module named `name` (modules 1 and up), or a panic naming the line and field. */
static const struct bi_module *find_module(const struct boot_info *bi, const char *name,
                                           unsigned int line, const char *field)
{
    for (unsigned int i = 1; i < bi->nr_modules; i++)
        if (domconfig_module_matches(bi->modules[i].cmdline, name))
            return &bi->modules[i];
    panic("domain configuration line %u, field '%s': no boot module named '%s' "
          "(give it to the boot loader after the configuration)", line, field, name);
}

/* The store domain's state for the domains built after it. */
enum store_state { STORE_NONE, STORE_BUILT, STORE_FAILED };

/*
 * Build one configured domain; true if it was built. With a store domain
 * (store_domid), which is built first: if it could not be built, the
 * others are refused, since they would wait for it for ever.
 */
static bool build_configured(const struct boot_info *bi, const struct domconfig_dom *c,
                             uint64_t default_mem, domid_t store_domid, enum store_state store)
{
    const struct bi_module *k = find_module(bi, c->kernel, c->line, "kernel");
    const struct bi_module *rd = c->ramdisk[0] ? find_module(bi, c->ramdisk, c->line, "ramdisk") : NULL;
    uint64_t mem = c->memory ? c->memory : default_mem;
    uint64_t maxmem = MAX(c->maxmem, mem);
    struct domain *d;
    bool built = false;

    /* The builder allocates max_pages; the limit rises to maxmem once it is done. */
    d = domain_create(c->domid, c->name, c->privileged, mem >> PAGE_SHIFT, c->vcpus);
    if (!d) {       /* domain_create gave back all it took: the other domains still boot */
        printk(XENLOG_ERR "d%u: cannot create domain %u (%s): out of hypervisor memory; "
               "the other domains carry on\n", c->domid, c->domid, c->name);
        return false;
    }
    d->weight = c->weight;
    d->cap = c->cap;
    d->dm_domid = c->dm_domid;          /* dm=, or the driver domain for emulated devices; else DOMID_INVALID */
    gnttab_set_limits(d, c->max_grant_frames, c->max_maptrack_frames);
    BUILD_BUG_ON(DOMCONFIG_MAX_DEVICES != ARRAY_SIZE(d->devices));
    BUILD_BUG_ON(sizeof(c->devices[0].type) != sizeof(d->devices[0].type));
    BUILD_BUG_ON(sizeof(c->devices[0].serial) != sizeof(d->devices[0].serial));
    for (unsigned int i = 0; i < c->nr_devices; i++) {
        const struct domconfig_device *cd = &c->devices[i];
        struct domain_device *dd = &d->devices[i];
        memcpy(dd->type, cd->type, sizeof(dd->type));
        dd->devid = cd->id;
        dd->flags = cd->flags;
        dd->backend = cd->backend;
        dd->region_start = cd->region_start;
        dd->region_sectors = cd->region_sectors;
        memcpy(dd->serial, cd->serial, sizeof(dd->serial));
    }
    d->nr_devices = c->nr_devices;
    if (store == STORE_FAILED && !c->store) {
        printk(XENLOG_ERR "d%u: not built: its store domain d%u could not be built, "
               "it would wait for it for ever\n", d->domain_id, store_domid);
        refuse(d, "its store domain could not be built");
    } else
        built = build_one(d, k, rd, c->has_cmdline ? c->cmdline : cmdline_skip_first_word(k->cmdline),
                          store == STORE_NONE ? DOMID_INVALID : store_domid, c->hvm,
                          c->shadow_paging);
    if (built && c->driver && !give_devices(d))
        built = false;
    if (built && c->hvm && (c->nr_disks || c->nic)) {
        /* Its emulated devices are not there until its device model serves them (docs/devmodel.md). */
        d->dm_waiting = true;
        domain_pause(d);
        printk("d%u: waits for its device model d%u to enable an ioreq server (emulated devices)\n",
               d->domain_id, d->dm_domid);
    }
    d->max_pages = maxmem >> PAGE_SHIFT;
    return built;
}

static void build_from_config(const struct boot_info *bi, uint64_t default_mem)
{
    const struct bi_module *m = &bi->modules[0];
    struct domconfig *cfg = xzalloc(struct domconfig);
    struct domconfig_error err;
    const struct domconfig_dom *s = NULL;
    enum store_state store = STORE_NONE;
    char why[200];

    if (!cfg)
        panic("out of memory reading the domain configuration");
    if (domconfig_parse(__va(m->start), m->len, cfg, &err)) {
        domconfig_format_error(&err, why, sizeof(why));
        panic("domain configuration '%s': %s", m->cmdline, why);
    }
    printk("Domain configuration '%s': %u domain%s\n", m->cmdline, cfg->nr, cfg->nr == 1 ? "" : "s");
    for (unsigned int i = 0; i < cfg->nr; i++)
        if (cfg->dom[i].store)
            s = &cfg->dom[i];
    if (s) {
        printk("d%u (%s) serves the store: built first\n", s->domid, s->name);
        store = build_configured(bi, s, default_mem, s->domid, STORE_BUILT) ? STORE_BUILT : STORE_FAILED;
    }
    for (unsigned int i = 0; i < cfg->nr; i++)
        if (&cfg->dom[i] != s)
            build_configured(bi, &cfg->dom[i], default_mem, s ? s->domid : DOMID_INVALID, store);
    xfree(cfg);
}

void boot_domains_build(const struct boot_info *bi, uint64_t default_mem, unsigned int default_vcpus)
{
    const struct bi_module *m = &bi->modules[0];

    if (bi->nr_modules == 0)
        panic("no guest kernel: boot Tandem with the kernel (or a domain configuration) as its first module");
    if (domconfig_is_config(__va(m->start), m->len))
        build_from_config(bi, default_mem);
    else
        build_legacy(bi, default_mem, default_vcpus);
}
