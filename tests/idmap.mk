# tests/idmap.mk: runtime/idmap*.c's unit test and the driver of its bats suites
# (tests/integration/idmap.bats, tests/vm/idmap.bats).
IDMAP_OBJS := $(patsubst runtime/%.c,$(OUTPUT)/obj/runtime/%.o,$(wildcard runtime/idmap*.c)) \
	$(OUTPUT)/obj/runtime/userns.o
IDMAP_TOOL := $(OUTPUT)/tests/idmap-tool

$(IDMAP_OBJS): CPPFLAGS += -Iruntime

$(OUTPUT)/tests/unit/test-idmap: tests/unit/test-idmap.c $(IDMAP_OBJS) $(LIBMOAT)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) -Iruntime $(CFLAGS) $(LDFLAGS) $< $(IDMAP_OBJS) -o $@ $(LIBMOAT) $(CMOCKA_LIBS)

$(IDMAP_TOOL): tests/helpers/idmap-tool.c $(IDMAP_OBJS) $(LIBMOAT)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) -Iruntime $(CFLAGS) $(LDFLAGS) $< $(IDMAP_OBJS) -o $@ $(LIBMOAT)

UNIT_TESTS += $(OUTPUT)/tests/unit/test-idmap
TEST_PROGRAMS += $(IDMAP_TOOL)
