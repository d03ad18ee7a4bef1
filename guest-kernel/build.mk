# Guest side: libguest.a (start of day, console, libtandem's strings and printf; shared with the
# in-QEMU test kernels), libgkernel.a (the guest kernel proper: events, threads,
# memory, processes, system calls, traps; linked by the bundled kernel and the
# process benchmark kernels) and the bundled guest kernel, out/guest-kernel/kernel.elf
# (kernel_main, its shell and modes, its user programs, over libgkernel.a).
GUEST_LIB_SRCS := $(wildcard guest-kernel/lib/*.c) $(TLIB_SRCS)
GUEST_LIB_OBJS := $(patsubst %,$(OUT)/guest/%.o,$(GUEST_LIB_SRCS) guest-kernel/arch/x86/head.S)
GUEST_LIB := $(OUT)/guest-kernel/libguest.a
GUEST_LDS := guest-kernel/arch/x86/kernel.ld
KERNEL_MAIN_SRCS := $(addprefix guest-kernel/kernel/,main.c shell.c modes.c pvos_selftest.c xs_shell.c dev_shell.c blk_shell.c xvd_shell.c net_ping.c)
GKERNEL_SRCS := $(filter-out $(KERNEL_MAIN_SRCS),$(wildcard guest-kernel/kernel/*.c)) guest-kernel/arch/x86/entry.S
GKERNEL_OBJS := $(patsubst %,$(OUT)/guest/%.o,$(GKERNEL_SRCS))
GKERNEL_LIB := $(OUT)/guest-kernel/libgkernel.a
KERNEL_OBJS := $(patsubst %,$(OUT)/guest/%.o,$(KERNEL_MAIN_SRCS))
# The user programs built into the kernel image (guest-kernel/user/).
include guest-kernel/user/build.mk
KERNEL_OBJS += $(USER_ARCHIVE_OBJ)
KERNEL_ELF := $(OUT)/guest-kernel/kernel.elf
ALL_TARGETS += $(KERNEL_ELF)
# The network stack (lwIP) and the kernel's net service over it: guest-kernel/net/.
include guest-kernel/net/build.mk

# pvos.h (pvdrivers/include): the interface drivers reach the kernel through; pvos.c implements it.
# xenstored.h (pvdrivers/xenstored): the store library the kernel serves as a store domain.
$(OUT)/guest/guest-kernel/%.o: GUEST_CFLAGS += -I pvdrivers/include -I pvdrivers/xenstored -I pvdrivers/blkfront -I pvdrivers/netfront

$(OUT)/guest/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/guest/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -D__ASSEMBLY__ -MMD -MP -c $< -o $@

$(GUEST_LIB): $(GUEST_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(GKERNEL_LIB): $(GKERNEL_OBJS)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# link-guest(output, objects): a guest ELF from objects plus libguest.a
define link-guest
	@mkdir -p $(dir $(1))
	@echo "  LD      $(1)"
	$(Q)$(LD) $(GUEST_LDFLAGS) -T $(GUEST_LDS) -o $(1) $(2) $(GUEST_LIB)
endef

# pvdrivers' libraries (pvdrivers/build.mk adds them as prerequisites) call back into pvos.c: a group.
$(KERNEL_ELF): $(KERNEL_OBJS) $(GKERNEL_LIB) $(GUEST_LIB) $(GUEST_LDS) $(GNET_LIB) $(LWIP_LIB)
	$(call link-guest,$@,$(KERNEL_OBJS) --start-group $(GNET_LIB) $(LWIP_LIB) $(GKERNEL_LIB) $(PVCOMMON_LIB) $(XSD_LIB) $(VIRTIO_LIB) $(BLKBACK_LIB) $(BLKFRONT_LIB) $(OUT)/pvdrivers/libpvnetback.a $(OUT)/pvdrivers/libpvnetswitch.a $(OUT)/pvdrivers/libpvnetfront.a --end-group)

-include $(GUEST_LIB_OBJS:.o=.d) $(GKERNEL_OBJS:.o=.d) $(KERNEL_OBJS:.o=.d)
