# runtime/: moat-runc, the runc wrapper (one file per command, one .c/.h
# pair per concern), and its cmocka unit tests.
# (idmap.c and userns.c, the idmapped mounts, are built in with the rest;
# tests/idmap.mk builds their own tests.)
RUNTIME_SRCS := $(wildcard runtime/*.c)
RUNTIME_INCLUDES := -Iruntime
RUNTIME_OBJS := $(patsubst %.c,$(OUTPUT)/obj/%.o,$(RUNTIME_SRCS))
# everything but main(): what the unit tests link against
RUNTIME_CORE_OBJS := $(filter-out $(OUTPUT)/obj/runtime/main.o,$(RUNTIME_OBJS))
JSONC_LIBS := $(shell $(PKG_CONFIG) --libs json-c 2>/dev/null || echo -ljson-c)
RUNTIME_LIBS := $(LIBMOAT) $(LIBBPF_LIBS) $(JSONC_LIBS)
MOAT_RUNC := $(OUTPUT)/moat-runc

$(RUNTIME_OBJS): CPPFLAGS += $(RUNTIME_INCLUDES)

$(MOAT_RUNC): $(RUNTIME_OBJS) $(LIBMOAT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $(RUNTIME_OBJS) -o $@ $(RUNTIME_LIBS)

RUNTIME_UNIT_SRCS := $(wildcard tests/unit/test-runtime-*.c)
RUNTIME_UNIT_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/unit/%,$(RUNTIME_UNIT_SRCS))

$(OUTPUT)/tests/unit/test-runtime-%: tests/unit/test-runtime-%.c $(RUNTIME_CORE_OBJS) $(LIBMOAT)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(RUNTIME_INCLUDES) $(CFLAGS) $(LDFLAGS) $< $(RUNTIME_CORE_OBJS) \
		-o $@ $(RUNTIME_LIBS) $(CMOCKA_LIBS)

BINARIES += $(MOAT_RUNC)
UNIT_TESTS += $(RUNTIME_UNIT_TESTS)

-include $(RUNTIME_OBJS:.o=.d)
