/*
 * The shell's store and grant commands (docs/guest-kernel.md): `xs ...`
 * through the kernel's xenbus client (in-process in the store domain, over
 * the ring elsewhere), `grants` from grant.c. Errors are printed with
 * Xen's names (ENOENT, EACCES, ...).
 */
#include "kernel.h"
#include "store.h"
#include "grant.h"

#define XS_WATCHES   8
#define XS_POLL_NS   20000000ULL            /* 20 ms between looks while waiting */
#define XS_WAIT_NS   30000000000ULL         /* `xs wait` gives up after 30 s */

static char buf[XENSTORE_PAYLOAD_MAX + 1];

static const char *err_name(int err)
{
#define X(n, v) case v: return #n;
    switch (-err) {
    XSD_ERRORS(X)
    case XEN_ETIMEDOUT: return "ETIMEDOUT";
    default: return "EIO";
    }
#undef X
}

/* ---- watches: registered ones print their events whenever the shell polls ---- */
static struct xs_shell_watch {
    struct xenbus_watch w;
    char path[128];
    unsigned int events;
} watches[XS_WATCHES];

static void watch_fired(struct xenbus_watch *w, const char *path)
{
    struct xs_shell_watch *sw = (struct xs_shell_watch *)w;

    sw->events++;
    printk("xs watch %s: %s changed (event %u)\n", sw->path, path, sw->events);
}

static struct xs_shell_watch *watch_add(struct xenbus_client *c, const char *path)
{
    for (unsigned int i = 0; i < XS_WATCHES; i++) {
        struct xs_shell_watch *sw = &watches[i];
        int rc;
        if (sw->w.fn)
            continue;
        snprintf(sw->path, sizeof(sw->path), "%s", path);
        sw->w.path = sw->path;
        sw->w.fn = watch_fired;
        sw->events = 0;
        if ((rc = xenbus_watch(c, &sw->w))) {
            printk("xs watch %s: %s\n", path, err_name(rc));
            sw->w.fn = NULL;
            return NULL;
        }
        return sw;
    }
    printk("xs watch %s: %u watches already (xs unwatch one)\n", path, XS_WATCHES);
    return NULL;
}

static void watch_del(struct xenbus_client *c, struct xs_shell_watch *sw)
{
    int rc = xenbus_unwatch(c, &sw->w);

    if (rc)
        printk("xs unwatch %s: %s\n", sw->path, err_name(rc));
    sw->w.fn = NULL;
}

/* Poll until done(arg) or a key is typed (consumed) or `deadline` passes (0: none); true if done. */
static bool xs_wait_for(bool (*done)(void *arg), void *arg, uint64_t deadline)
{
    for (;;) {
        xenbus_kernel_poll();
        if (done(arg))
            return true;
        if (console_input_pending()) {
            console_getchar();
            return false;
        }
        if (deadline && system_time_ns() > deadline)
            return false;
        thread_sleep_until(system_time_ns() + XS_POLL_NS);
    }
}

struct watch_wait { struct xs_shell_watch *sw; unsigned int n; };

static bool watch_done(void *arg)
{
    struct watch_wait *ww = arg;

    return ww->n && ww->sw->events >= ww->n;
}

/* `xs watch PATH [N]`: N given: print events until N (the store's first included) or a key. */
static void cmd_watch(struct xenbus_client *c, const char *path, const char *count)
{
    struct watch_wait ww = { NULL, 0 };
    const char *end;

    if (count) {
        ww.n = (unsigned int)strtoul(count, &end, 10);
        if (*end || !ww.n) {
            printk("usage: xs watch PATH [N]\n");
            return;
        }
    }
    /* With N, a watch `xs watch PATH` registered is waited on (its events since then count):
     * what happened between its registration and this wait is not missed. */
    for (unsigned int i = 0; count && i < XS_WATCHES && !ww.sw; i++)
        if (watches[i].w.fn && !strcmp(watches[i].path, path))
            ww.sw = &watches[i];
    if (!ww.sw && !(ww.sw = watch_add(c, path)))
        return;
    if (!count) {
        printk("xs watch %s: registered (events print as they come; xs unwatch %s ends it)\n", path, path);
        xenbus_kernel_poll();
        return;
    }
    if (!xs_wait_for(watch_done, &ww, 0))
        printk("xs watch %s: stopped after %u event%s\n", path, ww.sw->events, ww.sw->events == 1 ? "" : "s");
    watch_del(c, ww.sw);
}

