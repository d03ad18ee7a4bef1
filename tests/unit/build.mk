# Host unit tests (cmocka). Each binary links one real hypervisor source (test_tlib: libtandem),
# hypervisor/common/<name>.c (or hypervisor/arch/x86/pv/<name>.c for the pure
# PV code listed in UNIT_PV, hypervisor/arch/x86/hvm/<name>.c for UNIT_HVM's), with
# tests/unit/test_<name>.c.
# `make test-bins UNIT_SANITIZE=1` builds them with ASan and UBSan.
UNIT_PV        := domain_layout
UNIT_HVM       := insn_decode ioreq_gpr
UNIT_TESTS     := libelf memmap frame_pool cmdline domconfig $(UNIT_PV) $(UNIT_HVM)
UNIT_TEST_BINS := $(patsubst %,$(OUT)/tests/unit/%,$(UNIT_TESTS))
UNIT_OBJ       := $(OUT)/tests/unit/obj

UNIT_CFLAGS := $(HOST_CFLAGS) -I hypervisor/include -I hypervisor/arch/x86/pv -I hypervisor/arch/x86/hvm
ifneq ($(UNIT_SANITIZE),)
UNIT_SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
endif
UNIT_CFLAGS += $(UNIT_SAN_FLAGS)

# Rebuild everything when the compiler or flags change (e.g. UNIT_SANITIZE toggled).
$(UNIT_OBJ)/flags: unit-flags-check
	@mkdir -p $(dir $@)
	@echo '$(HOST_CC) $(UNIT_CFLAGS)' | cmp -s - $@ || echo '$(HOST_CC) $(UNIT_CFLAGS)' > $@
.PHONY: unit-flags-check

$(UNIT_OBJ)/test_%.o: tests/unit/test_%.c $(UNIT_OBJ)/flags
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) -MMD -MP -c $< -o $@

$(UNIT_OBJ)/hv/%.o: hypervisor/common/%.c $(UNIT_OBJ)/flags
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< (unit)"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) -MMD -MP -c $< -o $@

$(UNIT_OBJ)/hv/%.o: hypervisor/arch/x86/pv/%.c $(UNIT_OBJ)/flags
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< (unit)"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) -MMD -MP -c $< -o $@

$(UNIT_OBJ)/hv/%.o: hypervisor/arch/x86/hvm/%.c $(UNIT_OBJ)/flags
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< (unit)"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) -MMD -MP -c $< -o $@

# libtandem (lib/src): host-compiled with every symbol renamed tlib_*, so the test
# compares against the C library's own functions (test_tlib.c).
TLIB_RENAME := $(foreach f,memcpy memmove memset memcmp strlen strnlen strcmp strncmp strchr \
    strlcpy simple_strtoull vsnprintf snprintf,-D$(f)=tlib_$(f))
UNIT_TESTS_ALL := $(UNIT_TESTS) tlib
TLIB_UNIT_OBJS := $(patsubst lib/src/%.c,$(UNIT_OBJ)/tlib/%.o,$(TLIB_SRCS))

$(UNIT_OBJ)/tlib/%.o: lib/src/%.c $(UNIT_OBJ)/flags
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< (unit, tlib_*)"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) -fno-builtin $(TLIB_RENAME) -MMD -MP -c $< -o $@

$(OUT)/tests/unit/tlib: $(UNIT_OBJ)/test_tlib.o $(TLIB_UNIT_OBJS)
	@echo "  HOSTLD  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $^ -o $@ -lcmocka

# domconfig.c uses cmdline.c's value parsers.
$(OUT)/tests/unit/domconfig: $(UNIT_OBJ)/hv/cmdline.o

$(UNIT_TEST_BINS): $(OUT)/tests/unit/%: $(UNIT_OBJ)/test_%.o $(UNIT_OBJ)/hv/%.o
	@echo "  HOSTLD  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $^ -o $@ -lcmocka
UNIT_TEST_BINS += $(OUT)/tests/unit/tlib

