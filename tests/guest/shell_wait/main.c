/*
 * shell_wait: domain 1 of wait.cfg; it ends after half a second, and domain 0 (the bundled kernel's
 * shell, privileged) must notice with `wait 1` however soon that was.
 */
#include "multidom.h"

const char test_title[] = "shell_wait: domain 0 waits for a guest to end";

void test_main(void)
{
    /* Long enough that a wait that did not wait would show: domain 0's next line first. */
    md_init();
    md_events_on();
    md_sleep_ns(MD_MS(500));
    printk("shell_wait: ending now\n");
    test_success();
}