static void cmd_unwatch(struct xenbus_client *c, const char *path)
{
    for (unsigned int i = 0; i < XS_WATCHES; i++)
        if (watches[i].w.fn && !strcmp(watches[i].path, path)) {
            watch_del(c, &watches[i]);
            return;
        }
    printk("xs unwatch %s: not watched\n", path);
}

struct exist_wait { struct xenbus_client *c; const char *path; bool want; int last; };

static bool exists_as_wanted(void *arg)
{
    struct exist_wait *ew = arg;

    ew->last = xenbus_read(ew->c, XENBUS_TX_NONE, ew->path, buf, sizeof(buf), NULL);
    return ew->want ? ew->last == 0 : ew->last == -XEN_ENOENT;
}

/* `xs wait [-n] PATH`: until PATH exists (-n: until it does not), 30 s or a key. */
static void cmd_wait(struct xenbus_client *c, const char *path, bool want)
{
    struct exist_wait ew = { c, path, want, 0 };

    if (xs_wait_for(exists_as_wanted, &ew, system_time_ns() + XS_WAIT_NS))
        printk("xs wait %s: %s\n", ew.path, ew.want ? "there" : "gone");
    else
        printk("xs wait %s: gave up (%s)\n", ew.path, ew.last ? err_name(ew.last) : "still there");
}

/* Raw XS_GET_PERMS (the client has no call for it): "n0\0r1\0" printed as "n0 r1". */
static void cmd_perms(struct xenbus_client *c, const char *path)
{
    struct xsd_sockmsg req = { XS_GET_PERMS, 0x7000 + c->next_req_id++, 0, (uint32_t)strlen(path) + 1 };
    struct xsd_sockmsg rsp;
    int rc = c->transport(c->ctx, &req, path, &rsp, buf, sizeof(buf) - 1);

    if (!rc && (rsp.req_id != req.req_id || (rsp.type != XS_GET_PERMS && rsp.type != XS_ERROR)))
        rc = -XEN_EIO;
    if (rc) {
        printk("xs perms %s: %s\n", path, err_name(rc));
        return;
    }
    buf[rsp.len] = 0;
    if (rsp.type == XS_ERROR) {
        printk("xs perms %s: %s\n", path, buf);
        return;
    }
    for (uint32_t i = 0; i + 1 < rsp.len; i++)
        if (!buf[i])
            buf[i] = ' ';
    printk("%s\n", buf);
}

/* `xs perms PATH P...`: raw XS_SET_PERMS, body "PATH\0P1\0P2\0" (Xen's form: n0 r1 b2 w3). */
static void cmd_set_perms(struct xenbus_client *c, const char *path, const char *perms)
{
    static char body[512];
    size_t pl = strlen(path) + 1, ql = strlen(perms) + 1;
    struct xsd_sockmsg req = { XS_SET_PERMS, 0x7000 + c->next_req_id++, 0, 0 };
    struct xsd_sockmsg rsp;
    int rc;

    if (pl + ql > sizeof(body)) {
        printk("xs perms %s: too long\n", path);
        return;
    }
    memcpy(body, path, pl);
    memcpy(body + pl, perms, ql);
    for (size_t i = pl; i < pl + ql; i++)
        if (body[i] == ' ')
            body[i] = 0;
    req.len = (uint32_t)(pl + ql);
    rc = c->transport(c->ctx, &req, body, &rsp, buf, sizeof(buf) - 1);
    if (!rc && (rsp.req_id != req.req_id || (rsp.type != XS_SET_PERMS && rsp.type != XS_ERROR)))
        rc = -XEN_EIO;
    if (rc) {
        printk("xs perms %s: %s\n", path, err_name(rc));
        return;
    }
    buf[rsp.len] = 0;
    if (rsp.type == XS_ERROR)
        printk("xs perms %s: %s\n", path, buf);
}

static void cmd_ls(struct xenbus_client *c, const char *path)
{
    char child[256];
    int n = xenbus_directory(c, XENBUS_TX_NONE, path, buf, sizeof(buf));
    const char *p = buf;

    if (n < 0) {
        printk("xs ls %s: %s\n", path, err_name(n));
        return;
    }
    for (int i = 0; i < n; p += strlen(p) + 1, i++) {
        char val[128];
        int rc;
        /* Each child's value too, as xenstore-ls prints them (into val: buf holds the names). */
        snprintf(child, sizeof(child), "%s%s%s", path, strcmp(path, "/") ? "/" : "", p);
        rc = xenbus_read(c, XENBUS_TX_NONE, child, val, sizeof(val), NULL);
        if (rc == -XEN_E2BIG)
            printk("  %s = (long value)\n", p);
        else if (rc)
            printk("  %s (%s)\n", p, err_name(rc));
        else
            printk("  %s = \"%s\"\n", p, val);
    }
    if (!n)
        printk("  (no children)\n");
}

