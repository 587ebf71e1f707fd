# lib/: the small shared library linked by every moat binary.
LIB_SRCS := $(wildcard lib/*.c)
LIB_OBJS := $(patsubst lib/%.c,$(OUTPUT)/obj/lib/%.o,$(LIB_SRCS))
LIBMOAT := $(OUTPUT)/libmoat.a
LIBBPF_LIBS := $(shell $(PKG_CONFIG) --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)

$(OUTPUT)/obj/%.o: %.c | $(OUTPUT)/obj
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(LIBMOAT): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^

-include $(LIB_OBJS:.o=.d)

$(OUTPUT)/tests/unit/test-lib: tests/unit/test-lib.c $(LIBMOAT)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@ $(LIBMOAT) $(LIBBPF_LIBS) $(CMOCKA_LIBS)

UNIT_TESTS += $(OUTPUT)/tests/unit/test-lib

$(OUTPUT)/tests/unit/test-lib-util: tests/unit/test-lib-util.c $(LIBMOAT)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@ $(LIBMOAT) -ljson-c $(CMOCKA_LIBS)

UNIT_TESTS += $(OUTPUT)/tests/unit/test-lib-util
