/* Serial console: hypervisor log, guest output prefixed (dN), and input. */
#ifndef TANDEM_CONSOLE_H
#define TANDEM_CONSOLE_H

#include "types.h"

struct domain;

void serial_init(void);
extern uint64_t opt_serial_baud_model;     /* serial_baud_model=N: a UART as slow as N baud (tests) */
bool serial_tx_ready(void);     /* the UART takes a byte now */
void serial_tx(char c);         /* send one byte; only when serial_tx_ready() */
void serial_putc(char c);       /* wait (bounded) until it is ready, then send; no \n translation */
int serial_getc(void);          /* -1 when nothing is waiting */

void console_init(void);
void console_set_loglvl(const char *lvl);   /* "error" "warning" "info" "debug" "all" */
/* Guest output, line-buffered per domain and source, printed as "(dN) text". */
#define CONSOLE_SRC_IO   0      /* console_io hypercall */
#define CONSOLE_SRC_RING 1      /* the domain's PV console ring */
void console_guest_write(struct domain *d, int src, const char *buf, size_t len);
void console_guest_flush(struct domain *d);
/*
 * Output is buffered (16 KiB) and sent as the UART takes it, never waiting
 * long with interrupts off: console_tx_poll() sends what the UART accepts
 * now (the timer calls it; console_tx_pending() asks for a 1 ms tick while
 * output waits); console_flush() sends everything, waiting for the UART
 * (before the machine stops).
 */
void console_tx_poll(void);
bool console_tx_pending(void);
void console_flush(void);
/*
 * tandem_domctl readconsole (Xen's sysctl readconsole): the console ring's
 * bytes to guest buffer buf; 0 or -XEN_EFAULT (docs/abi/hypercalls.md).
 */
int console_read_ring(uint64_t buf, uint32_t max, bool clear, bool incremental, uint32_t *index,
                      uint32_t *count);
/* Characters typed for the current domain while it had input (each domain has its own queue). */
size_t console_read_input(char *buf, size_t len);
void console_poll_input(void);
struct domain *console_input_domain(void);      /* NULL: input is on the hypervisor or its domain is gone */
/* Boot is over: input moves from the hypervisor to the first domain, as Xen's console_endboot. */
void console_endboot(void);
/* A key typed while input is on the hypervisor (keyhandler.c). */
void keyhandler_key(char c);

#endif
