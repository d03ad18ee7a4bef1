/*
 * The native side of include/platform.h that is not a device's: the
 * interrupt flag (IF: cli/sti), idle (hlt: the 100 Hz tick wakes it, so
 * sleepers need no one-shot timer), power off through the isa-debug-exit
 * port, and `version`.
 */
#include "native.h"

#define DEBUG_EXIT_PORT 0xf4    /* QEMU's isa-debug-exit; Tandem's HVM platform has the same */

static inline bool irqs_on(void)
{
    uint64_t f;

    __asm__ __volatile__("pushfq; popq %0" : "=r"(f) :: "memory");
    return f & 0x200;
}

void events_enable(void)
{
    __asm__ __volatile__("sti" ::: "memory");
}

uint8_t events_save(void)
{
    uint8_t was_off = !irqs_on();

    events_disable();
    return was_off;
}

void events_restore(uint8_t m)
{
    if (!m)
        events_enable();
}

/* sti; hlt: the interrupt that ends the hlt cannot slip in between (sti's one-instruction shadow). */
void arch_idle(uint64_t wake_at)
{
    (void)wake_at;
    __asm__ __volatile__("sti; hlt" ::: "memory");
}

/* Power off: 0; anything else is a crash (QEMU exits (value << 1) | 1: 1 and 3). */
__attribute__((noreturn)) void shutdown(unsigned int reason)
{
    events_disable();
    outb(DEBUG_EXIT_PORT, reason == SHUTDOWN_poweroff ? 0 : 1);
    for (;;)
        __asm__ __volatile__("hlt");
}

void arch_print_version(void)
{
    uint32_t r[4];
    char sig[13] = "";

    if (native_hypervisor) {
        cpuid(0x40000000, r);
        memcpy(sig, &r[1], 4);
        memcpy(sig + 4, &r[2], 4);
        memcpy(sig + 8, &r[3], 4);
        sig[12] = 0;
    }
    printk("native kernel (ring 0), %s%s%s; timer: %s\n", native_hypervisor ? "under the hypervisor '" : "no hypervisor",
           sig, native_hypervisor ? "'" : "", native_clock_source);
}
