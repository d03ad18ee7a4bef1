/* Runs test_main() and prints the one result line (worst result wins). */
#include "test.h"

enum result { RES_SUCCESS, RES_SKIP, RES_ERROR, RES_FAILURE };
static enum result result = RES_SUCCESS;
static const char *const names[] = { "SUCCESS", "SKIP", "ERROR", "FAILURE" };

static void report(enum result r, const char *fmt, va_list ap)
{
    char buf[256];

    vsnprintf(buf, sizeof(buf), fmt, ap);
    printk("%s: %s\n", names[r], buf);
    if (r > result)
        result = r;
}

#define DEFINE_REPORT(fn, r) \
    void fn(const char *fmt, ...) { va_list ap; va_start(ap, fmt); report(r, fmt, ap); va_end(ap); }
DEFINE_REPORT(test_fail, RES_FAILURE)
DEFINE_REPORT(test_error, RES_ERROR)
DEFINE_REPORT(test_skip, RES_SKIP)

static bool success_said;

void test_success(void)
{
    success_said = true;
}

void kernel_main(struct start_info *si)
{
    printk("--- Tandem test: %s\n", test_title);
    test_main();
    printk("Test result: %s\n", names[result]);
}
