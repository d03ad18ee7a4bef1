/* Unit tests for hypervisor/common/domconfig.c: the domain configuration file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "domconfig.h"

static struct domconfig cfg;
static struct domconfig_error err;
static char msg[256];

static int parse(const char *text)
{
    int rc = domconfig_parse(text, strlen(text), &cfg, &err);

    domconfig_format_error(&err, msg, sizeof(msg));
    return rc;
}

/* Parsing must fail with exactly this message. */
static void fails(const char *text, const char *want)
{
    assert_int_equal(parse(text), -1);
    assert_string_equal(msg, want);
}

static void test_full_line(void **state)
{
    const struct domconfig_dom *d;

    (void)state;
    assert_int_equal(parse("# two domains\n"
                           "\n"
                           "domain name=shell kernel=kernel.elf cmdline=\"mode=shell x=\\\"q\\\"\" "
                           "memory=64 maxmem=128M vcpus=2 weight=512 cap=150 privileged=yes "
                           "max_grant_frames=4 max_maptrack_frames=0\n"
                           "  domain name=work kernel=out/guest/k.elf ramdisk=rd.img   # a comment\n"), 0);
    assert_int_equal(cfg.nr, 2);
    d = &cfg.dom[0];
    assert_int_equal(d->line, 3);
    assert_int_equal(d->domid, 0);
    assert_string_equal(d->name, "shell");
    assert_string_equal(d->kernel, "kernel.elf");
    assert_string_equal(d->cmdline, "mode=shell x=\"q\"");
    assert_true(d->has_cmdline);
    assert_int_equal(d->memory, 64ULL << 20);
    assert_int_equal(d->maxmem, 128ULL << 20);
    assert_int_equal(d->vcpus, 2);
    assert_int_equal(d->weight, 512);
    assert_int_equal(d->cap, 150);
    assert_true(d->privileged);
    assert_int_equal(d->max_grant_frames, 4);
    assert_int_equal(d->max_maptrack_frames, 0);
    d = &cfg.dom[1];
    assert_int_equal(d->line, 4);
    assert_int_equal(d->domid, 1);
    assert_string_equal(d->kernel, "out/guest/k.elf");
    assert_string_equal(d->ramdisk, "rd.img");
    assert_false(d->has_cmdline);
    assert_int_equal(d->memory, 0);             /* not given: the hypervisor's default */
    assert_int_equal(d->vcpus, 1);
    assert_int_equal(d->weight, DOMCONFIG_DEFAULT_WEIGHT);
    assert_int_equal(d->cap, 0);
    assert_false(d->privileged);
    assert_int_equal(d->max_grant_frames, DOMCONFIG_MAX_GRANT_FRAMES);
    assert_int_equal(d->max_maptrack_frames, DOMCONFIG_MAX_MAPTRACK_FRAMES);
}

static void test_domids(void **state)
{
    (void)state;
    /* Xen's numbering: the privileged domain is 0 wherever it stands, the rest from 1. */
    assert_int_equal(parse("domain name=a kernel=k\ndomain name=b kernel=k privileged=1\n"
                           "domain name=c kernel=k\r\n"), 0);
    assert_int_equal(cfg.dom[0].domid, 1);
    assert_int_equal(cfg.dom[1].domid, 0);
    assert_int_equal(cfg.dom[2].domid, 2);
    assert_int_equal(parse("domain name=a kernel=k\ndomain name=b kernel=k privileged=no"), 0);
    assert_int_equal(cfg.dom[0].domid, 1);
    assert_int_equal(cfg.dom[1].domid, 2);
}

static void test_sizes(void **state)
{
    static const struct { const char *v; uint64_t want; } ok[] = {
        { "64", 64ULL << 20 }, { "64M", 64ULL << 20 }, { "64m", 64ULL << 20 },
        { "4096K", 4ULL << 20 }, { "1G", 1ULL << 30 }, { "0x10", 16ULL << 20 }, { "1024G", 1ULL << 40 },
    };
    char line[128];

    (void)state;
    for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
        snprintf(line, sizeof(line), "domain name=a kernel=k memory=%s", ok[i].v);
        assert_int_equal(parse(line), 0);
        assert_int_equal(cfg.dom[0].memory, ok[i].want);
    }
    fails("domain name=a kernel=k memory=64MB",
          "line 1, field 'memory': '64MB': bad size (a number of MiB, or with a K, M or G suffix)");
    fails("domain name=a kernel=k memory=1025G", "line 1, field 'memory': '1025G': too large (at most 1 TiB)");
    fails("domain name=a kernel=k memory=99999999999999999999",
          "line 1, field 'memory': '99999999999999999999': number too large");
    fails("domain name=a kernel=k memory=512K", "line 1, field 'memory': '512K': too small (at least 1 MiB)");
    fails("domain name=a kernel=k memory=1025K", "line 1, field 'memory': '1025K': not a multiple of 4 KiB");
    fails("domain name=a kernel=k memory=", "line 1, field 'memory': '': not a number");
    fails("domain name=a kernel=k memory=64 maxmem=32", "line 1, field 'maxmem': smaller than memory");
}

static void test_numbers(void **state)
{
    (void)state;
    fails("domain name=a kernel=k vcpus=0", "line 1, field 'vcpus': '0': out of range (1 to 8)");
    fails("domain name=a kernel=k vcpus=9", "line 1, field 'vcpus': '9': out of range (1 to 8)");
    fails("domain name=a kernel=k vcpus=two", "line 1, field 'vcpus': 'two': not a number");
    fails("domain name=a kernel=k vcpus=2x", "line 1, field 'vcpus': '2x': not a number");
    fails("domain name=a kernel=k weight=0", "line 1, field 'weight': '0': out of range (1 to 65535)");
    fails("domain name=a kernel=k weight=65536", "line 1, field 'weight': '65536': out of range (1 to 65535)");
    fails("domain name=a kernel=k max_grant_frames=65",
          "line 1, field 'max_grant_frames': '65': out of range (1 to 64)");
    fails("domain name=a kernel=k max_maptrack_frames=1025",
          "line 1, field 'max_maptrack_frames': '1025': out of range (0 to 1024)");
    fails("domain name=a kernel=k cap=101", "line 1, field 'cap': above 100% per vCPU (1 vCPUs: at most 100)");
    assert_int_equal(parse("domain name=a kernel=k cap=200 vcpus=2"), 0);
    assert_int_equal(cfg.dom[0].cap, 200);
    fails("domain name=a kernel=k privileged=maybe",
          "line 1, field 'privileged': 'maybe': not a boolean (use 1/0, yes/no, on/off, true/false)");
}

