# pvdrivers/common built freestanding for the guest (GUEST_CFLAGS) into
# libpvcommon.a: proof that the pieces need nothing but pvos.h and the ABI
# headers. A kernel links it with its own pvos.h implementation (the bundled
# guest kernel: guest-kernel/kernel/pvos.c). Host unit tests: tests/unit/build.mk (pvd_*).
PVCOMMON_SRCS := $(wildcard pvdrivers/common/*.c)
PVCOMMON_OBJS := $(patsubst %,$(OUT)/guest/%.o,$(PVCOMMON_SRCS))
PVCOMMON_LIB  := $(OUT)/pvdrivers/libpvcommon.a
ALL_TARGETS   += $(PVCOMMON_LIB)

$(OUT)/guest/pvdrivers/%.o: GUEST_CFLAGS += -I pvdrivers/include

$(PVCOMMON_LIB): $(PVCOMMON_OBJS)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

-include $(PVCOMMON_OBJS:.o=.d)

# pvdrivers/xenstored (the store library, docs/xenstore.md) built the same way into
# libxenstored.a: the store domain links it; building it here proves it freestanding.
XSD_LIB_SRCS := $(wildcard pvdrivers/xenstored/*.c)
XSD_LIB_OBJS := $(patsubst %,$(OUT)/guest/%.o,$(XSD_LIB_SRCS))
XSD_LIB      := $(OUT)/pvdrivers/libxenstored.a
ALL_TARGETS  += $(XSD_LIB)

$(XSD_LIB): $(XSD_LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

-include $(XSD_LIB_OBJS:.o=.d)

# pvdrivers/virtio (virtio-pci transport, split virtqueues, virtio-blk, virtio-net; docs/devices.md)
# built the same way into libpvvirtio.a: the driver domain's device drivers.
VIRTIO_LIB_SRCS := $(wildcard pvdrivers/virtio/*.c)
VIRTIO_LIB_OBJS := $(patsubst %,$(OUT)/guest/%.o,$(VIRTIO_LIB_SRCS))
VIRTIO_LIB      := $(OUT)/pvdrivers/libpvvirtio.a
ALL_TARGETS     += $(VIRTIO_LIB)

$(VIRTIO_LIB): $(VIRTIO_LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

-include $(VIRTIO_LIB_OBJS:.o=.d)

# The bundled guest kernel links these (guest-kernel/build.mk: a link group, since they call
# back into its pvos.c): it is the store domain when the configuration says store=yes.
$(KERNEL_ELF): $(PVCOMMON_LIB) $(XSD_LIB) $(VIRTIO_LIB)

# pvdrivers/blkfront (docs/blkif.md, Frontend) built the same way into libpvblkfront.a.
BLKFRONT_LIB_OBJS := $(patsubst %,$(OUT)/guest/%.o,$(wildcard pvdrivers/blkfront/*.c))
BLKFRONT_LIB      := $(OUT)/pvdrivers/libpvblkfront.a
ALL_TARGETS       += $(BLKFRONT_LIB)
$(BLKFRONT_LIB): $(BLKFRONT_LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^
-include $(BLKFRONT_LIB_OBJS:.o=.d)

# pvdrivers/blkback (the blkif back end core, docs/blkif.md) into libpvblkback.a; host test pvd_blkback.
BLKBACK_OBJS := $(patsubst %,$(OUT)/guest/%.o,$(wildcard pvdrivers/blkback/*.c))
BLKBACK_LIB  := $(OUT)/pvdrivers/libpvblkback.a
ALL_TARGETS  += $(BLKBACK_LIB)
$(BLKBACK_LIB): $(BLKBACK_OBJS)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^
-include $(BLKBACK_OBJS:.o=.d)

# pvdrivers/netback (the netif back end core, docs/netif.md) into libpvnetback.a, the switch into
# libpvnetswitch.a, pvdrivers/netfront into libpvnetfront.a; host tests pvd_netback, pvd_netswitch,
# pvd_netfront, pvd_netif (netfront against netback).
NETBACK_OBJS   := $(patsubst %,$(OUT)/guest/%.o,$(wildcard pvdrivers/netback/*.c))
NETSWITCH_OBJS := $(patsubst %,$(OUT)/guest/%.o,$(wildcard pvdrivers/netswitch/*.c))
NETFRONT_OBJS  := $(patsubst %,$(OUT)/guest/%.o,$(wildcard pvdrivers/netfront/*.c))
ALL_TARGETS    += $(OUT)/pvdrivers/libpvnetback.a $(OUT)/pvdrivers/libpvnetswitch.a $(OUT)/pvdrivers/libpvnetfront.a
$(OUT)/pvdrivers/libpvnetback.a: $(NETBACK_OBJS)
$(OUT)/pvdrivers/libpvnetswitch.a: $(NETSWITCH_OBJS)
$(OUT)/pvdrivers/libpvnetfront.a: $(NETFRONT_OBJS)
$(OUT)/pvdrivers/libpvnetback.a $(OUT)/pvdrivers/libpvnetswitch.a $(OUT)/pvdrivers/libpvnetfront.a:
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^
-include $(NETBACK_OBJS:.o=.d) $(NETSWITCH_OBJS:.o=.d) $(NETFRONT_OBJS:.o=.d)

# The bundled kernel's block and network back end services and front end devices (blkback_svc.c,
# blkfront_dev.c, netback_svc.c, netfront_dev.c) link them.
$(KERNEL_ELF): $(BLKBACK_LIB) $(BLKFRONT_LIB) $(OUT)/pvdrivers/libpvnetback.a $(OUT)/pvdrivers/libpvnetswitch.a $(OUT)/pvdrivers/libpvnetfront.a

# pvdrivers/devmodel (the device model's core and its emulated devices, docs/devmodel.md) built the
# same way into libpvdevmodel.a: the driver domain's device model service (kernel/devmodel_svc.c).
DEVMODEL_LIB_OBJS := $(patsubst %,$(OUT)/guest/%.o,$(wildcard pvdrivers/devmodel/*.c))
DEVMODEL_LIB      := $(OUT)/pvdrivers/libpvdevmodel.a
ALL_TARGETS       += $(DEVMODEL_LIB)
$(DEVMODEL_LIB): $(DEVMODEL_LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^
-include $(DEVMODEL_LIB_OBJS:.o=.d)
$(KERNEL_ELF): $(DEVMODEL_LIB)
