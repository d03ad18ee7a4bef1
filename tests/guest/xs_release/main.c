/*
 * xs_release: a domain's end as the store sees it. d1 (role=leaver) lets
 * d2 read its home directory, says so, and powers off; the store domain
 * (VIRQ_DOM_EXC) releases it (@releaseDomain) and removes
 * /local/domain/1, as xl does. d2 (role=watcher) watches @introduceDomain
 * and @releaseDomain (any domain may register them; each fires once at
 * once, as every watch), and d1's data/: the watch fires when the store
 * domain removes d1's home, and the home is gone afterwards. The store
 * domain's own log shows each introduction and the release (expect).
 * @introduceDomain / @releaseDomain events for a domain's coming and going
 * go to privileged watchers only (Xen since XSA-115: special watches fire
 * for privileged connections unless the nodes' permissions were set), so
 * d2, unprivileged, must see no more than their initial fires.
 */
#include "xst.h"

const char test_title[] = "xs_release: a domain's end: its home removed, watches fired";

#define HOME1 "/local/domain/1"
#define DATA1 HOME1 "/data"

static volatile unsigned long home_fired, intro_fired, release_fired;

static void on_home(struct xenbus_watch *w, const char *path)
{
    (void)w;
    printk("xs_release: event for %s\n", path);
    home_fired++;
}

static void on_special(struct xenbus_watch *w, const char *path)
{
    printk("xs_release: event %s (token %s)\n", path, w->token);
    if (!strcmp(path, "@introduceDomain"))
        intro_fired++;
    else if (!strcmp(path, "@releaseDomain"))
        release_fired++;
    else
        test_fail("special watch event for '%s'", path);
}

static void leaver(void)
{
    char p[64];
    uint32_t len = xst_argv(p, sizeof(p), HOME1, "n1", "r2", NULL);

    xst_expect_err(XS_SET_PERMS, 0, p, len, "EACCES", "set_perms on our home (the store domain's)");
    len = xst_argv(p, sizeof(p), DATA1, "n1", "r2", NULL);
    xst_expect_ok(XS_SET_PERMS, 0, p, len, NULL, 0, NULL, "let d2 read our data/");
    XST_CHECK(xenbus_write(&xst.c, 0, "data/leaving", "1"), 0, "write data/leaving");
    len = xst_argv(p, sizeof(p), "data/leaving", "n1", "r2", NULL);
    xst_expect_ok(XS_SET_PERMS, 0, p, len, NULL, 0, NULL, "let d2 read data/leaving");
    /* Stay until d2 says it watches our home (or 30 s) */
    for (uint64_t dl = md_now() + MD_MS(30000); md_now() < dl; md_sleep_ns(MD_MS(5))) {
        uint32_t v;
        if (!xenbus_read_uint(&xst.c, 0, "/local/domain/2/data/watching", &v))
            break;
    }
    printk("xs_release: d1 powers off\n");
}

static void watcher(void)
{
    static struct xenbus_watch wi = { .path = "@introduceDomain", .fn = on_special };
    static struct xenbus_watch wr = { .path = "@releaseDomain", .fn = on_special };
    static struct xenbus_watch wh = { .path = DATA1, .fn = on_home };
    char buf[64];
    uint64_t dl = md_now() + MD_MS(30000);
    uint32_t len;
    int rc;

    XST_CHECK(xenbus_watch(&xst.c, &wi), 0, "watch @introduceDomain");
    XST_CHECK(xenbus_watch(&xst.c, &wr), 0, "watch @releaseDomain");
    while (xenbus_read(&xst.c, 0, HOME1 "/data/leaving", buf, sizeof(buf), NULL)) {
        if (md_now() > dl) {
            test_fail("d1 never said it was leaving");
            return;
        }
        md_sleep_ns(MD_MS(5));
    }
    XST_CHECK(xenbus_watch(&xst.c, &wh), 0, "watch d1's data/");
    if (!xst_wait_events(&home_fired, 1, MD_MS(5000)))
        test_fail("no initial event for d1's data/");
    XST_CHECK(xenbus_read(&xst.c, 0, HOME1 "/name", buf, sizeof(buf), NULL), -XEN_EACCES,
              "d1's name (the store domain's node, readable by d1 only)");
    XST_CHECK(xenbus_write(&xst.c, 0, "data/watching", "1"), 0, "write data/watching");
    len = xst_argv(buf, sizeof(buf), "data/watching", "n2", "r1", NULL);
    xst_expect_ok(XS_SET_PERMS, 0, buf, len, NULL, 0, NULL, "let d1 read data/watching");

    /* d1 goes: its home's watch fires (the removal), and the home is gone */
    if (!xst_wait_events(&home_fired, 2, MD_MS(30000)))
        test_fail("no event when d1's home went");
    for (;;) {
        rc = xenbus_read(&xst.c, 0, DATA1 "/leaving", buf, sizeof(buf), NULL);
        if (rc || md_now() > dl)
            break;
        md_sleep_ns(MD_MS(10));
    }
    if (rc != -XEN_ENOENT && rc != -XEN_EACCES)
        test_fail("d1's data/leaving after d1 went: %d ('%s'), want it gone", rc, rc ? "" : buf);
    else
        printk("xs_release: /local/domain/1 is gone after d1 went (read: %s)\n",
               rc == -XEN_ENOENT ? "ENOENT" : "EACCES");
    /* Special watches: their initial fires only (XSA-115: the rest go to privileged watchers) */
    xst_wait_events(&release_fired, 2, MD_MS(500));
    if (intro_fired != 1 || release_fired != 1)
        test_fail("special watch events: @introduceDomain %lu, @releaseDomain %lu; want 1 each "
                  "(the initial fires)", intro_fired, release_fired);
    else
        printk("xs_release: @introduceDomain and @releaseDomain: the initial fires, nothing for a domU\n");
    XST_CHECK(xenbus_unwatch(&xst.c, &wh), 0, "unwatch d1's data/");
    XST_CHECK(xenbus_unwatch(&xst.c, &wr), 0, "unwatch @releaseDomain");
    XST_CHECK(xenbus_unwatch(&xst.c, &wi), 0, "unwatch @introduceDomain");
}

void test_main(void)
{
    if (!xst_init())
        return;
    if (md_arg_is("role", "leaver"))
        leaver();
    else
        watcher();
    test_success();
}