static void test_store(void **state)
{
    (void)state;
    assert_int_equal(parse("domain name=w kernel=k\ndomain name=s kernel=k privileged=yes store=yes\n"
                           "domain name=x kernel=k store=no\n"), 0);
    assert_false(cfg.dom[0].store);
    assert_true(cfg.dom[1].store);
    assert_int_equal(cfg.dom[1].domid, 0);
    assert_false(cfg.dom[2].store);
    assert_int_equal(parse("domain name=s kernel=k privileged=on store=1"), 0);
    assert_true(cfg.dom[0].store);
    assert_int_equal(parse("domain name=s kernel=k privileged=yes"), 0);
    assert_false(cfg.dom[0].store);             /* default: no */
    fails("domain name=a kernel=k store=yes",
          "line 1, field 'store': only the privileged domain may serve the store (add privileged=yes)");
    fails("domain name=a kernel=k store=yes privileged=no",
          "line 1, field 'store': only the privileged domain may serve the store (add privileged=yes)");
    fails("domain name=a kernel=k store=perhaps privileged=yes",
          "line 1, field 'store': 'perhaps': not a boolean (use 1/0, yes/no, on/off, true/false)");
    fails("domain name=a kernel=k store=yes store=yes privileged=yes", "line 1, field 'store': given twice");
    /* A second store domain is refused before it is refused as a second privileged domain. */
    fails("domain name=a kernel=k privileged=1 store=1\ndomain name=b kernel=k privileged=1 store=1",
          "line 2, field 'store': only one domain may serve the store (line 1 does)");
}

static void test_devices(void **state)
{
    const struct domconfig_dom *d = &cfg.dom[0];
    char line[256];

    (void)state;
    assert_int_equal(parse("domain name=a kernel=k devices=vbd/51712,vif/0"), 0);
    assert_int_equal(d->nr_devices, 2);
    assert_string_equal(d->devices[0].type, "vbd");
    assert_int_equal(d->devices[0].id, 51712);
    assert_string_equal(d->devices[1].type, "vif");
    assert_int_equal(d->devices[1].id, 0);
    assert_int_equal(parse("domain name=a kernel=k"), 0);
    assert_int_equal(d->nr_devices, 0);         /* default: none */
    assert_int_equal(parse("domain name=a kernel=k devices=abcdefghijklm15/4294967295,9p/007,vif/1,vbd/0"), 0);
    assert_int_equal(d->nr_devices, 4);
    assert_string_equal(d->devices[0].type, "abcdefghijklm15");
    assert_int_equal(d->devices[0].id, 4294967295U);
    assert_string_equal(d->devices[1].type, "9p");
    assert_int_equal(d->devices[1].id, 7);
    /* Same id with another type, same type with another id: both fine. */
    assert_int_equal(parse("domain name=a kernel=k devices=\"vbd/1,vif/1,vbd/2\""), 0);
    assert_int_equal(d->nr_devices, 3);
    assert_int_equal(parse("domain name=a kernel=k devices=a/1,a/2,a/3,a/4,a/5,a/6,a/7,a/8"), 0);
    assert_int_equal(d->nr_devices, DOMCONFIG_MAX_DEVICES);
    assert_int_equal(d->devices[7].id, 8);

    fails("domain name=a kernel=k devices=a/1,a/2,a/3,a/4,a/5,a/6,a/7,a/8,a/9",
          "line 1, field 'devices': 'a/1,a/2,a/3,a/4,a/5,a/6,a/7,a/8,a/9': too many devices (at most 8)");
    fails("domain name=a kernel=k devices=vbd/51712,vif/0,vbd/51712",
          "line 1, field 'devices': 'vbd/51712,vif/0,vbd/51712': a device is given twice");
    fails("domain name=a kernel=k devices=vif/7,vif/007",
          "line 1, field 'devices': 'vif/7,vif/007': a device is given twice");
    static const char *const shape[] = { "", "vbd", "vbd/", "/1", "vbd/1,", ",vbd/1", "vbd/1,,vif/0", "vbd//1" };
    for (size_t i = 0; i < sizeof(shape) / sizeof(shape[0]); i++) {
        snprintf(line, sizeof(line), "domain name=a kernel=k devices=\"%s\"", shape[i]);
        assert_int_equal(parse(line), -1);
        assert_string_equal(err.field, "devices");
        if (!strcmp(shape[i], "vbd//1"))
            assert_string_equal(err.why, "'vbd//1': a device id is a decimal number (no sign)");
        else
            assert_non_null(strstr(err.why, "each device is TYPE/ID (e.g. vbd/51712), separated by commas"));
    }
    fails("domain name=a kernel=k devices=abcdefghijklmnop/1",
          "line 1, field 'devices': 'abcdefghijklmnop/1': a device type is at most 15 characters");
    fails("domain name=a kernel=k devices=Vbd/1",
          "line 1, field 'devices': 'Vbd/1': a device type may only hold a-z and 0-9");
    fails("domain name=a kernel=k devices=v-d/1",
          "line 1, field 'devices': 'v-d/1': a device type may only hold a-z and 0-9");
    fails("domain name=a kernel=k devices=vbd/+1",
          "line 1, field 'devices': 'vbd/+1': a device id is a decimal number (no sign)");
    fails("domain name=a kernel=k devices=vbd/-1",
          "line 1, field 'devices': 'vbd/-1': a device id is a decimal number (no sign)");
    fails("domain name=a kernel=k devices=vbd/0x10",
          "line 1, field 'devices': 'vbd/0x10': a device id is a decimal number (no sign)");
    fails("domain name=a kernel=k devices=vbd/1a",
          "line 1, field 'devices': 'vbd/1a': a device id is a decimal number (no sign)");
    fails("domain name=a kernel=k devices=vbd/4294967296",
          "line 1, field 'devices': 'vbd/4294967296': a device id is below 2^32");
    fails("domain name=a kernel=k devices=vbd/99999999999999999999999",
          "line 1, field 'devices': 'vbd/99999999999999999999999': a device id is below 2^32");
    fails("domain name=a kernel=k devices=vbd/1 devices=vif/0", "line 1, field 'devices': given twice");
}

