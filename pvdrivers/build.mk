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

# The store library (pvdrivers/xenstored) built freestanding for the guest
# into libxenstored.a: the bundled kernel links it to be a store domain
# (guest-kernel/kernel/xenstored.c). Its <string.h> is guest-kernel/include/string.h.
XSD_GUEST_SRCS := $(wildcard pvdrivers/xenstored/*.c)
XSD_GUEST_OBJS := $(patsubst %,$(OUT)/guest/%.o,$(XSD_GUEST_SRCS))
XSD_GUEST_LIB  := $(OUT)/pvdrivers/libxenstored.a

$(XSD_GUEST_LIB): $(XSD_GUEST_OBJS)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

-include $(XSD_GUEST_OBJS:.o=.d)
$(KERNEL_ELF): $(PVCOMMON_LIB) $(XSD_GUEST_LIB)
