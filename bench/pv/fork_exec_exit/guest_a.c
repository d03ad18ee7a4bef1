/* The bundled guest kernel's scheduler, memory and processes, compiled into this benchmark kernel. */
#include "../../../guest-kernel/kernel/events.c"
#include "../../../guest-kernel/kernel/sched.c"
#include "../../../guest-kernel/kernel/mm.c"
#include "../../../guest-kernel/kernel/proc.c"
#include "../../../guest-kernel/kernel/console_in.c"