/* Expect device i of domain 0 to be TYPE/ID. */
/* Device i of line dom's domain is TYPE/ID. */
static void device_is(unsigned int dom, unsigned int i, const char *type, uint32_t id)
{
    assert_true(dom < cfg.nr && i < cfg.dom[dom].nr_devices);
    assert_string_equal(cfg.dom[dom].devices[i].type, type);
    assert_int_equal(cfg.dom[dom].devices[i].id, id);
}

static void test_disk_vif(void **state)
{
    const struct domconfig_dom *d = &cfg.dom[0];
    char line[600];

    (void)state;
    /* Disks become xvda, xvdb, ... (vbd/51712 + 16 i) after the devices= entries; a vif, vif/0. */
    assert_int_equal(parse("domain name=drv kernel=k driver=1 privileged=1\n"
                           "domain name=a kernel=k disk=a.img,/abs/b.img,c vif= devices=9p/1"), 0);
    assert_int_equal(cfg.dom[1].nr_disks, 3);
    assert_true(cfg.dom[1].vif);
    assert_false(cfg.dom[1].vif_has_mac);
    assert_int_equal(cfg.dom[1].nr_devices, 5);
    device_is(1, 0, "9p", 1);
    device_is(1, 1, "vbd", 51712);
    device_is(1, 2, "vbd", 51728);
    device_is(1, 3, "vbd", 51744);
    device_is(1, 4, "vif", 0);
    /* The driver domain's own disks are its devices, not vbds; its vif= is vif/0 still. */
    assert_int_equal(parse("domain name=a kernel=k driver=1 disk=a.img,/abs/b.img,c vif= devices=9p/1"), 0);
    assert_int_equal(d->nr_disks, 3);
    assert_string_equal(d->disks[1].image, "/abs/b.img");
    assert_string_equal(d->disks[2].serial, "a/2");
    assert_int_equal(d->nr_devices, 2);
    device_is(0, 0, "9p", 1);
    device_is(0, 1, "vif", 0);
    assert_int_equal(parse("domain name=a kernel=k driver=1 vif=mac=00:16:3E:0a:Bc:ff"), 0);
    assert_true(d->vif && d->vif_has_mac);
    assert_memory_equal(d->vif_mac, "\x00\x16\x3e\x0a\xbc\xff", 6);
    assert_int_equal(d->nr_disks, 0);
    assert_int_equal(d->nr_devices, 1);
    device_is(0, 0, "vif", 0);
    assert_int_equal(d->devices[0].flags, TANDEM_DEVICE_vif | TANDEM_DEVICE_mac);
    assert_string_equal(d->devices[0].serial, "00:16:3e:0a:bc:ff");
    assert_int_equal(parse("domain name=a kernel=k"), 0);
    assert_false(d->vif);
    assert_int_equal(d->nr_disks, 0);
    assert_int_equal(parse("domain name=a kernel=k disk=1,2,3,4 devices=a/1,a/2,a/3 vif=\n"
                           "domain name=d kernel=k driver=1"), 0);
    assert_int_equal(d->nr_devices, DOMCONFIG_MAX_DEVICES);
    memset(line, 0, sizeof(line));
    snprintf(line, sizeof(line), "domain name=a kernel=k driver=1 disk=%0255d", 7);
    assert_int_equal(parse(line), 0);

    fails("domain name=a kernel=k disk=1,2,3,4,5",
          "line 1, field 'disk': '1,2,3,4,5': too many disks (at most 4)");
    fails("domain name=a kernel=k disk=", "line 1, field 'disk': '': each disk is an image file name, "
          "separated by commas");
    fails("domain name=a kernel=k disk=a,,b", "line 1, field 'disk': 'a,,b': each disk is an image file "
          "name, separated by commas");
    fails("domain name=a kernel=k disk=a,", "line 1, field 'disk': 'a,': each disk is an image file "
          "name, separated by commas");
    fails("domain name=a kernel=k disk=\"a b\"", "line 1, field 'disk': 'a b': an image name holds no blanks");
    snprintf(line, sizeof(line), "domain name=a kernel=k disk=%0256d", 7);
    fails(line, "line 1, field 'disk': an image name is at most 255 characters");
    fails("domain name=a kernel=k disk=a disk=b", "line 1, field 'disk': given twice");
    fails("domain name=a kernel=k disk=a devices=vbd/51712",
          "line 1, field 'disk': gives vbd/51712, which devices= gives too");
    fails("domain name=a kernel=k vif= devices=vif/0", "line 1, field 'vif': gives vif/0, which devices= gives too");
    fails("domain name=a kernel=k disk=1,2,3,4 devices=a/1,a/2,a/3,a/4,a/5",
          "line 1, field 'disk': too many devices (at most 8, with devices=, disk= and vif= together)");
    fails("domain name=a kernel=k disk=1,2,3,4 devices=a/1,a/2,a/3,a/4 vif=",
          "line 1, field 'vif': too many devices (at most 8, with devices=, disk= and vif= together)");
    fails("domain name=a kernel=k vif= vif=", "line 1, field 'vif': given twice");
    fails("domain name=a kernel=k vif=bridge=xenbr0", "line 1, field 'vif': 'bridge=xenbr0': the only vif "
          "setting is mac=XX:XX:XX:XX:XX:XX (or vif= for the defaults)");
    static const char *const mac[] = { "mac=", "mac=00:16:3e:00:00", "mac=00:16:3e:00:00:01:02",
                                       "mac=00-16-3e-00-00-01", "mac=0:16:3e:00:00:01", "mac=00:16:3e:00:00:0g",
                                       "mac=00:16:3e:00:00:001", "mac=001:6:3e:00:00:01" };
    for (size_t i = 0; i < sizeof(mac) / sizeof(mac[0]); i++) {
        snprintf(line, sizeof(line), "domain name=a kernel=k vif=%s", mac[i]);
        assert_int_equal(parse(line), -1);
        assert_string_equal(err.field, "vif");
        assert_non_null(strstr(err.why, "a MAC is six hex pairs separated by ':' (e.g. 00:16:3e:00:00:01)"));
    }
    fails("domain name=a kernel=k vif=mac=01:16:3e:00:00:01", "line 1, field 'vif': 'mac=01:16:3e:00:00:01': "
          "a multicast MAC (the first octet is odd) cannot name an interface");
    fails("domain name=a kernel=k vif=mac=00:00:00:00:00:00", "line 1, field 'vif': 'mac=00:00:00:00:00:00': "
          "the MAC 00:00:00:00:00:00 names no interface");
}

