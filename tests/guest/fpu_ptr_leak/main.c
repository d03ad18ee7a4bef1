/*
 * fpu_ptr_leak (hostile, two domains, XSA-52 class): the x87 last
 * instruction pointer (FIP), data pointer (FDP) and opcode (FOP) must not
 * carry one domain's values into another. The victim domain loops on an
 * x87 load and store of its own variables, leaving FIP/FDP/FOP pointing at
 * them, and spins; the spy sleeps 2 ms at a time, so each wake-up is a
 * switch from the running victim, and the first thing it does is fnstenv
 * (fxsave would do on hardware, but QEMU's TCG stores zeros there).
 * AMD CPUs without CPUID 0x80000008 EBX[2] (RstrFpErrPtrs) neither save nor
 * restore these fields unless an exception is pending: without a reset in
 * the hypervisor's restore (Xen's fpu_fxrstor), the spy reads the victim's.
 * Both run the same image, so the victim's addresses are the spy's symbols.
 */
#include "multidom.h"

const char test_title[] = "hostile: x87 FIP/FDP/FOP do not leak between domains";

extern const char victim_fst[];         /* the victim's last x87 instruction */
static volatile double victim_in = 3.0, victim_out;

static void victim(void)
{
    uint64_t end = md_now() + MD_MS(1500);
    unsigned long rounds = 0;

    __asm__ __volatile__("fninit");
    while (md_now() < end) {
        __asm__ __volatile__("fldl %0\n\t.globl victim_fst\nvictim_fst: fstpl %1"
                             : "+m"(victim_in), "=m"(victim_out) :: "memory");
        for (volatile unsigned int i = 0; i < 20000; i++)
            ;                           /* no x87 here: the pointers stay */
        rounds++;
    }
    printk("victim: %lu rounds, FIP %p FDP %p\n", rounds, (void *)victim_fst, (void *)&victim_out);
}

/* fnstenv (32-bit layout): FIP at byte 12, FOP in the high half of 16, FDP at 20. */
struct x87_env { uint32_t fcw, fsw, ftw, fip, fcs_fop, fdp, fds; };

static void spy(void)
{
    unsigned int looks = 0, leaks = 0;

    for (unsigned int i = 0; i < 200; i++) {
        struct x87_env env;

        md_sleep_ns(MD_MS(2));
        /* fnstenv (a control instruction) leaves FIP/FDP/FOP as the switch-in left them. */
        __asm__ __volatile__("fnstenv %0" : "=m"(env));
        looks++;
        if (env.fip == (uint32_t)(uint64_t)victim_fst || env.fdp == (uint32_t)(uint64_t)&victim_out) {
            if (!leaks++)
                printk("spy: FIP %#x FDP %#x FOP %#x: the victim's\n", env.fip, env.fdp,
                       env.fcs_fop >> 16);
        } else if (looks == 1) {
            printk("spy: FIP %#x FDP %#x FOP %#x (not the victim's)\n", env.fip, env.fdp,
                   env.fcs_fop >> 16);
        }
    }
    printk("spy: %u looks after a switch from the victim, %u saw its x87 pointers\n", looks, leaks);
    if (leaks)
        test_fail("the victim's FIP/FDP reached this domain %u times in %u", leaks, looks);
}

void test_main(void)
{
    md_init();
    md_events_on();
    if (md_arg_is("role", "victim"))
        victim();
    else if (md_arg_is("role", "spy"))
        spy();
    else
        test_error("role=victim or role=spy");
    test_success();
}
