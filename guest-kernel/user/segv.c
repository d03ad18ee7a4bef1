/*
 * segv: misbehaves in user mode; the kernel kills it and carries on.
 *   segv        write to an unmapped address (page fault)
 *   segv ro     write to its own code (page fault on a read-only page)
 *   segv kernel read the kernel's memory (mapped, but not in the user L4)
 *   segv gp     a privileged instruction (general protection fault)
 *   segv ud     an invalid instruction
 */
#include "ulib.h"

/* An address the compiler cannot see through (it would warn about the bad access). */
static uintptr_t opaque(uintptr_t a)
{
    __asm__("" : "+r"(a));
    return a;
}

int main(int argc, char **argv)
{
    const char *how = argc > 1 ? argv[1] : "write";

    printf("segv: %s fault coming (pid %d)\n", how, getpid());
    if (!strcmp(how, "ro"))
        *(volatile uint8_t *)(uintptr_t)main = 0xc3;
    else if (!strcmp(how, "kernel"))
        printf("read %lx\n", *(volatile unsigned long *)opaque(0xffffffff80000000UL));
    else if (!strcmp(how, "gp"))
        __asm__ __volatile__("hlt");
    else if (!strcmp(how, "ud"))
        __asm__ __volatile__("ud2");
    else
        *(volatile int *)opaque(0x10) = 1;
    printf("segv: still alive?!\n");
    return 1;
}