/* disk=IMAGE[:OPT...]: mode=, regions, one image in several entries, serials and the backend. */
static void test_disk_options(void **state)
{
    const struct domconfig_dom *w = &cfg.dom[1], *x = &cfg.dom[2];
    const struct domconfig_device *v;
    const char *drv = "domain name=drv kernel=k privileged=1 store=1\ndomain name=io kernel=k driver=1\n";
    char text[1024];

    (void)state;
    snprintf(text, sizeof(text), "%s%s", drv,
             "domain name=web kernel=k disk=root.img:mode=r,big.img:start=1M:size=512,big.img:size=1K:mode=w "
             "vif= devices=9p/1\n"
             "domain name=x kernel=k disk=big.img:size=2048:start=4K,own.img,big.img:start=2097152:size=0x200:mode=r\n");
    assert_int_equal(parse(text), 0);
    /* IDs: drv 0 (privileged), io 1 (the driver domain), web 2, x 3. */
    w = &cfg.dom[2];
    x = &cfg.dom[3];
    assert_int_equal(w->nr_disks, 3);
    assert_string_equal(w->disks[0].image, "root.img");
    assert_true(w->disks[0].readonly && !w->disks[0].has_size);
    assert_true(w->disks[1].has_start && w->disks[1].has_size && !w->disks[1].readonly);
    assert_int_equal(w->disks[1].start, 1 << 20);
    assert_int_equal(w->disks[1].size, 512);
    assert_int_equal(w->disks[2].start, 0);
    assert_int_equal(w->disks[2].size, 1024);
    assert_int_equal(w->nr_devices, 5);
    device_is(2, 0, "9p", 1);
    assert_int_equal(w->devices[0].flags, 0);
    assert_int_equal(w->devices[0].backend, DOMID_INVALID);     /* devices=: the store domain's */
    v = &w->devices[1];
    device_is(2, 1, "vbd", 51712);
    assert_int_equal(v->flags, TANDEM_DEVICE_disk | TANDEM_DEVICE_readonly);
    assert_int_equal(v->backend, 1);                            /* disk=: the driver domain's */
    assert_string_equal(v->serial, "web/0");
    assert_int_equal(v->region_start, 0);
    assert_int_equal(v->region_sectors, 0);
    v = &w->devices[2];
    assert_int_equal(v->flags, TANDEM_DEVICE_disk | TANDEM_DEVICE_region);
    assert_string_equal(v->serial, "web/1");
    assert_int_equal(v->region_start, 2048);
    assert_int_equal(v->region_sectors, 1);
    v = &w->devices[3];
    assert_int_equal(v->flags, TANDEM_DEVICE_disk | TANDEM_DEVICE_region);
    assert_string_equal(v->serial, "web/1");                    /* big.img's first entry */
    assert_int_equal(v->region_start, 0);
    assert_int_equal(v->region_sectors, 2);
    device_is(2, 4, "vif", 0);
    assert_int_equal(w->devices[4].flags, TANDEM_DEVICE_vif);
    assert_int_equal(w->devices[4].backend, 1);
    /* Line 4: big.img again (its first entry is web's disk 1), own.img its own. */
    assert_int_equal(x->nr_devices, 3);
    assert_string_equal(x->devices[0].serial, "web/1");
    assert_int_equal(x->devices[0].region_start, 8);
    assert_int_equal(x->devices[0].region_sectors, 4);
    assert_string_equal(x->devices[1].serial, "x/1");
    assert_int_equal(x->devices[1].flags, TANDEM_DEVICE_disk);
    assert_string_equal(x->devices[2].serial, "web/1");
    assert_int_equal(x->devices[2].flags, TANDEM_DEVICE_disk | TANDEM_DEVICE_readonly | TANDEM_DEVICE_region);
    assert_int_equal(x->devices[2].region_start, 4096);
    assert_int_equal(x->devices[2].region_sectors, 1);
    for (unsigned int i = 0; i < x->nr_devices; i++)
        assert_int_equal(x->devices[i].backend, 1);
    /* Sizes: K, M, G; adjacent regions; the largest; an 18-character owner. */
    assert_int_equal(parse("domain name=a23456789012345678 kernel=k disk=i:start=1G:size=1M,i:size=1G\n"
                           "domain name=b kernel=k driver=1 disk=k,l disk=i:start=1025M:size=512K,"
                           "j:start=1048576G:size=1048576G"), -1);
    assert_int_equal(parse("domain name=a23456789012345678 kernel=k disk=i:start=1G:size=1M,i:size=1G\n"
                           "domain name=b kernel=k driver=1 disk=k,l\n"
                           "domain name=c kernel=k disk=i:start=1025M:size=512K,j:start=1048576G:size=1048576G"), 0);
    assert_string_equal(cfg.dom[0].devices[0].serial, "a23456789012345678/0");
    assert_int_equal(cfg.dom[0].devices[0].region_start, 2097152);
    assert_int_equal(cfg.dom[0].devices[1].region_sectors, 2097152);
    assert_int_equal(cfg.dom[1].nr_devices, 0);                 /* the driver domain's own: no vbds */
    assert_string_equal(cfg.dom[1].disks[1].serial, "b/1");
    assert_string_equal(cfg.dom[2].devices[0].serial, "a23456789012345678/0");
    assert_int_equal(cfg.dom[2].devices[1].region_start, 1ULL << 41);
    assert_int_equal(cfg.dom[2].devices[1].region_sectors, 1ULL << 41);
    assert_int_equal(cfg.dom[2].devices[1].backend, 2);                 /* b: domain 2 (none is privileged) */

    /* Refusals, each with its message. */
#define DISK_FAILS(opts, why) do { snprintf(text, sizeof(text), "%sdomain name=w kernel=k disk=%s", drv, opts); \
                                   fails(text, why); } while (0)
    DISK_FAILS("a.img:", "line 3, field 'disk': 'a.img:': a disk option is mode=r, mode=w, start=SIZE or size=SIZE");
    DISK_FAILS("a.img::mode=r", "line 3, field 'disk': 'a.img::mode=r': a disk option is mode=r, mode=w, "
               "start=SIZE or size=SIZE");
    DISK_FAILS("a.img:ro", "line 3, field 'disk': 'a.img:ro': a disk option is mode=r, mode=w, start=SIZE or size=SIZE");
    DISK_FAILS("a.img:mode=rw", "line 3, field 'disk': 'a.img:mode=rw': mode= is r (read-only) or w (read-write)");
    DISK_FAILS("a.img:mode=", "line 3, field 'disk': 'a.img:mode=': mode= is r (read-only) or w (read-write)");
    DISK_FAILS("a.img:mode=r:mode=r", "line 3, field 'disk': 'a.img:mode=r:mode=r': a disk option is given twice");
    DISK_FAILS("a.img:size=1K:size=1K", "line 3, field 'disk': 'a.img:size=1K:size=1K': a disk option is given twice");
    DISK_FAILS("a.img:start=0:start=0:size=1K", "line 3, field 'disk': 'a.img:start=0:start=0:size=1K': a disk "
               "option is given twice");
    DISK_FAILS("a.img:size=", "line 3, field 'disk': 'a.img:size=': a disk SIZE is a number of bytes, or with "
               "a K, M or G suffix");
    DISK_FAILS("a.img:size=1T", "line 3, field 'disk': 'a.img:size=1T': a disk SIZE is a number of bytes, or "
               "with a K, M or G suffix");
    DISK_FAILS("a.img:size=-512", "line 3, field 'disk': 'a.img:size=-512': a disk SIZE is a number of bytes, "
               "or with a K, M or G suffix");
    DISK_FAILS("a.img:size=99999999999999999999", "line 3, field 'disk': 'a.img:size=99999999999999999999': a "
               "disk SIZE is a number of bytes, or with a K, M or G suffix");
    DISK_FAILS("a.img:size=1048577G", "line 3, field 'disk': 'a.img:size=1048577G': a disk SIZE is at most 1 PiB");
    DISK_FAILS("a.img:start=1125899906842625:size=1K", "line 3, field 'disk': 'a.img:start=1125899906842625:"
               "size=1K': a disk SIZE is at most 1 PiB");
    DISK_FAILS("a.img:size=1000", "line 3, field 'disk': 'a.img:size=1000': a disk SIZE is a multiple of 512 bytes");
    DISK_FAILS("a.img:start=100:size=1K", "line 3, field 'disk': 'a.img:start=100:size=1K': a disk SIZE is a "
               "multiple of 512 bytes");
    DISK_FAILS("a.img:size=0", "line 3, field 'disk': 'a.img:size=0': size=0: a region holds at least one sector");
    DISK_FAILS("a.img:start=1M", "line 3, field 'disk': 'a.img:start=1M': start= needs size= (a region has both)");
    DISK_FAILS("a.img:size=1K,a.img", "line 3, field 'disk': disk 1 names the same image as disk 0 of line 3: an "
               "image named more than once needs size= in every entry");
    DISK_FAILS("a.img,a.img:size=1K", "line 3, field 'disk': disk 1 names the same image as disk 0 of line 3: an "
               "image named more than once needs size= in every entry");
    DISK_FAILS("a.img:size=1K,a.img:start=512:size=1K", "line 3, field 'disk': disk 1 overlaps disk 0 of line 3 "
               "(the regions of one image may not overlap)");
    DISK_FAILS("a.img:start=4K:size=4K,a.img:start=0:size=4608", "line 3, field 'disk': disk 1 overlaps disk 0 "
               "of line 3 (the regions of one image may not overlap)");     /* by one sector */
    DISK_FAILS("a.img:start=4K:size=4K,b,a.img:start=0:size=8K", "line 3, field 'disk': disk 2 overlaps disk 0 "
               "of line 3 (the regions of one image may not overlap)");
    snprintf(text, sizeof(text), "%sdomain name=v kernel=k disk=a.img:start=1M:size=1M\n"
             "domain name=w kernel=k disk=b.img,a.img:start=1536K:size=1M", drv);
    fails(text, "line 4, field 'disk': disk 1 overlaps disk 0 of line 3 (the regions of one image may not overlap)");
    snprintf(text, sizeof(text), "%sdomain name=v kernel=k disk=a.img:start=1M:size=1M\n"
             "domain name=w kernel=k disk=a.img", drv);
    fails(text, "line 4, field 'disk': disk 0 names the same image as disk 0 of line 3: an image named more than "
          "once needs size= in every entry");
    /* The driver domain's own disks: whole, its own, so never shared with a region elsewhere. */
    fails("domain name=d kernel=k driver=1 disk=a.img,b.img:mode=r",
          "line 1, field 'disk': disk 1: the driver domain drives its own disks whole (no mode=, start= or size=)");
    fails("domain name=d kernel=k driver=1 disk=a.img:size=1K",
          "line 1, field 'disk': disk 0: the driver domain drives its own disks whole (no mode=, start= or size=)");
    fails("domain name=d kernel=k driver=1 disk=a.img\ndomain name=e kernel=k disk=a.img:size=1K",
          "line 2, field 'disk': disk 0 names the same image as disk 0 of line 1: an image named more than once "
          "needs size= in every entry");
    /* A disk owner's name fits the virtio-blk serial. */
    fails("domain name=a234567890123456789 kernel=k driver=1 disk=a.img",
          "line 1, field 'name': 'a234567890123456789': a domain with disks has a name of at most 18 characters "
          "(its disks' serials are NAME/INDEX)");
    assert_int_equal(parse("domain name=a234567890123456789 kernel=k driver=1 vif="), 0);
