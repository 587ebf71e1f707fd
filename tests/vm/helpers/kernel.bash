# tests/vm/helpers/kernel.bash - what the guest kernel offers, for the suites
# that run on both of scripts/vm.sh's kernels (6.1 and 6.12) and check the
# path each kernel takes.

# kernel_at_least MAJOR MINOR: the running kernel is MAJOR.MINOR or newer.
kernel_at_least() {
  local major minor rest
  IFS=. read -r major minor rest <<<"$(uname -r)"
  [ "$major" -gt "$1" ] || { [ "$major" -eq "$1" ] && [ "${minor%%[!0-9]*}" -ge "$2" ]; }
}
