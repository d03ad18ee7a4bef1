# Host fuzz targets (tests/fuzz/fuzz_<name>.c) over real hypervisor sources.
#   make fuzz          libFuzzer (clang, ASan + UBSan) for FUZZ_TIME seconds per target,
#                      new coverage merged into tests/fuzz/corpus/<name>/, then the in-guest
#                      fuzzers with FUZZ_SEEDS seeds of FUZZ_ROUNDS rounds each (tests/fuzz/run-guest)
#   make test-bins     builds the replay binaries that `make test` runs over the corpus
FUZZ_TARGETS := libelf layout domconfig cmdline xenstored xenstored_conn net_http insn_decode
FUZZ_TIME    ?= 60
FUZZ_SEEDS   ?= 20
FUZZ_ROUNDS  ?= 3
FUZZ_CC      ?= clang
FUZZ_OUT     := $(OUT)/tests/fuzz

FUZZ_SRCS_libelf    := hypervisor/common/libelf.c hypervisor/arch/x86/pv/domain_layout.c
FUZZ_SRCS_layout    := hypervisor/arch/x86/pv/domain_layout.c
FUZZ_SRCS_domconfig := hypervisor/common/domconfig.c hypervisor/common/cmdline.c
FUZZ_SRCS_cmdline   := hypervisor/common/cmdline.c
FUZZ_SRCS_xenstored := $(wildcard pvdrivers/xenstored/*.c)
FUZZ_SRCS_xenstored_conn := $(FUZZ_SRCS_xenstored)
FUZZ_SRCS_net_http  := guest-kernel/net/http.c
FUZZ_SRCS_insn_decode := hypervisor/arch/x86/hvm/insn_decode.c

FUZZ_CFLAGS := $(HOST_CFLAGS) -I hypervisor/include -I hypervisor/arch/x86/pv -I hypervisor/arch/x86/hvm -I tests/fuzz -I pvdrivers/xenstored -I guest-kernel/net \
    -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_REPLAY_BINS := $(patsubst %,$(FUZZ_OUT)/replay/%,$(FUZZ_TARGETS))
FUZZ_BINS        := $(patsubst %,$(FUZZ_OUT)/libfuzzer/%,$(FUZZ_TARGETS))

FUZZ_DEPS := $(wildcard tests/fuzz/*.h hypervisor/include/*.h pvdrivers/xenstored/*.h) guest-kernel/net/http.h hypervisor/arch/x86/pv/domain_layout.h hypervisor/arch/x86/hvm/insn_decode.h

# Replay: the reference compiler with ASan + UBSan and replay.c's main().
# libFuzzer: clang's -fsanitize=fuzzer (its own main()).
define fuzz-rules
$(FUZZ_OUT)/replay/$(1): tests/fuzz/fuzz_$(1).c tests/fuzz/replay.c $(FUZZ_SRCS_$(1)) $(FUZZ_DEPS)
	@mkdir -p $$(dir $$@)
	@echo "  HOSTLD  $$@ (replay)"
	$$(Q)$$(HOST_CC) $$(FUZZ_CFLAGS) -fsanitize=address,undefined -o $$@ tests/fuzz/fuzz_$(1).c \
	    tests/fuzz/replay.c $(FUZZ_SRCS_$(1))

$(FUZZ_OUT)/libfuzzer/$(1): tests/fuzz/fuzz_$(1).c $(FUZZ_SRCS_$(1)) $(FUZZ_DEPS)
	@mkdir -p $$(dir $$@)
	@echo "  FUZZLD  $$@"
	$$(Q)$$(FUZZ_CC) $$(FUZZ_CFLAGS) -fsanitize=fuzzer,address,undefined -o $$@ tests/fuzz/fuzz_$(1).c \
	    $(FUZZ_SRCS_$(1))
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz-rules,$(t))))

fuzz-bins: $(FUZZ_BINS)
fuzz: deps
	$(Q)$(MAKE) --no-print-directory fuzz-bins all test-bins
	$(Q)FUZZ_TIME=$(FUZZ_TIME) tests/fuzz/run-libfuzzer $(FUZZ_TARGETS)
	$(Q)FUZZ_SEEDS=$(FUZZ_SEEDS) FUZZ_ROUNDS=$(FUZZ_ROUNDS) tests/fuzz/run-guest
.PHONY: fuzz fuzz-bins
