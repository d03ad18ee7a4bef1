/* Runs test_main() and prints the one result line (worst result wins). */
#include "test.h"

enum result { RES_SUCCESS, RES_SKIP, RES_ERROR, RES_FAILURE };
static enum result result = RES_SUCCESS;
static const char *const names[] = { "SUCCESS", "SKIP", "ERROR", "FAILURE" };

static bool said;       /* test_success() or any report: the test said how it ended */

static void report(enum result r, const char *fmt, va_list ap)
{
    char buf[256];

    vsnprintf(buf, sizeof(buf), fmt, ap);
    printk("%s: %s\n", names[r], buf);
    said = true;
    if (r > result)
        result = r;
}

#define DEFINE_REPORT(fn, r) \
    void fn(const char *fmt, ...) { va_list ap; va_start(ap, fmt); report(r, fmt, ap); va_end(ap); }
DEFINE_REPORT(test_fail, RES_FAILURE)
DEFINE_REPORT(test_error, RES_ERROR)
DEFINE_REPORT(test_skip, RES_SKIP)

void test_success(void)
{
    said = true;
}

void test_exit(void)
{
    if (!said)
        test_error("test ended without a result (no test_success, fail, error or skip)");
    printk("Test result: %s\n", names[result]);
    shutdown(SHUTDOWN_poweroff);
}

/* As XTF: a test that returns without saying how it ended is an ERROR, never a SUCCESS. */
void kernel_main(struct start_info *si)
{
    printk("--- Tandem test: %s\n", test_title);
    test_main();
    if (!said)
        test_error("test_main returned without a result (no test_success, fail, error or skip)");
    printk("Test result: %s\n", names[result]);
}
