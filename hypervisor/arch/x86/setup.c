/* hv_main: bring the machine up and start the domains named by the boot modules. */
#include "lib.h"
#include "bootinfo.h"
#include "console.h"
#include "cpu.h"
#include "mm.h"
#include "time.h"
#include "sched.h"
#include "domain.h"
#include "domain_build.h"
#include "cmdline.h"
#include "shutdown.h"
#include <tandem/errno.h>

static struct boot_info bi;
char hv_cmdline[BI_CMDLINE_LEN];

static struct {
    char loglvl[16];
    uint64_t dom_mem;
    uint64_t dom_vcpus;
} opt = { "info", 64UL << 20, 1 };

static const struct cmdline_param params[] = {
    { "loglvl", PARAM_STR, opt.loglvl, sizeof(opt.loglvl) },
    { "dom_mem", PARAM_SIZE, &opt.dom_mem, 0 },
    { "dom_vcpus", PARAM_UINT, &opt.dom_vcpus, 0 },
    { "audit", PARAM_BOOL, &opt_audit, 0 },
};

static void report_param(const char *key, const char *why, void *ctx)
{
    printk(XENLOG_WARNING "command line: '%s': %s\n", key, why);
}

/* Module text "path args...": the guest command line is what follows the path. */
static const char *module_args(const struct bi_module *m)
{
    return cmdline_skip_first_word(m->cmdline);
}

static void build_boot_domains(void)
{
    const struct bi_module *k, *initrd = NULL;
    struct domain *d;
    struct dom_build_args a;
    char err[160];
    int rc;

    if (bi.nr_modules == 0)
        panic("no guest kernel: boot Tandem with the kernel as its first module");
    k = &bi.modules[0];
    if (bi.nr_modules > 1)
        initrd = &bi.modules[1];
    d = domain_create(1, "domU", false, opt.dom_mem >> PAGE_SHIFT, opt.dom_vcpus);
    if (!d)
        panic("out of memory creating domain 1");
    a = (struct dom_build_args){
        .kernel = __va(k->start), .kernel_len = k->len,
        .initrd = initrd ? __va(initrd->start) : NULL, .initrd_len = initrd ? initrd->len : 0,
        .cmdline = module_args(k),
    };
    rc = pv_build_domain(d, &a, err, sizeof(err));
    if (rc) {
        printk(XENLOG_ERR "d1: cannot build the domain from '%s': %s\n", k->cmdline, err);
        strlcpy(d->crash_why, err, sizeof(d->crash_why));
        d->state = DOM_SHUTDOWN;
        d->shutdown_reason = 3;
    }
}

void hv_main(const struct boot_info *in)
{
    memcpy(&bi, in, sizeof(bi));
    console_init();
    idt_init();
    cpu_init(0, cpu0_stack);
    printk("Tandem hypervisor (Xen PV ABI 4.19 compatible), booted via %s\n",
           bi.boot_path == BOOT_PATH_UEFI ? "UEFI" : "Multiboot");
    if (bi.magic != BOOT_INFO_MAGIC || bi.nr_mem == 0)
        panic("the boot loader gave no memory map");
    strlcpy(hv_cmdline, bi.cmdline, sizeof(hv_cmdline));
    printk("Command line: %s\n", hv_cmdline);
    cmdline_parse(hv_cmdline, params, ARRAY_SIZE(params), report_param, NULL);
    console_set_loglvl(opt.loglvl);

    mm_init(&bi);
    cpu_gdt_virt_init(0);
    time_init();
    apic_init();
    sched_init();
    build_boot_domains();
    mm_release_boot_modules();
    printk("Starting domains: %lu MiB free\n", (unsigned long)(free_frame_count() >> 8));
    sched_start();
}
