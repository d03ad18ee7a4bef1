/* The domains built at boot (boot_domains.c). */
#ifndef TANDEM_BOOT_DOMAINS_H
#define TANDEM_BOOT_DOMAINS_H

#include "types.h"

struct boot_info;

/*
 * Build every boot domain: from the configuration in module 0 if it is one
 * (domconfig_is_config), else domain 1 from module 0 (kernel) and module 1
 * (initrd). default_mem / default_vcpus apply where nothing else says.
 * A bad configuration, or one naming a module that is not there, panics
 * with the line and field; a kernel the builder refuses only marks that
 * domain crashed.
 */
void boot_domains_build(const struct boot_info *bi, uint64_t default_mem, unsigned int default_vcpus);

#endif
