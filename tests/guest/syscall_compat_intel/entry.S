#include "../syscall_compat/entry.S"
