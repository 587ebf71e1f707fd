# tests/: cmocka unit tests.  Each component's build.mk appends to UNIT_TESTS
# the binaries it builds under $(OUTPUT)/tests/unit/.
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null || echo -lcmocka)
