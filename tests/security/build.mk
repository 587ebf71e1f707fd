# tests/security/build.mk: the escape battery's attack tool (tests/vm/60-escapes.bats).
# Static (glibc): it runs inside a busybox rootfs.
ESCAPE_TOOL := $(OUTPUT)/tests/escape

$(ESCAPE_TOOL): tests/security/escape.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -static $< -o $@

TEST_PROGRAMS += $(ESCAPE_TOOL)
