# `make bench`: the PV scenario kernels and the harness run. The native baseline is the
# native build of the guest kernel (out/guest-kernel/native.elf, mode=rawbench and
# mode=bench: guest-kernel/build.mk); other kernels are built by their own build.mk
# files, which add them to BENCH_DEPS (this file is included last). Method: docs/benchmarks.md.
# PV scenario kernels: bench/pv/<name>/ (C and assembly) linked with bench/pv/lib
# and libguest.a, as the in-QEMU test kernels are -> out/tests/bench/<name>.elf.
# tools/bench/benchlib/scenarios.py names the kernel each scenario boots.
# The process benchmarks (BENCH_PV_PROC) run the guest kernel proper: they link
# bench/pv/proclib (their kernel_main) and libgkernel.a too.
BENCH_PV_NAMES := $(filter-out lib proclib,$(patsubst bench/pv/%/,%,$(wildcard bench/pv/*/)))
BENCH_PV_PROC := ctxsw fork_exec_exit page_fault
BENCH_PV_SRCS = $(wildcard bench/pv/$(1)/*.c bench/pv/$(1)/*.S)
BENCH_PV_LIB_OBJS := $(patsubst %,$(OUT)/guest/%.o,$(call BENCH_PV_SRCS,lib))
BENCH_PV_PROCLIB_OBJS := $(patsubst %,$(OUT)/guest/%.o,$(call BENCH_PV_SRCS,proclib))
BENCH_PV_EXTRA = $(if $(filter $(1),$(BENCH_PV_PROC)),$(BENCH_PV_PROCLIB_OBJS) $(GKERNEL_LIB))
BENCH_PV_ELFS := $(patsubst %,$(OUT)/tests/bench/%.elf,$(BENCH_PV_NAMES))
BENCH_PV_OBJS := $(BENCH_PV_LIB_OBJS) $(BENCH_PV_PROCLIB_OBJS) $(foreach n,$(BENCH_PV_NAMES),$(patsubst %,$(OUT)/guest/%.o,$(call BENCH_PV_SRCS,$(n))))
ALL_TARGETS += $(BENCH_PV_ELFS)

$(OUT)/guest/bench/pv/%.o: GUEST_CFLAGS += -I bench/pv/lib -I bench/pv/proclib

define bench-pv-rule
$(OUT)/tests/bench/$(1).elf: $(patsubst %,$(OUT)/guest/%.o,$(call BENCH_PV_SRCS,$(1))) $(BENCH_PV_LIB_OBJS) $(call BENCH_PV_EXTRA,$(1)) $(GUEST_LIB) $(GUEST_LDS)
	$$(call link-guest,$$@,$(patsubst %,$(OUT)/guest/%.o,$(call BENCH_PV_SRCS,$(1))) $(BENCH_PV_LIB_OBJS) $(call BENCH_PV_EXTRA,$(1)))
endef
$(foreach n,$(BENCH_PV_NAMES),$(eval $(call bench-pv-rule,$(n))))

# Everything `make all` builds (the hypervisor, the guests and the native kernel).
BENCH_DEPS += $(ALL_TARGETS)

# The virtio scenarios' scratch disk (bench/virtio/virtio.cfg): written over by every run.
$(OUT)/bench/virtio-bench.img:
	@mkdir -p $(dir $@)
	$(Q)tools/mkdisk $@ 64M zero
BENCH_DEPS += $(OUT)/bench/virtio-bench.img

# The blkfront scenarios' disk (bench/blkfront/blkfront.cfg: d1's xvda through blkback), likewise scratch.
$(OUT)/bench/blkfront-bench.img:
	@mkdir -p $(dir $@)
	$(Q)tools/mkdisk $@ 64M zero
BENCH_DEPS += $(OUT)/bench/blkfront-bench.img

# The comparison's disk rows (tools/bench/benchlib/scenarios.py DISK_SHAPES): native's IDE disk on
# bare QEMU, the HVM domains' emulated disk (bench/hvmdisk/*.cfg) and its driver domain's own; scratch.
$(OUT)/bench/native-disk.img $(OUT)/bench/hvmdisk-bench.img:
	@mkdir -p $(dir $@)
	$(Q)tools/mkdisk $@ 64M zero
$(OUT)/bench/hvmdisk-drv.img:
	@mkdir -p $(dir $@)
	$(Q)tools/mkdisk $@ 64K zero
BENCH_DEPS += $(OUT)/bench/native-disk.img $(OUT)/bench/hvmdisk-bench.img $(OUT)/bench/hvmdisk-drv.img

# `make bench BENCH_ARGS="--quick --only native.*"`; never fails on a number.
.PHONY: bench-run
bench: deps
	$(Q)$(MAKE) --no-print-directory bench-run

bench-run: $(BENCH_DEPS)
	$(Q)tools/bench/run $(BENCH_ARGS)
	$(Q)[ -n "$(BENCH_ARGS)" ] || tools/bench/linux-blk
	$(Q)[ -n "$(BENCH_ARGS)" ] || tools/bench/net

# The comparison alone (docs/benchmarks.md section 9): the benchmark program's five scenarios and the
# disk rows on native, PV, HVM-NPT and HVM-shadow, in one alternated run; `make bench` includes it.
.PHONY: bench-compare
bench-compare: $(BENCH_DEPS)
	$(Q)tools/bench/run --only '*.os_*,*.disk_*' $(BENCH_ARGS)

# Figures (c) of issue 13, Linux through xen-blkfront (docs/benchmarks.md): a boot of its own,
# part of a plain `make bench` (not of one with BENCH_ARGS).
.PHONY: bench-linux-blk
bench-linux-blk: $(ALL_TARGETS)
	$(Q)tools/bench/linux-blk

# Network figures of issue 14 (docs/benchmarks.md, "Network"): (a) the driver domain on virtio-net,
# (b) the bundled kernel through netfront, (c) Linux through xen-netfront; part of a plain `make bench`.
.PHONY: bench-net
bench-net: $(ALL_TARGETS)
	$(Q)tools/bench/net

-include $(BENCH_PV_OBJS:.o=.d)

# `make bench-linux`: Linux on native, Xen and Tandem (bench/linux/build.mk).
include bench/linux/build.mk
