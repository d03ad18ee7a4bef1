/*
 * stall_preempt: no hypercall may hold the CPU for long (security issue 9,
 * item 6). A victim domain (role=victim, domain 1) sleeps 2 ms at a time
 * (set_timer_op + SCHEDOP_block) and records, per attack, how late it woke
 * (pvclock). An attacker domain (role=attacker) runs, one after another:
 *   spin        guest code only: what the scheduler alone costs the victim
 *   mc_invlpg   a multicall of 32 mmuext_op batches of 65,536 INVLPG_LOCAL
 *               each (2,097,152 INVLPGs in one hypercall)
 *   mc_many     a multicall of 262,144 cheap entries (xen_version), 4 times
 *   increase    increase_reservation of frames=65536 frames in one call
 *   decrease    decrease_reservation of the same frames, in the order given
 *   console     8 console_io writes of 64 KiB (most of it dropped: over the
 *               domain's console rate)
 * Before each attack and after it (once it has checked that the work was
 * really done: every entry's result, the done counts, the extents) it sends
 * an event on an interdomain channel and waits for the victim's answer.
 * The victim passes only if every attack completed (all 12 events came)
 * and its largest wait under each stayed below bound_ms= (50; a credit
 * slice is 10 ms, an accounting period 30 ms). attacks=a,b,... names the
 * attacks another attacker runs (stall_pt_validate boots this victim).
 * Run under icount (expect): guest time counts instructions, so the bound
 * does not depend on how loaded the host is.
 */
#include "multidom.h"
#include <tandem/memory.h>
#include <tandem/io/console.h>
#include <tandem/version.h>

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MMU_UPDATE_PREEMPTED (1UL << 31)

const char test_title[] = "stall: long hypercalls are preempted, a sleeping domain still wakes on time";

#define NR_ATTACKS 6
#define MAX_NAMES  8
static const char *const attack_names[NR_ATTACKS] = {
    "spin", "mc_invlpg", "mc_many", "increase", "decrease", "console",
};

static volatile unsigned long events;   /* received on the channel */
static uint32_t port;

/* ---- victim ---- */

static void victim_on_event(uint32_t p)
{
    events++;
    md_send(p);                 /* the answer the attacker waits for */
}

/* attacks=a,b,c into names (default: this kernel's attacker's); returns how many. */
static unsigned int victim_attacks(const char *names[MAX_NAMES])
{
    static char list[128];
    unsigned int n = 0;

    md_arg("attacks", "", list, sizeof(list));
    if (!list[0]) {
        for (n = 0; n < NR_ATTACKS; n++)
            names[n] = attack_names[n];
        return n;
    }
    for (char *p = list; *p && n < MAX_NAMES; ) {
        names[n++] = p;
        while (*p && *p != ',')
            p++;
        if (*p)
            *p++ = 0;
    }
    return n;
}

static void victim(void)
{
    uint64_t bound = MD_MS(md_arg_ul("bound_ms", 50)), worst[MAX_NAMES] = { 0 };
    unsigned long sleeps[MAX_NAMES] = { 0 };
    uint64_t deadline = md_now() + MD_MS(100000), die = MD_MS(md_arg_ul("die_ms", 0)), die_end = 0;
    const char *names[MAX_NAMES];
    unsigned int nr = victim_attacks(names);
    unsigned long want = 2 * nr - (die ? 1 : 0);    /* events that end the run */
    bool ok = true;

    CHECK_RC(md_alloc_unbound(2, &port), 0, "alloc_unbound for the attacker");
    md_bind(port, victim_on_event);
    md_events_on();
    while (events < 2 * nr && md_now() < deadline) {
        unsigned long phase = events;
        uint64_t due = md_now() + MD_MS(2), late;

        if (die && events == want) {            /* the last attack began: its tail */
            if (!die_end)
                die_end = md_now() + die;
            else if (md_now() >= die_end)
                break;
        }

        md_sleep_ns(MD_MS(2));
        late = md_now() - due;
        /*
         * Odd phases: attack phase / 2 is running. A sleep counts for the
         * attack running when it ended (a stall delays the wake, and the
         * attacker announces the end 20 ms after it), else for the one
         * running when it began.
         */
        if (((events & 1) || (phase & 1)) && phase < 2 * nr) {
            unsigned int a = (events & 1) ? events / 2 : phase / 2;
            sleeps[a]++;
            if (late > worst[a])
                worst[a] = late;
        }
    }
    for (unsigned int a = 0; a < nr; a++) {
        printk("victim: largest wait under %-9s %4lu.%03lu ms over %lu sleeps of 2 ms\n", names[a],
               (unsigned long)(worst[a] / 1000000), (unsigned long)(worst[a] / 1000 % 1000), sleeps[a]);
        if (worst[a] >= bound) {
            test_fail("under %s the victim waited %lu ms past its 2 ms timer, bound %lu ms",
                      names[a], (unsigned long)(worst[a] / 1000000), (unsigned long)(bound / 1000000));
            ok = false;
        }
    }
    if (events < want || (die && !die_end)) {
        test_fail("the attacker completed %lu of %u attacks", events / 2, nr);
        ok = false;
    }
    if (ok)
        test_success();
}

