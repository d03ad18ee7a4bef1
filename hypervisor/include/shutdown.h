/* Machine power-off and the end-of-run report. */
#ifndef TANDEM_SHUTDOWN_H
#define TANDEM_SHUTDOWN_H

#include "types.h"

/* QEMU isa-debug-exit codes (process exit status = (code << 1) | 1). */
#define EXIT_ALL_POWEROFF  0x10     /* exit 33: every domain powered off */
#define EXIT_SOME_CRASHED  0x11     /* exit 35: a domain crashed */
#define EXIT_REBOOT        0x12     /* exit 37: a domain asked for reboot */
#define EXIT_PANIC         0x13     /* exit 39: the hypervisor panicked */

/* Report each domain's fate and power off. */
__noreturn void machine_shutdown_report(void);
__noreturn void machine_halt(unsigned int code);
/* "poweroff", "crash", ... for a SHUTDOWN_* reason; "unknown" for any other value. */
const char *shutdown_reason_name(int r);

#endif
