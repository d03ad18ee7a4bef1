/*
 * The native kernel's start of day: from head32.S's long mode to the shell.
 * The Multiboot info gives the memory size and the command line (copied
 * before the allocator takes the pages they sit in); start_info holds them
 * for the common code, as the PV builder's does. Then the same threads,
 * processes and shell as the PV kernel (kernel/main.c), over the native
 * platform: IDT, SYSCALL, the APIC timer, the UART.
 */
#include "native.h"
#include "proc.h"

#define MB_BOOT_MAGIC   0x2BADB002
#define MBI_MEM         (1u << 0)
#define MBI_CMDLINE     (1u << 2)

struct multiboot_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
    /* the rest (modules, symbols, memory map, ...) is not used */
};

static struct start_info native_start_info;
struct start_info *start_info;
bool native_hypervisor;

void native_start(uint32_t magic, uint32_t mbi_pa) __attribute__((noreturn));

/* Only what the kernel map reaches (the first GiB) is readable this early: enough for any loader. */
static const void *boot_ptr(uint64_t pa, uint64_t len)
{
    if (pa + len < pa || pa + len > MAX_GUEST_PAGES * PAGE_SIZE)
        return NULL;
    return (const void *)(KERNEL_VIRT_BASE + pa);
}

static uint64_t read_multiboot(uint32_t magic, uint32_t mbi_pa, struct start_info *si)
{
    const struct multiboot_info *mbi = boot_ptr(mbi_pa, sizeof(*mbi));
    const char *cl;

    if (magic != MB_BOOT_MAGIC || !mbi)
        kernel_panic("not started by a Multiboot loader (eax %x, ebx %x)", magic, mbi_pa);
    if (!(mbi->flags & MBI_MEM))
        kernel_panic("the Multiboot info has no memory size");
    if ((mbi->flags & MBI_CMDLINE) && (cl = boot_ptr(mbi->cmdline, sizeof(si->cmd_line))))
        strlcpy((char *)si->cmd_line, cl, sizeof(si->cmd_line));
    return (1UL << 20) + (uint64_t)mbi->mem_upper * 1024;
}

static void detect_hypervisor(void)
{
    uint32_t r[4];

    cpuid(1, r);
    native_hypervisor = r[2] & (1u << 31);
}

void native_start(uint32_t magic, uint32_t mbi_pa)
{
    uint64_t mem_top;

    uart_init();
    cpu_init();
    detect_hypervisor();
    start_info = &native_start_info;
    mem_top = read_multiboot(magic, mbi_pa, start_info);
    start_info->nr_pages = mem_top >> PAGE_SHIFT;
    printk("Tandem guest kernel, native build: ring 0 on %s\n",
           native_hypervisor ? "a hypervisor's virtual machine" : "bare hardware");
    printk("multiboot: %lu pages, cmdline '%s'\n", (unsigned long)start_info->nr_pages, start_info->cmd_line);
    native_mm_init(mem_top);
    traps_init();
    proc_init();                /* SYSCALL for user processes */
    sched_init();
    console_input_init();
    timer_init();
    native_rtc_init();
    native_irq_init();
    kernel_start_threads(start_info->cmd_line);
    events_enable();
    idle_loop();
}