/* ---- attacker ---- */

#define INVLPG_BATCH   65536
#define INVLPG_ENTRIES 32
#define MANY_ENTRIES   262144
#define MANY_ROUNDS    4
#define MAX_FRAMES     65536
#define CONSOLE_CHUNK  65536
#define CONSOLE_WRITES 8

static struct mmuext_op invlpg_ops[INVLPG_BATCH];
static uint32_t invlpg_done[INVLPG_ENTRIES];
static multicall_entry_t calls[MANY_ENTRIES];
static uint64_t frames[MAX_FRAMES];
static char console_buf[CONSOLE_CHUNK];

static void attacker_on_event(uint32_t p)
{
    (void)p;
    events++;
}

/* One step of the protocol: tell the victim, wait for its answer. */
static bool announce(void)
{
    unsigned long want = events + 1;

    CHECK_RC(md_send(port), 0, "send to the victim");
    return md_block_until(&events, want, md_now() + MD_MS(20000));
}

static bool attack_spin(unsigned long *work)
{
    uint64_t end = md_now() + MD_MS(300);

    while (md_now() < end)
        ++*work;
    return *work > 0;
}

static bool attack_mc_invlpg(unsigned long *work)
{
    unsigned int continued = 0;
    long rc;

    for (unsigned int i = 0; i < INVLPG_BATCH; i++)
        invlpg_ops[i] = (struct mmuext_op){ .cmd = MMUEXT_INVLPG_LOCAL,
                                            .arg1.linear_addr = 0x40000000UL + i * 4096UL };
    for (unsigned int e = 0; e < INVLPG_ENTRIES; e++) {
        invlpg_done[e] = 0;
        calls[e] = (multicall_entry_t){ .op = __HYPERVISOR_mmuext_op, .result = -1,
                                        .args = { (uint64_t)invlpg_ops, INVLPG_BATCH,
                                                  (uint64_t)&invlpg_done[e], DOMID_SELF } };
    }
    CHECK_RC(rc = HC2(multicall, calls, INVLPG_ENTRIES), 0, "multicall of INVLPG batches");
    for (unsigned int e = 0; e < INVLPG_ENTRIES; e++) {
        if (calls[e].result != 0)
            test_fail("multicall entry %u: result %ld, want 0", e, (long)calls[e].result);
        /* As Xen: a batch preempted inside the multicall leaves its continuation in the entry. */
        continued += (calls[e].args[1] & MMU_UPDATE_PREEMPTED) != 0;
        *work += invlpg_done[e];
    }
    printk("attacker: %u of %u INVLPG batches were continued inside the multicall\n", continued,
           INVLPG_ENTRIES);
    if (!continued)
        test_fail("no batch was preempted inside the multicall");
    return rc == 0 && *work == (unsigned long)INVLPG_ENTRIES * INVLPG_BATCH;
}

