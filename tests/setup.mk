# tests/setup.mk: the unit test of loader/setup*.c (`moatctl setup docker`).
SETUP_TEST_OBJS := $(OUTPUT)/obj/loader/setup.o $(OUTPUT)/obj/loader/setup-json.o \
	$(OUTPUT)/obj/loader/setup-manifest.o $(OUTPUT)/obj/loader/setup-runc.o

$(OUTPUT)/tests/unit/test-setup: tests/unit/test-setup.c $(SETUP_TEST_OBJS) $(LIBMOAT)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) -Iloader $(CFLAGS) $(LDFLAGS) $< $(SETUP_TEST_OBJS) -o $@ $(LIBMOAT) \
		-ljson-c $(CMOCKA_LIBS)

UNIT_TESTS += $(OUTPUT)/tests/unit/test-setup
