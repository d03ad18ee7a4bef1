/* The guest library: start of day, console, strings, printf, shutdown. */
#ifndef GUEST_GUEST_H
#define GUEST_GUEST_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdarg.h>
#include <tandem/xen.h>
#include <tandem/errno.h>
#include <tandem/sched.h>
#include "hypercall.h"

#define PAGE_SIZE 4096UL
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define barrier() __asm__ __volatile__("" ::: "memory")

extern struct start_info *start_info;
extern struct shared_info *shared_info;     /* NULL until mapped */

/* Called by head.S with rsi = start_info. Each kernel defines it. */
void kernel_main(struct start_info *si);

/* Strings and formatting: libtandem (lib/include/tandem-lib/). */
#include <tandem-lib/string.h>
#include <tandem-lib/printf.h>
unsigned long strtoul(const char *s, const char **end, int base);

/* Console output: console_io (always) or the PV console ring once console_use_ring(). */
void console_write(const char *s, size_t len);
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_use_ring(bool on);

__attribute__((noreturn)) void shutdown(unsigned int reason);

/* pvclock: system time (ns since boot) from a vcpu_time_info and the TSC. */
uint64_t pvclock_read_ns(const volatile struct vcpu_time_info *t);
/* Deliver pending, unmasked ports to fn (clearing each one's pending bit); returns how many. */
unsigned int evtchn_scan(struct shared_info *s, struct vcpu_info *vi,
                         void (*fn)(unsigned int port, void *ctx), void *ctx);

/* Machine-frame helpers (mfn_to_pfn, pfn_to_mfn), the interrupt flag's events_disable and the
 * platform's constants: the PV or the native build's arch/x86/{pv,native}/include/arch/platform.h. */
#include <arch/platform.h>

#endif
