# Test programs: `make test-bins` builds every test binary; tests/run-tests runs them.
include tests/unit/build.mk
include tests/guest/build.mk
include tests/fuzz/build.mk

test-bins: $(UNIT_TEST_BINS) $(TEST_GUEST_ELFS) $(FUZZ_REPLAY_BINS)
.PHONY: test-bins
