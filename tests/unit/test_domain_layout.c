/* Unit tests for hypervisor/arch/x86/pv/domain_layout.c: the builder's layout and each refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "libelf.h"
#include "domain_layout.h"
#include "tandem/errno.h"
#include "tandem/xen.h"

#define VBASE   0xffffffff80000000ULL
#define HV_END  HYPERVISOR_VIRT_END

static struct pv_layout l;
static char msg[256];

/* A kernel of `size` bytes at va (one segment), VIRT_BASE vbase. */
static struct elf_pv_info kernel_at(uint64_t vbase, uint64_t va, uint64_t size)
{
    struct elf_pv_info i;

    memset(&i, 0, sizeof(i));
    i.virt_base = vbase;
    i.entry = va;
    i.hypercall_page = ELF_UNSET;
    i.virt_kstart = va & ~0xfffULL;
    i.virt_kend = (va + size + 0xfff) & ~0xfffULL;
    i.nr_segs = 1;
    i.segs[0] = (struct elf_pv_seg){ va, 0x1000, size, size, 5 };
    return i;
}

static int layout(const struct elf_pv_info *i, uint64_t initrd, uint64_t pages)
{
    return pv_layout_compute(&l, i, initrd, pages, msg, sizeof(msg));
}

static void refused(const struct elf_pv_info *i, uint64_t initrd, uint64_t pages, int want,
                    const char *part)
{
    int rc = layout(i, initrd, pages);

    if (rc != want)
        fail_msg("rc %d, want %d: '%s'", rc, want, msg);
    if (!strstr(msg, part))
        fail_msg("message '%s' lacks '%s'", msg, part);
}

static void test_ordinary(void **state)
{
    struct elf_pv_info i = kernel_at(VBASE, VBASE, 0x5000);

    (void)state;
    assert_int_equal(layout(&i, 0x3000, 8192), 0);
    assert_true(l.initrd_va == VBASE + 0x5000);
    assert_true(l.p2m_va == VBASE + 0x8000);
    assert_true(l.si_va == l.p2m_va + 8192 * 8);
    assert_true(l.store_va == l.si_va + 0x1000 && l.console_va == l.si_va + 0x2000);
    assert_true(l.pt_va == l.si_va + 0x3000);
    assert_true(l.stack_va == l.pt_va + l.nr_pt * 0x1000);
    assert_true(l.v_end == VBASE + (4ULL << 20));
    assert_true(l.nr_l3 == 1 && l.nr_l2 == 1 && l.nr_l1 == 2);
    assert_true(l.nr_pt >= 1 + l.nr_l3 + l.nr_l2 + l.nr_l1);
    assert_true(l.nr_boot_pages == 1024);
    assert_true(pv_layout_contains(&l, l.stack_va, 0x1000));
    assert_false(pv_layout_contains(&l, l.v_end, 1));
    assert_false(pv_layout_contains(&l, VBASE - 1, 2));
    assert_false(pv_layout_contains(&l, VBASE, ~0ULL));
}

static void test_region_starts_in_hypervisor_range(void **state)
{
    /* VIRT_BASE 4 MiB below the hole's end, kernel just above it: only the
     * region's start is in Xen's range (the old builder checked its last byte). */
    struct elf_pv_info i = kernel_at(HV_END - 0x400000, HV_END, 0x3000);

    (void)state;
    refused(&i, 0, 8192, -XEN_EINVAL, "overlaps the hypervisor range");
    i = kernel_at(HYPERVISOR_VIRT_START, HYPERVISOR_VIRT_START + 0x1000, 0x3000);
    refused(&i, 0, 8192, -XEN_EINVAL, "hypervisor range");
    /* Starting right at the hole's end is fine; one page lower is not. */
    i = kernel_at(HV_END, HV_END, 0x1000);
    assert_int_equal(layout(&i, 0, 8192), 0);
    i = kernel_at(HV_END - 0x1000, HV_END, 0x1000);
    refused(&i, 0, 8192, -XEN_EINVAL, "hypervisor range");
}

static void test_region_not_canonical(void **state)
{
    /* Ending at 2^47 is fine; a kernel (untrusted info) crossing it is not. */
    struct elf_pv_info i = kernel_at(0x00007fffffc00000ULL, 0x00007fffffc00000ULL, 0x1000);

    (void)state;
    assert_int_equal(layout(&i, 0, 8192), 0);
    assert_true(l.v_end == 0x0000800000000000ULL);
    i = kernel_at(0x00007fffff000000ULL, 0x00007ffffffff000ULL, 0x2000);
    refused(&i, 0, 8192, -XEN_EINVAL, "not canonical");
}

