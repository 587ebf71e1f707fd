#!/bin/bash
# PID 1 of moat's test VM after the initramfs (scripts/vm/initramfs-init.sh)
# has mounted everything and switch_rooted onto the host's / (9p).  Runs the
# command that scripts/vm.sh left in /run/moat-vm, writes its exit status
# there and powers off.
#
# As PID 1 this script must never simply exit (the kernel would panic), so it
# does not use set -e; failures are reported and end in a power-off.
set -uo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
run=/run/moat-vm

poweroff_now() {
  sync
  # busybox's poweroff -f calls reboot(2) directly (there is no init system
  # to ask); sysrq would print to the console even with loglevel=0.
  exec busybox poweroff -f
}
die() {
  echo "vm: guest setup failed: $*"
  poweroff_now
}

# --net: QEMU's user-mode network (slirp) has fixed addresses.  Nothing
# loads drivers on hotplug here (no udev), so load virtio_net by hand.
setup_net() {
  modprobe virtio_net || die "modprobe virtio_net"
  local dev
  for dev in /sys/class/net/*; do
    dev=${dev##*/}
    [ "$dev" = lo ] || break
  done
  [ "$dev" != lo ] || die "no network device"
  if ! { ip link set "$dev" up && ip addr add 10.0.2.15/24 dev "$dev" &&
          ip route add default via 10.0.2.2; }; then
    die "cannot configure $dev"
  fi
  echo "nameserver 10.0.2.3" >/etc/resolv.conf
}

run_command() {
  local -a cmd
  local rc started repo cwd tty_size=
  mapfile -d '' -t cmd <"$run/cmd" || die "cannot read $run/cmd"
  read -r repo <"$run/repo"
  read -r cwd <"$run/cwd"
  [ -r "$run/tty-size" ] && read -r tty_size <"$run/tty-size"
  # shellcheck source=/dev/null
  . "$run/env" || die "cannot read $run/env"
  export HOME=/root MOAT_VM=1 TERM=${TERM:-dumb}
  [ -e "$run/disk" ] && export MOAT_VM_DISK=/mnt/moat-disk
  cd "$cwd" 2>/dev/null || {
    echo "vm: $cwd does not exist in the guest; running in $repo"
    cd "$repo" || die "cannot cd to $repo"
  }
  read -r started _ </proc/uptime && echo "$started" >"$run/started"
  if [ -e "$run/shell" ]; then
    # Interactive: a session of its own with ttyS0 as controlling terminal.
    stty -F /dev/ttyS0 opost -onlcr echo ${tty_size:+rows ${tty_size% *} cols ${tty_size#* }}
    setsid -cw "${cmd[@]}" <>/dev/ttyS0 >&0 2>&0
    rc=$?
  elif [ -e "$run/tty" ]; then
    [ -z "$tty_size" ] || stty -F /dev/console rows "${tty_size% *}" cols "${tty_size#* }"
    "${cmd[@]}" </dev/null
    rc=$?
  else
    # The host's stdout is no terminal: do not let the command see one either
    # (isatty decides colours, buffering and output formats).
    "${cmd[@]}" </dev/null 2>&1 | cat
    rc=${PIPESTATUS[0]}
  fi
  echo "$rc" >"$run/status.tmp" && mv "$run/status.tmp" "$run/status"
}

[ ! -e "$run/net" ] || setup_net
run_command
poweroff_now
