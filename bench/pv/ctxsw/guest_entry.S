/* The bundled guest kernel's entry points, as in bench/pv/fork_exec_exit. */
#include "../fork_exec_exit/guest_entry.S"
