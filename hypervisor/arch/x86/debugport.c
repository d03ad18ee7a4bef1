/*
 * The debug-key port: a second 16550 (COM2, 0x2f8) whose input goes straight
 * to the debug keys, whoever has console input. tools/tandem-run attaches a
 * socket to it and types 'w' (the hang report) before it kills a run that
 * timed out, without knowing how many Ctrl-A presses reach the hypervisor.
 * Absent (the scratch register does not keep a value): never read.
 */
#include "lib.h"
#include "arch_hooks.h"
#include "processor.h"

#define COM2 0x2f8

static bool present, probed;

static bool probe(void)
{
    outb(COM2 + 7, 0x5a);           /* scratch register: reads back only on a real UART */
    if (inb(COM2 + 7) != 0x5a)
        return false;
    outb(COM2 + 7, 0xa5);
    if (inb(COM2 + 7) != 0xa5)
        return false;
    outb(COM2 + 1, 0x00);           /* no interrupts: polled from the timer tick */
    outb(COM2 + 3, 0x03);           /* 8n1 */
    return true;
}

int arch_debugport_getc(void)
{
    if (!probed) {
        present = probe();
        probed = true;
    }
    if (!present || !(inb(COM2 + 5) & 0x01))
        return -1;
    return inb(COM2);
}