#undef DISK_FAILS
}

static void test_driver(void **state)
{
    (void)state;
    assert_int_equal(parse("domain name=a kernel=k driver=yes disk=x.img vif=\ndomain name=b kernel=k disk=y vif="), 0);
    assert_true(cfg.dom[0].driver);
    assert_false(cfg.dom[1].driver);
    /* The driver domain need not be privileged (Xen's driver domains are domUs). */
    assert_int_equal(parse("domain name=a kernel=k privileged=1\ndomain name=b kernel=k driver=on"), 0);
    assert_false(cfg.dom[0].driver);
    assert_true(cfg.dom[1].driver && !cfg.dom[1].privileged);
    assert_int_equal(parse("domain name=a kernel=k driver=no"), 0);
    assert_false(cfg.dom[0].driver);
    fails("domain name=a kernel=k driver=maybe",
          "line 1, field 'driver': 'maybe': not a boolean (use 1/0, yes/no, on/off, true/false)");
    fails("domain name=a kernel=k driver=1 driver=1", "line 1, field 'driver': given twice");
    fails("domain name=a kernel=k driver=1\ndomain name=b kernel=k driver=true",
          "line 2, field 'driver': only one domain may be the driver domain (line 1 is)");
    fails("domain name=a kernel=k\ndomain name=b kernel=k disk=x.img",
          "line 2, field 'disk': no driver domain to serve it (give one domain driver=yes)");
    fails("domain name=a kernel=k vif=\ndomain name=b kernel=k disk=x.img driver=0",
          "line 1, field 'vif': no driver domain to serve it (give one domain driver=yes)");
}

