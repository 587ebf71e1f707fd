# tests/: cmocka unit tests.  Each component's build.mk appends to UNIT_TESTS
# the binaries it builds under $(OUTPUT)/tests/unit/.


# Test helpers: small C programs the suites drive (no fork per step under TCG).
TEST_HELPERS := $(OUTPUT)/tests/moat-attack
TEST_PROGRAMS += $(TEST_HELPERS)

$(OUTPUT)/tests/moat-attack: tests/helpers/moat-attack.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@

$(OUTPUT)/tests/hookbench: tests/bench/hookbench.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@ $(LIBBPF_LIBS)

TEST_PROGRAMS += $(OUTPUT)/tests/hookbench

# moat-fs's served files against moat-runc's mounts: both sides of
# lib/fsemu-files.h's one list.
EMULATED_FILES_TEST := $(OUTPUT)/tests/unit/test-emulated-files
$(EMULATED_FILES_TEST): tests/unit/test-emulated-files.c $(RUNTIME_CORE_OBJS) $(FSEMU_LIB) $(LIBMOAT)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(RUNTIME_INCLUDES) -Ifsemu $(FSEMU_CFLAGS) $(CFLAGS) $(LDFLAGS) $< \
		$(RUNTIME_CORE_OBJS) $(FSEMU_LIB) -o $@ $(RUNTIME_LIBS) $(FSEMU_LIBS) $(CMOCKA_LIBS)

# The maps userspace opens by name against the ones the BPF object pins.
BPF_PINS_TEST := $(OUTPUT)/tests/unit/test-bpf-pins
$(BPF_PINS_TEST): tests/unit/test-bpf-pins.c $(BPF_SKEL) $(LIBMOAT)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) $< -o $@ $(LIBBPF_LIBS) $(CMOCKA_LIBS)

UNIT_TESTS += $(EMULATED_FILES_TEST) $(BPF_PINS_TEST)
