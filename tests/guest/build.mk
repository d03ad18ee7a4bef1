# In-QEMU test kernels: one directory per test under tests/guest/<name>/ with
# its .c files (defining test_title and test_main) and an optional `expect`
# file for tests/run-tests. Each links with tests/lib and libguest.a.
TEST_GUEST_DIRS := $(patsubst tests/guest/%/,%,$(wildcard tests/guest/*/))
TEST_LIB_OBJS := $(patsubst %,$(OUT)/guest/%.o,$(wildcard tests/lib/*.c))
TEST_GUEST_ELFS := $(patsubst %,$(OUT)/tests/guest/%.elf,$(TEST_GUEST_DIRS))

$(OUT)/guest/tests/%.c.o: GUEST_CFLAGS += -I tests/lib

define test-guest-rule
$(OUT)/tests/guest/$(1).elf: $(patsubst %,$(OUT)/guest/%.o,$(wildcard tests/guest/$(1)/*.c tests/guest/$(1)/*.S)) $(TEST_LIB_OBJS) $(GUEST_LIB) $(GUEST_LDS)
	$$(call link-guest,$$@,$(patsubst %,$(OUT)/guest/%.o,$(wildcard tests/guest/$(1)/*.c tests/guest/$(1)/*.S)) $(TEST_LIB_OBJS))
endef
$(foreach t,$(TEST_GUEST_DIRS),$(eval $(call test-guest-rule,$(t))))
# Header (and included-source) dependencies, as the other trees: a test may
# #include another test's source (syscall_compat_intel).
-include $(patsubst %,$(OUT)/guest/%.d,$(wildcard tests/guest/*/*.c tests/guest/*/*.S tests/lib/*.c))
