#!/usr/bin/env bash
# scripts/vm.sh - run a command as root in a throw-away QEMU (TCG) guest that
# boots one of Debian's kernels (6.1 or 6.12), where BPF-LSM works (it cannot
# load on the host).
#
# Usage: scripts/vm.sh [--kernel-series 6.1|6.12] [--kernel VMLINUZ]
#                      [--mem SIZE] [--smp N] [--disk SIZE]
#                      [--timeout SECONDS] [--net] [--append ARGS]
#                      [--verbose] [--shell] [--] COMMAND [ARGS...]
#
# The guest's root is the host's / (9p, read-only) with tmpfs/overlay
# writable places (/tmp /run /var /etc /root /mnt); the repo is shared
# read-write at its host path; the working directory is the caller's.
# COMMAND's stdout and stderr come out on stdout; vm.sh exits with its status,
# 124 on timeout, 125 when the guest fails before reporting a status.
#   --kernel-series S boot the newest /boot/vmlinuz-S.*-amd64 (default
#                     $MOAT_KERNEL, else 6.1): 6.1 is linux-image-amd64,
#                     6.12 linux-image-6.12-amd64 (scripts/deps.sh has both)
#   --kernel VMLINUZ  boot this kernel instead
#   --mem SIZE        guest memory (default 2G)        --smp N  CPUs (default 2)
#   --disk SIZE       attach a fresh ext4 disk, mounted at $MOAT_VM_DISK
#                     (/mnt/moat-disk): idmapped mounts in 6.1 need ext4
#   --timeout SECONDS kill the guest after this long (default 900)
#   --net             user-mode networking (default: no NIC)
#   --append ARGS     extra kernel command-line arguments
#   --verbose         show the kernel log and the boot-to-command time
#   --shell           interactive (COMMAND defaults to bash --norc -i)
# Passed through from the host: CI V OUTPUT TERM and every MOAT_* variable.
# The guest also sets MOAT_VM=1, MOAT_VM_KERNEL (the version booted, as
# uname -r says it), and MOAT_VM_DISK with --disk.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cache_dir=$repo/build/vm
vm_dir=$repo/scripts/vm

