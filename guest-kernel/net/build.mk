# The bundled kernel's network stack (docs/network.md): lwIP 2.1.3 (Debian's `lwip` source
# package, fetched once by tools/fetch-lwip into $(LWIP_DIR)) built freestanding with NO_SYS
# into liblwip.a, and the kernel's net service over it (guest-kernel/net/*.c: the net thread,
# the netif over a struct netdev, ping, wget, the status page's HTTP server, the shell's
# commands) into libgnet.a. Only the bundled kernel links them.
LWIP_DIR   ?= $(OUT)/lwip
LWIP_SRC   := $(LWIP_DIR)/src/src
LWIP_STAMP := $(LWIP_SRC)/core/init.c
LWIP_FILES := $(addprefix core/,init.c def.c dns.c inet_chksum.c ip.c mem.c memp.c netif.c pbuf.c raw.c \
                stats.c sys.c tcp.c tcp_in.c tcp_out.c timeouts.c udp.c) \
              $(addprefix core/ipv4/,dhcp.c etharp.c icmp.c ip4.c ip4_addr.c ip4_frag.c) netif/ethernet.c
LWIP_OBJS  := $(patsubst %,$(OUT)/guest/lwip/%.o,$(LWIP_FILES))
LWIP_LIB   := $(OUT)/guest-kernel/liblwip.a
GNET_SRCS  := $(wildcard guest-kernel/net/*.c)
GNET_OBJS  := $(patsubst %,$(OUT)/guest/%.o,$(GNET_SRCS))
GNET_LIB   := $(OUT)/guest-kernel/libgnet.a
# lwIP's headers, then ours (lwipopts.h, arch/cc.h) and the two libc headers it includes.
LWIP_INC   := -I guest-kernel/net/include -I $(LWIP_SRC)/include -I guest-kernel/net/libc
# lwIP's own code is not ours to fix: a warning it trips would be turned off here, for it alone.
# 2.1.3 builds clean with gcc 12 and clang 14 under our -Wall -Wextra -Werror, so none is.
LWIP_NOWARN :=

$(LWIP_STAMP):
	@echo "  FETCH   lwIP (tools/fetch-lwip)"
	$(Q)LWIP_DIR=$(LWIP_DIR) tools/fetch-lwip || { echo "make: lwIP's source is missing and" \
	    "tools/fetch-lwip could not fetch it (Debian's lwip source package; see above)" >&2; exit 1; }
$(LWIP_SRC)/%.c: | $(LWIP_STAMP)
	@:

$(LWIP_OBJS): $(OUT)/guest/lwip/%.c.o: $(LWIP_SRC)/%.c guest-kernel/net/include/lwipopts.h
	@mkdir -p $(dir $@)
	@echo "  CC      lwip/$*.c"
	$(Q)$(CC) $(GUEST_CFLAGS) $(LWIP_INC) $(LWIP_NOWARN) -MMD -MP -c $< -o $@

$(GNET_OBJS): GUEST_CFLAGS += $(LWIP_INC)
$(GNET_OBJS): | $(LWIP_STAMP)

$(LWIP_LIB): $(LWIP_OBJS)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(GNET_LIB): $(GNET_OBJS)
	@mkdir -p $(dir $@)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

-include $(LWIP_OBJS:.o=.d) $(GNET_OBJS:.o=.d)
