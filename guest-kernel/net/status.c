/*
 * The domain's status page (the HTTP server's "/"): its name, uptime, memory and processes,
 * what the shell's info, uptime, mem and ps print, as a small HTML page.
 */
#include "netsvc.h"
#include "proc.h"

static const char *const ps_states[] = { "running", "sleeping", "zombie" };

/* snprintf onto buf at *len, never past size. */
static void put(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (*len + 1 >= size)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf + *len, size - *len, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len = *len + (size_t)n < size ? *len + (size_t)n : size - 1;
}

static void status_threads(char *buf, size_t size, size_t *len)
{
    static struct thread_report t[64];
    int n = sched_threads(t, 64);

    put(buf, size, len, "threads: %d\n", n);
    for (int i = 0; i < n; i++)
        put(buf, size, len, "  %-8s %-9s %6lu ticks%s\n", t[i].name, t[i].state == THREAD_RUNNABLE ? "runnable" : "blocked",
            (unsigned long)t[i].ticks, t[i].pid ? ", a process" : "");
}

static void status_procs(char *buf, size_t size, size_t *len)
{
    static struct ps_entry e[MAX_PROCS];
    int n = proc_ps(e, MAX_PROCS);

    put(buf, size, len, "processes: %d\n", n);
    if (n)
        put(buf, size, len, "    PID  PPID STATE     PAGES  TICKS NAME\n");
    for (int i = 0; i < n; i++)
        put(buf, size, len, "  %5d %5d %-9s %5lu %6lu %s\n", e[i].pid, e[i].ppid,
            e[i].state >= 0 && e[i].state < 3 ? ps_states[e[i].state] : "?", (unsigned long)e[i].pages,
            (unsigned long)e[i].ticks, e[i].name);
}

size_t status_page(char *buf, size_t size)
{
    char name[NET_NAME_LEN];
    struct netif *n = netsvc_netif();
    struct meminfo mi;
    uint64_t ns = system_time_ns();
    size_t len = 0;

    status_name(name, sizeof(name));
    mm_get_info(&mi);
    put(buf, size, &len, "<!DOCTYPE html>\n<html><head><title>Tandem d%u %s</title></head><body>\n"
        "<h1>Tandem domain %u (%s)</h1>\n<pre>\n", net_domid(), name, net_domid(), name[0] ? name : "?");
    put(buf, size, &len, "domain: %u\nname: %s\nprivileged: %s\n", net_domid(), name[0] ? name : "?",
        net_privileged() ? "yes" : "no");
    put(buf, size, &len, "uptime: %lu.%03lu s\n", (unsigned long)(ns / 1000000000), (unsigned long)(ns / 1000000 % 1000));
    put(buf, size, &len, "memory: %lu pages (%lu MiB): %lu free, %lu page tables, %lu user, %lu kernel\n",
        (unsigned long)mi.total, (unsigned long)(mi.total >> 8), (unsigned long)mi.free,
        (unsigned long)mi.page_tables, (unsigned long)mi.user, (unsigned long)mi.kernel);
    if (n)
        put(buf, size, &len, "address: %s\n", ip4addr_ntoa(netif_ip4_addr(n)));
    status_threads(buf, size, &len);
    status_procs(buf, size, &len);
    put(buf, size, &len, "</pre>\n</body></html>\n");
    return len;
}
