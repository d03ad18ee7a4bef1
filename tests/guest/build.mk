# In-QEMU test kernels: one directory per test under tests/guest/<name>/ with
# its .c files (defining test_title and test_main) and an optional `expect`
# file for tests/run-tests. Each links with tests/lib and libguest.a, with the
# guest kernels' linker script or the test's own kernel.ld if it has one.
TEST_GUEST_DIRS := $(patsubst tests/guest/%/,%,$(wildcard tests/guest/*/))
TEST_LIB_OBJS := $(patsubst %,$(OUT)/guest/%.o,$(wildcard tests/lib/*.c))
TEST_GUEST_ELFS := $(patsubst %,$(OUT)/tests/guest/%.elf,$(TEST_GUEST_DIRS))

# pvdrivers/include: the store tests (xs_*) use pvdrivers/common's xenbus client over the
# store ring, through tests/lib/pvos.c; libpvcommon.a is linked into every test kernel
# (an archive: only what a test uses is pulled in).
$(OUT)/guest/tests/%.c.o: GUEST_CFLAGS += -I tests/lib -I pvdrivers/include

define test-guest-rule
$(OUT)/tests/guest/$(1).elf: GUEST_LDS := $(or $(wildcard tests/guest/$(1)/kernel.ld),$(GUEST_LDS))
$(OUT)/tests/guest/$(1).elf: $(patsubst %,$(OUT)/guest/%.o,$(wildcard tests/guest/$(1)/*.c tests/guest/$(1)/*.S)) $(TEST_LIB_OBJS) $(PVCOMMON_LIB) $(GUEST_LIB) $(or $(wildcard tests/guest/$(1)/kernel.ld),$(GUEST_LDS))
	$$(call link-guest,$$@,$(patsubst %,$(OUT)/guest/%.o,$(wildcard tests/guest/$(1)/*.c tests/guest/$(1)/*.S)) $(TEST_LIB_OBJS) $(PVCOMMON_LIB))
endef
$(foreach t,$(TEST_GUEST_DIRS),$(eval $(call test-guest-rule,$(t))))

-include $(TEST_LIB_OBJS:.o=.d) $(foreach t,$(TEST_GUEST_DIRS),$(patsubst %,$(OUT)/guest/%.d,$(wildcard tests/guest/$(t)/*.c tests/guest/$(t)/*.S)))

# HVM test guests (tests/hvm/guest.S, docs/hvm.md): flat 32-bit entry at 1 MiB, one source,
# variants by -D; put beside the PV test kernels so configurations find them.
HVM_GUEST_VARIANTS := hvm_basic: hvm_oob:-DHVM_OOB hvm_triple:-DHVM_TRIPLE hvm_spin:-DHVM_SPIN hvm_invalid:-DHVM_INVALID
HVM_GUEST_ELFS := $(foreach v,$(HVM_GUEST_VARIANTS),$(OUT)/tests/guest/$(firstword $(subst :, ,$(v))).elf)
TEST_GUEST_ELFS += $(HVM_GUEST_ELFS)
define hvm-guest-rule
$(OUT)/tests/guest/$(1).elf: tests/hvm/guest.S tests/hvm/hvm.ld
	@mkdir -p $$(dir $$@)
	$$(Q)$$(CC) -c -x assembler-with-cpp $(2) tests/hvm/guest.S -o $$(@:.elf=.o)
	$$(Q)$$(LD) --no-warn-rwx-segments -nostdlib -static -T tests/hvm/hvm.ld $$(@:.elf=.o) -o $$@
endef
$(foreach v,$(HVM_GUEST_VARIANTS),$(eval $(call hvm-guest-rule,$(firstword $(subst :, ,$(v))),$(word 2,$(subst :, ,$(v))))))

# HVMCALL_counters' test guest (tests/hvm/counters.S, run by tests/guest/hvm_counters): the
# benchmarks' per-operation exit counts, their success and refusal paths.
# hvm_counters_shadow_guest: the same with -DCOUNTERS_SHADOW (guest/hvm_counters_shadow, paging=shadow).
TEST_GUEST_ELFS += $(OUT)/tests/guest/hvm_counters_guest.elf $(OUT)/tests/guest/hvm_counters_shadow_guest.elf
$(OUT)/tests/guest/hvm_counters_guest.elf $(OUT)/tests/guest/hvm_counters_shadow_guest.elf: tests/hvm/counters.S tests/hvm/hvm.ld
	@mkdir -p $(dir $@)
	$(Q)$(CC) -c -x assembler-with-cpp $(if $(findstring shadow,$(notdir $@)),-DCOUNTERS_SHADOW) tests/hvm/counters.S -o $(@:.elf=.o)
	$(Q)$(LD) --no-warn-rwx-segments -nostdlib -static -T tests/hvm/hvm.ld $(@:.elf=.o) -o $@

# The HVM platform test guest (tests/hvm/plat, docs/hvm.md): C in long mode on a Multiboot
# entry, linked at 1 MiB; its command line picks what it checks.
HVM_PLAT_CFLAGS := $(COMMON_CFLAGS) -mcmodel=small -fno-pic -fno-pie
TEST_GUEST_ELFS += $(OUT)/tests/guest/hvm_plat.elf
$(OUT)/tests/guest/hvm_plat.elf: tests/hvm/plat/head.S tests/hvm/plat/plat.c tests/hvm/plat/plat.ld
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(HVM_PLAT_CFLAGS) -c tests/hvm/plat/head.S -o $(@:.elf=-head.o)
	$(Q)$(CC) $(HVM_PLAT_CFLAGS) -c tests/hvm/plat/plat.c -o $(@:.elf=-plat.o)
	$(Q)$(LD) --no-warn-rwx-segments -nostdlib -static -T tests/hvm/plat/plat.ld $(@:.elf=-head.o) $(@:.elf=-plat.o) -o $@
# The shadow-paging test guests (tests/hvm/shadow/, docs/hvm.md "Shadow paging"): C on a small
# long-mode start; SH_HOSTILE=n variants each do one thing that must get them killed.
SHADOW_GUEST_VARIANTS := hvm_shadowtest: hvm_shbad_pte:-DSH_HOSTILE=1 hvm_shbad_table:-DSH_HOSTILE=2 \
    hvm_shbad_cr3:-DSH_HOSTILE=3 hvm_shbad_cr0:-DSH_HOSTILE=4 hvm_shbad_spin:-DSH_HOSTILE=5 \
    hvm_shbad_anyorder:-DSH_HOSTILE=6
SHADOW_GUEST_CFLAGS := -std=gnu17 -O2 -Wall -Wextra -Werror -ffreestanding -fno-pic -fno-pie -mno-red-zone \
    -mgeneral-regs-only -fno-stack-protector -fno-asynchronous-unwind-tables -mcmodel=small
TEST_GUEST_ELFS += $(foreach v,$(SHADOW_GUEST_VARIANTS),$(OUT)/tests/guest/$(firstword $(subst :, ,$(v))).elf)
define shadow-guest-rule
$(OUT)/tests/guest/$(1).elf: tests/hvm/shadow/start.S tests/hvm/shadow/shadow.c tests/hvm/shadow/shadow.ld
	@mkdir -p $$(dir $$@)
	$$(Q)$$(CC) -c -x assembler-with-cpp tests/hvm/shadow/start.S -o $$(@:.elf=.s.o)
	$$(Q)$$(CC) -c $(SHADOW_GUEST_CFLAGS) $(2) tests/hvm/shadow/shadow.c -o $$(@:.elf=.c.o)
	$$(Q)$$(LD) --no-warn-rwx-segments -nostdlib -static -T tests/hvm/shadow/shadow.ld $$(@:.elf=.s.o) $$(@:.elf=.c.o) -o $$@
endef
$(foreach v,$(SHADOW_GUEST_VARIANTS),$(eval $(call shadow-guest-rule,$(firstword $(subst :, ,$(v))),$(word 2,$(subst :, ,$(v))))))

# The ioreq test guest (tests/hvm/ioreq.S): its device model is the PV kernel of tests/guest/hvm_ioreq*.
$(OUT)/tests/guest/hvm_ioreq_guest.elf: tests/hvm/ioreq.S tests/hvm/hvm.ld
	@mkdir -p $(dir $@)
	$(Q)$(CC) -c -x assembler-with-cpp tests/hvm/ioreq.S -o $(@:.elf=.o)
	$(Q)$(LD) --no-warn-rwx-segments -nostdlib -static -T tests/hvm/hvm.ld $(@:.elf=.o) -o $@
TEST_GUEST_ELFS += $(OUT)/tests/guest/hvm_ioreq_guest.elf
