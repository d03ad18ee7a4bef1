# tandem.efi: the UEFI loader (a GNU-EFI application) with the core embedded.
# Included from the top Makefile. `make out/hypervisor/tandem.efi EFI_CORE=x.elf`
# embeds another core (the loader's own tests use a fake one).
EFI_DIR    := hypervisor/boot/efi
EFI_OUT    := $(OUT)/hypervisor/boot/efi
EFI_APP    := $(OUT)/hypervisor/tandem.efi
EFI_CORE   ?= $(OUT)/hypervisor/tandem.elf
EFI_LIBDIR ?= /usr/lib
EFI_INC    ?= /usr/include/efi
ALL_TARGETS += $(EFI_APP)

# Objects are named x.o, not x.c.o, so hypervisor/build.mk's rules never match.
EFI_OBJS := $(patsubst $(EFI_DIR)/%.c,$(EFI_OUT)/%.o,$(wildcard $(EFI_DIR)/*.c)) \
            $(patsubst $(EFI_DIR)/%.S,$(EFI_OUT)/%.o,$(wildcard $(EFI_DIR)/*.S))

# GNU-EFI: PIC code relocated by crt0's _relocate(); UEFI calls use the MS ABI
# directly (GNU_EFI_USE_MS_ABI), so uefi_call_wrapper is a plain call.
EFI_CFLAGS := -std=gnu17 -O2 -g $(WARN) -ffreestanding -fno-stack-protector -fpic \
    -fshort-wchar -mno-red-zone -mno-mmx -mno-sse -fno-strict-aliasing \
    -fno-asynchronous-unwind-tables -fcf-protection=none -DGNU_EFI_USE_MS_ABI \
    -I $(EFI_INC) -I $(EFI_INC)/x86_64 -I hypervisor/include -I lib/include
EFI_LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic --no-undefined \
    -z noexecstack -T $(EFI_LIBDIR)/elf_x86_64_efi.lds
# The sections GNU-EFI 3.0.15's own Make.rules copies into the PE image.
EFI_SECTIONS := -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
    -j .rela -j '.rel.*' -j '.rela.*' -j .reloc

$(EFI_OUT)/%.o: $(EFI_DIR)/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(EFI_CFLAGS) -MMD -MP -c $< -o $@

$(EFI_OUT)/%.o: $(EFI_DIR)/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(EFI_CFLAGS) -MMD -MP -D__ASSEMBLY__ -c $< -o $@

# The embedded core: symbols and debug info are only useful to gdb, on tandem.elf.
$(EFI_OUT)/core.elf: $(EFI_CORE)
	@mkdir -p $(dir $@)
	$(Q)$(OBJCOPY) --strip-all $< $@

$(EFI_OUT)/embed.o: $(EFI_OUT)/core.elf
$(EFI_OUT)/embed.o: EFI_CFLAGS += -DTANDEM_CORE='"$(EFI_OUT)/core.elf"'

# _relocate() only applies R_X86_64_RELATIVE: refuse anything else.
$(EFI_OUT)/tandem.so: $(EFI_OBJS)
	@echo "  LD      $@"
	$(Q)$(LD) $(EFI_LDFLAGS) $(EFI_LIBDIR)/crt0-efi-x86_64.o $(EFI_OBJS) \
	    -L $(EFI_LIBDIR) -lefi -lgnuefi -o $@
	$(Q)if readelf -rW $@ | grep -E '^[0-9a-f]+ +[0-9a-f]+ R_' | grep -qv R_X86_64_RELATIVE; then \
	    echo "$@: relocations other than R_X86_64_RELATIVE" >&2; rm -f $@; exit 1; fi

$(EFI_APP): $(EFI_OUT)/tandem.so
	@echo "  EFI     $@"
	$(Q)$(OBJCOPY) $(EFI_SECTIONS) --target=efi-app-x86_64 $< $@

-include $(EFI_OBJS:.o=.d)
