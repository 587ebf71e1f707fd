# tests/race/build.mk: the remount race against mount vetting
# (tests/integration/runtime-vet.bats, tests/vm/fsemu.bats). Static: it runs
# inside a busybox rootfs.
REMOUNT_RACE := $(OUTPUT)/tests/remount-race

$(REMOUNT_RACE): tests/race/remount-race.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -static -pthread $< -o $@

TEST_PROGRAMS += $(REMOUNT_RACE)

# the mount+umount loop of tests/bench/vet.sh (vetted vs not)
MOUNTLOOP := $(OUTPUT)/tests/mountloop

$(MOUNTLOOP): tests/bench/mountloop.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -static $< -o $@

TEST_PROGRAMS += $(MOUNTLOOP)
