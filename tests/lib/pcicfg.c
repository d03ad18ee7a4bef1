/* PCI configuration access for the io_* test kernels (pcicfg.h). */
#include "pcicfg.h"
#include <tandem/physdev.h>

uint32_t pio_in(unsigned int port, unsigned int size, bool *faulted)
{
    unsigned long before = last_trap.count;
    uint32_t v = 0;

    if (size == 4)
        __asm__ __volatile__("1: inl %%dx, %%eax; 2:" ASM_EXTABLE(1b, 2b) : "+a"(v) : "d"(port) : "memory");
    else if (size == 2)
        __asm__ __volatile__("1: inw %%dx, %%ax; 2:" ASM_EXTABLE(1b, 2b) : "+a"(v) : "d"(port) : "memory");
    else
        __asm__ __volatile__("1: inb %%dx, %%al; 2:" ASM_EXTABLE(1b, 2b) : "+a"(v) : "d"(port) : "memory");
    if (faulted)
        *faulted = last_trap.count != before;
    return v;
}

void pio_out(unsigned int port, unsigned int size, uint32_t val, bool *faulted)
{
    unsigned long before = last_trap.count;

    if (size == 4)
        __asm__ __volatile__("1: outl %%eax, %%dx; 2:" ASM_EXTABLE(1b, 2b) :: "a"(val), "d"(port) : "memory");
    else if (size == 2)
        __asm__ __volatile__("1: outw %%ax, %%dx; 2:" ASM_EXTABLE(1b, 2b) :: "a"(val), "d"(port) : "memory");
    else
        __asm__ __volatile__("1: outb %%al, %%dx; 2:" ASM_EXTABLE(1b, 2b) :: "a"(val), "d"(port) : "memory");
    if (faulted)
        *faulted = last_trap.count != before;
}

long pcicfg_set_iopl(unsigned int iopl)
{
    struct physdev_set_iopl a = { .iopl = iopl };

    return HC2(physdev_op, PHYSDEVOP_set_iopl, &a);
}

uint32_t pcicfg_read(unsigned int bdf, unsigned int reg, unsigned int size)
{
    pio_out(0xcf8, 4, 0x80000000U | (bdf << 8) | (reg & 0xfc), NULL);
    return pio_in(0xcfc + (reg & 3), size, NULL);
}

void pcicfg_write(unsigned int bdf, unsigned int reg, unsigned int size, uint32_t val)
{
    pio_out(0xcf8, 4, 0x80000000U | (bdf << 8) | (reg & 0xfc), NULL);
    pio_out(0xcfc + (reg & 3), size, val, NULL);
}

int pcicfg_find(uint16_t vendor, uint16_t device)
{
    for (unsigned int dev = 0; dev < 32; dev++)
        for (unsigned int fn = 0; fn < 8; fn++)
            if (pcicfg_read(PCICFG_BDF(0, dev, fn), 0, 4) == ((uint32_t)device << 16 | vendor))
                return PCICFG_BDF(0, dev, fn);
    return -1;
}

unsigned int pcicfg_cap(unsigned int bdf, unsigned int id)
{
    unsigned int pos, guard = 48;

    if (!(pcicfg_read(bdf, 0x06, 2) & 0x10))
        return 0;
    for (pos = pcicfg_read(bdf, 0x34, 1) & 0xfc; pos >= 0x40 && guard--; pos = pcicfg_read(bdf, pos + 1, 1) & 0xfc)
        if (pcicfg_read(bdf, pos, 1) == id)
            return pos;
    return 0;
}
