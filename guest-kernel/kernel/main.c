/* The bundled Tandem guest kernel. */
#include "guest.h"
#include <tandem/version.h>

void kernel_main(struct start_info *si)
{
    long ver = HC2(xen_version, XENVER_version, 0);
    char extra[16] = "";

    HC2(xen_version, XENVER_extraversion, extra);
    printk("Tandem guest kernel starting on Xen-compatible hypervisor %ld.%ld%s\n",
           ver >> 16, ver & 0xffff, extra);
    printk("start_info: %lu pages, cmdline '%s'\n", (unsigned long)si->nr_pages, si->cmd_line);
    printk("Powering off.\n");
}