/* type=pv|hvm (docs/hvm.md): an HVM domain is a plain one-vCPU domain without PV devices. */
static void test_type(void **state)
{
    (void)state;
    assert_int_equal(parse("domain name=a kernel=k privileged=yes type=pv\n"
                           "domain name=b kernel=g.elf memory=16 type=hvm\ndomain name=c kernel=k"), 0);
    assert_false(cfg.dom[0].hvm);
    assert_true(cfg.dom[1].hvm);
    assert_int_equal(cfg.dom[1].memory, 16ULL << 20);
    assert_false(cfg.dom[2].hvm);
    fails("domain name=a kernel=k type=kvm", "line 1, field 'type': 'kvm': not pv or hvm");
    fails("domain name=a kernel=k type=", "line 1, field 'type': '': not pv or hvm");
    fails("domain name=a kernel=k type=hvm type=pv", "line 1, field 'type': given twice");
    fails("domain name=a kernel=k type=hvm privileged=yes",
          "line 1, field 'type': an HVM domain cannot be privileged, the store or the driver domain (those are PV)");
    fails("domain name=a kernel=k type=hvm driver=yes",
          "line 1, field 'type': an HVM domain cannot be privileged, the store or the driver domain (those are PV)");
    fails("domain name=a kernel=k type=hvm ramdisk=r",
          "line 1, field 'type': an HVM domain has no ramdisk, devices or vif yet (docs/hvm.md)");
    /* An HVM kernel's command line reaches it in the Multiboot information (docs/hvm.md). */
    assert_int_equal(parse("domain name=a kernel=k type=hvm cmdline=\"mode=shell x=1\""), 0);
    assert_true(cfg.dom[0].hvm);
    assert_string_equal(cfg.dom[0].cmdline, "mode=shell x=1");
    fails("domain name=a kernel=k type=hvm vcpus=2", "line 1, field 'type': an HVM domain has one vCPU for now");
}

/* dm=NAME on an HVM line: the PV domain running its device model (Xen's XSM target relation). */
static void test_dm(void **state)
{
    (void)state;
    assert_int_equal(parse("domain name=c kernel=k privileged=yes\ndomain name=g kernel=g type=hvm dm=q\n"
                           "domain name=q kernel=k\ndomain name=h kernel=g type=hvm"), 0);
    assert_string_equal(cfg.dom[1].dm, "q");
    assert_int_equal(cfg.dom[1].dm_domid, 2);
    assert_int_equal(cfg.dom[3].dm_domid, 0x7ff4);     /* DOMID_INVALID */
    assert_int_equal(cfg.dom[0].dm_domid, 0x7ff4);
    fails("domain name=a kernel=k dm=b\ndomain name=b kernel=k",
          "line 1, field 'dm': only an HVM domain has a device model domain");
    fails("domain name=a kernel=k type=hvm dm=nobody", "line 1, field 'dm': no domain is named 'nobody'");
    fails("domain name=a kernel=k type=hvm dm=b\ndomain name=b kernel=k type=hvm",
          "line 1, field 'dm': 'b' is an HVM domain: a device model runs in a PV domain");
    fails("domain name=a kernel=k type=hvm dm=a", "line 1, field 'dm': 'a' is an HVM domain: a device model runs in a PV domain");
    fails("domain name=a kernel=k type=hvm dm=b dm=c", "line 1, field 'dm': given twice");
}

