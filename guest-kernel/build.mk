# Guest side: libguest.a (start of day, console, libtandem's strings and printf; shared with the
# in-QEMU test kernels), libgkernel.a (the guest kernel proper: events, threads,
# memory, processes, system calls, traps; linked by the bundled kernel and the
# process benchmark kernels) and the bundled guest kernel, out/guest-kernel/kernel.elf
# (kernel_main, its shell and modes, its user programs, over libgkernel.a).
# Every guest object of the PV platform finds its arch/platform.h here (the native build: native/).
GUEST_CFLAGS += -I guest-kernel/arch/x86/pv/include
GUEST_LIB_SRCS := $(wildcard guest-kernel/lib/*.c) $(TLIB_SRCS)
GUEST_LIB_OBJS := $(patsubst %,$(OUT)/guest/%.o,$(GUEST_LIB_SRCS) guest-kernel/arch/x86/head.S)
GUEST_LIB := $(OUT)/guest-kernel/libguest.a
GUEST_LDS := guest-kernel/arch/x86/kernel.ld
KERNEL_MAIN_SRCS := $(addprefix guest-kernel/kernel/,main.c shell.c modes.c pvos_selftest.c xs_shell.c dev_shell.c blk_shell.c xvd_shell.c net_ping.c trace_shell.c)
GKERNEL_SRCS := $(filter-out $(KERNEL_MAIN_SRCS),$(wildcard guest-kernel/kernel/*.c)) $(wildcard guest-kernel/arch/x86/pv/*.c) \
    guest-kernel/arch/x86/entry.S
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
$(OUT)/guest/guest-kernel/%.o: GUEST_CFLAGS += -I pvdrivers/include -I pvdrivers/xenstored -I pvdrivers/blkfront -I pvdrivers/netfront \
    -I pvdrivers/devmodel

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
	$(call link-guest,$@,$(KERNEL_OBJS) --start-group $(GNET_LIB) $(LWIP_LIB) $(GKERNEL_LIB) $(PVCOMMON_LIB) $(XSD_LIB) $(VIRTIO_LIB) $(BLKBACK_LIB) $(BLKFRONT_LIB) $(OUT)/pvdrivers/libpvnetback.a $(OUT)/pvdrivers/libpvnetswitch.a $(OUT)/pvdrivers/libpvnetfront.a $(OUT)/pvdrivers/libpvdevmodel.a --end-group)

-include $(GUEST_LIB_OBJS:.o=.d) $(GKERNEL_OBJS:.o=.d) $(KERNEL_OBJS:.o=.d)

# The native build of the same kernel (docs/guest-kernel.md, "The native build"):
# out/guest-kernel/native.elf, a Multiboot 1 kernel for bare x86-64 (QEMU -kernel)
# and HVM domains. The common kernel sources compiled again with the native
# platform's arch/platform.h (arch/x86/native/include) into $(OUT)/native/, over
# arch/x86/native/; the PV-only parts (events, grants, store, split drivers, the
# domain commands) are not in it; the network is, over the NE2000 (arch/x86/native/ne2k.c). Same user programs, same image.
NATIVE_COMMON_SRCS := $(addprefix guest-kernel/kernel/,exec.c kalloc.c kmutex.c mm.c page_alloc.c panic.c \
    proc.c sched.c shell.c syscall.c traps.c uaccess.c kbench.c xvd_shell.c diskfs.c diskprog.c)
# The network service (guest-kernel/net/) comes along over the NE2000 (native/ne2k.c), less its PV
# half (net_pv.c, netdev_vnet.c); liblwip.a is the PV kernel's, platform-free.
NATIVE_NET_SRCS := $(filter-out guest-kernel/net/net_pv.c guest-kernel/net/netdev_vnet.c,$(GNET_SRCS))
NATIVE_SRCS := $(NATIVE_COMMON_SRCS) $(NATIVE_NET_SRCS) \
    $(wildcard guest-kernel/arch/x86/native/*.c guest-kernel/arch/x86/native/*.S)
NATIVE_OBJS := $(patsubst %,$(OUT)/native/%.o,$(NATIVE_SRCS))
NATIVE_NET_OBJS := $(patsubst %,$(OUT)/native/%.o,$(NATIVE_NET_SRCS))
NATIVE_LIB_OBJS := $(patsubst %,$(OUT)/guest/%.o,$(TLIB_SRCS) guest-kernel/lib/strtoul.c guest-kernel/lib/printk.c)
NATIVE_LDS := guest-kernel/arch/x86/native/kernel.ld
NATIVE_CFLAGS = $(COMMON_CFLAGS) -mcmodel=kernel -fno-pic -fno-pie -I guest-kernel/include \
    -I guest-kernel/arch/x86/native/include -I pvdrivers/include
NATIVE_ELF := $(OUT)/guest-kernel/native.elf
ALL_TARGETS += $(NATIVE_ELF)

# The native memory code (arch/x86/native/mmu.c) shares kernel/mm_private.h with kmap.c's PV counterpart.
$(OUT)/native/guest-kernel/arch/x86/native/%.o: NATIVE_CFLAGS += -I guest-kernel/kernel
$(NATIVE_NET_OBJS): NATIVE_CFLAGS += $(LWIP_INC)
$(NATIVE_NET_OBJS): | $(LWIP_STAMP)
$(OUT)/native/guest-kernel/arch/x86/native/ne2k.c.o $(OUT)/native/guest-kernel/arch/x86/native/net_native.c.o: | $(LWIP_STAMP)

$(OUT)/native/%.c.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (native)"
	$(Q)$(CC) $(NATIVE_CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/native/%.S.o: %.S
	@mkdir -p $(dir $@)
	@echo "  AS      $< (native)"
	$(Q)$(CC) $(NATIVE_CFLAGS) -D__ASSEMBLY__ -MMD -MP -c $< -o $@

$(NATIVE_ELF): $(NATIVE_OBJS) $(NATIVE_LIB_OBJS) $(USER_ARCHIVE_OBJ) $(NATIVE_LDS) $(LWIP_LIB)
	@mkdir -p $(dir $@)
	@echo "  LD      $@"
	$(Q)$(LD) $(GUEST_LDFLAGS) -T $(NATIVE_LDS) -o $@ $(NATIVE_OBJS) $(USER_ARCHIVE_OBJ) $(NATIVE_LIB_OBJS) $(LWIP_LIB)

-include $(NATIVE_OBJS:.o=.d)
