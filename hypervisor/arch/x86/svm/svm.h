/* AMD SVM (svm.c, npt.c): the SVM side of HVM domains (docs/hvm.md). */
#ifndef TANDEM_SVM_H
#define TANDEM_SVM_H

#include "types.h"
#include "regs.h"

struct vcpu;
struct domain;

/* Boot CPU: detect SVM with nested paging, set EFER.SVME and VM_HSAVE_PA, or say why not. */
void svm_init(void);
/* v's VMCB: intercepts, ASID, NPT, 32-bit flat protected mode at entry. 0 or -XEN_ENOMEM. */
int svm_vcpu_create(struct vcpu *v, uint64_t entry);
void svm_vcpu_destroy(struct vcpu *v);
bool svm_vcpu_cpl0(const struct vcpu *v);
uint32_t svm_pick_asid(uint16_t domid);
/* VMRUN the current HVM vCPU whose GPRs are regs (the guest frame), handle the exit, re-enter. */
__noreturn void svm_enter(struct vcpu *v, struct cpu_user_regs *regs);
void svm_vmrun(struct cpu_user_regs *regs, uint64_t vmcb_pa, uint64_t host_pa);
/* Kill v's domain for why, with a VMCB dump. */
void svm_crash(struct vcpu *v, struct cpu_user_regs *regs, const char *why);
/* The domain's exits by reason, one line. */
void svm_domain_report(struct domain *d);

/* Nested page tables mapping gfn 0..nr_pages to p2m[] (npt.c): 0 or -XEN_ENOMEM. */
int npt_build(struct domain *d);
void npt_destroy(struct domain *d);

#endif
