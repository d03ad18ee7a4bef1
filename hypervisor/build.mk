# The hypervisor core: tandem.elf (ELF64, for the EFI loader and gdb) and
# tandem.mb (the same image as ELF32 for QEMU's Multiboot loader).
HV_SRCS := $(wildcard hypervisor/common/*.c hypervisor/arch/x86/*.c hypervisor/arch/x86/pv/*.c \
    hypervisor/arch/x86/svm/*.c hypervisor/arch/x86/hvm/*.c \
    hypervisor/drivers/*/*.c hypervisor/drivers/*/*/*.c)
HV_ASMS := $(wildcard hypervisor/arch/x86/*.S hypervisor/arch/x86/svm/*.S hypervisor/arch/x86/boot/*.S)
HV_OBJS := $(patsubst %,$(OUT)/%.o,$(HV_SRCS) $(HV_ASMS)) $(TLIB_HV_OBJS)
HV_ELF  := $(OUT)/hypervisor/tandem.elf
HV_MB   := $(OUT)/hypervisor/tandem.mb
ALL_TARGETS += $(HV_ELF) $(HV_MB)

$(OUT)/hypervisor/%.c.o: hypervisor/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(OUT)/hypervisor/%.S.o: hypervisor/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(HV_CFLAGS) -MMD -MP -D__ASSEMBLY__ -c $< -o $@

$(HV_OBJS): $(HV_DEBUG_STAMP)

$(OUT)/hypervisor/compile.h: $(HV_SRCS) $(HV_ASMS)
	@mkdir -p $(dir $@)
	$(Q)tools/gen-compile-h "$(CC)" > $@.tmp && mv $@.tmp $@

$(OUT)/hypervisor/common/version.c.o: $(OUT)/hypervisor/compile.h
$(OUT)/hypervisor/common/version.c.o: HV_CFLAGS += -I $(OUT)/hypervisor

# The headers generated from hypercall-abi/hypercalls.def are committed (so the
# diff shows what a list change does); editing the list regenerates them.
# The docs table is not rewritten here: `make test` checks it (--check).
HYPERCALL_GEN := hypervisor/include/generated/hypercall_prototypes.h \
    hypervisor/include/generated/hypercall_tables.h \
    guest-kernel/include/generated/hypercall_wrappers.h
$(HYPERCALL_GEN) &: hypercall-abi/hypercalls.def tools/gen-hypercall-table
	@echo "  GEN     hypercall headers from hypercalls.def"
	$(Q)tools/gen-hypercall-table --update --headers-only >/dev/null && touch $(HYPERCALL_GEN)

$(HV_ELF): $(HV_OBJS) hypervisor/tandem.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(HV_LDFLAGS) -T hypervisor/tandem.ld -o $@ $(HV_OBJS)

$(HV_MB): $(HV_ELF)
	$(Q)$(OBJCOPY) -O elf32-i386 $< $@

-include $(HV_OBJS:.o=.d)
