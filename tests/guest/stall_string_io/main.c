/*
 * stall_string_io: a string I/O instruction with a huge count must not hold
 * the CPU (the emulation gives the CPU back when hypercall_preempt_check()
 * says so, the guest runs the instruction on). stall_preempt's victim
 * (domain 1, attacks=rep_insl,rep_outsl) sleeps 2 ms at a time and must
 * never wake 50 ms late while this attacker runs one `rep insl` of 1 Mi
 * elements (4 MiB, from the domain's own 0xcf8 latch) and then one
 * `rep outsl` of them back to it; the attacker checks each did all its work
 * (rcx 0, rdi/rsi at the end, the data: every dword the latch's value, and
 * the latch holding the last dword written).
 */
#include "multidom.h"
#include "pcicfg.h"
#include "traps.h"

const char test_title[] = "stall: rep ins/outs with a huge count are preempted";

#define NR_DWORDS (1U << 20)
static uint32_t big[NR_DWORDS];
static volatile unsigned long events;
static uint32_t port;

static void on_event(uint32_t p)
{
    (void)p;
    events++;
}

static bool announce(void)
{
    unsigned long want = events + 1;

    CHECK_RC(md_send(port), 0, "send to the victim");
    return md_block_until(&events, want, md_now() + MD_MS(20000));
}

static bool find_victim(void)
{
    uint64_t deadline = md_now() + MD_MS(10000);
    long rc = -1;

    while (rc) {
        for (uint32_t p = 1; p < 64 && (rc = md_bind_interdomain(1, p, &port)); p++)
            ;
        if (rc && md_now() > deadline)
            return false;
        if (rc)
            md_sleep_ns(MD_MS(1));
    }
    md_clear_pending(port);
    md_bind(port, on_event);
    md_events_on();
    return true;
}

static bool attack(const char *name, bool in)
{
    uint64_t t0, rcx = NR_DWORDS, idx = (uint64_t)big;
    bool ok;

    if (!announce()) {
        test_fail("the victim did not answer before %s", name);
        return false;
    }
    t0 = md_now();
    if (in)
        __asm__ __volatile__("rep insl" : "+D"(idx), "+c"(rcx) : "d"(0xcf8) : "memory");
    else
        __asm__ __volatile__("rep outsl" : "+S"(idx), "+c"(rcx) : "d"(0xcf8) : "memory");
    printk("attacker: %s of %u dwords in %lu ms\n", name, NR_DWORDS, (unsigned long)((md_now() - t0) / 1000000));
    ok = !rcx && idx == (uint64_t)&big[NR_DWORDS];
    if (in)
        for (unsigned int i = 0; ok && i < NR_DWORDS; i += 4097)
            ok = big[i] == 0x8000c0de;
    else
        ok = ok && pio_in(0xcf8, 4, NULL) == big[NR_DWORDS - 1];
    if (!ok) {
        test_fail("%s did not do its work (rcx %#lx, index %#lx)", name, (unsigned long)rcx, (unsigned long)idx);
        return false;
    }
    md_sleep_ns(MD_MS(20));
    if (!announce()) {
        test_fail("the victim did not answer after %s", name);
        return false;
    }
    return true;
}

void test_main(void)
{
    md_init();
    if (!md_arg_is("role", "attacker")) {
        test_error("role=attacker expected (boot with string.cfg)");
        return;
    }
    CHECK_RC(traps_set_exceptions(), 0, "set_trap_table(exceptions)");
    CHECK_RC(pcicfg_set_iopl(1), 0, "set_iopl 1");
    pio_out(0xcf8, 4, 0x8000c0de, NULL);
    if (!find_victim()) {
        test_fail("the victim offered no port");
        return;
    }
    md_sleep_ns(MD_MS(50));
    big[NR_DWORDS - 1] = 0x80000abc;
    if (!attack("rep_insl", true))
        return;
    big[NR_DWORDS - 1] = 0x80000abc;
    if (!attack("rep_outsl", false))
        return;
    test_success();
}
