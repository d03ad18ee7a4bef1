/*
 * privtest: what user mode must not do, each tried in a child of its own:
 * reach kernel memory, privileged instructions (the interrupt flag, I/O ports,
 * including the native kernel's power-off port 0xf4, control registers,
 * MSRs, descriptor tables, SYSRET), a jump to a non-canonical address and
 * software interrupts through gates user mode may not use. Every child must
 * be killed by the exception the CPU raises; the parent, and the kernel,
 * carry on. The same binary on the PV kernel and the native build.
 */
#include "ulib.h"

#define GP 13
#define PF 14
#define NP 11

static uintptr_t opaque(uintptr_t a)
{
    __asm__("" : "+r"(a));
    return a;
}

static void try_case(int which)
{
    static uint64_t desc[2];

    switch (which) {
    case 0: (void)*(volatile unsigned long *)opaque(0xffffffff80100000UL); break;
    case 1: *(volatile unsigned long *)opaque(0xffffffff80100000UL) = 0; break;
    case 2: __asm__ __volatile__("cli"); break;
    case 3: __asm__ __volatile__("hlt"); break;
    case 4: { uint8_t v; __asm__ __volatile__("inb $0x71, %0" : "=a"(v)); } break;
    case 5: __asm__ __volatile__("outb %0, $0xf4" :: "a"((uint8_t)0)); break;
    case 6: { unsigned long v; __asm__ __volatile__("mov %%cr3, %0" : "=r"(v)); } break;
    case 7: __asm__ __volatile__("mov %0, %%cr3" :: "r"(0UL)); break;
    case 8: __asm__ __volatile__("wrmsr" :: "c"(0xc0000082u), "a"(0), "d"(0)); break;
    case 9: __asm__ __volatile__("lidt %0" :: "m"(desc)); break;
    case 10: __asm__ __volatile__("sysretq"); break;
    case 11: __asm__ __volatile__("jmp *%0" :: "r"(opaque(0x0000800000000000UL))); break;
    case 12: __asm__ __volatile__("int $0x20"); break;
    case 13: __asm__ __volatile__("int $0x80"); break;
    }
}

static const struct { const char *what; int vector, alt; } cases[] = {
    { "read kernel memory", PF, PF }, { "write kernel memory", PF, PF }, { "cli", GP, GP },
    { "hlt", GP, GP }, { "in from port 0x71", GP, GP }, { "out to port 0xf4 (power off)", GP, GP },
    { "read cr3", GP, GP }, { "load cr3", GP, GP }, { "wrmsr LSTAR", GP, GP }, { "lidt", GP, GP },
    { "sysretq", GP, GP }, { "jump to a non-canonical address", GP, GP },
    { "int 0x20 (the native timer's vector)", GP, NP }, { "int 0x80 (no gate)", GP, NP },
};

int main(void)
{
    int bad = 0;

    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int status = -1, pid = fork();

        if (pid == 0) {
            try_case((int)i);
            exit(1);                    /* survived: the kernel let it through */
        }
        if (pid < 0 || wait(pid, &status) != pid) {
            printf("privtest: %s: fork or wait failed\n", cases[i].what);
            bad++;
            continue;
        }
        if (status != USER_KILLED_BASE + cases[i].vector && status != USER_KILLED_BASE + cases[i].alt) {
            printf("privtest: %s: status %d, want killed by vector %d\n", cases[i].what, status,
                   cases[i].vector);
            bad++;
        }
    }
    printf("privtest: %s\n", bad ? "FAILED" : "every privileged attempt killed only its own process");
    return bad != 0;
}