# The header comment above is the help text.
usage() { awk 'NR > 1 { if (!/^#/) exit; sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; }
die() { echo "vm: $*" >&2; exit 125; }

series=${MOAT_KERNEL:-6.1} kernel='' mem=2G smp=2 disk='' timeout=900 net=0 verbose=0 shell=0 append_extra=''
parse_args() {
  while [ $# -gt 0 ]; do
    case $1 in
      --kernel-series) series=${2:?--kernel-series needs a series (6.1, 6.12)}; shift 2 ;;
      --kernel) kernel=${2:?--kernel needs a path}; shift 2 ;;
      --mem) mem=${2:?--mem needs a size}; shift 2 ;;
      --smp) smp=${2:?--smp needs a number}; shift 2 ;;
      --disk) disk=${2:?--disk needs a size}; shift 2 ;;
      --timeout) timeout=${2:?--timeout needs seconds}; shift 2 ;;
      --append) append_extra+=" ${2:?--append needs kernel arguments}"; shift 2 ;;
      --net) net=1; shift ;;
      --verbose) verbose=1; shift ;;
      --shell) shell=1; shift ;;
      -h|--help) usage; exit 0 ;;
      --) shift; break ;;
      -*) echo "vm: unknown option '$1' (see --help)" >&2; exit 2 ;;
      *) break ;;
    esac
  done
  cmd=("$@")
  if [ ${#cmd[@]} -eq 0 ]; then
    [ "$shell" = 1 ] || { usage >&2; exit 2; }
    cmd=(bash --norc -i)  # the host's bashrc (completion) takes 15 s under TCG
  fi
  [[ $timeout =~ ^[0-9]+$ ]] || { echo "vm: --timeout wants whole seconds" >&2; exit 2; }
}

# The kernel by series, never by /boot/vmlinuz: several are installed side by
# side.  vmlinuz-6.1.* does not match 6.12.* (the dot after the series).
pick_kernel() {
  if [ -z "$kernel" ]; then
    [[ $series =~ ^[0-9]+\.[0-9]+$ ]] || die "--kernel-series wants MAJOR.MINOR (6.1, 6.12), not '$series'"
    kernel=$(find /boot -maxdepth 1 -name "vmlinuz-$series.*-amd64" | sort -V | tail -n1)
    [ -n "$kernel" ] || die "no /boot/vmlinuz-$series.*-amd64 (scripts/deps.sh installs 6.1 and 6.12)"
  fi
  [ -r "$kernel" ] || die "cannot read kernel $kernel"
  kver=$(basename "$kernel"); kver=${kver#vmlinuz-}
  [ -r "/lib/modules/$kver/modules.dep" ] || die "no modules for $kver in /lib/modules/$kver"
}

# Short hash of some text, used to key the caches.
key_of() { sha256sum | cut -c1-16; }

# install_atomic TMP DEST: publish a finished cache file; a concurrent run may
# have published the same content first, which is fine.
install_atomic() { mv -f "$1" "$2"; }

# prune_stale GLOB KEEP: drop cache files superseded by KEEP.  Only old ones:
# a concurrent run may have just picked one (QEMU reads them at start-up).
prune_stale() {
  find "$cache_dir" -maxdepth 1 -name "$1" ! -name "${2##*/}" -mmin +10 -delete 2>/dev/null || true
}

# The ELF vmlinux boots in about 2.5 s under TCG against 6.5 s for the bzImage
# (the decompressor is slow to emulate); extract it once per vmlinuz.
cached_vmlinux() {
  local k tmp
  k=$(printf '%s %s' "$(readlink -f "$kernel")" "$(stat -c %Y "$kernel")" | key_of)
  vmlinux=$cache_dir/vmlinux-$kver-$k
  [ -s "$vmlinux" ] && return 0
  tmp=$(mktemp "$cache_dir/.vmlinux.XXXXXX")
  scratch+=("$tmp" "$tmp.tmp")
  "$repo/scripts/extract-vmlinux.sh" "$kernel" "$tmp" || die "cannot extract vmlinux from $kernel"
  install_atomic "$tmp" "$vmlinux"
  prune_stale "vmlinux-$kver-*" "$vmlinux"
}

# Module sets for the initramfs: to reach the 9p root, for the copy-on-write
# overlays, and for --disk (ext4 asks the crypto API for crc32c; loading the
# ext4 chain costs 0.3 s under TCG, so only when a disk is attached).
# modules.dep gives the dependencies (fscache, netfs, virtio, ...; which of
# them exist as modules differs per kernel: 6.12 builds virtio_pci in and has
# no fscache module), so only the leaves are named.
# shellcheck disable=SC2034 # read through ${!list} in cached_initrd
mods_boot="virtio_pci 9p 9pnet_virtio"
# shellcheck disable=SC2034
mods_overlay="overlay"
# shellcheck disable=SC2034
mods_disk="virtio_blk crc32c_generic ext4"

# busybox-static, the modules above and /init; rebuilt when the kernel, the
# module lists, busybox or the init script change.  Left uncompressed: gzip
# saves nothing worth having on a local file and costs boot time under TCG.
cached_initrd() {
  local k set list all tmp stage m
  local -A lists=() have=()
  for set in boot overlay disk; do
    list=mods_$set
    # shellcheck disable=SC2086
    lists[$set]=$("$vm_dir/modules.sh" "$kver" ${!list}) || die "cannot resolve the guest's modules"
  done
  all=$(printf '%s\n' "${lists[@]}")
  k=$({ echo "$kver"; declare -f cached_initrd; stat -c %Y "/lib/modules/$kver/modules.dep" /bin/busybox
        echo "$all"; cat "$vm_dir/initramfs-init.sh"; } | key_of)
  initrd=$cache_dir/initrd-$kver-$k.cpio
  [ -s "$initrd" ] && return 0
  command -v cpio >/dev/null || die "cpio is missing (scripts/deps.sh)"
  [ -x /bin/busybox ] || die "/bin/busybox is missing (apt-get install busybox-static)"
  stage=$(mktemp -d "$cache_dir/.initrd-stage.XXXXXX")
  tmp=$(mktemp "$cache_dir/.initrd.XXXXXX")
  scratch+=("$stage" "$tmp")
  mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/lib/modules"
  cp /bin/busybox "$stage/bin/busybox"
  for m in sh mount mkdir insmod usleep switch_root poweroff sync echo cat cut ln chmod ip stty sleep; do
    ln -s busybox "$stage/bin/$m"
  done
  cp "$vm_dir/initramfs-init.sh" "$stage/init"
  chmod 0755 "$stage/init"
  # A module shared by two sets (virtio for 9p and virtio_blk) is loaded
  # with the first set only: a second insmod would fail with EEXIST.
  for set in boot overlay disk; do
    for m in ${lists[$set]}; do
      [ -z "${have[$m]:-}" ] || continue
      have[$m]=1
      cp "$m" "$stage/lib/modules/"
      echo "${m##*/}"
    done >"$stage/modules-$set"
  done
  (cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$tmp" ||
    die "cannot build the initramfs"
  rm -rf "$stage"
  chmod 0644 "$tmp"
  install_atomic "$tmp" "$initrd"
  prune_stale "initrd-$kver-*" "$initrd"
}

# What the guest needs, as plain files in the per-run directory shared as tag
# "moatrun": guest-init.sh; repo and cwd (one path each); disk, net, tty,
# shell (flags, present or not); tty-size; env (the variables passed through,
# shell-quoted); cmd (NUL-separated argv).  The guest writes status back.
prepare_run_dir() {
  local v
  cp "$vm_dir/guest-init.sh" "$run_dir/guest-init.sh"
  printf '%s\n' "$repo" >"$run_dir/repo"
  printf '%s\n' "$PWD" >"$run_dir/cwd"
  [ -z "$disk" ] || : >"$run_dir/disk"
  [ "$shell" = 0 ] || : >"$run_dir/shell"
  [ "$net" = 0 ] || : >"$run_dir/net"
  if [ -t 1 ]; then
    : >"$run_dir/tty"
    stty size </dev/tty >"$run_dir/tty-size" 2>/dev/null || rm -f "$run_dir/tty-size"
  fi
  {
    for v in CI V OUTPUT TERM $(compgen -v MOAT_ || true); do
      [ -z "${!v+set}" ] || printf 'export %s=%q\n' "$v" "${!v}"
    done
    printf 'export MOAT_VM_KERNEL=%q\n' "$kver"
  } >"$run_dir/env"
  printf '%s\0' "${cmd[@]}" >"$run_dir/cmd"
}

# A SIGKILLed vm.sh cannot clean up (its QEMU does die: parent-death signal),
# so remove run dirs whose owner is gone.
reap_stale_run_dirs() {
  local d pid
  for d in "${TMPDIR:-/tmp}"/moat-vm.*/; do
    [ -r "$d/owner" ] || continue
    read -r pid <"$d/owner" || continue
    kill -0 "$pid" 2>/dev/null || rm -rf "$d"
  done
}

make_disk() {
  command -v mkfs.ext4 >/dev/null || die "mkfs.ext4 is missing (apt-get install e2fsprogs)"
  disk_img=$run_dir/disk.img
  truncate -s "$disk" "$disk_img" || die "cannot create a $disk disk image"
  # Initialise inode tables and journal now: under TCG the guest would
  # otherwise spend the test doing it in the background.
  mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$disk_img" ||
    die "mkfs.ext4 failed on the disk image"
}

# shellcheck disable=SC2054 # commas belong to QEMU's option syntax
qemu_args() {
  local append="console=ttyS0 panic=-1 rw"
  if [ "$verbose" = 1 ]; then append+=" loglevel=7"; else append+=" quiet loglevel=0"; fi
  append+=$append_extra
  qargs=(
    -nodefaults -display none -no-reboot -no-user-config
    -accel tcg,thread=multi -smp "$smp" -m "$mem"
    -kernel "$vmlinux" -initrd "$initrd" -append "$append"
    # signal=off: a ^C typed into --shell goes to the guest.
    -chardev stdio,id=con,signal=off -serial chardev:con
    # multidevs=remap: the host's / spans several filesystems; without it
    # QEMU warns on stderr and inode numbers may collide.
    -fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
    -device virtio-9p-pci,fsdev=root,mount_tag=root
    -fsdev local,id=repo,path="$repo",security_model=none,multidevs=remap
    -device virtio-9p-pci,fsdev=repo,mount_tag=moatrepo
    -fsdev local,id=run,path="$run_dir",security_model=none
    -device virtio-9p-pci,fsdev=run,mount_tag=moatrun
  )
  if [ -n "$disk" ]; then
    qargs+=(-drive "if=none,id=disk,file=$disk_img,format=raw,cache=unsafe"
            -device virtio-blk-pci,drive=disk)
  fi
  if [ "$net" = 1 ]; then qargs+=(-nic user,model=virtio-net-pci); else qargs+=(-nic none); fi
}

# Everything a run creates goes in scratch (temp cache files, the run dir)
# and is removed on any exit; QEMU is stopped first.
scratch=()
cleanup() {
  if [ -n "${qemu_pid:-}" ] && kill -0 "$qemu_pid" 2>/dev/null; then
    kill -TERM "$qemu_pid" 2>/dev/null || true
    wait "$qemu_pid" 2>/dev/null || true
  fi
  [ ${#scratch[@]} -eq 0 ] || rm -rf "${scratch[@]}"
}

# Run QEMU under timeout(1) in the background so that our signal traps run
# while we wait (bash defers traps until a foreground child ends).  If this
# script is SIGKILLed, the parent-death signal still stops timeout, which
# passes it on to QEMU.
run_qemu() {
  local rc started t0=$SECONDS
  local -a launch=(timeout --foreground -k 10 "$timeout" qemu-system-x86_64 "${qargs[@]}")
  if setpriv --help 2>/dev/null | grep -q -- --pdeathsig; then
    launch=(setpriv --pdeathsig TERM -- "${launch[@]}")
  fi
  echo "vm: booting $kver (tcg, ${smp} cpus, $mem${disk:+, disk $disk})" >&2
  # QEMU's own stderr goes to a log, shown only when something went wrong.
  if [ "$shell" = 1 ]; then
    "${launch[@]}" <&0 2>"$run_dir/qemu.log" &
  else
    "${launch[@]}" </dev/null 2>"$run_dir/qemu.log" &
  fi
  qemu_pid=$!
  rc=0; wait "$qemu_pid" || rc=$?
  qemu_pid=
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
    echo "vm: timed out after ${timeout}s; QEMU killed" >&2
    exit 124
  fi
  if [ ! -s "$run_dir/status" ]; then
    sed 's/^/vm: qemu: /' "$run_dir/qemu.log" >&2
    echo "vm: the guest stopped without reporting an exit status (QEMU exit $rc; boot failure? try --verbose)" >&2
    exit 125
  fi
  if [ "$verbose" = 1 ] && [ -s "$run_dir/started" ]; then
    started=$(cat "$run_dir/started")
    echo "vm: command started at guest uptime ${started}s; whole run $((SECONDS - t0))s" >&2
  fi
  return "$(cat "$run_dir/status")"
}

main() {
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  trap 'exit 129' HUP
  parse_args "$@"
  command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing (apt-get install qemu-system-x86)"
  pick_kernel
  mkdir -p "$cache_dir"
  cached_vmlinux
  cached_initrd
  reap_stale_run_dirs
  run_dir=$(mktemp -d "${TMPDIR:-/tmp}/moat-vm.XXXXXX")
  scratch+=("$run_dir")
  echo $$ >"$run_dir/owner"
  prepare_run_dir
  [ -z "$disk" ] || make_disk
  qemu_args
  run_qemu
}

main "$@"
