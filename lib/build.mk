# libtandem (lib/): the freestanding library every tree links, one source each
# (docs/architecture.md, "The freestanding library"): strings and vsnprintf
# (lib/src/), their headers and the ELF64 definitions (lib/include/tandem-lib/).
# Each tree compiles lib/src with its own flags:
#   hypervisor   $(OUT)/hypervisor/lib/src/*.c.o (HV_CFLAGS, here), in HV_OBJS
#   guest kernel $(OUT)/guest/lib/src/*.c.o (GUEST_CFLAGS), in libguest.a
#   user progs   $(OUT)/user/lib/src/*.c.o (USER_CFLAGS), with the user library
#   host tests   tests/unit/build.mk (test_tlib: the symbols renamed tlib_*)
# The UEFI loader takes elf64.h only: GNU-EFI's libefi defines its own memcpy and memset.
# -I lib/include is in COMMON_CFLAGS and HOST_CFLAGS (build/config.mk).
TLIB_SRCS := $(wildcard lib/src/*.c)
TLIB_HV_OBJS := $(patsubst %,$(OUT)/hypervisor/%.o,$(TLIB_SRCS))

$(OUT)/hypervisor/lib/%.c.o: lib/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (hypervisor)"
	$(Q)$(CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(TLIB_HV_OBJS): $(HV_DEBUG_STAMP)

-include $(TLIB_HV_OBJS:.o=.d)
