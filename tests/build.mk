# Test programs: `make test-bins` builds every test binary; tests/run-tests runs them.
include tests/unit/build.mk

test-bins: $(UNIT_TEST_BINS)
.PHONY: test-bins