# pvdrivers/common (the split drivers' shared pieces, pvdrivers.md): pvd_<name> links
# pvdrivers/common/<name>.c with tests/unit/test_pvd_<name>.c; pvd_ring tests the
# hypercall-abi io/ring.h macros alone, with a front and a back end in two threads.
UNIT_PVD      := gntref xenbus_state xenbus_client evtchn xs_ring xenbus_ring
PVD_UNIT_BINS := $(patsubst %,$(OUT)/tests/unit/pvd_%,$(UNIT_PVD))
# Not hypervisor/include: drivers see only the ABI headers and pvdrivers/include.
PVD_CFLAGS    := $(HOST_CFLAGS) $(UNIT_SAN_FLAGS) -I pvdrivers/include

$(UNIT_OBJ)/test_pvd_%.o: tests/unit/test_pvd_%.c $(UNIT_OBJ)/flags
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOST_CC) $(PVD_CFLAGS) -MMD -MP -c $< -o $@

$(UNIT_OBJ)/pvd/%.o: pvdrivers/common/%.c $(UNIT_OBJ)/flags
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< (unit)"
	$(Q)$(HOST_CC) $(PVD_CFLAGS) -MMD -MP -c $< -o $@

$(PVD_UNIT_BINS): $(OUT)/tests/unit/pvd_%: $(UNIT_OBJ)/test_pvd_%.o $(UNIT_OBJ)/pvd/%.o
	@echo "  HOSTLD  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $^ -o $@ -lcmocka

# evtchn.c publishes and reads ports through the store client.
$(OUT)/tests/unit/pvd_evtchn: $(UNIT_OBJ)/pvd/xenbus_client.o

# xenbus_ring.c is the client's transport over xs_ring.c.
$(OUT)/tests/unit/pvd_xenbus_ring: $(UNIT_OBJ)/pvd/xenbus_client.o $(UNIT_OBJ)/pvd/xs_ring.o

# Two drivers against each other: every common piece.
PVD_HANDSHAKE_OBJS := $(patsubst %,$(UNIT_OBJ)/pvd/%.o,xenbus_state xenbus_client evtchn gntref)
$(OUT)/tests/unit/pvd_handshake: $(UNIT_OBJ)/test_pvd_handshake.o $(PVD_HANDSHAKE_OBJS)
	@echo "  HOSTLD  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $^ -o $@ -lcmocka
UNIT_TEST_BINS += $(OUT)/tests/unit/pvd_handshake

$(OUT)/tests/unit/pvd_ring: $(UNIT_OBJ)/test_pvd_ring.o
	@echo "  HOSTLD  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $^ -o $@ -lcmocka -lpthread
UNIT_TEST_BINS += $(PVD_UNIT_BINS) $(OUT)/tests/unit/pvd_ring

-include $(patsubst %,$(UNIT_OBJ)/test_pvd_%.d,$(UNIT_PVD) ring handshake) $(patsubst %,$(UNIT_OBJ)/pvd/%.d,$(UNIT_PVD))
-include $(patsubst %,$(UNIT_OBJ)/test_%.d,$(UNIT_TESTS_ALL)) $(patsubst %,$(UNIT_OBJ)/hv/%.d,$(UNIT_TESTS)) $(TLIB_UNIT_OBJS:.o=.d)

