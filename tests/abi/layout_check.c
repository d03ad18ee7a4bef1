/*
 * ABI check: includes every public header together and pins each size,
 * field offset and constant that docs/abi/layouts.md and the x86_64 PV
 * ABI promise, then exercises the io/ring.h macros.
 *
 * Built three ways by tests/abi/run:
 *   C11 and C++11, plain:  every check is a _Static_assert/static_assert,
 *                          so a wrong layout does not compile;
 *   -DLAYOUT_RUNTIME_ONLY: the same checks at run time, printing one
 *                          "PASS|FAIL: abi/<group>" line per group with the
 *                          mismatching fields, so a failure is readable.
 * Exit status: 0 if every group passed.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <tandem/xen.h>
#include <tandem/version.h>
#include <tandem/sched.h>
#include <tandem/elfnote.h>
#include <tandem/errno.h>
#include <tandem/event_channel.h>
#include <tandem/vcpu.h>
#include <tandem/callback.h>
#include <tandem/memory.h>
#include <tandem/physdev.h>
#include <tandem/grant_table.h>
#include <tandem/domctl.h>
#include <tandem/trace.h>
#include <tandem/hvm/ioreq.h>
#include <tandem/hvm/dm_op.h>
#include <tandem/io/ring.h>
#include <tandem/io/console.h>
#include <tandem/io/blkif.h>
#include <tandem/io/netif.h>
#include <tandem/io/xs_wire.h>
#include <tandem/io/xenbus.h>

#ifdef LAYOUT_RUNTIME_ONLY
# define STATIC_CHECK(cond, msg) ((void)0)
#elif defined(__cplusplus)
# define STATIC_CHECK(cond, msg) static_assert(cond, msg)
#else
# define STATIC_CHECK(cond, msg) _Static_assert(cond, msg)
#endif

/* Mismatches of the current group, printed after its result line. */
static int group_failed;
static char details[4096];

static void note(const char *line)
{
    size_t used = strlen(details);

    group_failed = 1;
    if (used + strlen(line) + 4 < sizeof(details))
        snprintf(details + used, sizeof(details) - used, "  %s\n", line);
}

static void expect(const char *what, long long got, long long want)
{
    char line[256];

    if (got == want)
        return;
    snprintf(line, sizeof(line), "%s is %lld, expected %lld", what, got, want);
    note(line);
}

static void expect_true(const char *what, int ok)
{
    char line[256];

    if (ok)
        return;
    snprintf(line, sizeof(line), "not true: %s", what);
    note(line);
}

