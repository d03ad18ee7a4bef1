/* ACPI table discovery: RSDP, then the XSDT (or RSDT) and the tables it lists. */
#include "lib.h"
#include "mm.h"
#include "page.h"
#include "bootinfo.h"
#include "acpi.h"

struct acpi_rsdp {
    char signature[8];          /* "RSD PTR " */
    uint8_t checksum;           /* over the first 20 bytes */
    char oem_id[6];
    uint8_t revision;           /* 0: ACPI 1.0 (RSDT only); 2: the fields below exist */
    uint32_t rsdt_address;
    uint32_t length;
    uint64_t xsdt_address;
    uint8_t ext_checksum;       /* over `length` bytes */
    uint8_t reserved[3];
} __packed;

#define ACPI_MAX_TABLES 64
#define ACPI_MAX_TABLE_LEN (1U << 20)   /* a sanity bound: no firmware table is near it */

static const struct acpi_table_header *tables[ACPI_MAX_TABLES];
static unsigned int nr_tables;

uint8_t acpi_checksum(const void *p, size_t len)
{
    const uint8_t *b = p;
    uint8_t sum = 0;

    while (len--)
        sum += *b++;
    return sum;
}

static bool rsdp_valid(const struct acpi_rsdp *r)
{
    if (memcmp(r->signature, "RSD PTR ", 8) || acpi_checksum(r, 20))
        return false;
    return r->revision < 2 || (r->length >= sizeof(*r) && r->length <= PAGE_SIZE &&
                               !acpi_checksum(r, r->length));
}

/*
 * The BIOS places the RSDP on a 16-byte boundary in the first KiB of the
 * EBDA or in 0xe0000-0xfffff (ACPI 5.2.5.1). The low 2 MiB are always in
 * the direct map.
 */
static paddr_t rsdp_scan(void)
{
    paddr_t ebda = (paddr_t)*(const uint16_t *)__va(0x40e) << 4;
    const paddr_t ranges[2][2] = { { ebda, ebda + 1024 }, { 0xe0000, 0x100000 } };

    for (unsigned int i = 0; i < 2; i++) {
        if (ranges[i][0] < 0x400 || ranges[i][1] > 0x100000)
            continue;
        for (paddr_t p = ranges[i][0]; p + sizeof(struct acpi_rsdp) <= ranges[i][1]; p += 16)
            if (rsdp_valid(__va(p)))
                return p;
    }
    return 0;
}

/* A table mapped whole (uncached: the tables are not necessarily in the direct map), checksum verified. */
static const struct acpi_table_header *table_map(paddr_t pa)
{
    const struct acpi_table_header *h;
    uint32_t len;

    if (!pa)
        return NULL;
    h = ioremap(pa, sizeof(*h));
    len = h->length;
    if (len < sizeof(*h) || len > ACPI_MAX_TABLE_LEN)
        return NULL;
    h = ioremap(pa, len);
    if (acpi_checksum(h, len)) {
        printk(XENLOG_WARNING "ACPI: table %c%c%c%c at %#lx: bad checksum, ignored\n", h->signature[0],
               h->signature[1], h->signature[2], h->signature[3], (unsigned long)pa);
        return NULL;
    }
    return h;
}

static void root_walk(const struct acpi_table_header *root, unsigned int entry_size)
{
    const uint8_t *p = (const uint8_t *)(root + 1);
    unsigned int n = (root->length - sizeof(*root)) / entry_size;

    for (unsigned int i = 0; i < n && nr_tables < ACPI_MAX_TABLES; i++) {
        uint64_t pa = 0;
        const struct acpi_table_header *t;

        memcpy(&pa, p + i * entry_size, entry_size);
        if ((t = table_map(pa)))
            tables[nr_tables++] = t;
    }
}

void acpi_init(const struct boot_info *bi)
{
    paddr_t rp = bi->acpi_rsdp ? bi->acpi_rsdp : rsdp_scan();
    const struct acpi_rsdp *r;
    const struct acpi_table_header *root = NULL;
    bool x = false;

    if (!rp || !rsdp_valid(r = ioremap(rp, sizeof(*r)))) {
        printk("ACPI: no RSDP found\n");
        return;
    }
    if (r->revision >= 2 && r->xsdt_address && (root = table_map(r->xsdt_address)))
        x = !memcmp(root->signature, "XSDT", 4);
    if (!x && (!(root = table_map(r->rsdt_address)) || memcmp(root->signature, "RSDT", 4))) {
        printk(XENLOG_WARNING "ACPI: RSDP at %#lx names no valid XSDT or RSDT\n", (unsigned long)rp);
        return;
    }
    root_walk(root, x ? 8 : 4);
    printk("ACPI: RSDP at %#lx (%s), %s with %u tables\n", (unsigned long)rp,
           bi->acpi_rsdp ? "from the boot loader" : "BIOS scan", x ? "XSDT" : "RSDT", nr_tables);
}

const struct acpi_table_header *acpi_find_table(const char sig[4])
{
    for (unsigned int i = 0; i < nr_tables; i++)
        if (!memcmp(tables[i]->signature, sig, 4))
            return tables[i];
    return NULL;
}
