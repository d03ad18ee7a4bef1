/*
 * Virtual machine-check architecture for PV guests, as Xen's vmce.c
 * presents it: CPUID shows MCE and MCA (pv/emul.c), and the MSRs describe
 * two banks that never report an error (Tandem forwards no host machine
 * check to a guest). So Linux sets up machine-check handling as under Xen
 * (no "Unable to init MCE device" line), and its polling reads empty banks.
 *
 *   MCG_CAP      read-only: 2 banks, plus MCG_TES_P | MCG_SER_P on Intel (Xen's
 *                GUEST_MCG_CAP); no MCG_CTL_P, no CMCI, no LMCE
 *   MCG_CTL      reads 0 (no MCG_CTL_P), writes ignored (as Xen)
 *   MCG_STATUS   the vCPU's own value, read and written
 *   MCi_CTL      reads all ones, writes ignored (Xen: "stick all 1's")
 *   MCi_STATUS   reads 0; writing 0 is accepted, anything else is #GP
 *                (a guest cannot plant an error record)
 *   MCi_ADDR/MISC reads 0; writes accepted and dropped, all ones #GP (as Xen)
 * Anything else in the bank range (banks >= 2, CTL2) is #GP.
 */
#include "lib.h"
#include "pv.h"
#include "processor.h"

#define MSR_MCG_CAP     0x179
#define MSR_MCG_STATUS  0x17a
#define MSR_MCG_CTL     0x17b
#define MSR_MC0_CTL     0x400
#define VMCE_BANKS      2
#define MCG_TES_P       (1ULL << 11)
#define MCG_SER_P       (1ULL << 24)

static uint64_t mcg_cap(void)
{
    static uint64_t cap;
    uint32_t a, vendor[3];

    if (!cap) {
        cpuid_count(0, 0, &a, &vendor[0], &vendor[2], &vendor[1]);
        cap = VMCE_BANKS | (!memcmp(vendor, "GenuineIntel", 12) ? MCG_TES_P | MCG_SER_P : 0);
    }
    return cap;
}

static bool bank_msr(uint32_t msr)
{
    return msr >= MSR_MC0_CTL && msr < MSR_MC0_CTL + 4 * VMCE_BANKS;
}

bool pv_vmce_rdmsr(struct vcpu *v, uint32_t msr, uint64_t *val)
{
    switch (msr) {
    case MSR_MCG_CAP:    *val = mcg_cap(); return true;
    case MSR_MCG_CTL:    *val = 0; return true;
    case MSR_MCG_STATUS: *val = v->arch.pv.mcg_status; return true;
    }
    if (!bank_msr(msr))
        return false;
    *val = (msr & 3) == 0 ? ~0ULL : 0;  /* MCi_CTL all ones; STATUS, ADDR, MISC empty */
    return true;
}

bool pv_vmce_wrmsr(struct vcpu *v, uint32_t msr, uint64_t val)
{
    switch (msr) {
    case MSR_MCG_CAP:    return false;  /* read-only */
    case MSR_MCG_CTL:    return true;
    case MSR_MCG_STATUS: v->arch.pv.mcg_status = val; return true;
    }
    if (!bank_msr(msr))
        return false;
    switch (msr & 3) {
    case 0:  return true;               /* MCi_CTL */
    case 1:  return val == 0;           /* MCi_STATUS */
    default: return ~val != 0;          /* MCi_ADDR, MCi_MISC */
    }
}