/* Size of T, offset of field f in T, value of constant c. */
#define SIZE(T, n) do {                                                      \
    STATIC_CHECK(sizeof(T) == (n), "sizeof(" #T ") == " #n);                 \
    expect("sizeof(" #T ")", (long long)sizeof(T), (n));                     \
} while (0)
#define OFF(T, f, n) do {                                                    \
    STATIC_CHECK(offsetof(T, f) == (n), #T "." #f " at " #n);                \
    expect("offsetof(" #T ", " #f ")", (long long)offsetof(T, f), (n));      \
} while (0)
#define VAL(c, n) do {                                                       \
    STATIC_CHECK((long long)(c) == (long long)(n), #c " == " #n);            \
    expect(#c, (long long)(c), (n));                                         \
} while (0)
/* Runtime-only condition (for ring behaviour). */
#define TRUE(cond) expect_true(#cond, (cond) ? 1 : 0)

static void check_start_info(void)
{
    typedef struct start_info T;
    SIZE(T, 1168);
    OFF(T, magic, 0);        OFF(T, nr_pages, 32);     OFF(T, shared_info, 40);
    OFF(T, flags, 48);       OFF(T, store_mfn, 56);    OFF(T, store_evtchn, 64);
    OFF(T, console.domU.mfn, 72);  OFF(T, console.domU.evtchn, 80);
    OFF(T, console.dom0.info_off, 72);  OFF(T, console.dom0.info_size, 76);
    OFF(T, pt_base, 88);     OFF(T, nr_pt_frames, 96); OFF(T, mfn_list, 104);
    OFF(T, mod_start, 112);  OFF(T, mod_len, 120);     OFF(T, cmd_line, 128);
    OFF(T, first_p2m_pfn, 1152);  OFF(T, nr_p2m_frames, 1160);
    VAL(SIF_PRIVILEGED, 1);  VAL(SIF_INITDOMAIN, 2);   VAL(SIF_MULTIBOOT_MOD, 4);
    VAL(SIF_MOD_START_PFN, 8);  VAL(SIF_VIRT_P2M_4TOOLS, 16);
}

static void check_shared_info(void)
{
    typedef struct shared_info T;
    SIZE(T, 3136);
    OFF(T, vcpu_info[0], 0);     OFF(T, vcpu_info[31], 1984);
    OFF(T, evtchn_pending, 2048);  OFF(T, evtchn_mask, 2560);
    OFF(T, wc_version, 3072);    OFF(T, wc_sec, 3076);
    OFF(T, wc_nsec, 3080);       OFF(T, wc_sec_hi, 3084);
    OFF(T, arch.max_pfn, 3088);  OFF(T, arch.pfn_to_mfn_frame_list_list, 3096);
    OFF(T, arch.nmi_reason, 3104);  OFF(T, arch.p2m_cr3, 3112);
    OFF(T, arch.p2m_vaddr, 3120);   OFF(T, arch.p2m_generation, 3128);
    VAL(XEN_LEGACY_MAX_VCPUS, 32);
}

static void check_vcpu_info(void)
{
    SIZE(struct vcpu_info, 64);
    OFF(struct vcpu_info, evtchn_upcall_pending, 0);
    OFF(struct vcpu_info, evtchn_upcall_mask, 1);
    OFF(struct vcpu_info, evtchn_pending_sel, 8);
    OFF(struct vcpu_info, arch.cr2, 16);
    OFF(struct vcpu_info, arch.pad, 24);
    OFF(struct vcpu_info, time, 32);
    SIZE(struct vcpu_time_info, 32);
    OFF(struct vcpu_time_info, version, 0);
    OFF(struct vcpu_time_info, tsc_timestamp, 8);
    OFF(struct vcpu_time_info, system_time, 16);
    OFF(struct vcpu_time_info, tsc_to_system_mul, 24);
    OFF(struct vcpu_time_info, tsc_shift, 28);
    OFF(struct vcpu_time_info, flags, 29);
}

static void check_core_ops(void)
{
    SIZE(struct trap_info, 16);
    OFF(struct trap_info, vector, 0);  OFF(struct trap_info, flags, 1);
    OFF(struct trap_info, cs, 2);      OFF(struct trap_info, address, 8);
    SIZE(struct mmu_update, 16);
    OFF(struct mmu_update, ptr, 0);    OFF(struct mmu_update, val, 8);
    SIZE(struct mmuext_op, 24);
    OFF(struct mmuext_op, cmd, 0);     OFF(struct mmuext_op, arg1, 8);
    OFF(struct mmuext_op, arg2, 16);
    SIZE(struct multicall_entry, 64);
    OFF(struct multicall_entry, op, 0);  OFF(struct multicall_entry, result, 8);
    OFF(struct multicall_entry, args, 16);
    SIZE(struct iret_context, 72);
    OFF(struct iret_context, rax, 0);    OFF(struct iret_context, r11, 8);
    OFF(struct iret_context, rcx, 16);   OFF(struct iret_context, flags, 24);
    OFF(struct iret_context, rip, 32);   OFF(struct iret_context, cs, 40);
    OFF(struct iret_context, rflags, 48); OFF(struct iret_context, rsp, 56);
    OFF(struct iret_context, ss, 64);
    SIZE(struct sched_shutdown, 4);
    SIZE(struct sched_poll, 24);
    OFF(struct sched_poll, ports, 0);  OFF(struct sched_poll, nr_ports, 8);
    OFF(struct sched_poll, timeout, 16);
    SIZE(struct sched_remote_shutdown, 8);
    OFF(struct sched_remote_shutdown, reason, 4);
    OFF(struct xen_feature_info, submap, 4);
    OFF(struct xen_compile_info, compile_by, 64);
    OFF(struct xen_compile_info, compile_domain, 80);
    OFF(struct xen_compile_info, compile_date, 112);
    SIZE(struct xen_feature_info, 8);
    SIZE(struct xen_compile_info, 144);
    SIZE(struct xen_platform_parameters, 8);
    SIZE(struct callback_register, 16);
    OFF(struct callback_register, type, 0);  OFF(struct callback_register, flags, 2);
    OFF(struct callback_register, address, 8);
    SIZE(struct callback_unregister, 4);
}

static void check_vcpu_op(void)
{
    SIZE(struct vcpu_user_regs, 200);
    OFF(struct vcpu_user_regs, error_code, 120);
    OFF(struct vcpu_user_regs, rip, 128);
    OFF(struct vcpu_user_regs, cs, 136);
    OFF(struct vcpu_user_regs, saved_upcall_mask, 140);
    OFF(struct vcpu_user_regs, rflags, 144);
    OFF(struct vcpu_user_regs, rsp, 152);
    OFF(struct vcpu_user_regs, ss, 160);
    OFF(struct vcpu_user_regs, gs, 192);
    SIZE(struct vcpu_guest_context, 5168);
    OFF(struct vcpu_guest_context, flags, 512);
    OFF(struct vcpu_guest_context, user_regs, 520);
    OFF(struct vcpu_guest_context, trap_ctxt, 720);
    OFF(struct vcpu_guest_context, ldt_base, 4816);
    OFF(struct vcpu_guest_context, gdt_frames, 4832);
    OFF(struct vcpu_guest_context, gdt_ents, 4960);
    OFF(struct vcpu_guest_context, kernel_ss, 4968);
    OFF(struct vcpu_guest_context, ctrlreg, 4984);
    OFF(struct vcpu_guest_context, debugreg, 5048);
    OFF(struct vcpu_guest_context, event_callback_eip, 5112);
    OFF(struct vcpu_guest_context, syscall_callback_eip, 5128);
    OFF(struct vcpu_guest_context, vm_assist, 5136);
    OFF(struct vcpu_guest_context, fs_base, 5144);
    OFF(struct vcpu_guest_context, gs_base_user, 5160);
    SIZE(struct vcpu_runstate_info, 48);
    OFF(struct vcpu_runstate_info, state, 0);
    OFF(struct vcpu_runstate_info, state_entry_time, 8);
    OFF(struct vcpu_runstate_info, time, 16);
    SIZE(struct vcpu_register_runstate_memory_area, 8);
    SIZE(struct vcpu_set_periodic_timer, 8);
    SIZE(struct vcpu_set_singleshot_timer, 16);
    OFF(struct vcpu_set_singleshot_timer, timeout_abs_ns, 0);
    OFF(struct vcpu_set_singleshot_timer, flags, 8);
    SIZE(struct vcpu_register_vcpu_info, 16);
    OFF(struct vcpu_register_vcpu_info, mfn, 0);
    OFF(struct vcpu_register_vcpu_info, offset, 8);
    OFF(struct vcpu_register_vcpu_info, rsvd, 12);
    SIZE(struct vcpu_get_physid, 8);
    SIZE(struct vcpu_register_time_memory_area, 8);
}

static void check_evtchn(void)
{
    SIZE(struct evtchn_alloc_unbound, 8);
    OFF(struct evtchn_alloc_unbound, dom, 0);
    OFF(struct evtchn_alloc_unbound, remote_dom, 2);
    OFF(struct evtchn_alloc_unbound, port, 4);
    SIZE(struct evtchn_bind_interdomain, 12);
    OFF(struct evtchn_bind_interdomain, remote_dom, 0);
    OFF(struct evtchn_bind_interdomain, remote_port, 4);
    OFF(struct evtchn_bind_interdomain, local_port, 8);
    SIZE(struct evtchn_bind_virq, 12);
    OFF(struct evtchn_bind_virq, virq, 0);  OFF(struct evtchn_bind_virq, vcpu, 4);
    OFF(struct evtchn_bind_virq, port, 8);
    SIZE(struct evtchn_bind_pirq, 12);
    OFF(struct evtchn_bind_pirq, flags, 4);  OFF(struct evtchn_bind_pirq, port, 8);
    SIZE(struct evtchn_bind_ipi, 8);
    OFF(struct evtchn_bind_ipi, vcpu, 0);   OFF(struct evtchn_bind_ipi, port, 4);
    SIZE(struct evtchn_close, 4);  SIZE(struct evtchn_send, 4);
    SIZE(struct evtchn_status, 24);
    OFF(struct evtchn_status, dom, 0);      OFF(struct evtchn_status, port, 4);
    OFF(struct evtchn_status, status, 8);   OFF(struct evtchn_status, vcpu, 12);
    OFF(struct evtchn_status, u.unbound.dom, 16);
    OFF(struct evtchn_status, u.interdomain.dom, 16);
    OFF(struct evtchn_status, u.interdomain.port, 20);
    OFF(struct evtchn_status, u.virq, 16);
    SIZE(struct evtchn_bind_vcpu, 8);  SIZE(struct evtchn_unmask, 4);
    OFF(struct evtchn_bind_vcpu, vcpu, 4);
    OFF(struct evtchn_set_priority, priority, 4);
    SIZE(struct evtchn_reset, 2);
    SIZE(struct evtchn_init_control, 24);
    OFF(struct evtchn_init_control, offset, 8);
    OFF(struct evtchn_init_control, vcpu, 12);
    OFF(struct evtchn_init_control, link_bits, 16);
    SIZE(struct evtchn_expand_array, 8);  SIZE(struct evtchn_set_priority, 8);
    SIZE(struct evtchn_fifo_control_block, 72);
    OFF(struct evtchn_fifo_control_block, head, 8);
    SIZE(event_word_t, 4);
}

static void check_memory(void)
{
    typedef struct xen_memory_reservation R;
    SIZE(R, 32);
    OFF(R, extent_start, 0);  OFF(R, nr_extents, 8);  OFF(R, extent_order, 16);
    OFF(R, mem_flags, 20);    OFF(R, domid, 24);
    SIZE(struct xen_memory_exchange, 72);
    OFF(struct xen_memory_exchange, out, 32);
    OFF(struct xen_memory_exchange, nr_exchanged, 64);
    SIZE(struct xen_memory_map, 16);
    OFF(struct xen_memory_map, nr_entries, 0);  OFF(struct xen_memory_map, buffer, 8);
    SIZE(struct xen_foreign_memory_map, 24);
    OFF(struct xen_foreign_memory_map, map, 8);
    SIZE(struct xen_e820_entry, 20);
    OFF(struct xen_e820_entry, size_lo, 8);  OFF(struct xen_e820_entry, type, 16);
    SIZE(struct xen_machphys_mapping, 24);
    OFF(struct xen_machphys_mapping, v_end, 8);
    OFF(struct xen_machphys_mapping, max_mfn, 16);
    SIZE(struct xen_machphys_mfn_list, 24);
    OFF(struct xen_machphys_mfn_list, extent_start, 8);
    OFF(struct xen_machphys_mfn_list, nr_extents, 16);
    SIZE(struct xen_add_to_physmap, 24);
    OFF(struct xen_add_to_physmap, size, 2);  OFF(struct xen_add_to_physmap, space, 4);
    OFF(struct xen_add_to_physmap, idx, 8);   OFF(struct xen_add_to_physmap, gpfn, 16);
    SIZE(struct xen_remove_from_physmap, 16);
    OFF(struct xen_remove_from_physmap, gpfn, 8);
}

static void check_physdev(void)
{
    SIZE(struct physdev_set_iopl, 4);  SIZE(struct physdev_eoi, 4);
    SIZE(struct physdev_irq_status_query, 8);
    OFF(struct physdev_irq_status_query, flags, 4);
    SIZE(struct physdev_pirq_eoi_gmfn, 8);
    SIZE(struct physdev_set_iobitmap, 16);
    OFF(struct physdev_set_iobitmap, nr_ports, 8);
    SIZE(struct physdev_apic, 16);
    OFF(struct physdev_apic, reg, 8);  OFF(struct physdev_apic, value, 12);
    SIZE(struct physdev_irq, 8);
    OFF(struct physdev_irq, vector, 4);
    SIZE(struct physdev_map_pirq, 40);
    OFF(struct physdev_map_pirq, type, 4);    OFF(struct physdev_map_pirq, index, 8);
    OFF(struct physdev_map_pirq, pirq, 12);   OFF(struct physdev_map_pirq, bus, 16);
    OFF(struct physdev_map_pirq, devfn, 20);  OFF(struct physdev_map_pirq, entry_nr, 24);
    OFF(struct physdev_map_pirq, table_base, 32);
    SIZE(struct physdev_unmap_pirq, 8);  SIZE(struct physdev_get_free_pirq, 8);
    OFF(struct physdev_unmap_pirq, pirq, 4);
    SIZE(struct physdev_setup_gsi, 8);  OFF(struct physdev_setup_gsi, polarity, 5);
    SIZE(struct physdev_restore_msi, 2);
    SIZE(struct physdev_pci_device, 4);  OFF(struct physdev_pci_device, devfn, 3);
}

static void check_gnttab(void)
{
    SIZE(struct grant_entry_v1, 8);
    OFF(struct grant_entry_v1, domid, 2);  OFF(struct grant_entry_v1, frame, 4);
    SIZE(struct gnttab_setup_table, 24);
    OFF(struct gnttab_setup_table, nr_frames, 4);
    OFF(struct gnttab_setup_table, status, 8);
    OFF(struct gnttab_setup_table, frame_list, 16);
    SIZE(struct gnttab_map_grant_ref, 32);
    OFF(struct gnttab_map_grant_ref, flags, 8);   OFF(struct gnttab_map_grant_ref, ref, 12);
    OFF(struct gnttab_map_grant_ref, dom, 16);    OFF(struct gnttab_map_grant_ref, status, 18);
    OFF(struct gnttab_map_grant_ref, handle, 20);
    OFF(struct gnttab_map_grant_ref, dev_bus_addr, 24);
    SIZE(struct gnttab_unmap_grant_ref, 24);
    OFF(struct gnttab_unmap_grant_ref, dev_bus_addr, 8);
    OFF(struct gnttab_unmap_grant_ref, handle, 16);
    OFF(struct gnttab_unmap_grant_ref, status, 20);
    SIZE(struct gnttab_copy, 40);
    OFF(struct gnttab_copy, source.domid, 8);  OFF(struct gnttab_copy, source.offset, 10);
    OFF(struct gnttab_copy, dest, 16);         OFF(struct gnttab_copy, dest.domid, 24);
    OFF(struct gnttab_copy, len, 32);          OFF(struct gnttab_copy, flags, 34);
    OFF(struct gnttab_copy, status, 36);
    SIZE(struct gnttab_query_size, 16);
    OFF(struct gnttab_query_size, nr_frames, 4);
    OFF(struct gnttab_query_size, max_nr_frames, 8);
    OFF(struct gnttab_query_size, status, 12);
    SIZE(struct gnttab_dump_table, 4);
    OFF(struct gnttab_dump_table, status, 2);
    SIZE(struct gnttab_transfer, 24);
    OFF(struct gnttab_transfer, domid, 8);  OFF(struct gnttab_transfer, ref, 12);
    OFF(struct gnttab_transfer, status, 16);
    SIZE(struct gnttab_unmap_and_replace, 24);
    OFF(struct gnttab_unmap_and_replace, new_addr, 8);
    OFF(struct gnttab_unmap_and_replace, handle, 16);
    OFF(struct gnttab_unmap_and_replace, status, 20);
    SIZE(struct gnttab_set_version, 4);
    SIZE(struct gnttab_get_version, 8);
    OFF(struct gnttab_get_version, version, 4);
    SIZE(struct gnttab_get_status_frames, 16);
    OFF(struct gnttab_get_status_frames, dom, 4);
    OFF(struct gnttab_get_status_frames, status, 6);
    OFF(struct gnttab_get_status_frames, frame_list, 8);
    SIZE(struct gnttab_swap_grant_ref, 12);
    OFF(struct gnttab_swap_grant_ref, ref_b, 4);
    OFF(struct gnttab_swap_grant_ref, status, 8);
    SIZE(struct gnttab_cache_flush, 16);
    OFF(struct gnttab_cache_flush, offset, 8);
    OFF(struct gnttab_cache_flush, length, 10);
    OFF(struct gnttab_cache_flush, op, 12);
}

static void check_io_layouts(void)
{
    OFF(struct blkif_sring, req_prod, 0);   OFF(struct blkif_sring, req_event, 4);
    OFF(struct blkif_sring, rsp_prod, 8);   OFF(struct blkif_sring, rsp_event, 12);
    OFF(struct blkif_sring, ring, 64);
    VAL(__CONST_RING_SIZE(blkif, 4096), 32);
    VAL(__CONST_RING_SIZE(netif_tx, 4096), 256);
    VAL(__CONST_RING_SIZE(netif_rx, 4096), 256);
    SIZE(struct blkif_request, 112);
    OFF(struct blkif_request, nr_segments, 1);  OFF(struct blkif_request, handle, 2);
    OFF(struct blkif_request, id, 8);  OFF(struct blkif_request, sector_number, 16);
    OFF(struct blkif_request, seg, 24);
    SIZE(struct blkif_request_segment, 8);
    OFF(struct blkif_request_segment, first_sect, 4);
    OFF(struct blkif_request_segment, last_sect, 5);
    SIZE(struct blkif_response, 16);
    OFF(struct blkif_response, operation, 8);  OFF(struct blkif_response, status, 10);
    SIZE(struct blkif_request_discard, 32);
    OFF(struct blkif_request_discard, flag, 1);
    OFF(struct blkif_request_discard, sector_number, 16);
    OFF(struct blkif_request_discard, nr_sectors, 24);
    SIZE(struct blkif_request_indirect, 64);
    OFF(struct blkif_request_indirect, handle, 24);
    OFF(struct blkif_request_indirect, nr_segments, 2);
    OFF(struct blkif_request_indirect, indirect_grefs, 28);
    SIZE(struct netif_tx_request, 12);
    OFF(struct netif_tx_request, offset, 4);  OFF(struct netif_tx_request, flags, 6);
    OFF(struct netif_tx_request, id, 8);      OFF(struct netif_tx_request, size, 10);
    SIZE(struct netif_tx_response, 4);
    OFF(struct netif_tx_response, status, 2);
    SIZE(struct netif_rx_request, 8);
    OFF(struct netif_rx_request, gref, 4);
    SIZE(struct netif_rx_response, 8);
    OFF(struct netif_rx_response, offset, 2);  OFF(struct netif_rx_response, flags, 4);
    OFF(struct netif_rx_response, status, 6);
    SIZE(struct netif_extra_info, 8);
    OFF(struct netif_extra_info, u.gso.size, 2);
    OFF(struct netif_extra_info, flags, 1);
    OFF(struct netif_extra_info, u.gso.type, 4);
    OFF(struct netif_extra_info, u.gso.features, 6);
    OFF(struct netif_extra_info, type, 0);
    OFF(struct netif_extra_info, u.mcast.addr, 2);
    OFF(struct netif_extra_info, u.hash.type, 2);
    OFF(struct netif_extra_info, u.hash.algorithm, 3);
    OFF(struct netif_extra_info, u.hash.value, 4);
    OFF(struct netif_rx_request, id, 0);  OFF(struct netif_rx_request, pad, 2);
    OFF(struct netif_tx_request, gref, 0);
    OFF(struct netif_tx_sring, ring, 64);  OFF(struct netif_rx_sring, ring, 64);
    SIZE(union netif_tx_sring_entry, 12);  SIZE(union netif_rx_sring_entry, 8);
    SIZE(struct xen_netif_ctrl_request, 16);
    OFF(struct xen_netif_ctrl_request, type, 2);
    OFF(struct xen_netif_ctrl_request, data, 4);
    SIZE(struct xen_netif_ctrl_response, 12);
    OFF(struct xen_netif_ctrl_response, type, 2);
    OFF(struct xen_netif_ctrl_response, status, 4);
    OFF(struct xen_netif_ctrl_response, data, 8);
    SIZE(struct xen_netif_gref, 8);
    OFF(struct xen_netif_gref, flags, 4);  OFF(struct xen_netif_gref, status, 6);
    VAL(__CONST_RING_SIZE(xen_netif_ctrl, 4096), 128);
    SIZE(struct xencons_interface, 3092);
    OFF(struct xencons_interface, out, 1024);     OFF(struct xencons_interface, in_cons, 3072);
    OFF(struct xencons_interface, in_prod, 3076); OFF(struct xencons_interface, out_cons, 3080);
    OFF(struct xencons_interface, out_prod, 3084);
    OFF(struct xencons_interface, connection, 3088);
    SIZE(struct xsd_sockmsg, 16);
    OFF(struct xsd_sockmsg, req_id, 4);  OFF(struct xsd_sockmsg, tx_id, 8);
    OFF(struct xsd_sockmsg, len, 12);
    typedef struct xenstore_domain_interface XS;
    SIZE(XS, 2080);
    OFF(XS, rsp, 1024);       OFF(XS, req_cons, 2048);  OFF(XS, req_prod, 2052);
    OFF(XS, rsp_cons, 2056);  OFF(XS, rsp_prod, 2060);  OFF(XS, server_features, 2064);
    OFF(XS, connection, 2068);  OFF(XS, error, 2072);   OFF(XS, evtchn_port, 2076);
}

static void check_trace(void)
{
    typedef struct tandem_trace_rec R;
    SIZE(R, 48);
    OFF(R, cpu, 8);  OFF(R, domid, 10);  OFF(R, vcpu, 12);  OFF(R, cls, 14);  OFF(R, event, 15);
    OFF(R, arg, 16);
    typedef struct tandem_trace_dump_hdr H;
    SIZE(H, 48);
    OFF(H, version, 8);  OFF(H, rec_size, 12);  OFF(H, tsc_khz, 16);  OFF(H, nr_cpus, 24);
    OFF(H, classes, 28);  OFF(H, nr_names, 32);  OFF(H, nr_hcnames, 36);
    SIZE(struct tandem_trace_name, 32);  OFF(struct tandem_trace_name, name, 4);
    typedef struct tandem_trace_cpu_hdr C;
    SIZE(C, 24);  OFF(C, nr_records, 8);  OFF(C, lost, 16);
    typedef struct tandem_domctl_trace_control T;
    SIZE(T, 48);
    OFF(T, classes, 4);  OFF(T, nr_cpus, 8);  OFF(T, rec_size, 12);  OFF(T, tsc_khz, 16);
    OFF(T, capacity, 24);  OFF(T, unread, 32);  OFF(T, lost, 40);
    typedef struct tandem_domctl_trace_read D;
    SIZE(D, 40);
    OFF(D, max, 4);  OFF(D, buf, 8);  OFF(D, nr, 16);  OFF(D, lost, 24);  OFF(D, unread, 32);
    VAL(TANDEM_DOMCTL_trace_control, 10);  VAL(TANDEM_DOMCTL_trace_read, 11);
    VAL(TANDEM_TRACEOP_query, 0);  VAL(TANDEM_TRACEOP_enable, 1);  VAL(TANDEM_TRACEOP_disable, 2);
    VAL(TANDEM_TRACEOP_reset, 3);  VAL(TANDEM_TRACE_READ_MAX, 512);
    VAL(TANDEM_TRC_HYPERCALL, 1);  VAL(TANDEM_TRC_EVTCHN, 2);  VAL(TANDEM_TRC_SCHED, 4);
    VAL(TANDEM_TRC_VMEXIT, 8);  VAL(TANDEM_TRC_PTVAL, 16);  VAL(TANDEM_TRC_TRAP, 32);
    VAL(TANDEM_TRC_ALL, 0x3f);  VAL(TANDEM_TRACE_PORT, 0x4e9);  VAL(TANDEM_TRACE_VERSION, 1);
}

static void check_domctl(void)
{
    SIZE(struct tandem_domctl, 128);
    OFF(struct tandem_domctl, interface_version, 4);
    OFF(struct tandem_domctl, domid, 8);  OFF(struct tandem_domctl, u, 16);
    typedef struct tandem_domctl_getdomaininfo G;
    SIZE(G, 72);
    OFF(G, flags, 4);  OFF(G, shutdown_reason, 8);  OFF(G, nr_vcpus, 12);
    OFF(G, tot_pages, 16);  OFF(G, max_pages, 24);  OFF(G, cpu_time_ns, 32);
    OFF(G, name, 40);
    VAL(__HYPERVISOR_tandem_domctl, 48);
    VAL(TANDEM_DOMCTL_getdomaininfo, 0);  VAL(TANDEM_DOMCTL_pause, 1);
    VAL(TANDEM_DOMCTL_unpause, 2);        VAL(TANDEM_DOMCTL_destroy, 3);
    VAL(TANDEM_DOMCTL_getstoreinfo, 4);   VAL(TANDEM_DOMCTL_getdevice, 5);
    typedef struct tandem_domctl_getstoreinfo S;
    SIZE(S, 56);
    OFF(S, store_domid, 2);  OFF(S, store_port, 4);  OFF(S, console_port, 8);  OFF(S, flags, 12);
    OFF(S, store_mfn, 16);  OFF(S, console_mfn, 24);  OFF(S, target_kib, 32);
    OFF(S, maxmem_kib, 40);  OFF(S, nr_devices, 48);  OFF(S, pad, 52);
    typedef struct tandem_domctl_getdevice D;
    SIZE(D, 80);
    OFF(D, devid, 4);  OFF(D, type, 8);  OFF(D, backend_domid, 24);  OFF(D, pad, 26);
    OFF(D, flags, 32);  OFF(D, pad2, 36);  OFF(D, region_start, 40);  OFF(D, region_sectors, 48);
    OFF(D, serial, 56);
    VAL(TANDEM_STOREINF_waiting, 1);  VAL(TANDEM_DOMCTL_MAX_DEVICES, 8);
    VAL(TANDEM_DOMCTL_DEVTYPE_LEN, 16);  VAL(TANDEM_DOMCTL_SERIAL_LEN, 24);
    VAL(TANDEM_DEVICE_disk, 1);  VAL(TANDEM_DEVICE_readonly, 2);  VAL(TANDEM_DEVICE_region, 4);
    VAL(TANDEM_DEVICE_vif, 8);
    VAL(TANDEM_DEVICE_mac, 16);
    VAL(TANDEM_DOMCTL_readconsole, 6);
    typedef struct tandem_domctl_readconsole R;
    SIZE(R, 24);
    OFF(R, incremental, 1);  OFF(R, pad, 2);  OFF(R, index, 4);  OFF(R, buffer, 8);
    OFF(R, count, 16);  OFF(R, pad2, 20);
}

/* Every entry of hypercalls.def agrees with xen.h's __HYPERVISOR_* number. */
/* The ioreq page, dm_op and XENMEM_acquire_resource: Xen's hvm/ioreq.h, hvm/dm_op.h, memory.h. */
static void check_hvm_dm(void)
{
    union { struct ioreq r; unsigned char b[32]; } u;

    SIZE(struct ioreq, 32);
    OFF(struct ioreq, addr, 0);      OFF(struct ioreq, data, 8);    OFF(struct ioreq, count, 16);
    OFF(struct ioreq, size, 20);     OFF(struct ioreq, vp_eport, 24);  OFF(struct ioreq, _pad0, 28);
    OFF(struct ioreq, type, 31);
    /* The bit-fields share byte 30, low bit first: state 0-3, data_is_ptr 4, dir 5, df 6. */
    memset(&u, 0, sizeof(u));
    u.r.state = STATE_IORESP_READY;
    u.r.dir = IOREQ_READ;
    TRUE(u.b[30] == 0x23);
    u.r.state = 0;
    u.r.dir = 0;
    u.r.data_is_ptr = 1;
    u.r.df = 1;
    TRUE(u.b[30] == 0x50);
    SIZE(struct shared_iopage, 32);
    VAL(STATE_IOREQ_NONE, 0);  VAL(STATE_IOREQ_READY, 1);  VAL(STATE_IOREQ_INPROCESS, 2);
    VAL(STATE_IORESP_READY, 3);  VAL(IOREQ_TYPE_PIO, 0);  VAL(IOREQ_TYPE_COPY, 1);
    VAL(IOREQ_TYPE_PCI_CONFIG, 2);  VAL(IOREQ_READ, 1);  VAL(IOREQ_WRITE, 0);

    SIZE(struct xen_dm_op_create_ioreq_server, 6);
    OFF(struct xen_dm_op_create_ioreq_server, id, 4);
    SIZE(struct xen_dm_op_get_ioreq_server_info, 24);
    OFF(struct xen_dm_op_get_ioreq_server_info, flags, 2);
    OFF(struct xen_dm_op_get_ioreq_server_info, bufioreq_port, 4);
    OFF(struct xen_dm_op_get_ioreq_server_info, ioreq_gfn, 8);
    OFF(struct xen_dm_op_get_ioreq_server_info, bufioreq_gfn, 16);
    SIZE(struct xen_dm_op_ioreq_server_range, 24);
    OFF(struct xen_dm_op_ioreq_server_range, type, 4);
    OFF(struct xen_dm_op_ioreq_server_range, start, 8);
    OFF(struct xen_dm_op_ioreq_server_range, end, 16);
    SIZE(struct xen_dm_op_set_ioreq_server_state, 4);
    OFF(struct xen_dm_op_set_ioreq_server_state, enabled, 2);
    SIZE(struct xen_dm_op_destroy_ioreq_server, 4);
    OFF(struct xen_dm_op, op, 0);  OFF(struct xen_dm_op, pad, 4);  OFF(struct xen_dm_op, u, 8);
    SIZE(struct xen_dm_op, 32);
    SIZE(struct xen_dm_op_buf, 16);  OFF(struct xen_dm_op_buf, size, 8);
    VAL(XEN_DMOP_create_ioreq_server, 1);  VAL(XEN_DMOP_get_ioreq_server_info, 2);
    VAL(XEN_DMOP_map_io_range_to_ioreq_server, 3);  VAL(XEN_DMOP_unmap_io_range_from_ioreq_server, 4);
    VAL(XEN_DMOP_set_ioreq_server_state, 5);  VAL(XEN_DMOP_destroy_ioreq_server, 6);
    VAL(XEN_DMOP_IO_RANGE_PORT, 0);  VAL(XEN_DMOP_IO_RANGE_MEMORY, 1);  VAL(XEN_DMOP_IO_RANGE_PCI, 2);
    SIZE(struct xen_dm_op_remote_shutdown, 4);  SIZE(struct xen_dm_op_nr_vcpus, 4);
    SIZE(struct xen_dm_op_set_pci_intx_level, 6);  SIZE(struct xen_dm_op_set_isa_irq_level, 2);
    OFF(struct xen_dm_op_set_pci_intx_level, device, 3);  OFF(struct xen_dm_op_set_pci_intx_level, level, 5);
    OFF(struct xen_dm_op_set_isa_irq_level, level, 1);
    VAL(XEN_DMOP_set_pci_intx_level, 8);  VAL(XEN_DMOP_set_isa_irq_level, 9);
    VAL(XEN_DMOP_remote_shutdown, 16);  VAL(XEN_DMOP_nr_vcpus, 19);
    VAL(XEN_DMOP_no_gfns, 1);  VAL(XEN_DMOP_PCI_SBDF(0, 1, 2, 3), 0x113);
    VAL(__HYPERVISOR_dm_op, 41);

    SIZE(struct xen_mem_acquire_resource, 32);
    OFF(struct xen_mem_acquire_resource, type, 2);  OFF(struct xen_mem_acquire_resource, id, 4);
    OFF(struct xen_mem_acquire_resource, nr_frames, 8);  OFF(struct xen_mem_acquire_resource, pad, 12);
    OFF(struct xen_mem_acquire_resource, frame, 16);  OFF(struct xen_mem_acquire_resource, frame_list, 24);
    VAL(XENMEM_acquire_resource, 28);  VAL(XENMEM_resource_ioreq_server, 0);
    VAL(XENMEM_resource_ioreq_server_frame_bufioreq, 0);  VAL(XENMEM_resource_ioreq_server_frame_ioreq(0), 1);
}

static void check_hypercall_numbers(void)
{
#define X(num, name, guests, args) VAL(__HYPERVISOR_##name, num);
#include "hypercalls.def"
#undef X
    VAL(__HYPERVISOR_set_trap_table, 0);   VAL(__HYPERVISOR_update_descriptor, 10);
    VAL(__HYPERVISOR_memory_op, 12);       VAL(__HYPERVISOR_multicall, 13);
    VAL(__HYPERVISOR_xen_version, 17);     VAL(__HYPERVISOR_grant_table_op, 20);
    VAL(__HYPERVISOR_iret, 23);            VAL(__HYPERVISOR_vcpu_op, 24);
    VAL(__HYPERVISOR_mmuext_op, 26);       VAL(__HYPERVISOR_sched_op, 29);
    VAL(__HYPERVISOR_callback_op, 30);     VAL(__HYPERVISOR_event_channel_op, 32);
    VAL(__HYPERVISOR_physdev_op, 33);
}

static void check_values(void)
{
    VAL(VIRQ_TIMER, 0);  VAL(VIRQ_DEBUG, 1);  VAL(VIRQ_CONSOLE, 2);
    VAL(VIRQ_DOM_EXC, 3);  VAL(VIRQ_CON_RING, 8);  VAL(NR_VIRQS, 24);
    VAL(EVTCHNOP_bind_interdomain, 0);  VAL(EVTCHNOP_status, 5);
    VAL(EVTCHNOP_alloc_unbound, 6);     VAL(EVTCHNOP_unmask, 9);
    VAL(EVTCHNOP_set_priority, 13);     VAL(EVTCHNSTAT_ipi, 5);
    VAL(EVTCHN_FIFO_PENDING, 31);  VAL(EVTCHN_FIFO_MASKED, 30);  VAL(EVTCHN_FIFO_LINKED, 29);
    VAL(EVTCHN_FIFO_BUSY, 28);  VAL(EVTCHN_FIFO_LINK_BITS, 17);  VAL(EVTCHN_FIFO_NR_CHANNELS, 131072);
    VAL(EVTCHN_FIFO_PRIORITY_DEFAULT, 7);  VAL(EVTCHN_FIFO_PRIORITY_MIN, 15);  VAL(EVTCHN_FIFO_MAX_QUEUES, 16);
    VAL(EVTCHN_FIFO_MAX_EVENT_ARRAY_PAGES, 128);
    VAL(VCPUOP_register_runstate_memory_area, 5);
    VAL(VCPUOP_set_singleshot_timer, 8);  VAL(VCPUOP_register_vcpu_info, 10);
    VAL(VCPUOP_register_vcpu_time_memory_area, 13);
    VAL(RUNSTATE_offline, 3);  VAL(VCPU_SSHOTTMR_future, 1);
    VAL(CALLBACKTYPE_syscall, 2);  VAL(CALLBACKTYPE_nmi, 4);
    VAL(CALLBACKTYPE_syscall32, 7);  VAL(CALLBACKF_mask_events, 1);
    VAL(XENMEM_populate_physmap, 6);  VAL(XENMEM_memory_map, 9);
    VAL(XENMEM_exchange, 11);  VAL(XENMEM_machphys_mapping, 12);
    VAL(XENMEM_maximum_gpfn, 14);
    VAL(PHYSDEVOP_irq_status_query, 5);  VAL(PHYSDEVOP_set_iopl, 6);
    VAL(PHYSDEVOP_eoi, 12);  VAL(PHYSDEVOP_map_pirq, 13);
    VAL(PHYSDEVOP_pirq_eoi_gmfn_v2, 28);
    VAL(GNTTABOP_setup_table, 2);  VAL(GNTTABOP_copy, 5);
    VAL(GNTTABOP_query_size, 6);   VAL(GNTTABOP_set_version, 8);
    VAL(GNTTABOP_get_version, 10); VAL(GNTTABOP_cache_flush, 12);
    VAL(GTF_permit_access, 1);  VAL(GTF_readonly, 4);  VAL(GTF_reading, 8);
    VAL(GTF_writing, 16);  VAL(GNTMAP_host_map, 2);  VAL(GNTMAP_contains_pte, 16);
    VAL(GNTST_general_error, -1);  VAL(GNTST_permission_denied, -8);
    VAL(GNTST_eagain, -12);  VAL(GNTST_no_space, -13);
    VAL(BLKIF_OP_READ, 0);  VAL(BLKIF_OP_FLUSH_DISKCACHE, 3);
    VAL(BLKIF_OP_INDIRECT, 6);  VAL(BLKIF_MAX_SEGMENTS_PER_REQUEST, 11);
    VAL(BLKIF_RSP_EOPNOTSUPP, -2);  VAL(VDISK_READONLY, 4);
    VAL(NETTXF_more_data, 4);  VAL(NETTXF_extra_info, 8);
    VAL(NETRXF_csum_blank, 2);  VAL(NETRXF_gso_prefix, 16);
    VAL(NETIF_RSP_DROPPED, -2);  VAL(NETIF_RSP_NULL, 1);
    VAL(NETIF_RSP_ERROR, -1);  VAL(NETIF_RSP_OKAY, 0);
    VAL(NETTXF_csum_blank, 1);  VAL(NETTXF_data_validated, 2);
    VAL(NETRXF_data_validated, 1);  VAL(NETRXF_more_data, 4);  VAL(NETRXF_extra_info, 8);
    VAL(XEN_NETIF_NR_SLOTS_MIN, 18);  VAL(XEN_NETIF_MAX_TX_SIZE, 0xFFFF);
    VAL(XEN_NETIF_EXTRA_TYPE_NONE, 0);  VAL(XEN_NETIF_EXTRA_TYPE_GSO, 1);
    VAL(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 2);  VAL(XEN_NETIF_EXTRA_TYPE_MCAST_DEL, 3);
    VAL(XEN_NETIF_EXTRA_TYPE_HASH, 4);  VAL(XEN_NETIF_EXTRA_TYPE_MAX, 5);
    VAL(XEN_NETIF_EXTRA_FLAG_MORE, 1);
    VAL(XEN_NETIF_GSO_TYPE_NONE, 0);  VAL(XEN_NETIF_GSO_TYPE_TCPV4, 1);
    VAL(XEN_NETIF_GSO_TYPE_TCPV6, 2);
    VAL(XEN_NETIF_CTRL_HASH_TYPE_IPV4, 1);  VAL(XEN_NETIF_CTRL_HASH_TYPE_IPV6_TCP, 8);
    VAL(XEN_NETIF_CTRL_HASH_ALGORITHM_TOEPLITZ, 1);
    VAL(XEN_NETIF_CTRL_TYPE_SET_HASH_ALGORITHM, 7);
    VAL(XEN_NETIF_CTRL_TYPE_DEL_GREF_MAPPING, 10);
    VAL(XEN_NETIF_CTRL_STATUS_BUFFER_OVERFLOW, 3);  VAL(XEN_NETIF_CTRLF_GREF_readonly, 1);
    VAL(XS_READ, 2);  VAL(XS_WATCH, 4);  VAL(XS_TRANSACTION_END, 7);
    VAL(XS_WRITE, 11);  VAL(XS_WATCH_EVENT, 15);  VAL(XS_ERROR, 16);
    VAL(XS_RESET_WATCHES, 21);  VAL(XS_SET_QUOTA, 26);
    VAL(XENSTORE_RING_SIZE, 1024);  VAL(XENSTORE_PAYLOAD_MAX, 4096);
    VAL(XenbusStateInitWait, 2);  VAL(XenbusStateConnected, 4);
    VAL(XenbusStateClosed, 6);  VAL(XenbusStateReconfigured, 8);
    VAL(XENCONSOLE_DISCONNECTED, 1);
    VAL(SCHEDOP_poll, 3);  VAL(SHUTDOWN_crash, 3);  VAL(XENVER_get_features, 6);
    VAL(XENFEAT_mmu_pt_update_preserve_ad, 5);  VAL(XENFEAT_gnttab_map_avail_bits, 7);
    VAL(XEN_ELFNOTE_HYPERCALL_PAGE, 2);  VAL(XEN_ELFNOTE_INIT_P2M, 15);
    VAL(MMUEXT_NEW_USER_BASEPTR, 15);  VAL(FLAT_KERNEL_CS, 0xe033);
    VAL(FLAT_KERNEL_SS, 0xe02b);  VAL(DOMID_SELF, 0x7FF0);
    VAL(XEN_EPERM, 1);  VAL(XEN_ENOSYS, 38);
}

/* io/ring.h behaviour on a real one-page blkif ring. */
static union { unsigned char bytes[4096]; unsigned long long align; } page;

static void check_ring_macros(void)
{
    struct blkif_sring *s = (struct blkif_sring *)(void *)page.bytes;
    struct blkif_front_ring f;
    struct blkif_back_ring b;
    struct blkif_request copy;
    int notify, work, i;

    memset(page.bytes, 0xA5, sizeof(page.bytes));
    SHARED_RING_INIT(s);
    FRONT_RING_INIT(&f, s, 4096);
    BACK_RING_INIT(&b, s, 4096);
    TRUE(RING_SIZE(&f) == 32 && s->req_event == 1 && s->pad[47] == 0);

    /* First request notifies; a second before the back end looks does not. */
    RING_GET_REQUEST(&f, f.req_prod_pvt)->id = 7;
    f.req_prod_pvt++;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);
    TRUE(notify);
    f.req_prod_pvt++;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);
    TRUE(!notify);

    /* Back end consumes both, re-arms, is notified by the next one. */
    TRUE(RING_HAS_UNCONSUMED_REQUESTS(&b) == 2);
    RING_COPY_REQUEST(&b, b.req_cons, &copy);
    TRUE(copy.id == 7);
    b.req_cons += 2;
    RING_FINAL_CHECK_FOR_REQUESTS(&b, work);
    TRUE(!work && s->req_event == 3);
    f.req_prod_pvt++;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);
    TRUE(notify);
    RING_FINAL_CHECK_FOR_REQUESTS(&b, work);
    TRUE(work);

    /* Responses: two pushed at once notify; the front end sees two. */
    b.rsp_prod_pvt += 2;
    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&b, notify);
    TRUE(notify);
    TRUE(RING_HAS_UNCONSUMED_RESPONSES(&f) == 2);

    /* Full ring: 32 outstanding, no free slot. */
    f.rsp_cons += 2;
    while (!RING_FULL(&f))
        f.req_prod_pvt++;
    TRUE(f.req_prod_pvt - f.rsp_cons == 32 && RING_FREE_REQUESTS(&f) == 0);

    /* A hostile req_prod cannot make the back end overrun its slots. */
    s->req_prod = b.req_cons + 1000;
    TRUE(RING_HAS_UNCONSUMED_REQUESTS(&b) <= RING_SIZE(&b));
    TRUE(RING_REQUEST_PROD_OVERFLOW(&b, s->req_prod));
    TRUE(RING_REQUEST_CONS_OVERFLOW(&b, b.rsp_prod_pvt + 32));

    /* Indices wrap at 2^32 without losing the window check. */
    SHARED_RING_INIT(s);
    s->req_prod = s->rsp_prod = 0xFFFFFFF0u;
    s->req_event = s->rsp_event = 0xFFFFFFF1u;
    FRONT_RING_ATTACH(&f, s, 0xFFFFFFF0u, 4096);
    BACK_RING_ATTACH(&b, s, 0xFFFFFFF0u, 4096);
    for (i = 0; i < 32; i++)
        f.req_prod_pvt++;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&f, notify);
    TRUE(notify && s->req_prod == 0x10u);
    TRUE(RING_HAS_UNCONSUMED_REQUESTS(&b) == 32);
    TRUE(RING_GET_REQUEST(&f, 0x10u) == RING_GET_REQUEST(&f, 0xFFFFFFF0u));
}

static const struct {
    const char *name;
    void (*fn)(void);
} groups[] = {
    { "layout/start_info",   check_start_info },
    { "layout/shared_info",  check_shared_info },
    { "layout/vcpu_info",    check_vcpu_info },
    { "layout/core_ops",     check_core_ops },
    { "layout/vcpu_op",      check_vcpu_op },
    { "layout/event_channel", check_evtchn },
    { "layout/memory",       check_memory },
    { "layout/physdev",      check_physdev },
    { "layout/grant_table",  check_gnttab },
    { "layout/io",           check_io_layouts },
    { "layout/domctl",       check_domctl },
    { "layout/trace",        check_trace },
    { "layout/hvm_dm",       check_hvm_dm },
    { "values/hypercalls",   check_hypercall_numbers },
    { "values/constants",    check_values },
    { "ring/macros",         check_ring_macros },
};

int main(void)
{
    unsigned int i, failed = 0;

    for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        group_failed = 0;
        details[0] = '\0';
        groups[i].fn();
        printf("%s: abi/%s\n%s", group_failed ? "FAIL" : "PASS", groups[i].name,
               details);
        failed += group_failed;
    }
    return failed ? 1 : 0;
}
