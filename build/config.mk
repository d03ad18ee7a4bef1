# Shared build configuration: compilers and flags for every component.
# gcc is the reference compiler; `make CC=clang` must also build warning-free.
ifeq ($(origin CC),default)
CC := gcc
endif
LD      ?= ld
OBJCOPY ?= objcopy
OUT     ?= out
Q       ?= @

WARN      := -Wall -Wextra -Werror -Wno-unused-parameter
COMMON_CFLAGS := -std=gnu17 -O2 -g $(WARN) -ffreestanding -fno-stack-protector \
    -fno-asynchronous-unwind-tables -fno-omit-frame-pointer -fcf-protection=none \
    -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-avx -nostdinc \
    -isystem $(shell $(CC) -print-file-name=include) \
    -I hypercall-abi/include -I lib/include

# The hypervisor runs at 0xFFFF82D0..., outside the top 2 GiB: position-
# independent code keeps every reference RIP-relative (Xen does the same).
HV_CFLAGS := $(COMMON_CFLAGS) -fpie -fvisibility=hidden -include hypervisor/include/visibility.h \
    -I hypervisor/include \
    -I hypervisor/arch/x86/include
# `make DEBUG=1`: hypervisor debug build (-DTANDEM_DEBUG: lock debugging, spinlock.h; TSC ticks per hypercall in the
# COUNTERS lines). Flipping it rebuilds the hypervisor (the stamp below changes).
DEBUG ?= 0
ifeq ($(DEBUG),1)
HV_CFLAGS += -DTANDEM_DEBUG
endif
HV_DEBUG_STAMP := $(OUT)/hypervisor/debug-flag
$(shell mkdir -p $(OUT)/hypervisor && { [ "$$(cat $(HV_DEBUG_STAMP) 2>/dev/null)" = "$(DEBUG)" ] || echo "$(DEBUG)" > $(HV_DEBUG_STAMP); })
HV_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments

# Guest kernels (ours and the in-QEMU test kernels) are linked in the top 2 GiB.
GUEST_CFLAGS := $(COMMON_CFLAGS) -mcmodel=kernel -fno-pic -fno-pie -I guest-kernel/include
GUEST_LDFLAGS := -nostdlib -static -z max-page-size=4096 -z noexecstack --no-warn-rwx-segments

# Host-side (unit tests, tools): ordinary hosted C.
HOST_CC     ?= $(CC)
HOST_CFLAGS := -std=gnu17 -O1 -g $(WARN) -I hypercall-abi/include -I lib/include

$(OUT)/%/:
	$(Q)mkdir -p $@
