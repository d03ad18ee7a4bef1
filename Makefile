# Tandem: one non-recursive Makefile. Components add their rules from build.mk
# files; `make help` lists the targets a user needs.
.DEFAULT_GOAL := all
include build/config.mk

ALL_TARGETS :=
include lib/build.mk
include hypervisor/build.mk
include guest-kernel/build.mk
include pvdrivers/build.mk
include tests/build.mk
-include hypervisor/boot/efi/build.mk
-include bench/build.mk

.PHONY: all run test bench deps clean help
all: $(ALL_TARGETS)

help:
	@echo "make run    build everything and boot Tandem with the bundled domains in QEMU"
	@echo "make test   unit tests, ABI header checks and in-QEMU tests; ends 'N passed, M failed'"
	@echo "make bench  benchmarks: native, PV, HVM-NPT and HVM-shadow compared (make bench-compare: that table alone); out/bench/"
	@echo "make bench-linux  Debian's Linux natively, on Xen 4.17 and on Tandem (out/bench/linux/)"
	@echo "make fuzz   host fuzz targets (FUZZ_TIME=s each) and the in-guest fuzzers (FUZZ_SEEDS=n)"
	@echo "make deps   install missing Debian packages (as root)"

deps:
	$(Q)tools/setup-deps

# The domains `make run` boots; `make run RUN_CONFIG=FILE` for others (docs/configuration.md).
# The driver domain's disk (disk=disk0.img in tools/default.cfg) is made on the first run and
# kept: what the guest writes to it is there the next time (`make clean` removes it).
RUN_CONFIG ?= tools/default.cfg
RUN_DISK := $(OUT)/disk0.img
# Domain 2's disk (disk=guest.img): a program disk (docs/diskfs.md) of programs not built in.
RUN_GUEST_DISK := $(OUT)/guest.img
# The control channel tools/tandem talks to (its default socket: $(OUT)/tandem.sock).
RUN_CONTROL ?= $(OUT)/tandem.sock
RUN_GUEST_PROGS := $(OUT)/guest-kernel/user/disk/diskhello.elf,hello2=$(OUT)/guest-kernel/user/hello.elf
run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)[ -f $(RUN_DISK) ] || { tools/mkdisk $(RUN_DISK) 64M sectors && \
	    echo "make run: made $(RUN_DISK) (64 MiB; sector N begins 'TANDEM SECTOR N')"; }
	$(Q)[ -f $(RUN_GUEST_DISK) ] || { tools/mkdisk $(RUN_GUEST_DISK) 4M programs:$(RUN_GUEST_PROGS) && \
	    echo "make run: made $(RUN_GUEST_DISK) (domain 2's xvda: a program disk with diskhello and hello)"; }
	$(Q)echo "make run: from another terminal, tools/tandem list|console NAME|pause|unpause|destroy|shutdown|reboot|top|dmesg (control channel $(RUN_CONTROL); docs/toolstack.md)"
	$(Q)OUT=$(OUT) tools/tandem-run --interactive --control $(RUN_CONTROL) $(RUN_ARGS) --config $(RUN_CONFIG)

test: deps
	$(Q)$(MAKE) --no-print-directory all test-bins
	$(Q)tests/run-tests

clean:
	rm -rf $(OUT)
