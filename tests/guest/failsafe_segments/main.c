/*
 * A segment selector the guest made invalid while it was loaded: the reload
 * on the next context switch fails, and the hypervisor delivers the failsafe
 * callback (frame: rcx, r11, ds, es, fs, gs, rip, cs, rflags, rsp, ss)
 * instead of faulting itself.
 */
#include "test.h"
#include <tandem/callback.h>
#include <tandem/vcpu.h>
#include <tandem/event_channel.h>

const char test_title[] = "failsafe callback when a stale selector cannot be reloaded";

static uint64_t gdt_page[512] __attribute__((aligned(4096)));
static uint8_t si_page[4096] __attribute__((aligned(4096)));
void failsafe_entry(void);
void failsafe_c(uint64_t *frame);

__asm__(".pushsection .text\n"
        "failsafe_entry:\n"
        "  mov %rsp, %rdi\n"
        "  and $-16, %rsp\n"
        "  call failsafe_c\n"
        "  ud2\n"
        ".popsection");

void failsafe_c(uint64_t *f)
{
    /* f[0] rcx, f[1] r11, f[2..5] ds es fs gs, f[6] rip ... */
    if (f[4] != 0x0b)
        test_fail("failsafe frame fs %#lx, want 0xb", (unsigned long)f[4]);
    else
        printk("failsafe callback with fs %#lx in the frame\n", (unsigned long)f[4]);
    printk("Test result: %s\n", "SUCCESS");
    shutdown(SHUTDOWN_poweroff);
}

static uint64_t va_to_maddr(const void *p)
{
    uint64_t va = (uint64_t)p;
    return (pfn_to_mfn((va - 0xffffffff80000000UL) >> 12) << 12) | (va & 0xfff);
}

void test_main(void)
{
    struct callback_register cb = { .type = CALLBACKTYPE_failsafe, .address = (uint64_t)failsafe_entry };
    uint64_t frame = va_to_maddr(gdt_page) >> 12;
    struct vcpu_set_singleshot_timer t;
    uint16_t sel;

    gdt_page[1] = 0x00cff2000000ffffULL;                /* ring-3 data */
    CHECK_RC(HC2(callback_op, CALLBACKOP_register, &cb), 0, "register failsafe");
    /* A descriptor page may not stay writable-mapped. */
    CHECK_RC(HC3(update_va_mapping, gdt_page, (frame << 12) | 0x25, UVMF_INVLPG), 0, "map GDT page RO");
    CHECK_RC(HC2(set_gdt, &frame, 512), 0, "set_gdt");
    __asm__ __volatile__("mov %1, %%fs; mov %%fs, %0" : "=r"(sel) : "r"(0x0bU));
    if (sel != 0x0b)
        test_fail("fs is %#x after loading 0xb", sel);
    /* Make the descriptor not present while fs still holds it. */
    CHECK_RC(HC2(update_descriptor, va_to_maddr(&gdt_page[1]), 0), 0, "update_descriptor");
    /* Block until a timer: the vCPU is descheduled and reloaded. */
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    CHECK_RC(HC2(event_channel_op, EVTCHNOP_bind_virq, &bv), 0, "bind VIRQ_TIMER");
    /* 5 ms from now (pvclock system time), so the block really deschedules us. */
    CHECK_RC(HC3(update_va_mapping, si_page, start_info->shared_info | 0x67, UVMF_INVLPG), 0,
             "map shared_info");
    /*
     * On a loaded host the timer may already have fired (its event pending)
     * when SCHEDOP_block runs, which then returns at once without a
     * deschedule: clear that event, arm the timer again and block again.
     */
    struct shared_info *sh = (struct shared_info *)si_page;
    for (int i = 0; i < 10; i++) {
        sh->vcpu_info[0].evtchn_upcall_pending = 0;
        sh->vcpu_info[0].evtchn_pending_sel = 0;
        sh->evtchn_pending[bv.port / 64] &= ~(1UL << (bv.port % 64));
        t.timeout_abs_ns = pvclock_read_ns(&((struct shared_info *)si_page)->vcpu_info[0].time) + 5000000;
        t.flags = 0;
        CHECK_RC(HC3(vcpu_op, VCPUOP_set_singleshot_timer, 0, &t), 0, "singleshot");
        HC2(sched_op, SCHEDOP_block, 0);
    }
    for (int i = 0; i < 100; i++)
        HC2(sched_op, SCHEDOP_yield, 0);
    test_fail("no failsafe callback");
    test_success();
}
