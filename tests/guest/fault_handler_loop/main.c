/*
 * fault_handler_loop: the #UD and #PF handlers point at an unmapped
 * address. ud2 bounces to the #UD handler, fetching it faults (#PF), which
 * bounces to the #PF handler, which faults again: each round pushes
 * another frame below the last. The loop must stay contained: once the
 * frames run off the mapped stack the domain is crashed and the
 * hypervisor powers off, well within the timeout.
 */
#include "traps.h"

const char test_title[] = "exception handlers at an unmapped address";

void test_main(void)
{
    struct trap_info t[3] = {
        { .vector = TRAP_invalid_op, .cs = FLAT_KERNEL_CS, .address = 0x3000 },
        { .vector = TRAP_page_fault, .cs = FLAT_KERNEL_CS, .address = 0x3000 },
        { 0 },
    };

    CHECK_RC(HC1(set_trap_table, t), 0, "set_trap_table(#UD, #PF at 0x3000)");
    printk("fault_handler_loop: about to fault\n");
    __asm__ __volatile__("ud2" ::: "memory");
}
