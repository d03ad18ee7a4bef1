/* hv_main: bring the machine up and start the domains named by the boot modules. */
#include "refuse.h"
#include "svm/svm.h"
#include "lib.h"
#include "bootinfo.h"
#include "console.h"
#include "cpu.h"
#include "traps.h"
#include "fpu.h"
#include "mm.h"
#include "time.h"
#include "sched.h"
#include "domain.h"
#include "boot_domains.h"
#include "cmdline.h"
#include "shutdown.h"
#include "fault_inject.h"
#include "pci.h"
#include "irq.h"
#include "iommu.h"
#include "acpi.h"
#include "gdbstub.h"
#include "trace.h"
#include <tandem/errno.h>

static struct boot_info bi;
char hv_cmdline[BI_CMDLINE_LEN];

static struct {
    char loglvl[16];
    uint64_t dom_mem;
    uint64_t dom_vcpus;
    char smap[8];
    char nmi[8];
} opt = { "info", 64UL << 20, 1, "auto", "dom0" };
static char opt_trace[64];            /* trace=: classes recorded from boot */
static uint64_t opt_trace_buf;        /* trace_buf=: bytes per CPU (default 1M) */

static const struct cmdline_param params[] = {
    { "loglvl", PARAM_STR, opt.loglvl, sizeof(opt.loglvl) },
    { "dom_mem", PARAM_SIZE, &opt.dom_mem, 0 },
    { "dom_vcpus", PARAM_UINT, &opt.dom_vcpus, 0 },
    { "audit", PARAM_BOOL, &opt_audit, 0 },
    { "pv-linear-pt", PARAM_BOOL, &opt_pv_linear_pt, 0 },
    { "smap", PARAM_STR, opt.smap, sizeof(opt.smap) },
    { "nmi", PARAM_STR, opt.nmi, sizeof(opt.nmi) },
    { "xsave", PARAM_BOOL, &opt_xsave, 0 },         /* off: FXSAVE only, no XSAVE/AVX for guests */
    { "serial_baud_model", PARAM_UINT, &opt_serial_baud_model, 0 },
    { "fail_step", PARAM_STR, opt_fail_step, sizeof(opt_fail_step) },  /* test knob */
    { "iommu_selftest", PARAM_BOOL, &opt_iommu_selftest, 0 },          /* test knob */
    { "gdb", PARAM_STR, opt_gdb, sizeof(opt_gdb) },                    /* gdbstub.c: a domain id */
    { "trace", PARAM_STR, opt_trace, sizeof(opt_trace) },              /* trace.c: classes */
    { "trace_buf", PARAM_SIZE, &opt_trace_buf, 0 },                    /* trace.c: bytes per CPU */
};

static void report_param(const char *key, const char *why, void *ctx)
{
    printk(XENLOG_WARNING "command line: '%s': %s\n", key, why);
}

void hv_main(const struct boot_info *in)
{
    uint64_t frames_before, frames_built;

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
    refuse_enable(!strcmp(opt.loglvl, "debug") || !strcmp(opt.loglvl, "all"));
    cpu_enable_smap(0, opt.smap);
    traps_set_nmi_mode(opt.nmi);
    gdbstub_init();

    mm_init(&bi);
    cpu_gdt_virt_init(0);
    fpu_init();
    time_init();
    apic_init();
    irq_init();
    pci_init();
    acpi_init(&bi);
    iommu_init();
    iommu_selftest();
    svm_init();
    trace_init(opt_trace, opt_trace_buf);
    sched_init();
    frames_before = free_frame_count();
    boot_domains_build(&bi, opt.dom_mem, opt.dom_vcpus);
    frames_built = free_frame_count();
    mm_release_boot_modules();
    /* What would be free with no domain at all: the frame count every domain must give back. */
    domain_set_frame_baseline(frames_before + (free_frame_count() - frames_built));
    printk("Starting domains: %lu MiB free\n", (unsigned long)(free_frame_count() >> 8));
    console_endboot();
    sched_start();
}
