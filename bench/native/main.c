/*
 * Native baseline kernel for `make bench`: measures raw x86 costs on the
 * same QEMU the hypervisor runs on, with no hypervisor. Output format and
 * method: docs/benchmarks.md.
 */
#include "native.h"

#define MB_BOOT_MAGIC   0x2BADB002
#define MB_INFO_CMDLINE (1u << 2)
#define ITERS_DEFAULT   10000
#define ITERS_MAX       10000000

struct mb_info {
    uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
};

/* "iters=N" as a word of the command line (QEMU prepends the kernel file name). */
static uint64_t parse_iters(const char *s)
{
    static const char key[] = "iters=";

    while (s && *s) {
        const char *tok;
        uint64_t v = 0;
        size_t i = 0;

        while (*s == ' ')
            s++;
        for (tok = s; *s && *s != ' '; s++)
            ;
        while (i < sizeof(key) - 1 && tok + i < s && tok[i] == key[i])
            i++;
        if (i < sizeof(key) - 1)
            continue;
        for (tok += i; tok < s && *tok >= '0' && *tok <= '9' && v <= ITERS_MAX; tok++)
            v = v * 10 + (uint64_t)(*tok - '0');
        if (tok == s && v >= 1 && v <= ITERS_MAX)
            return v;
        kprintf("BENCH warning bad iters, using %u\n", ITERS_DEFAULT);
    }
    return ITERS_DEFAULT;
}

NORETURN void native_main(uint32_t magic, uint32_t mbi_pa, uint64_t tsc_entry);

void native_main(uint32_t magic, uint32_t mbi_pa, uint64_t tsc_entry)
{
    const struct mb_info *mbi = (const struct mb_info *)(uint64_t)mbi_pa;
    const char *cmdline = NULL;
    uint64_t iters;

    console_init();
    kprintf("\n");         /* the firmware leaves its last line unterminated */
    /* First line: the TSC at the first kernel instruction, the boot-time figure. */
    kprintf("BENCH scenario=native.boot iters=1 total=%lu overhead=0 per_op=%lu unit=tsc\n",
            tsc_entry, tsc_entry);
    if (magic == MB_BOOT_MAGIC && (mbi->flags & MB_INFO_CMDLINE))
        cmdline = (const char *)(uint64_t)mbi->cmdline;
    iters = parse_iters(cmdline);
    cpu_init();
    paging_init();
    kprintf("BENCH clock tsc_khz=%lu\n", clock_tsc_khz());
    scenarios_run(iters);
    kprintf("BENCH done\n");
    qemu_exit(EXIT_DONE);
}
