/*
 * Hostile: 20,000 hypercalls with hostile arguments (hypervisor, direct-map,
 * non-canonical and unmapped addresses, garbage-filled buffers, extreme
 * numbers), from a fixed seed so every run does the same. Whatever happens to
 * this domain, the hypervisor must survive, power off with a report and pass
 * the frame audit. Calls that would legitimately end or strand the domain
 * (iret, shutdown, block, poll, VCPUOP_down, unmapping our own image,
 * installing garbage handlers) are left out. "seed=N" and "rounds=N" (x 20,000)
 * explore further: make fuzz runs many seeds. At least 0.5% must succeed.
 */
#include "test.h"
#include "testarg.h"
#include <tandem/vcpu.h>
#include <tandem/grant_table.h>

const char test_title[] = "hypercall fuzz: the hypervisor survives hostile arguments";

/* Garbage buffers start in the first quarter: output up to 48 KiB long stays inside. */
static uint8_t junk[16 * 4096] __attribute__((aligned(4096)));
#define JUNK_START_SPAN (4 * 4096)
static uint64_t state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    return xorshift64(&state);
}

static uint64_t hostile_arg(void)
{
    static const uint64_t special[] = {
        0, 1, 2, 3, 7, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, ~0ULL, ~0ULL - 7,
        0x1000, 0xffff800000000000ULL, 0xffff82d080200000ULL, 0xffff830000000000ULL,
        0xffff830000001000ULL, 0x0000800000000000ULL, 0x00007ffffffffff8ULL, 0xffff87fffffffff8ULL,
        0x7ff0, 0x7ff2, 512, 513, 4096, 1ULL << 40,
    };
    switch (rnd() % 4) {
    case 0: return special[rnd() % ARRAY_SIZE(special)];
    case 1: return (uint64_t)junk + (rnd() % JUNK_START_SPAN);     /* readable garbage */
    case 2: return rnd() % 64;
    default: return rnd();
    }
}

static bool excluded(unsigned long nr, uint64_t a1, uint64_t a2)
{
    switch (nr) {
    case __HYPERVISOR_iret:
    /* Garbage trap handlers, callbacks or kernel stacks would kill us at the next event;
     * their refusal paths have tests of their own (traps, callbacks). */
    case __HYPERVISOR_set_trap_table:
    case __HYPERVISOR_set_callbacks:
    case __HYPERVISOR_callback_op:
    case __HYPERVISOR_stack_switch:
    case __HYPERVISOR_fpu_taskswitch:
        return true;
    case __HYPERVISOR_sched_op:
        return a1 != SCHEDOP_yield;
    case __HYPERVISOR_vcpu_op:
        return a1 == VCPUOP_down;
    case __HYPERVISOR_grant_table_op:
        /* setup_table writes frame numbers and copy writes our own frames wherever the garbage
         * says (as Xen would), map may put a PTE over our image; dump_table, transfer,
         * get_status_frames and swap_grant_ref write their results wherever uop points: they get
         * tests of their own (fuzz_gnttab, gnt_subops). */
        return (uint32_t)a1 == GNTTABOP_setup_table || (uint32_t)a1 == GNTTABOP_copy ||
               (uint32_t)a1 == GNTTABOP_map_grant_ref || (uint32_t)a1 == GNTTABOP_dump_table ||
               (uint32_t)a1 == GNTTABOP_transfer || (uint32_t)a1 == GNTTABOP_get_status_frames ||
               (uint32_t)a1 == GNTTABOP_swap_grant_ref;
    case __HYPERVISOR_multicall:
        return a2 > 64;     /* results are written into every entry: keep it in the buffer */
    case __HYPERVISOR_update_va_mapping:
    case __HYPERVISOR_update_va_mapping_otherdomain:
        /* Unmapping our own image would only kill us, not test the hypervisor. */
        return a1 >= 0xffffffff80000000ULL && a1 < 0xffffffff81000000ULL;
    default:
        return false;
    }
}

void test_main(void)
{
    unsigned long done = 0, ok = 0, seed = test_arg("seed", 0), rounds = test_arg("rounds", 1);

    /* "seed=N" explores other sequences (make fuzz runs many); "rounds=N" makes N times
     * as many calls. The test itself runs the fixed default. */
    state ^= seed * 0x2545f4914f6cdd1dULL;
    if (!state)
        state = 0x9e3779b97f4a7c15ULL;
    for (unsigned long i = 0; i < 20000 * rounds; i++) {
        unsigned long nr = rnd() % 50;
        uint64_t a[5];

        if (i % 256 == 0)
            for (unsigned int j = 0; j < JUNK_START_SPAN + 4096; j++)
                junk[j] = (uint8_t)rnd();
        for (int k = 0; k < 5; k++)
            a[k] = hostile_arg();
        if (excluded(nr, a[0], a[1]))
            continue;
        ok += _hypercall(nr, a[0], a[1], a[2], a[3], a[4]) >= 0;
        done++;
    }
    /* A fresh line: console_io garbage may have left one unfinished (lines are cut at a
     * fixed length, which would split this one). */
    printk("\nfuzz: %lu hypercalls made, %lu returned >= 0; still alive\n", done, ok);
    /* About 3% succeed (xen_version, yields, harmless queries...): a hypervisor that
     * refused everything would pass the survival checks without testing anything. */
    if (ok * 200 < done)
        test_fail("only %lu of %lu hypercalls returned >= 0 (want at least 0.5%%)", ok, done);
    else
        test_success();
}
