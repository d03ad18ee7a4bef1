/* The failsafe-callback tests' common part (failsafe_reload.h). */
#include "test.h"
#include "failsafe_reload.h"
#include <tandem/callback.h>
#include <tandem/vcpu.h>
#include <tandem/event_channel.h>

static uint64_t gdt_page[512] __attribute__((aligned(4096)));
static uint8_t si_page[4096] __attribute__((aligned(4096)));
void failsafe_reload_entry(void);
void failsafe_reload_c(uint64_t *frame);

__asm__(".pushsection .text\n"
        "failsafe_reload_entry:\n"
        "  mov %rsp, %rdi\n"
        "  and $-16, %rsp\n"
        "  call failsafe_reload_c\n"
        "  ud2\n"
        ".popsection");

void failsafe_reload_c(uint64_t *f)
{
    /* f[0] rcx, f[1] r11, f[2..5] ds es fs gs, f[6] rip ... */
    if (f[4] != 0x0b) {
        test_fail("failsafe frame fs %#lx, want 0xb", (unsigned long)f[4]);
    } else {
        printk("failsafe callback with fs %#lx in the frame\n", (unsigned long)f[4]);
        test_success();
    }
    test_exit();        /* no way back to test_main from here */
}

static uint64_t va_to_maddr(const void *p)
{
    uint64_t va = (uint64_t)p;
    return (pfn_to_mfn((va - 0xffffffff80000000UL) >> 12) << 12) | (va & 0xfff);
}

/* Block on a timer 5 ms ahead until the vCPU is really descheduled (and its selectors reloaded). */
static void block_until_descheduled(void)
{
    struct evtchn_bind_virq bv = { .virq = VIRQ_TIMER, .vcpu = 0 };
    struct shared_info *s = (struct shared_info *)si_page;
    struct vcpu_set_singleshot_timer t = { .flags = 0 };

    CHECK_RC(HC2(event_channel_op, EVTCHNOP_bind_virq, &bv), 0, "bind VIRQ_TIMER");
    CHECK_RC(HC3(update_va_mapping, si_page, start_info->shared_info | 0x67, UVMF_INVLPG), 0,
             "map shared_info");
    /* A loaded host may let the 5 ms pass before the block (which then returns at once,
     * with no deschedule): clear the event and try again, a few times. */
    for (int i = 0; i < 20; i++) {
        t.timeout_abs_ns = pvclock_read_ns(&s->vcpu_info[0].time) + 5000000;
        CHECK_RC(HC3(vcpu_op, VCPUOP_set_singleshot_timer, 0, &t), 0, "singleshot");
        HC2(sched_op, SCHEDOP_block, 0);
        /* All three levels: with the selector bit left set, the next event would not set
         * upcall_pending again (the 2-level rule) and the next block would never wake. */
        __atomic_and_fetch(&s->evtchn_pending[bv.port / 64], ~(1UL << (bv.port % 64)), __ATOMIC_SEQ_CST);
        __atomic_and_fetch(&s->vcpu_info[0].evtchn_pending_sel, ~(1UL << (bv.port / 64)), __ATOMIC_SEQ_CST);
        s->vcpu_info[0].evtchn_upcall_pending = 0;
    }
}

void failsafe_reload_run(uint64_t bad_desc, const char *what)
{
    struct callback_register cb = { .type = CALLBACKTYPE_failsafe, .address = (uint64_t)failsafe_reload_entry };
    uint64_t frame = va_to_maddr(gdt_page) >> 12;
    uint16_t sel;

    gdt_page[1] = 0x00cff2000000ffffULL;                /* ring-3 data */
    CHECK_RC(HC2(callback_op, CALLBACKOP_register, &cb), 0, "register failsafe");
    /* A descriptor page may not stay writable-mapped. */
    CHECK_RC(HC3(update_va_mapping, gdt_page, (frame << 12) | 0x25, UVMF_INVLPG), 0, "map GDT page RO");
    CHECK_RC(HC2(set_gdt, &frame, 512), 0, "set_gdt");
    __asm__ __volatile__("mov %1, %%fs; mov %%fs, %0" : "=r"(sel) : "r"(0x0bU));
    if (sel != 0x0b)
        test_fail("fs is %#x after loading 0xb", sel);
    CHECK_RC(HC2(update_descriptor, va_to_maddr(&gdt_page[1]), bad_desc), 0, what);
    block_until_descheduled();
    test_fail("no failsafe callback");
}
