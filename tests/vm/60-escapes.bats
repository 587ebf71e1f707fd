#!/usr/bin/env bats
# The escape battery (tests/security/README.md): every attack runs from a
# --privileged-style container under plain runc, where it must escape (the
# control, checked from the host), and under moat-runc with moat-loader's
# kernel policy and moat-fs, where it must be blocked with nothing changed
# on the host.
# One container per runtime runs all attacks (tests/security/escape.c); the
# table goes to the TAP stream and to build/test-logs/escapes.txt.

load ../integration/helpers/runtime
load helpers/policy
load ../security/battery

setup_file() {
  esc_setup_file
  "$ESC" list >"$R/attacks"
  load_attacks
  local rt
  for rt in "${RUNTIMES[@]}"; do
    battery "$rt"
  done
  esc_create_refusals
  esc_report
}

teardown_file() {
  esc_teardown_file
}

@test "escape: bpf-map-list" { check_attack bpf-map-list; }
@test "escape: bpf-prog-load" { check_attack bpf-prog-load; }
@test "escape: mount-blockdev" { check_attack mount-blockdev; }
@test "escape: mknod-blockdev" { check_attack mknod-blockdev; }
@test "escape: blockdev-read" { check_attack blockdev-read; }
@test "escape: docker-sock-bind" { check_attack docker-sock-bind; }
@test "escape: docker-config-bind" { check_attack docker-config-bind; }
@test "escape: docker-sock-fd" { check_attack docker-sock-fd; }
@test "escape: docker-config-fd" { check_attack docker-config-fd; }
@test "escape: remount-rw" { check_attack remount-rw; }
@test "escape: mount-setattr-rw" { check_attack mount-setattr-rw; }
@test "escape: rebind-rw" { check_attack rebind-rw; }
@test "escape: open-tree-rw" { check_attack open-tree-rw; }
@test "escape: fspick-reconfigure" { check_attack fspick-reconfigure; }
@test "escape: umount-mask" { check_attack umount-mask; }
@test "escape: move-mask" { check_attack move-mask; }
@test "escape: bind-under-mask" { check_attack bind-under-mask; }
@test "escape: umount-emulated" { check_attack umount-emulated; }
@test "escape: setns-mnt-fd" { check_attack setns-mnt-fd; }
@test "escape: setns-net-fd" { check_attack setns-net-fd; }
@test "escape: setns-pidfd" { check_attack setns-pidfd; }
@test "escape: pidfd-getfd" { check_attack pidfd-getfd; }
@test "escape: cgroup-release-agent" { check_attack cgroup-release-agent; }
@test "escape: cgroup-host-write" { check_attack cgroup-host-write; }
@test "escape: cgroup-move-root" { check_attack cgroup-move-root; }
@test "escape: core-pattern" { check_attack core-pattern; }
@test "escape: sysrq-trigger" { check_attack sysrq-trigger; }
@test "escape: dev-mem" { check_attack dev-mem; }
@test "escape: dev-kmsg" { check_attack dev-kmsg; }
@test "escape: proc-kcore" { check_attack proc-kcore; }
@test "escape: syslog-read" { check_attack syslog-read; }
@test "escape: finit-module" { check_attack finit-module; }
@test "escape: init-module" { check_attack init-module; }
@test "escape: module-autoload-fs" { check_attack module-autoload-fs; }
@test "escape: module-autoload-net" { check_attack module-autoload-net; }
@test "escape: kexec-file-load" { check_attack kexec-file-load; }
@test "escape: kexec-load" { check_attack kexec-load; }
@test "escape: open-by-handle" { check_attack open-by-handle; }
@test "escape: keyctl-host-key" { check_attack keyctl-host-key; }
@test "escape: iopl" { check_attack iopl; }
@test "escape: ioperm" { check_attack ioperm; }
@test "escape: perf-event-system" { check_attack perf-event-system; }
@test "escape: settimeofday" { check_attack settimeofday; }
@test "escape: sysfs-write" { check_attack sysfs-write; }
@test "escape: sysctl-kernel" { check_attack sysctl-kernel; }
@test "escape: drop-caches" { check_attack drop-caches; }
@test "escape: debugfs-mount" { check_attack debugfs-mount; }
@test "escape: tracefs-mount" { check_attack tracefs-mount; }
@test "escape: binfmt-misc" { check_attack binfmt-misc; }
@test "escape: fanotify-global" { check_attack fanotify-global; }