/* disk= on an HVM line (docs/devmodel.md): emulated IDE drives ide/0 and ide/1, served by the driver domain's device model. */
static void test_hvm_disks(void **state)
{
    const struct domconfig_dom *h;
    (void)state;
    assert_int_equal(parse("domain name=drv kernel=k driver=yes disk=d.img\n"
                           "domain name=h kernel=g type=hvm disk=h.img,big.img:mode=r:start=1M:size=2M\n"
                           "domain name=p kernel=k disk=p.img"), 0);
    h = &cfg.dom[1];
    assert_int_equal(h->nr_devices, 2);
    assert_string_equal(h->devices[0].type, "ide");
    assert_int_equal(h->devices[0].id, 0);
    assert_int_equal(h->devices[0].flags, TANDEM_DEVICE_disk);
    assert_string_equal(h->devices[0].serial, "h/0");
    assert_int_equal(h->devices[0].backend, 1);         /* the driver domain */
    assert_string_equal(h->devices[1].type, "ide");
    assert_int_equal(h->devices[1].id, 1);
    assert_int_equal(h->devices[1].flags, TANDEM_DEVICE_disk | TANDEM_DEVICE_readonly | TANDEM_DEVICE_region);
    assert_int_equal(h->devices[1].region_start, 2048);
    assert_int_equal(h->devices[1].region_sectors, 4096);
    assert_int_equal(h->dm_domid, 1);                   /* the driver domain runs its device model */
    assert_string_equal(cfg.dom[2].devices[0].type, "vbd");
    assert_int_equal(cfg.dom[2].dm_domid, 0x7ff4);
    /* dm= may name the driver domain; another domain, no. */
    assert_int_equal(parse("domain name=drv kernel=k driver=yes\ndomain name=h kernel=g type=hvm disk=h.img dm=drv"), 0);
    assert_int_equal(cfg.dom[1].dm_domid, 1);
    fails("domain name=drv kernel=k driver=yes\ndomain name=q kernel=k\ndomain name=h kernel=g type=hvm disk=h.img dm=q",
          "line 3, field 'dm': 'q': an HVM domain's emulated devices are served by the driver domain's device model "
          "('drv'): dm= names it or is left out");
    fails("domain name=drv kernel=k driver=yes\ndomain name=h kernel=g type=hvm disk=a.img,b.img,c.img",
          "line 2, field 'disk': an HVM domain has at most 2 emulated disks (the IDE primary channel's master and "
          "slave: docs/devmodel.md)");
    fails("domain name=h kernel=g type=hvm disk=h.img",
          "line 1, field 'disk': no driver domain to serve it (give one domain driver=yes)");
    fails("domain name=drv kernel=k driver=yes\ndomain name=h kernel=g type=hvm disk=h.img vif=",
          "line 2, field 'type': an HVM domain has no ramdisk, devices or vif yet (docs/hvm.md)");
    /* Without disks an HVM domain has no device model unless dm= gives one. */
    assert_int_equal(parse("domain name=drv kernel=k driver=yes\ndomain name=h kernel=g type=hvm"), 0);
    assert_int_equal(cfg.dom[1].dm_domid, 0x7ff4);
}

/* nic=ne2000[:mac=MAC] (type=hvm): device ne2k/0 after the disks, served by the driver domain. */
static void test_hvm_nic(void **state)
{
    const struct domconfig_dom *h;
    (void)state;
    assert_int_equal(parse("domain name=drv kernel=k driver=yes\n"
                           "domain name=h kernel=g type=hvm disk=h.img nic=ne2000\n"
                           "domain name=m kernel=g type=hvm disk=m.img nic=ne2000:mac=00:16:3E:aa:bb:0c\n"
                           "domain name=n kernel=g type=hvm disk=n.img"), 0);
    h = &cfg.dom[1];
    assert_true(h->nic);
    assert_false(h->nic_has_mac);
    assert_int_equal(h->nr_devices, 2);
    assert_string_equal(h->devices[1].type, "ne2k");
    assert_int_equal(h->devices[1].id, 0);
    assert_int_equal(h->devices[1].flags, TANDEM_DEVICE_vif);
    assert_int_equal(h->devices[1].backend, 1);         /* the driver domain */
    h = &cfg.dom[2];
    assert_true(h->nic_has_mac);
    assert_int_equal(h->devices[1].flags, TANDEM_DEVICE_vif | TANDEM_DEVICE_mac);
    assert_string_equal(h->devices[1].serial, "00:16:3e:aa:bb:0c");
    /* Without nic=: no card. */
    assert_false(cfg.dom[3].nic);
    assert_int_equal(cfg.dom[3].nr_devices, 1);
    static const char *const bad[] = { "e1000", "", "ne2000x", "ne2000:", "ne2000:mac", "ne2000:model=x",
                                       "NE2000" };
    for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char line[160], want[200];
        snprintf(line, sizeof(line), "domain name=drv kernel=k driver=yes\ndomain name=h kernel=g type=hvm "
                 "disk=h.img nic=%s", bad[i]);
        snprintf(want, sizeof(want), "line 2, field 'nic': '%s': the NIC model is ne2000 (nic=ne2000 or "
                 "nic=ne2000:mac=XX:XX:XX:XX:XX:XX)", bad[i]);
        fails(line, want);
    }
    fails("domain name=drv kernel=k driver=yes\ndomain name=h kernel=g type=hvm disk=h.img nic=ne2000:mac=01:00:00:00:00:01",
          "line 2, field 'nic': 'ne2000:mac=01:00:00:00:00:01': a multicast MAC (the first octet is odd) cannot "
          "name an interface");
    fails("domain name=drv kernel=k driver=yes\ndomain name=h kernel=g type=hvm disk=h.img nic=ne2000:mac=00:16:3e",
          "line 2, field 'nic': 'ne2000:mac=00:16:3e': a MAC is six hex pairs separated by ':' (e.g. 00:16:3e:00:00:01)");
    fails("domain name=drv kernel=k driver=yes\ndomain name=h kernel=g type=hvm disk=h.img nic=ne2000 nic=ne2000",
          "line 2, field 'nic': given twice");
    fails("domain name=drv kernel=k driver=yes\ndomain name=p kernel=k nic=ne2000",
          "line 2, field 'nic': only an HVM domain has an emulated NIC (a PV domain's network is vif=)");
    /* nic= alone: the driver domain's device model serves it (no disk needed), and without one, no NIC. */
    assert_int_equal(parse("domain name=drv kernel=k driver=yes\ndomain name=h kernel=g type=hvm nic=ne2000"), 0);
    assert_int_equal(cfg.dom[1].dm_domid, cfg.dom[0].domid);
    assert_int_equal(cfg.dom[1].nr_devices, 1);
    assert_string_equal(cfg.dom[1].devices[0].type, "ne2k");
    fails("domain name=h kernel=g type=hvm nic=ne2000",
          "line 1, field 'nic': the emulated NIC comes from the driver domain's device model: no line has "
          "driver=yes");
    fails("domain name=drv kernel=k driver=yes\ndomain name=q kernel=k\ndomain name=h kernel=g type=hvm nic=ne2000 dm=q",
          "line 3, field 'dm': 'q': an HVM domain's emulated devices are served by the driver domain's device model "
          "('drv'): dm= names it or is left out");
}

