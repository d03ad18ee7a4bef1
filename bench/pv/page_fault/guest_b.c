/* The bundled guest kernel, as in bench/pv/fork_exec_exit. */
#include "../fork_exec_exit/guest_b.c"
