# tests/fuzz/: libFuzzer targets for moat-runc's spec rewrite and moat.conf
# (tests/fuzz/README.md). Built with clang and -fsanitize=fuzzer,address,
# undefined into $(OUTPUT)/fuzz/, from their own objects of runtime/ and lib/;
# `make fuzz` runs them. test-fuzz-replay, a cmocka unit test built with the
# normal CC, runs every corpus and regression input once through both.
FUZZ_TIME ?= 600
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CFLAGS := -g -O1 -fno-omit-frame-pointer $(WARNINGS) -std=gnu11 -D_GNU_SOURCE \
	-fno-strict-aliasing $(FUZZ_SANITIZE)
FUZZ_OBJ := $(OUTPUT)/fuzz/obj
FUZZ_LIB_OBJS := $(patsubst lib/%.c,$(FUZZ_OBJ)/lib/%.o,$(LIB_SRCS))
FUZZ_RUNTIME_OBJS := $(patsubst runtime/%.c,$(FUZZ_OBJ)/runtime/%.o,\
	$(filter-out runtime/main.c,$(RUNTIME_SRCS)))
# archives, so that a target links only the objects it uses
FUZZ_RUNTIME_LIB := $(OUTPUT)/fuzz/libruntime.a
FUZZ_LIBMOAT := $(OUTPUT)/fuzz/libmoat.a
REPLAY_RUNTIME_LIB := $(OUTPUT)/fuzz/libruntime-replay.a
FUZZ_NAMES := spec config
FUZZ_TARGETS := $(patsubst %,$(OUTPUT)/fuzz/fuzz-%,$(FUZZ_NAMES))

$(FUZZ_OBJ)/%.o: %.c | $(LIBMOAT)
	$(call msg,CLANG,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(CPPFLAGS) $(RUNTIME_INCLUDES) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
		-MMD -MP -c $< -o $@

$(FUZZ_RUNTIME_LIB): $(FUZZ_RUNTIME_OBJS)
$(FUZZ_LIBMOAT): $(FUZZ_LIB_OBJS)
$(REPLAY_RUNTIME_LIB): $(RUNTIME_CORE_OBJS)
$(FUZZ_RUNTIME_LIB) $(FUZZ_LIBMOAT) $(REPLAY_RUNTIME_LIB):
	$(call msg,AR,$@)
	$(Q)mkdir -p $(@D) && rm -f $@ && $(AR) rcs $@ $^

$(OUTPUT)/fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(FUZZ_RUNTIME_LIB) $(FUZZ_LIBMOAT)
	$(call msg,FUZZ,$@)
	$(Q)$(CLANG) $(CPPFLAGS) $(RUNTIME_INCLUDES) $(FUZZ_CFLAGS) -fsanitize=fuzzer $< \
		$(FUZZ_RUNTIME_LIB) $(FUZZ_LIBMOAT) -o $@ $(LIBBPF_LIBS) $(JSONC_LIBS)

fuzz-build: $(FUZZ_TARGETS)

# The replay: each target's LLVMFuzzerTestOneInput under its own name.
FUZZ_REPLAY := $(OUTPUT)/tests/unit/test-fuzz-replay
$(FUZZ_REPLAY): tests/unit/test-fuzz-replay.c tests/fuzz/fuzz-spec.c tests/fuzz/fuzz-config.c \
		$(REPLAY_RUNTIME_LIB) $(LIBMOAT)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D) $(OUTPUT)/obj/tests/fuzz
	$(Q)$(CC) $(CPPFLAGS) $(RUNTIME_INCLUDES) $(CFLAGS) -c tests/fuzz/fuzz-spec.c \
		-DLLVMFuzzerTestOneInput=fuzz_spec_one -DLLVMFuzzerInitialize=fuzz_spec_init \
		-o $(OUTPUT)/obj/tests/fuzz/replay-spec.o
	$(Q)$(CC) $(CPPFLAGS) $(RUNTIME_INCLUDES) $(CFLAGS) -c tests/fuzz/fuzz-config.c \
		-DLLVMFuzzerTestOneInput=fuzz_config_one -o $(OUTPUT)/obj/tests/fuzz/replay-config.o
	$(Q)$(CC) $(CPPFLAGS) $(RUNTIME_INCLUDES) $(CFLAGS) $(LDFLAGS) \
		-DFUZZ_DIR='"$(CURDIR)/tests/fuzz"' $< $(OUTPUT)/obj/tests/fuzz/replay-spec.o \
		$(OUTPUT)/obj/tests/fuzz/replay-config.o $(REPLAY_RUNTIME_LIB) \
		-o $@ $(RUNTIME_LIBS) $(CMOCKA_LIBS)

UNIT_TESTS += $(FUZZ_REPLAY)

.PHONY: fuzz-build
-include $(FUZZ_RUNTIME_OBJS:.o=.d) $(FUZZ_LIB_OBJS:.o=.d)
