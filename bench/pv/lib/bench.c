/* Command line, reporting and errors for the PV benchmark kernels (bench.h). */
#include "bench.h"
#include <tandem/event_channel.h>

static uint64_t iters = 10000;
static char only[64];

/* Value of key=... among the command line's words, or NULL. */
static const char *arg(const char *key, size_t *len)
{
    const char *s = start_info->cmd_line;
    size_t k = strlen(key);

    while (*s) {
        const char *w = s;
        while (*s && *s != ' ')
            s++;
        if ((size_t)(s - w) > k && !strncmp(w, key, k) && w[k] == '=') {
            *len = (size_t)(s - w) - k - 1;
            return w + k + 1;
        }
        while (*s == ' ')
            s++;
    }
    return NULL;
}

uint64_t bench_init(void)
{
    size_t len;
    const char *v = arg("iters", &len), *end;

    if (v) {
        unsigned long n = strtoul(v, &end, 10);
        if (end != v + len || n == 0 || n > 100000000UL)
            printk("BENCH warning bad iters= on the command line, using %lu\n", (unsigned long)iters);
        else
            iters = n;
    }
    if ((v = arg("only", &len)) && len < sizeof(only)) {
        memcpy(only, v, len);
        only[len] = 0;
    }
    return iters;
}

uint64_t bench_warmup(uint64_t n)
{
    return n < 100 ? n : n / 10;
}

bool bench_want(const char *scenario)
{
    return !only[0] || !strcmp(only, scenario);
}

void bench_report(const char *scenario, const struct bench_result *r)
{
    int64_t d = (int64_t)(r->total - r->overhead);
    uint64_t mag = d < 0 ? -(uint64_t)d : (uint64_t)d;
    uint64_t x100 = (mag * 100 + r->iters / 2) / r->iters;

    printk("BENCH scenario=%s iters=%lu total=%lu overhead=%lu per_op=%s%lu.%02lu unit=tsc ops=%lu\n",
           scenario, (unsigned long)r->iters, (unsigned long)r->total, (unsigned long)r->overhead,
           d < 0 ? "-" : "", (unsigned long)(x100 / 100), (unsigned long)(x100 % 100),
           (unsigned long)r->ops);
}

void bench_done(void)
{
    printk("BENCH done\n");
}

void bench_error(const char *fmt, ...)
{
    char buf[200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printk("BENCH error %s\n", buf);
    shutdown(SHUTDOWN_crash);
}

