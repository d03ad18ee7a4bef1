/* QEMU fw_cfg reader for the UEFI loader: probe, file directory, DMA reads. */
#include <efi.h>
#include <efilib.h>
#include "fwcfg.h"

#define FW_CFG_PORT_SEL     0x510
#define FW_CFG_PORT_DATA    0x511
#define FW_CFG_PORT_DMA     0x514

#define FW_CFG_SIGNATURE    0x0000
#define FW_CFG_ID           0x0001
#define FW_CFG_FILE_DIR     0x0019

#define FW_CFG_VERSION_DMA  (1u << 1)
#define FW_CFG_DMA_SIG      0x51454d5520434647ull  /* "QEMU CFG", read big-endian */

#define FW_CFG_DMA_ERROR    (1u << 0)
#define FW_CFG_DMA_READ     (1u << 1)
#define FW_CFG_DMA_SELECT   (1u << 3)

/* Directory entry, all fields big-endian. */
struct fwcfg_file {
    UINT32 size;
    UINT16 select;
    UINT16 reserved;
    char name[56];
};

/* DMA descriptor, all fields big-endian; QEMU clears control when done. */
struct fwcfg_dma {
    UINT32 control;
    UINT32 length;
    UINT64 address;
} __attribute__((packed, aligned(16)));

static struct fwcfg_file *dir;
static UINT32 dir_count;
static BOOLEAN use_dma;

static inline void outw(UINT16 port, UINT16 v) { __asm__ volatile("outw %0, %1" :: "a"(v), "Nd"(port)); }
static inline void outl(UINT16 port, UINT32 v) { __asm__ volatile("outl %0, %1" :: "a"(v), "Nd"(port)); }
static inline UINT8 inb(UINT16 port) { UINT8 v; __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
static inline UINT32 inl(UINT16 port) { UINT32 v; __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }

static UINT32 be32(UINT32 v) { return __builtin_bswap32(v); }
static UINT16 be16(UINT16 v) { return __builtin_bswap16(v); }

/* FALSE if QEMU flagged an error. */
static BOOLEAN read_dma(UINT16 select, void *buf, UINT32 len)
{
    volatile struct fwcfg_dma d;
    UINT64 pa = (UINT64)(UINTN)&d;

    d.control = be32(((UINT32)select << 16) | FW_CFG_DMA_SELECT | FW_CFG_DMA_READ);
    d.length = be32(len);
    d.address = __builtin_bswap64((UINT64)(UINTN)buf);
    /* The descriptor and buffer must be in memory before QEMU reads them;
     * writing the low half of the address starts the transfer. */
    __asm__ volatile("" ::: "memory");
    outl(FW_CFG_PORT_DMA, be32((UINT32)(pa >> 32)));
    outl(FW_CFG_PORT_DMA + 4, be32((UINT32)pa));
    while (be32(d.control) & ~FW_CFG_DMA_ERROR)
        __asm__ volatile("pause" ::: "memory");
    __asm__ volatile("" ::: "memory");
    return d.control == 0;
}

static void read_pio(UINT16 select, void *buf, UINT32 len)
{
    UINT8 *p = buf;

    outw(FW_CFG_PORT_SEL, select);
    while (len--)
        *p++ = inb(FW_CFG_PORT_DATA);
}

void fwcfg_read(UINT16 select, void *buf, UINT32 len)
{
    if (!use_dma || !read_dma(select, buf, len))
        read_pio(select, buf, len);
}

BOOLEAN fwcfg_has_dma(void)
{
    return use_dma;
}

/*
 * Ports 0x510-0x514 are only poked inside a virtual machine (CPUID.1:ECX bit
 * 31): on bare metal they may belong to some other device.
 */
BOOLEAN fwcfg_present(void)
{
    UINT32 eax = 1, ebx, ecx, edx;
    char sig[4];

    __asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "=c"(ecx), "=d"(edx));
    if (!(ecx & (1u << 31)))
        return FALSE;
    read_pio(FW_CFG_SIGNATURE, sig, sizeof(sig));
    return sig[0] == 'Q' && sig[1] == 'E' && sig[2] == 'M' && sig[3] == 'U';
}

BOOLEAN fwcfg_init(void)
{
    UINT32 features, count;
    UINT64 dma_sig;

    if (!fwcfg_present())
        return FALSE;
    read_pio(FW_CFG_ID, &features, sizeof(features));   /* little-endian */
    dma_sig = ((UINT64)be32(inl(FW_CFG_PORT_DMA)) << 32) | be32(inl(FW_CFG_PORT_DMA + 4));
    use_dma = (features & FW_CFG_VERSION_DMA) && dma_sig == FW_CFG_DMA_SIG;

    read_pio(FW_CFG_FILE_DIR, &count, sizeof(count));
    count = be32(count);
    if (count == 0 || count > 4096)
        return TRUE;
    dir = AllocatePool(sizeof(UINT32) + count * sizeof(*dir));
    if (!dir)
        return TRUE;
    /* Re-read the whole item: the count is its first field. */
    fwcfg_read(FW_CFG_FILE_DIR, dir, sizeof(UINT32) + count * sizeof(*dir));
    dir = (struct fwcfg_file *)((UINT8 *)dir + sizeof(UINT32));
    dir_count = count;
    return TRUE;
}

BOOLEAN fwcfg_find(const char *name, UINT16 *select, UINT32 *size)
{
    for (UINT32 i = 0; i < dir_count; i++) {
        const char *a = dir[i].name, *b = name;
        UINTN n = 0;

        while (n < sizeof(dir[i].name) && *a && *a == *b)
            a++, b++, n++;
        if (n < sizeof(dir[i].name) && *a == '\0' && *b == '\0') {
            *select = be16(dir[i].select);
            *size = be32(dir[i].size);
            return TRUE;
        }
    }
    return FALSE;
}
