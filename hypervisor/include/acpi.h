/*
 * ACPI tables (drivers/acpi/acpi.c): found once at boot from the RSDP the
 * boot shim passed (UEFI: the ACPI 2.0 configuration table) or, failing
 * that, by the BIOS scan (EBDA, 0xe0000-0xfffff: the Multiboot path).
 * Only tables whose checksum is right are ever returned.
 */
#ifndef TANDEM_ACPI_H
#define TANDEM_ACPI_H

#include "types.h"

struct boot_info;

struct acpi_table_header {
    char signature[4];
    uint32_t length;            /* bytes, this header included */
    uint8_t revision;
    uint8_t checksum;           /* all `length` bytes sum to 0 */
    char oem_id[6];
    char oem_table_id[8];
    uint32_t oem_revision;
    uint32_t creator_id;
    uint32_t creator_revision;
} __packed;

/* Find the RSDP and the XSDT (or RSDT); logs what it found (after mm_init). */
void acpi_init(const struct boot_info *bi);
/* The first table with signature `sig` (e.g. "DMAR"), mapped and checked, or NULL. */
const struct acpi_table_header *acpi_find_table(const char sig[4]);
/* Sum of `len` bytes (0 for a valid ACPI structure). */
uint8_t acpi_checksum(const void *p, size_t len);

#endif
