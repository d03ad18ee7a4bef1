# `make bench-linux` (docs/benchmarks.md, "Linux comparison"): Debian's Linux 6.1 natively, as
# Xen 4.17's dom0 and as a Tandem domU, on the same QEMU, rotated rounds, Tandem's counters per
# workload. Fetches once (tools/bench/linux-fetch); never fails on a number.
#   make bench-linux BENCH_LINUX_ROUNDS=6
#   make bench-linux BENCH_LINUX_ARGS="--quick"
#   make bench-linux BENCH_LINUX_ARGS="--counters-only --only syscall_getppid"
.PHONY: bench-linux
bench-linux: $(ALL_TARGETS)
	$(Q)OUT=$(OUT) tools/bench/linux $(BENCH_LINUX_ARGS)
