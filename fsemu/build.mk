# fsemu/: moat-fs, the /proc and /sys emulation over FUSE (libfuse3 low-level).
FSEMU_CFLAGS := $(shell $(PKG_CONFIG) --cflags fuse3 2>/dev/null || echo -I/usr/include/fuse3)
FSEMU_LIBS := $(shell $(PKG_CONFIG) --libs fuse3 2>/dev/null || echo -lfuse3 -lpthread) -lcap -ljson-c -lm
FSEMU_SRCS := $(filter-out fsemu/main.c,$(wildcard fsemu/*.c))
FSEMU_OBJS := $(patsubst %.c,$(OUTPUT)/obj/%.o,$(FSEMU_SRCS))
FSEMU_LIB := $(OUTPUT)/obj/fsemu/libfsemu.a
FSEMU_TESTS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/unit/%,$(wildcard tests/unit/test-fsemu-*.c))
FSEMU_BENCH := $(OUTPUT)/tests/bench/procread

BINARIES += $(OUTPUT)/moat-fs
UNIT_TESTS += $(FSEMU_TESTS)
CLEAN += $(FSEMU_BENCH)

$(OUTPUT)/obj/fsemu/%.o $(OUTPUT)/obj/tests/unit/test-fsemu-%.o: CPPFLAGS += -Ifsemu $(FSEMU_CFLAGS)

$(FSEMU_LIB): $(FSEMU_OBJS)
	$(call msg,AR,$@)
	$(Q)$(AR) rcs $@ $^

$(OUTPUT)/moat-fs: $(OUTPUT)/obj/fsemu/main.o $(FSEMU_LIB) $(LIBMOAT)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(FSEMU_LIBS) -o $@

$(OUTPUT)/tests/unit/test-fsemu-%: $(OUTPUT)/obj/tests/unit/test-fsemu-%.o $(FSEMU_LIB) $(LIBMOAT)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) $^ $(FSEMU_LIBS) $(CMOCKA_LIBS) -o $@

# the reader of tests/bench/procfs.sh
$(FSEMU_BENCH): tests/bench/procread.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $< -o $@

-include $(FSEMU_OBJS:.o=.d) $(OUTPUT)/obj/fsemu/main.d
