/* sched_op hypercall (number 29). Xen's numbers and layouts. */
#ifndef TANDEM_PUBLIC_SCHED_H
#define TANDEM_PUBLIC_SCHED_H

#ifndef __ASSEMBLY__
#include <stdint.h>
#endif

#define SCHEDOP_yield           0   /* arg ignored */
#define SCHEDOP_block           1   /* enable events, sleep until one is pending */
#define SCHEDOP_shutdown        2   /* IN: struct sched_shutdown */
#define SCHEDOP_poll            3   /* IN: struct sched_poll */
#define SCHEDOP_remote_shutdown 4
#define SCHEDOP_shutdown_code   5
#define SCHEDOP_watchdog        6
#define SCHEDOP_pin_override    7

#ifndef __ASSEMBLY__
struct sched_shutdown {
    uint32_t reason;            /* IN: SHUTDOWN_* */
};

struct sched_poll {
    uint64_t ports;             /* IN: guest pointer to uint32_t ports[] */
    uint32_t nr_ports;          /* IN */
    uint32_t pad;
    uint64_t timeout;           /* IN: absolute system time (ns), 0 = none */
};

struct sched_remote_shutdown {
    uint16_t domain_id;
    uint16_t pad;
    uint32_t reason;
};
#endif

#define SHUTDOWN_poweroff   0
#define SHUTDOWN_reboot     1
#define SHUTDOWN_suspend    2
#define SHUTDOWN_crash      3
#define SHUTDOWN_watchdog   4
#define SHUTDOWN_soft_reset 5
#define SHUTDOWN_MAX        5

#endif
