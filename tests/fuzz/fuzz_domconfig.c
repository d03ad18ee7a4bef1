/* Fuzz target: the domain configuration file parser (hypervisor/common/domconfig.c). */
#include <string.h>
#include "fuzz.h"
#include "domconfig.h"

static struct domconfig cfg;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct domconfig_error err;
    char msg[256];
    int rc;

    memset(&err, 0, sizeof(err));
    domconfig_is_config(data, size);
    rc = domconfig_parse((const char *)data, size, &cfg, &err);
    domconfig_format_error(&err, msg, sizeof(msg));
    FUZZ_CHECK(strlen(msg) < sizeof(msg));
    if (rc)
        return 0;
    FUZZ_CHECK(cfg.nr >= 1 && cfg.nr <= DOMCONFIG_MAX_DOMAINS);
    for (unsigned i = 0; i < cfg.nr; i++) {
        const struct domconfig_dom *d = &cfg.dom[i];
        FUZZ_CHECK(!d->store || d->privileged);
        FUZZ_CHECK(d->nr_devices <= DOMCONFIG_MAX_DEVICES);
        for (unsigned k = 0; k < d->nr_devices; k++) {
            size_t n = strnlen(d->devices[k].type, sizeof(d->devices[k].type));
            FUZZ_CHECK(n >= 1 && n < sizeof(d->devices[k].type));
            for (unsigned m = 0; m < k; m++)
                FUZZ_CHECK(d->devices[m].id != d->devices[k].id ||
                           strcmp(d->devices[m].type, d->devices[k].type));
        }
        FUZZ_CHECK(d->nr_disks <= DOMCONFIG_MAX_DISKS);
        FUZZ_CHECK(d->nr_devices >= (d->driver ? 0 : d->nr_disks) + d->vif);
        FUZZ_CHECK(!d->nr_disks || strlen(d->name) <= DOMCONFIG_DISK_OWNER_MAX);
        for (unsigned k = 0; k < d->nr_disks; k++) {
            const struct domconfig_disk *dk = &d->disks[k];
            size_t n = strnlen(dk->image, sizeof(dk->image));
            FUZZ_CHECK(n >= 1 && n < sizeof(dk->image) && !strchr(dk->image, ':'));
            FUZZ_CHECK(strnlen(dk->serial, sizeof(dk->serial)) < sizeof(dk->serial));
            FUZZ_CHECK(!(dk->start & 511) && !(dk->size & 511) && (!dk->has_start || dk->has_size));
            FUZZ_CHECK(dk->start <= DOMCONFIG_DISK_BYTES_MAX && dk->size <= DOMCONFIG_DISK_BYTES_MAX);
            FUZZ_CHECK(!d->driver || !(dk->has_mode || dk->has_size));
        }
        for (unsigned k = 0; k < d->nr_devices; k++) {
            const struct domconfig_device *v = &d->devices[k];
            FUZZ_CHECK(!(v->flags & TANDEM_DEVICE_disk) || !strcmp(v->type, "vbd"));
            FUZZ_CHECK(!(v->flags & TANDEM_DEVICE_region) || v->region_sectors);
            FUZZ_CHECK(strnlen(v->serial, sizeof(v->serial)) <= 20);
            FUZZ_CHECK((v->backend == DOMID_INVALID) == !(v->flags & (TANDEM_DEVICE_disk | TANDEM_DEVICE_vif)));
        }
        FUZZ_CHECK(!d->vif_has_mac || (d->vif && !(d->vif_mac[0] & 1)));
        FUZZ_CHECK(d->vcpus >= 1 && d->vcpus <= DOMCONFIG_MAX_VCPUS);
        FUZZ_CHECK(d->weight >= 1 && d->weight <= 65535);
        FUZZ_CHECK(strlen(d->name) < sizeof(d->name) && strlen(d->kernel) < sizeof(d->kernel));
        FUZZ_CHECK(strlen(d->cmdline) < sizeof(d->cmdline));
        FUZZ_CHECK(d->domid <= DOMCONFIG_MAX_DOMAINS);
        domconfig_module_matches(d->kernel, d->name);
        for (unsigned j = 0; j <= i; j++)
            for (unsigned a = 0; a < cfg.dom[j].nr_disks; a++)
                for (unsigned b = 0; b < d->nr_disks; b++) {
                    const struct domconfig_disk *p = &cfg.dom[j].disks[a], *q = &d->disks[b];
                    if ((j == i && a >= b) || strcmp(p->image, q->image))
                        continue;
                    FUZZ_CHECK(p->has_size && q->has_size && !strcmp(p->serial, q->serial));
                    FUZZ_CHECK(p->start + p->size <= q->start || q->start + q->size <= p->start);
                }
        for (unsigned j = 0; j < i; j++) {
            FUZZ_CHECK(cfg.dom[j].domid != d->domid);
            FUZZ_CHECK(!cfg.dom[j].store || !d->store);
        }
    }
    return 0;
}
