/* QEMU's edu device for the DMA tests (edu_dma.h). */
#include "edu_dma.h"
#include "pt.h"
#include "multidom.h"
#include "pcicfg.h"
#include <tandem/physdev.h>

#define EDU_ID        0x11e81234U    /* device << 16 | vendor */
#define EDU_LIVENESS  0x04
#define EDU_DMA_SRC   0x80
#define EDU_DMA_DST   0x88
#define EDU_DMA_CNT   0x90
#define EDU_DMA_CMD   0x98
#define EDU_BUF       0x40000
#define EDU_CMD_RUN   1
#define EDU_CMD_TO_RAM 2

static volatile uint8_t *bar;
static unsigned int edu_devfn;

static void reg_write(unsigned int r, uint64_t v) { *(volatile uint64_t *)(bar + r) = v; }
static uint64_t reg_read(unsigned int r) { return *(volatile uint64_t *)(bar + r); }

bool edu_open(void)
{
    struct physdev_set_iopl iopl = { .iopl = 1 };
    uint32_t b0;
    int slot;

    if (HC2(physdev_op, PHYSDEVOP_set_iopl, &iopl)) {
        test_error("edu: set_iopl 1 refused");
        return false;
    }
    for (edu_devfn = 0; edu_devfn < 256 && pcicfg_read(edu_devfn, 0, 4) != EDU_ID; edu_devfn++)
        ;
    if (edu_devfn == 256) {
        test_error("edu: no 1234:11e8 on bus 0 (is this the driver domain, with -device edu?)");
        return false;
    }
    b0 = pcicfg_read(edu_devfn, 0x10, 4);
    if ((b0 & 1) || (b0 & ~0xfU) == 0) {
        test_error("edu: BAR0 %#x is not a memory BAR", b0);
        return false;
    }
    pcicfg_write(edu_devfn, 0x04, 2, 0x0006);      /* memory decode, bus master */
    if ((slot = pt_alloc_slot()) < 0 ||
        !expect_rc(pt_map(slot, (b0 & ~0xfffU) >> 12, L1_FLAGS_RW | PTE_PCD | PTE_PWT), 0, "edu: map BAR0"))
        return false;
    bar = pt_slot_va(slot);
    *(volatile uint32_t *)(bar + EDU_LIVENESS) = 0x12345678;
    if (*(volatile uint32_t *)(bar + EDU_LIVENESS) != ~0x12345678U) {
        test_error("edu: the liveness register does not answer");
        return false;
    }
    return true;
}

const char *edu_bdf(char *buf)
{
    snprintf(buf, 16, "00:%02x.%u", edu_devfn >> 3, edu_devfn & 7);
    return buf;
}

static bool dma(uint64_t src, uint64_t dst, uint64_t cmd)
{
    uint64_t deadline = md_now() + MD_MS(5000);

    reg_write(EDU_DMA_SRC, src);
    reg_write(EDU_DMA_DST, dst);
    reg_write(EDU_DMA_CNT, EDU_DMA_BYTES);
    reg_write(EDU_DMA_CMD, cmd | EDU_CMD_RUN);
    while (reg_read(EDU_DMA_CMD) & EDU_CMD_RUN)
        if (md_now() > deadline) {
            test_error("edu: a DMA never completed");
            return false;
        }
    return true;
}

bool edu_dma_from_ram(uint64_t maddr) { return dma(maddr, EDU_BUF, 0); }
bool edu_dma_to_ram(uint64_t maddr) { return dma(EDU_BUF, maddr, EDU_CMD_TO_RAM); }
