/*
 * Hostile (security issue 9, item 3): debug exceptions the guest aims at the
 * hypervisor's entry paths and copies.
 *  1. A data breakpoint on a buffer the hypervisor reads (console_io): #DB
 *     in hypervisor context, inside copy_from_guest; it must carry on.
 *  2. A data breakpoint on the operand of `mov ss`, then SYSCALL: on
 *     hardware the #DB is held back by the `mov ss` shadow and delivered at
 *     syscall_entry, in ring 0 on the guest's stack (XSA-260) unless #DB has
 *     its own IST stack. QEMU's TCG delivers it at the SYSCALL in guest mode
 *     instead, so here it only shows the sequence is harmless; the IST side
 *     is proved by the boot-time IDT check (nmi_platform matches its line).
 *  3. `pushf; or TF; popf; ...; syscall`: SFMASK clears TF for the
 *     hypervisor; the guest single-steps its own code around the SYSCALL and
 *     the hypercall still works.
 */
#include "traps.h"

const char test_title[] = "#DB from guest breakpoints in the hypervisor's copies and entry paths";

#define XEN_VERSION_4_19 ((4L << 16) | 19)
#define DR7_L0_RW(len)   (0x400UL | 1 | (3UL << 16) | ((unsigned long)(len) << 18))

static char watched[64] = "db_entry: the hypervisor read a watched buffer\n";
static uint16_t ss_word;

static void breakpoint_in_copy(void)
{
    unsigned long before = last_trap.count;
    size_t len = strlen(watched);       /* before arming: the guest must not touch it */

    CHECK_RC(HC2(set_debugreg, 0, watched), 0, "set_debugreg(0, buffer)");
    CHECK_RC(HC2(set_debugreg, 7, DR7_L0_RW(3)), 0, "set_debugreg(7, 4-byte RW)");
    CHECK_RC(HC3(console_io, CONSOLEIO_write, len, watched), 0, "console_io write");
    CHECK_RC(HC2(set_debugreg, 7, 0), 0, "clear DR7");
    printk("watched copy: %lu #DB reached the guest\n", last_trap.count - before);
}

static void mov_ss_syscall(void)
{
    unsigned long before = last_trap.count;
    long rax;

    __asm__ __volatile__("mov %%ss, %0" : "=r"(ss_word));
    CHECK_RC(HC2(set_debugreg, 0, &ss_word), 0, "set_debugreg(0, mov ss operand)");
    CHECK_RC(HC2(set_debugreg, 7, DR7_L0_RW(1)), 0, "set_debugreg(7, 2-byte RW)");
    __asm__ __volatile__(
        "xor %%edi, %%edi\n\txor %%esi, %%esi\n\t"
        "mov %[ss], %%ss\n"
        "1:\tsyscall\n"
        ASM_EXTABLE(1b, 1b)
        : "=a"(rax) : "a"((long)__HYPERVISOR_xen_version), [ss] "m"(ss_word)
        : "rcx", "r11", "rdi", "rsi", "memory");
    CHECK_RC(HC2(set_debugreg, 7, 0), 0, "clear DR7");
    CHECK_RC(rax, XEN_VERSION_4_19, "xen_version after mov ss; syscall");
    printk("mov ss; syscall: rax %#lx, %lu #DB reached the guest\n", (unsigned long)rax,
           last_trap.count - before);
}

/* Every instruction after the popf single-steps: each resumes where it trapped. */
static void tf_syscall(void)
{
    unsigned long before = last_trap.count;
    long rax;

    __asm__ __volatile__(
        "pushf\n\torq $0x100, (%%rsp)\n\tpopf\n"
        "11:\tmov %[nr], %%eax\n"
        "12:\txor %%edi, %%edi\n"
        "13:\txor %%esi, %%esi\n"
        "14:\tsyscall\n"
        "15:\tpushf\n"
        "16:\tandq $~0x100, (%%rsp)\n"
        "17:\tpopf\n"
        "18:\tnop\n"
        "19:\n"
        ASM_EXTABLE(11b, 11b) ASM_EXTABLE(12b, 12b) ASM_EXTABLE(13b, 13b) ASM_EXTABLE(14b, 14b)
        ASM_EXTABLE(15b, 15b) ASM_EXTABLE(16b, 16b) ASM_EXTABLE(17b, 17b) ASM_EXTABLE(18b, 18b)
        ASM_EXTABLE(19b, 19b)
        : "=a"(rax) : [nr] "i"(__HYPERVISOR_xen_version)
        : "rcx", "r11", "rdi", "rsi", "memory", "cc");
    CHECK_RC(rax, XEN_VERSION_4_19, "xen_version with TF set");
    printk("TF across syscall: rax %#lx, %lu single-step #DB in the guest, last at %#lx\n",
           (unsigned long)rax, last_trap.count - before, (unsigned long)last_trap.rip);
    if (last_trap.count == before || last_trap.vector != 1)
        test_fail("no single-step #DB reached the guest");
}

void test_main(void)
{
    CHECK_RC(traps_set_exceptions(), 0, "install exception handlers");
    breakpoint_in_copy();
    mov_ss_syscall();
    tf_syscall();
    test_success();
}
