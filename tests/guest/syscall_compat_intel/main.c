/* syscall_compat on an Intel CPU model: compat SYSCALL is #UD in hardware. */
#define WANT_VENDOR "GenuineIntel"
#include "../syscall_compat/main.c"
