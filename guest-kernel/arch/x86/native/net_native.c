/*
 * The native platform's answers to what the network service asks of it (net.h) beyond the
 * device (ne2k.c): no domain, no store, so the status page names the kernel "native", domain 0.
 */
#include "native.h"
#include "net.h"

unsigned int net_domid(void)
{
    return 0;
}

bool net_privileged(void)
{
    return true;                        /* ring 0 on the (virtual) machine: nothing above it but the hardware */
}

void status_init(void)
{
}

void status_name(char *buf, size_t size)
{
    snprintf(buf, size, "native");
}
