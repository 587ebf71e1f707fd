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
