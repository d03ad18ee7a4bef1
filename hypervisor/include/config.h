/* Build-time limits of the hypervisor. Usable from C and assembly. */
#ifndef TANDEM_CONFIG_H
#define TANDEM_CONFIG_H

#define NR_CPUS          8
#define STACK_ORDER      3
#define STACK_SIZE       (4096 << STACK_ORDER)   /* per-CPU hypervisor stack */
#define NR_IST_STACKS    4                        /* #DF, NMI, #MC, #DB */
#define IST_STACK_SIZE   (STACK_SIZE / NR_IST_STACKS)   /* one STACK_SIZE block per CPU */
#define MAX_DOMAINS      1024                     /* in a configuration (memory limits first) */
#define MAX_VCPUS        8                        /* per domain */
#define HZ_TIMER_MS      10                       /* scheduler tick */

#endif
