/*
 * dom_crash: one domain crashes (a page fault with no handler) while
 * another spins. Domain 0 (privileged) must get VIRQ_DOM_EXC, see the
 * crashed domain shut down with reason crash (or already gone), and the
 * spinning domain still running afterwards. The hypervisor destroys the
 * crashed domain with a dump; the final report must show every frame
 * returned. Roles on the command line: control, crash, spin.
 */
#include "multidom.h"

const char test_title[] = "a crashing domain leaves the others running";

static volatile unsigned long dom_exc;

static void on_dom_exc(uint32_t port)
{
    (void)port;
    dom_exc++;
}

static void control(void)
{
    struct tandem_domctl_getdomaininfo i;
    uint64_t before;
    uint32_t port;
    long rc;

    CHECK_RC(md_bind_virq(VIRQ_DOM_EXC, &port), 0, "bind VIRQ_DOM_EXC");
    md_bind(port, on_dom_exc);
    md_events_on();
    if (!md_block_until(&dom_exc, 1, md_now() + MD_MS(10000))) {
        test_fail("no VIRQ_DOM_EXC within 10 s");
        return;
    }
    rc = md_dominfo(1, &i);
    if (rc == 0 && (!(i.flags & TANDEM_DOMINF_shutdown) || i.shutdown_reason != SHUTDOWN_crash))
        test_fail("d1 after VIRQ_DOM_EXC: flags %#x reason %u, want shut down with crash",
                  i.flags, i.shutdown_reason);
    else if (rc && rc != -XEN_ESRCH)
        test_fail("getdomaininfo(d1): %ld", rc);
    printk("control: d1 crashed (%s)\n", rc ? "already destroyed" : "shut down, not yet destroyed");

    CHECK_RC(md_dominfo(2, &i), 0, "getdomaininfo(d2)");
    before = i.cpu_time_ns;
    for (uint64_t deadline = md_now() + MD_MS(5000); md_now() < deadline; ) {
        md_sleep_ns(MD_MS(50));
        CHECK_RC(md_dominfo(2, &i), 0, "getdomaininfo(d2) later");
        if (i.cpu_time_ns > before + MD_MS(20))
            break;
    }
    if (i.flags & (TANDEM_DOMINF_shutdown | TANDEM_DOMINF_dying))
        test_fail("d2 stopped too (flags %#x)", i.flags);
    if (i.cpu_time_ns <= before + MD_MS(20))
        test_fail("d2 did not run after d1 crashed");
    printk("control: d2 carries on: %lu ms more CPU since d1 crashed\n",
           (unsigned long)((i.cpu_time_ns - before) / 1000000));
}

void test_main(void)
{
    md_init();
    if (md_arg_is("role", "control"))
        control();
    else if (md_arg_is("role", "crash")) {
        md_events_on();
        md_sleep_ns(MD_MS(100));
        printk("crash: faulting now\n");
        *(volatile int *)(uintptr_t)md_arg_ul("addr", 0x10) = 1;
        test_fail("still alive after the fault");
    } else if (md_arg_is("role", "spin")) {
        for (;;)
            __asm__ __volatile__("pause");
    } else
        test_error("role=control, crash or spin expected (boot with crash.cfg)");
    test_success();
}
