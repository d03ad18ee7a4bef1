/* Debug keys (common/keyhandler.c); keyhandler_key itself is declared in console.h. */
#ifndef TANDEM_KEYHANDLER_H
#define TANDEM_KEYHANDLER_H

/* From the timer tick: each byte typed on the debug-key port (arch_debugport_getc) is a debug key. */
void keyhandler_poll_port(void);

#endif
