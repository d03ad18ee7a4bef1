/* The bundled guest kernel's entry points (exceptions, upcalls, syscall callback, enter_user). */
#include "../../../guest-kernel/arch/x86/entry.S"