# pvdrivers/xenstored: the store library (every file of it) with tests/unit/test_xenstored.c.
XSD_SRCS      := $(wildcard pvdrivers/xenstored/*.c)
XSD_UNIT_OBJS := $(patsubst pvdrivers/xenstored/%.c,$(UNIT_OBJ)/xsd/%.o,$(XSD_SRCS))

$(UNIT_OBJ)/xsd/%.o: pvdrivers/xenstored/%.c $(UNIT_OBJ)/flags
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< (unit)"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) -MMD -MP -c $< -o $@

$(UNIT_OBJ)/test_xenstored.o: UNIT_CFLAGS += -I pvdrivers/xenstored
$(OUT)/tests/unit/xenstored: $(UNIT_OBJ)/test_xenstored.o $(XSD_UNIT_OBJS)
	@echo "  HOSTLD  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $^ -o $@ -lcmocka
UNIT_TEST_BINS += $(OUT)/tests/unit/xenstored

# xs_conn.c (serving a ring page) with tests/unit/test_xenstored_conn.c, a simulated page.
$(UNIT_OBJ)/test_xenstored_conn.o: UNIT_CFLAGS += -I pvdrivers/xenstored
$(OUT)/tests/unit/xenstored_conn: $(UNIT_OBJ)/test_xenstored_conn.o $(XSD_UNIT_OBJS)
	@echo "  HOSTLD  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $^ -o $@ -lcmocka
UNIT_TEST_BINS += $(OUT)/tests/unit/xenstored_conn

-include $(UNIT_OBJ)/test_xenstored.d $(UNIT_OBJ)/test_xenstored_conn.d $(XSD_UNIT_OBJS:.o=.d)

# pvdrivers/virtio: pvd_virtqueue links virtqueue.c with a fake device consuming its rings;
# pvd_virtio_blk links virtio_blk.c and virtqueue.c with a fake transport and a RAM disk.
$(UNIT_OBJ)/pvdv/%.o: pvdrivers/virtio/%.c $(UNIT_OBJ)/flags
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< (unit)"
	$(Q)$(HOST_CC) $(PVD_CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/tests/unit/pvd_virtqueue: $(UNIT_OBJ)/test_pvd_virtqueue.o $(UNIT_OBJ)/pvdv/virtqueue.o
	@echo "  HOSTLD  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $^ -o $@ -lcmocka
UNIT_TEST_BINS += $(OUT)/tests/unit/pvd_virtqueue
-include $(UNIT_OBJ)/test_pvd_virtqueue.d $(UNIT_OBJ)/pvdv/virtqueue.d

$(OUT)/tests/unit/pvd_virtio_blk: $(UNIT_OBJ)/test_pvd_virtio_blk.o $(UNIT_OBJ)/pvdv/virtio_blk.o $(UNIT_OBJ)/pvdv/virtqueue.o
	@echo "  HOSTLD  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $^ -o $@ -lcmocka
UNIT_TEST_BINS += $(OUT)/tests/unit/pvd_virtio_blk
-include $(UNIT_OBJ)/test_pvd_virtio_blk.d $(UNIT_OBJ)/pvdv/virtio_blk.d

$(OUT)/tests/unit/pvd_virtio_net: $(UNIT_OBJ)/test_pvd_virtio_net.o $(UNIT_OBJ)/pvdv/virtio_net.o $(UNIT_OBJ)/pvdv/virtqueue.o
	@echo "  HOSTLD  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $^ -o $@ -lcmocka
UNIT_TEST_BINS += $(OUT)/tests/unit/pvd_virtio_net
-include $(UNIT_OBJ)/test_pvd_virtio_net.d $(UNIT_OBJ)/pvdv/virtio_net.d

# pvdrivers/blkfront: pvd_blkfront links blkfront.c (and xenbus_state.c) with a fake back end serving a RAM disk.
$(UNIT_OBJ)/test_pvd_blkfront.o: PVD_CFLAGS += -I pvdrivers/blkfront
$(UNIT_OBJ)/pvdb/%.o: pvdrivers/blkfront/%.c $(UNIT_OBJ)/flags
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< (unit)"
	$(Q)$(HOST_CC) $(PVD_CFLAGS) -MMD -MP -c $< -o $@
$(OUT)/tests/unit/pvd_blkfront: $(UNIT_OBJ)/test_pvd_blkfront.o $(UNIT_OBJ)/pvdb/blkfront.o $(UNIT_OBJ)/pvd/xenbus_state.o
	@echo "  HOSTLD  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $^ -o $@ -lcmocka
UNIT_TEST_BINS += $(OUT)/tests/unit/pvd_blkfront
-include $(UNIT_OBJ)/test_pvd_blkfront.d $(UNIT_OBJ)/pvdb/blkfront.d

# pvdrivers/blkback with tests/unit/test_pvd_blkback.c: fake grants (counted), ring and disk.
BLKBACK_UNIT_OBJS := $(patsubst pvdrivers/blkback/%.c,$(UNIT_OBJ)/pvdbb/%.o,$(wildcard pvdrivers/blkback/*.c))
$(UNIT_OBJ)/pvdbb/%.o: pvdrivers/blkback/%.c $(UNIT_OBJ)/flags
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< (unit)"
	$(Q)$(HOST_CC) $(PVD_CFLAGS) -MMD -MP -c $< -o $@
$(OUT)/tests/unit/pvd_blkback: $(UNIT_OBJ)/test_pvd_blkback.o $(BLKBACK_UNIT_OBJS)
	@echo "  HOSTLD  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $^ -o $@ -lcmocka
UNIT_TEST_BINS += $(OUT)/tests/unit/pvd_blkback
-include $(UNIT_OBJ)/test_pvd_blkback.d $(BLKBACK_UNIT_OBJS:.o=.d)

# guest-kernel/net/http.c (the network service's HTTP pieces, docs/network.md) with
# tests/unit/test_net_http.c: it needs only the C library's strings.
$(UNIT_OBJ)/test_net_http.o: UNIT_CFLAGS += -I guest-kernel/net
$(UNIT_OBJ)/gnet/%.o: guest-kernel/net/%.c $(UNIT_OBJ)/flags
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< (unit)"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) -MMD -MP -c $< -o $@
$(OUT)/tests/unit/net_http: $(UNIT_OBJ)/test_net_http.o $(UNIT_OBJ)/gnet/http.o
	@echo "  HOSTLD  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $^ -o $@ -lcmocka
UNIT_TEST_BINS += $(OUT)/tests/unit/net_http
-include $(UNIT_OBJ)/test_net_http.d $(UNIT_OBJ)/gnet/http.d

# pvdrivers/netback, netswitch, netfront (docs/netif.md): pvd_netback against a fake frontend,
# pvd_netfront against a fake back end, pvd_netswitch alone, pvd_netif netfront and netback (and
# the switch) in one process over two fake domains' grants.
$(UNIT_OBJ)/pvdn/%.o: pvdrivers/%.c $(UNIT_OBJ)/flags
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< (unit)"
	$(Q)$(HOST_CC) $(PVD_CFLAGS) -MMD -MP -c $< -o $@
$(UNIT_OBJ)/test_pvd_netfront.o $(UNIT_OBJ)/test_pvd_netif.o: PVD_CFLAGS += -I pvdrivers/netfront
NETBACK_UNIT_OBJS   := $(patsubst pvdrivers/%.c,$(UNIT_OBJ)/pvdn/%.o,$(wildcard pvdrivers/netback/*.c)) \
                       $(UNIT_OBJ)/pvdn/common/netpkt.o
NETSWITCH_UNIT_OBJS := $(UNIT_OBJ)/pvdn/netswitch/netswitch.o
NETFRONT_UNIT_OBJS  := $(patsubst pvdrivers/%.c,$(UNIT_OBJ)/pvdn/%.o,$(wildcard pvdrivers/netfront/*.c)) \
                       $(UNIT_OBJ)/pvdn/common/netpkt.o \
                       $(UNIT_OBJ)/pvdn/common/xenbus_state.o
$(OUT)/tests/unit/pvd_netback: $(UNIT_OBJ)/test_pvd_netback.o $(NETBACK_UNIT_OBJS)
$(OUT)/tests/unit/pvd_netswitch: $(UNIT_OBJ)/test_pvd_netswitch.o $(NETSWITCH_UNIT_OBJS)
$(OUT)/tests/unit/pvd_netfront: $(UNIT_OBJ)/test_pvd_netfront.o $(NETFRONT_UNIT_OBJS)
$(OUT)/tests/unit/pvd_netif: $(UNIT_OBJ)/test_pvd_netif.o $(sort $(NETBACK_UNIT_OBJS) $(NETSWITCH_UNIT_OBJS) $(NETFRONT_UNIT_OBJS))
NET_UNIT_BINS := $(patsubst %,$(OUT)/tests/unit/pvd_%,netback netswitch netfront netif)
$(NET_UNIT_BINS):
	@echo "  HOSTLD  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $^ -o $@ -lcmocka
UNIT_TEST_BINS += $(NET_UNIT_BINS)
-include $(patsubst %,$(UNIT_OBJ)/test_pvd_%.d,netback netswitch netfront netif) \
         $(sort $(NETBACK_UNIT_OBJS:.o=.d) $(NETSWITCH_UNIT_OBJS:.o=.d) $(NETFRONT_UNIT_OBJS:.o=.d))

# guest-kernel/kernel/diskfs.c (the program disk format's checks, docs/diskfs.md) with tests/unit/test_diskfs.c.
$(UNIT_OBJ)/test_diskfs.o: UNIT_CFLAGS += -I guest-kernel/include
$(UNIT_OBJ)/gk/diskfs.o: guest-kernel/kernel/diskfs.c $(UNIT_OBJ)/flags
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< (unit)"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) -I guest-kernel/include -MMD -MP -c $< -o $@
$(OUT)/tests/unit/diskfs: $(UNIT_OBJ)/test_diskfs.o $(UNIT_OBJ)/gk/diskfs.o
	@echo "  HOSTLD  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $^ -o $@ -lcmocka
UNIT_TEST_BINS += $(OUT)/tests/unit/diskfs
-include $(UNIT_OBJ)/test_diskfs.d $(UNIT_OBJ)/gk/diskfs.d

# pvdrivers/devmodel (the device model's core and its emulated IDE disk, docs/devmodel.md):
# pvd_devmodel links devmodel.c and ide.c with a fake guest memory and a RAM disk.
$(UNIT_OBJ)/pvdm/%.o: pvdrivers/devmodel/%.c $(UNIT_OBJ)/flags
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< (unit)"
	$(Q)$(HOST_CC) $(PVD_CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/tests/unit/pvd_devmodel: $(UNIT_OBJ)/test_pvd_devmodel.o $(UNIT_OBJ)/pvdm/devmodel.o $(UNIT_OBJ)/pvdm/ide.o
	@echo "  HOSTLD  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $^ -o $@ -lcmocka
UNIT_TEST_BINS += $(OUT)/tests/unit/pvd_devmodel
-include $(UNIT_OBJ)/test_pvd_devmodel.d $(UNIT_OBJ)/pvdm/devmodel.d $(UNIT_OBJ)/pvdm/ide.d

# pvdrivers/devmodel/ne2000.c (the emulated NIC, docs/devmodel.md "The emulated NIC"): pvd_ne2000
# links it, its switch port (ne2000_switch.c) and the device model core with the real switch.
$(OUT)/tests/unit/pvd_ne2000: $(UNIT_OBJ)/test_pvd_ne2000.o $(UNIT_OBJ)/pvdm/devmodel.o $(UNIT_OBJ)/pvdm/ne2000.o \
        $(UNIT_OBJ)/pvdm/ne2000_switch.o $(NETSWITCH_UNIT_OBJS)
	@echo "  HOSTLD  $@"
	$(Q)$(HOST_CC) $(UNIT_CFLAGS) $^ -o $@ -lcmocka
UNIT_TEST_BINS += $(OUT)/tests/unit/pvd_ne2000
-include $(UNIT_OBJ)/test_pvd_ne2000.d $(UNIT_OBJ)/pvdm/ne2000.d $(UNIT_OBJ)/pvdm/ne2000_switch.d
