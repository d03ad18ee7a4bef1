/*
 * CPUID faulting on this CPU (Xen's probe_cpuid_faulting and
 * set_cpuid_faulting): when on, CPUID at CPL > 0 raises #GP(0). Tandem
 * turns it on only while a vCPU that enabled CPUID faulting for itself
 * (MSR_MISC_FEATURES_ENABLES, emulated in pv/emul.c) runs, so that its
 * user-mode CPUID reaches its kernel as #GP and its kernel's CPUID is
 * emulated. Intel's MSR_PLATFORM_INFO/MISC_FEATURES_ENABLES pair, or AMD's
 * CpuidUserDis (HWCR bit 35, CPUID 0x80000021 EAX bit 17).
 */
#include "lib.h"
#include "processor.h"
#include "cpuid_faulting.h"

enum cpuid_faulting_kind { CF_NONE, CF_INTEL, CF_AMD };

static enum cpuid_faulting_kind cf_kind;
static bool cf_on;                      /* what the hardware has now (one physical CPU) */

void cpuid_faulting_probe(void)
{
    uint64_t v;
    uint32_t a, b, c, d;

    if (rdmsr_safe(MSR_PLATFORM_INFO, &v) && (v & PLATFORM_INFO_CPUID_FAULTING) &&
        rdmsr_safe(MSR_MISC_FEATURES_ENABLES, &v)) {
        cf_kind = CF_INTEL;
    } else {
        cpuid_count(0x80000000, 0, &a, &b, &c, &d);
        if (a >= 0x80000021) {
            cpuid_count(0x80000021, 0, &a, &b, &c, &d);
            if ((a & (1U << 17)) && rdmsr_safe(MSR_AMD_HWCR, &v))
                cf_kind = CF_AMD;
        }
    }
    cf_on = true;                       /* whatever firmware left: write it off */
    cpuid_faulting_set(false);
    printk(XENLOG_INFO "CPUID faulting: %s\n",
           cf_kind == CF_INTEL ? "available (MISC_FEATURES_ENABLES)" :
           cf_kind == CF_AMD ? "available (HWCR.CpuidUserDis)" : "unavailable: not offered to guests");
}

bool cpuid_faulting_available(void)
{
    return cf_kind != CF_NONE;
}

void cpuid_faulting_set(bool on)
{
    uint64_t v;

    if (cf_kind == CF_NONE || on == cf_on)
        return;
    if (cf_kind == CF_INTEL) {
        v = rdmsr(MSR_MISC_FEATURES_ENABLES);
        wrmsr(MSR_MISC_FEATURES_ENABLES, on ? v | MISC_FEATURES_CPUID_FAULTING : v & ~MISC_FEATURES_CPUID_FAULTING);
    } else {
        v = rdmsr(MSR_AMD_HWCR);
        wrmsr(MSR_AMD_HWCR, on ? v | HWCR_CPUID_USER_DIS : v & ~HWCR_CPUID_USER_DIS);
    }
    cf_on = on;
}
