/*
 * The seam between the guest kernel's common code (threads, memory,
 * processes, system calls, the shell) and the platform it runs on:
 *   PV      a Xen-style PV guest: hypercalls, event channels, pinned tables
 *           (kernel/events.c, kmap.c, mmu_batch.c, console_in.c, main.c and
 *           arch/x86/pv/platform.c, entry through arch/x86/head.S and entry.S);
 *   native  ring 0 on bare x86-64 or as an HVM guest: its own GDT/IDT/TSS, real
 *           page tables, the local APIC timer, a 16550 UART (arch/x86/native/).
 * Each platform implements every function below; the inline part (interrupt
 * flag, frame numbers, selectors) is its include/arch/platform.h.
 * docs/guest-kernel.md describes both.
 */
#ifndef GUEST_PLATFORM_H
#define GUEST_PLATFORM_H

#include <stdint.h>
#include <stdbool.h>

/*
 * Critical sections (one CPU): the interrupt flag. PV: the event upcall
 * mask; native: IF. events_disable() is inline (arch/platform.h).
 */
void events_enable(void);               /* PV: delivers what is pending */
uint8_t events_save(void);              /* disables; returns 1 if they were disabled already */
void events_restore(uint8_t m);         /* enables if m was 0 */

uint64_t system_time_ns(void);          /* ns since boot (PV: since the hypervisor booted) */
uint64_t arch_wallclock_sec(void);      /* seconds since 1970 now, 0 if the platform has no clock */

/*
 * The idle thread, interrupts disabled, nothing runnable: wait until an
 * interrupt or event arrives, returning with them enabled. wake_at: the
 * earliest sleeper's system time (0: none), for a platform without a tick.
 */
void arch_idle(uint64_t wake_at);

/* Traps and system calls: install the platform's entry points. */
void traps_init(void);
void syscall_init(void);
uint64_t arch_fault_addr(void);         /* the address of the page fault being handled (CR2) */

/* The shell's `version`: what the kernel runs on, one line. */
void arch_print_version(void);

#endif
