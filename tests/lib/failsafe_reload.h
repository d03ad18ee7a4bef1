/*
 * The failsafe-callback tests' common part: a selector loaded from the
 * guest's own GDT is made unloadable while loaded, and the reload on the
 * next context switch must end in the guest's failsafe callback (Xen's
 * frame: rcx, r11, ds, es, fs, gs, rip, cs, rflags, rsp, ss), never in a
 * hypervisor fault.
 */
#ifndef TANDEM_TEST_FAILSAFE_RELOAD_H
#define TANDEM_TEST_FAILSAFE_RELOAD_H

#include <stdint.h>

/*
 * Loads fs with 0x0b (entry 1 of a one-page GDT: ring-3 data), rewrites that
 * entry to bad_desc with update_descriptor, then blocks on a 5 ms timer until
 * the vCPU is descheduled. The failsafe callback checks fs 0x0b in its frame,
 * prints "failsafe callback with fs 0xb in the frame" and ends the test
 * (test_exit). Returns only if no callback came (after test_fail).
 */
void failsafe_reload_run(uint64_t bad_desc, const char *what);

#endif
