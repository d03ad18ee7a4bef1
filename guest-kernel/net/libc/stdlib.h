/* The <stdlib.h> lwIP includes: atoi only (netif.c's netif_name_to_index; lwip_port.c). */
#ifndef LWIP_LIBC_STDLIB_H
#define LWIP_LIBC_STDLIB_H
int atoi(const char *s);
#endif