/* `xs time PATH N`: N reads of PATH back to back, the mean round trip. */
static void cmd_time(struct xenbus_client *c, const char *path, const char *count)
{
    const char *end;
    unsigned long n = strtoul(count, &end, 10);
    uint64_t t0, ns;
    int rc = 0;

    if (*end || !n || n > 1000000) {
        printk("usage: xs time PATH N (1 to 1000000)\n");
        return;
    }
    t0 = system_time_ns();
    for (unsigned long i = 0; i < n && !rc; i++)
        rc = xenbus_read(c, XENBUS_TX_NONE, path, buf, sizeof(buf), NULL);
    ns = system_time_ns() - t0;
    if (rc)
        printk("xs time %s: %s\n", path, err_name(rc));
    else
        printk("xs time %s: %lu reads (%s) in %lu us: %lu ns each\n", path, n, xenbus_kernel_transport(),
               (unsigned long)(ns / 1000), (unsigned long)(ns / n));
}

static const char xs_usage[] =
    "xs ls PATH | read PATH | write PATH VALUE | rm PATH | perms PATH [PERM...] (set: n0 r1 b2)\n"
    "   xs watch PATH [N]: print PATH's watch events until N have come (the store's first included)\n"
    "     or a key is typed (a PATH registered before: its events so far count); without N it\n"
    "     stays registered, events print as they come\n"
    "   xs unwatch PATH | wait [-n] PATH: until PATH exists (-n: is gone), 30 s or a key\n"
    "   xs time PATH N: N reads of PATH, the mean round trip\n";

static void cmd_xs(char *args)
{
    struct xenbus_client *c = xenbus_kernel();
    char *op = args, *path, *rest;
    int rc;

    while (*op == ' ')
        op++;
    if (!*op) {
        printk("%s", xs_usage);
        return;
    }
    if (!c) {
        printk("xs: this domain has no store\n");
        return;
    }
    xenbus_kernel_poll();
    path = strchr(op, ' ');
    if (!path) {
        printk("%s", xs_usage);
        return;
    }
    *path++ = 0;
    while (*path == ' ')
        path++;
    rest = strchr(path, ' ');
    if (rest) {
        *rest++ = 0;
        while (*rest == ' ')
            rest++;
        if (!*rest)
            rest = NULL;
    }
    if (!strcmp(op, "read") && !rest) {
        rc = xenbus_read(c, XENBUS_TX_NONE, path, buf, sizeof(buf), NULL);
        if (rc)
            printk("xs read %s: %s\n", path, err_name(rc));
        else
            printk("%s\n", buf);
    } else if (!strcmp(op, "write") && rest) {
        if ((rc = xenbus_write(c, XENBUS_TX_NONE, path, rest)))
            printk("xs write %s: %s\n", path, err_name(rc));
    } else if (!strcmp(op, "rm") && !rest) {
        if ((rc = xenbus_rm(c, XENBUS_TX_NONE, path)))
            printk("xs rm %s: %s\n", path, err_name(rc));
    } else if (!strcmp(op, "ls") && !rest) {
        cmd_ls(c, path);
    } else if (!strcmp(op, "perms") && !rest) {
        cmd_perms(c, path);
    } else if (!strcmp(op, "perms")) {
        cmd_set_perms(c, path, rest);
    } else if (!strcmp(op, "watch")) {
        cmd_watch(c, path, rest);
    } else if (!strcmp(op, "time") && rest) {
        cmd_time(c, path, rest);
    } else if (!strcmp(op, "unwatch") && !rest) {
        cmd_unwatch(c, path);
    } else if (!strcmp(op, "wait")) {
        if (rest && !strcmp(path, "-n") && !strchr(rest, ' '))
            cmd_wait(c, rest, false);
        else if (!rest)
            cmd_wait(c, path, true);
        else {
            printk("%s", xs_usage);
        }
    } else {
        printk("%s", xs_usage);
    }
}

bool shell_xs_command(char *line)
{
    if (!strcmp(line, "grants")) {
        gnttab_list();
        return true;
    }
    if (!strcmp(line, "xs") || !strncmp(line, "xs ", 3)) {
        cmd_xs(line + 2);
        return true;
    }
    return false;
}

/* Before each prompt: events for the registered watches. */
void shell_xs_poll(void)
{
    if (xenbus_kernel())
        xenbus_kernel_poll();
}
