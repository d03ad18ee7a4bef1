/*
 * console_long (two domains at once): guest lines longer than the old
 * 256-character limit reach the console whole, as one `(dN)` line each,
 * from console_io and from the console ring; a line of exactly
 * CON_LINE_MAX (4096) characters is still one line; a longer one is cut
 * at 4096 with the marker and its rest is the next line; and lines of the
 * two domains, written at the same time, never mix inside a line (each
 * domain's lines are its own letter; the expect file counts whole lines).
 * About 45 KiB a domain in all: within the console rate limit's 64 KiB burst.
 */
#include "multidom.h"

const char test_title[] = "console: long lines whole, cut at the limit, never interleaved";

static char line[6000];

/* "console_long TAG N " then `len` copies of `ch`, then a newline. */
static size_t build(const char *tag, unsigned int n, char ch, size_t len)
{
    size_t p = (size_t)snprintf(line, sizeof(line), "console_long %s %u ", tag, n);

    memset(line + p, ch, len);
    p += len;
    line[p++] = '\n';
    return p;
}

void test_main(void)
{
    char ch;

    md_init();
    md_events_on();
    ch = md_arg_is("role", "a") ? 'a' : md_arg_is("role", "b") ? 'b' : 0;
    if (!ch) {
        test_error("role=a or role=b");
        return;
    }
    /* The ring: flow-controlled by the hypervisor, written by both domains at once. */
    console_use_ring(true);
    for (unsigned int i = 0; i < 10; i++)
        console_write(line, build("ring", i, ch, 1000 + 300 * i));
    console_write(line, build("max", 0, ch, 4096 - 19));     /* "console_long max 0 " is 19: 4096 in all */
    console_use_ring(false);
    /* console_io: paced (its lines are dropped, not delayed, when the console is full). */
    for (unsigned int i = 0; i < 4; i++) {
        CHECK_RC(HC3(console_io, CONSOLEIO_write, build("io", i, ch, 3000), line), 0, "console_io write");
        md_sleep_ns(MD_MS(20));
    }
    CHECK_RC(HC3(console_io, CONSOLEIO_write, build("cut", 0, ch, 5000), line), 0, "console_io write (5000)");
    md_sleep_ns(MD_MS(20));
    test_success();
}