static void test_wrap_past_top(void **state)
{
    /* A segment near the top and a large memory size: the p2m wraps past 2^64. */
    struct elf_pv_info i = kernel_at(0xffffffffff000000ULL, 0xffffffffff000000ULL, 0x1000);

    (void)state;
    refused(&i, 0, PV_LAYOUT_MAX_PAGES, -XEN_EINVAL, "wraps past 2^64");
    i = kernel_at(0xffffffffffc00000ULL, 0xffffffffffc00000ULL, 0x1000);
    refused(&i, 0, 8192, -XEN_EINVAL, "wraps past 2^64");   /* the 4 MiB rounding wraps */
    refused(&i, ~0ULL - 0x10, 8192, -XEN_EINVAL, "wraps");      /* initrd length */
    i = kernel_at(VBASE, VBASE, 0x1000);
    refused(&i, ~0ULL, 8192, -XEN_EINVAL, "wraps");
    refused(&i, ~0ULL - VBASE, 8192, -XEN_EINVAL, "wraps");
}

static void test_p2m_index_out_of_range(void **state)
{
    /* The region needs more pages than the domain has: every pfn would not index the p2m. */
    struct elf_pv_info i = kernel_at(VBASE, VBASE, 0x5000);

    (void)state;
    refused(&i, 0, 512, -XEN_ENOMEM, "domain memory too small: 512 pages");
    refused(&i, 64ULL << 20, 8192, -XEN_ENOMEM, "too small");
    refused(&i, 0, 0, -XEN_EINVAL, "domain of 0 pages");
    refused(&i, 0, PV_LAYOUT_MAX_PAGES + 1, -XEN_EINVAL, "allowed");
}

static void test_huge_memsz(void **state)
{
    struct elf_pv_info i = kernel_at(VBASE, VBASE, 0x7f000000ULL);

    (void)state;
    refused(&i, 0, 8192, -XEN_ENOMEM, "too small");
    i = kernel_at(0xffff880000000000ULL, 0xffff880000000000ULL, 0x700000000000ULL);
    refused(&i, 0, 8192, -XEN_ENOMEM, "too small");
    refused(&i, 0, PV_LAYOUT_MAX_PAGES, -XEN_ENOMEM, "too small");
}

static void test_untrusted_info(void **state)
{
    /* elf_pv_parse's promises are checked again, not assumed. */
    struct elf_pv_info i = kernel_at(VBASE + 0x1000, VBASE, 0x3000);

    (void)state;
    refused(&i, 0, 8192, -XEN_EINVAL, "below VIRT_BASE");
    i = kernel_at(VBASE, VBASE, 0x3000);
    i.segs[0].memsz = ~0ULL;
    refused(&i, 0, 8192, -XEN_EINVAL, "segment 0");
    i = kernel_at(VBASE, VBASE, 0x3000);
    i.segs[0].va = VBASE + 0x2000;
    refused(&i, 0, 8192, -XEN_EINVAL, "segment 0");
    i = kernel_at(VBASE, VBASE, 0x3000);
    i.nr_segs = ELF_MAX_SEGS + 1;
    refused(&i, 0, 8192, -XEN_EINVAL, "segments");
    i = kernel_at(VBASE, VBASE, 0x3000);
    i.entry = VBASE + 0x3000;
    refused(&i, 0, 8192, -XEN_EINVAL, "entry");
    i = kernel_at(VBASE, VBASE, 0x3000);
    i.hypercall_page = VBASE + 0x800;
    refused(&i, 0, 8192, -XEN_EINVAL, "hypercall page");
    i = kernel_at(VBASE, VBASE, 0x3000);
    i.virt_kend = VBASE + 0x2800;
    refused(&i, 0, 8192, -XEN_EINVAL, "unaligned");
}

static void test_large_domain(void **state)
{
    /* 1 TiB: the p2m alone is 2 GiB; the tables still converge and fit. */
    struct elf_pv_info i = kernel_at(0xffff880000000000ULL, 0xffff880000000000ULL, 0x1000);

    (void)state;
    assert_int_equal(layout(&i, 0, PV_LAYOUT_MAX_PAGES), 0);
    assert_true(l.p2m_va - l.virt_base == 0x1000);
    assert_true(l.nr_pt >= 1 + l.nr_l3 + l.nr_l2 + l.nr_l1);
    assert_true(l.nr_boot_pages <= PV_LAYOUT_MAX_PAGES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ordinary),
        cmocka_unit_test(test_region_starts_in_hypervisor_range),
        cmocka_unit_test(test_region_not_canonical),
        cmocka_unit_test(test_wrap_past_top),
        cmocka_unit_test(test_p2m_index_out_of_range),
        cmocka_unit_test(test_huge_memsz),
        cmocka_unit_test(test_untrusted_info),
        cmocka_unit_test(test_large_domain),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
