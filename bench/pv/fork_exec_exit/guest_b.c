/* The bundled guest kernel's trap table (its own file: events.c has a `handlers` too). */
#include "../../../guest-kernel/kernel/traps.c"