/* paging=npt|shadow (docs/hvm.md "Shadow paging"): type=hvm only, npt by default. */
static void test_paging(void **state)
{
    (void)state;
    assert_int_equal(parse("domain name=a kernel=g.elf type=hvm paging=shadow\n"
                           "domain name=b kernel=g.elf type=hvm paging=npt\n"
                           "domain name=c kernel=g.elf type=hvm"), 0);
    assert_true(cfg.dom[0].shadow_paging);
    assert_false(cfg.dom[1].shadow_paging);
    assert_false(cfg.dom[2].shadow_paging);
    fails("domain name=a kernel=k type=hvm paging=ept", "line 1, field 'paging': 'ept': not npt or shadow");
    fails("domain name=a kernel=k type=hvm paging=shadow paging=npt", "line 1, field 'paging': given twice");
    fails("domain name=a kernel=k paging=shadow",
          "line 1, field 'paging': only for type=hvm domains (PV domains manage their own page tables)");
    fails("domain name=a kernel=k type=pv paging=npt",
          "line 1, field 'paging': only for type=hvm domains (PV domains manage their own page tables)");
}

static void test_line_errors(void **state)
{
    (void)state;
    fails("", "no 'domain' line");
    fails("# nothing\n\n   \n", "no 'domain' line");
    fails("\n\ndomian name=a kernel=k\n", "line 3: unknown statement 'domian' (expected 'domain')");
    fails("domain name=a kernel=k\ndomain kernel=k\n",
          "line 2, field 'name': missing (every domain needs a name)");
    fails("domain name=a", "line 1, field 'kernel': missing (every domain needs a kernel)");
    fails("domain name=a kernel=k colour=blue", "line 1, field 'colour': unknown field");
    fails("domain name=a kernel=k kernel=j", "line 1, field 'kernel': given twice");
    fails("domain name=a kernel k", "line 1, field 'kernel': missing '=value'");
    fails("domain name=a kernel=k cmdline=\"open", "line 1, field 'cmdline': unterminated quoted value");
    fails("domain name=a kernel=k cmdline=\"a\"b", "line 1, field 'cmdline': text after the closing quote");
    fails("domain name=a kernel=k\"x\"", "line 1, field 'kernel': a quote inside an unquoted value");
    fails("domain name=a kernel=", "line 1, field 'kernel': '': empty");
    fails("domain name=a kernel=k\ndomain name=a kernel=k",
          "line 2, field 'name': 'a' is already the name of line 1");
    fails("domain name=a kernel=k privileged=1\ndomain name=b kernel=k privileged=1",
          "line 2, field 'privileged': only one domain may be privileged (line 1 is)");
    fails("domain name=a/b kernel=k",
          "line 1, field 'name': 'a/b': may only hold letters, digits, '-', '_' and '.'");
    fails("domain name=abcdefghijabcdefghijabcdefghijabc kernel=k",
          "line 1, field 'name': 'abcdefghijabcdefghijabcdefghijabc': too long (at most 31 characters)");
    assert_int_equal(domconfig_parse("domain name=a kernel=k\0x", 24, &cfg, &err), -1);
    assert_int_equal(err.line, 1);
    assert_string_equal(err.why, "NUL byte (not a text file?)");
}

static void test_limits(void **state)
{
    static char big[DOMCONFIG_LINE_MAX * 2];
    static char many[(DOMCONFIG_MAX_DOMAINS + 1) * 40];
    char want[64];
    size_t n = 0;

    (void)state;
    memset(big, 'x', sizeof(big) - 1);
    memcpy(big, "domain name=a kernel=k cmdline=", 31);
    fails(big, "line 1: line too long (at most 2048 characters)");

    memset(big, 0, sizeof(big));
    memcpy(big, "domain name=a kernel=k cmdline=", 31);
    memset(big + 31, 'y', 1023);
    assert_int_equal(parse(big), 0);
    assert_int_equal(strlen(cfg.dom[0].cmdline), 1023);
    big[31 + 1023] = 'y';
    fails(big, "line 1, field 'cmdline': too long (at most 1023 characters)");

    for (int i = 0; i < DOMCONFIG_MAX_DOMAINS; i++)
        n += (size_t)snprintf(many + n, sizeof(many) - n, "domain name=d%d kernel=k\n", i);
    assert_int_equal(parse(many), 0);
    assert_int_equal(cfg.nr, DOMCONFIG_MAX_DOMAINS);
    assert_int_equal(cfg.dom[DOMCONFIG_MAX_DOMAINS - 1].domid, DOMCONFIG_MAX_DOMAINS);
    snprintf(many + n, sizeof(many) - n, "domain name=one-more kernel=k\n");
    snprintf(want, sizeof(want), "line %d: too many domains (at most %d)",
             DOMCONFIG_MAX_DOMAINS + 1, DOMCONFIG_MAX_DOMAINS);
    fails(many, want);
}

static void test_modules(void **state)
{
    (void)state;
    assert_false(domconfig_is_config("\x7f" "ELF\2\1\1", 7));
    assert_true(domconfig_is_config("domain name=a", 13));
    assert_true(domconfig_is_config("\x7f" "EL", 3));
    assert_true(domconfig_module_matches("kernel.elf", "kernel.elf"));
    assert_true(domconfig_module_matches("/abs/out/kernel.elf mode=shell x", "kernel.elf"));
    assert_true(domconfig_module_matches("  out/kernel.elf", "other/dir/kernel.elf"));
    assert_true(domconfig_module_matches("EFI\\tandem\\k.elf", "k.elf"));
    assert_false(domconfig_module_matches("kernel.elf", "kernel"));
    assert_false(domconfig_module_matches("kernel", "kernel.elf"));
    assert_false(domconfig_module_matches("dir/", "dir"));
    assert_false(domconfig_module_matches("", "k"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_line),
        cmocka_unit_test(test_domids),
        cmocka_unit_test(test_sizes),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_store),
        cmocka_unit_test(test_devices),
        cmocka_unit_test(test_disk_vif),
        cmocka_unit_test(test_disk_options),
        cmocka_unit_test(test_driver),
        cmocka_unit_test(test_type),
        cmocka_unit_test(test_dm),
        cmocka_unit_test(test_hvm_disks),
        cmocka_unit_test(test_hvm_nic),
        cmocka_unit_test(test_paging),
        cmocka_unit_test(test_line_errors),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_modules),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