static bool attack_mc_many(unsigned long *work)
{
    long want = HC2(xen_version, XENVER_version, 0);

    for (unsigned int r = 0; r < MANY_ROUNDS; r++) {
        for (unsigned int e = 0; e < MANY_ENTRIES; e++)
            calls[e] = (multicall_entry_t){ .op = __HYPERVISOR_xen_version, .result = -1,
                                            .args = { XENVER_version } };
        CHECK_RC(HC2(multicall, calls, MANY_ENTRIES), 0, "multicall of xen_version");
        for (unsigned int e = 0; e < MANY_ENTRIES; e++)
            *work += calls[e].result == want;
    }
    return *work == (unsigned long)MANY_ENTRIES * MANY_ROUNDS;
}

static long reservation(unsigned int cmd, unsigned long n)
{
    struct xen_memory_reservation r = { .extent_start = (uint64_t)frames, .nr_extents = n,
                                        .domid = DOMID_SELF };

    return HC2(memory_op, cmd, &r);
}

static unsigned long nr_frames(void)
{
    return MIN(md_arg_ul("frames", MAX_FRAMES), MAX_FRAMES);
}

static bool attack_increase(unsigned long *work)
{
    long rc = reservation(XENMEM_increase_reservation, nr_frames());

    *work = rc > 0 ? (unsigned long)rc : 0;
    if (rc != (long)nr_frames())
        test_fail("increase_reservation of %lu frames: %ld", nr_frames(), rc);
    return rc == (long)nr_frames();
}

static bool attack_decrease(unsigned long *work)
{
    long rc = reservation(XENMEM_decrease_reservation, nr_frames());

    *work = rc > 0 ? (unsigned long)rc : 0;
    if (rc != (long)nr_frames())
        test_fail("decrease_reservation of %lu frames: %ld", nr_frames(), rc);
    return rc == (long)nr_frames();
}

static bool attack_console(unsigned long *work)
{
    for (unsigned int i = 0; i < CONSOLE_CHUNK; i++)
        console_buf[i] = (i % 128 == 127) ? '\n' : 'a' + i % 26;
    for (unsigned int w = 0; w < CONSOLE_WRITES; w++) {
        long rc = HC3(console_io, CONSOLEIO_write, CONSOLE_CHUNK, console_buf);
        if (rc) {
            test_fail("console_io write %u: %ld", w, rc);
            return false;
        }
        *work += CONSOLE_CHUNK;
    }
    /* Far over its console rate now: wait for allowance for its last lines. */
    md_sleep_ns(MD_MS(300));
    return true;
}

static bool (*const attacks[NR_ATTACKS])(unsigned long *) = {
    attack_spin, attack_mc_invlpg, attack_mc_many, attack_increase, attack_decrease, attack_console,
};

static void attacker(void)
{
    uint64_t deadline = md_now() + MD_MS(10000);
    long rc = -1;

    while (rc) {
        for (uint32_t p = 1; p < 64 && (rc = md_bind_interdomain(1, p, &port)); p++)
            ;
        if (rc && md_now() > deadline) {
            test_fail("the victim offered no port");
            return;
        }
        if (rc)
            md_sleep_ns(MD_MS(1));
    }
    md_clear_pending(port);
    md_bind(port, attacker_on_event);
    md_events_on();
    md_sleep_ns(MD_MS(50));         /* the victim is in its sleep loop */
    for (unsigned int a = 0; a < NR_ATTACKS; a++) {
        unsigned long work = 0;
        uint64_t t0;
        bool done;

        if (!announce()) {
            test_fail("the victim did not answer before %s", attack_names[a]);
            return;
        }
        t0 = md_now();
        done = attacks[a](&work);
        printk("attacker: %-9s %lu units of work in %lu ms\n", attack_names[a], work,
               (unsigned long)((md_now() - t0) / 1000000));
        if (!done) {
            test_fail("%s did not complete its work (%lu units)", attack_names[a], work);
            return;         /* the victim sees the attack never end */
        }
        md_sleep_ns(MD_MS(20));
        if (!announce()) {
            test_fail("the victim did not answer after %s", attack_names[a]);
            return;
        }
    }
    test_success();
}

void test_main(void)
{
    md_init();
    if (md_arg_is("role", "victim"))
        victim();
    else if (md_arg_is("role", "attacker"))
        attacker();
    else
        test_error("role=victim or role=attacker expected (boot with stall.cfg)");
}
