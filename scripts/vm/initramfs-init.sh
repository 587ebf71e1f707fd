#!/bin/sh
# shellcheck shell=dash # busybox ash: POSIX plus local
# /init of moat's test-VM initramfs (busybox-static only).  Boots the guest on
# the host's / shared over 9p and prepares everything a test needs, then
# switch_roots into /run/moat-vm/guest-init.sh (bash, from the host's root),
# which runs the command.
#
# The mounts are made here, with busybox from the initramfs, rather than by
# the host's mount(8) after switch_root: under TCG every exec of a dynamic
# binary over 9p costs 50-150 ms, and this saves about 2 s per boot.
#
# The per-run share (tag moatrun, mounted at /run/moat-vm) holds plain files
# written by scripts/vm.sh: repo (the repo's absolute path, shared read-write
# as tag moatrepo), and disk (present when a virtio disk is attached).
export PATH=/bin
R=/newroot
run=$R/run/moat-vm

# The kernel found no /dev/console in the initramfs (we cannot mknod when the
# archive is built); devtmpfs has one, so reopen stdio on it.
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc

verbose=0
case " $(cat /proc/cmdline) " in *" quiet "*) ;; *) verbose=1 ;; esac
step() { [ $verbose = 0 ] || echo "vm init: $(cut -d" " -f1 /proc/uptime) $*"; }
fail() {
  echo "vm init: $*"
  [ $verbose = 1 ] || echo "vm init: rerun scripts/vm.sh with --verbose to see the kernel log"
  sync
  poweroff -f
  sleep 60
}
mnt() { mount "$@" || fail "mount $*"; }

# load_modules LIST: insmod the modules named in /LIST, in order (the host
# resolved their dependencies from modules.dep).
load_modules() {
  local m
  while read -r m; do
    step "insmod $m"
    insmod "/lib/modules/$m" || fail "insmod $m failed"
  done <"/$1"
}

mount_root() {
  # cache=loose: the host's / does not change under a test run, and dentry and
  # page caching make every exec from the 9p root much cheaper under TCG.
  local opts=trans=virtio,version=9p2000.L,msize=262144 i=0
  step "mount root"
  mkdir -p $R
  until mount -t 9p -o "ro,$opts,cache=loose" root $R 2>/dev/null; do
    i=$((i + 1)); [ $i -lt 50 ] || fail "cannot mount the host's / over 9p (tag root)"
    usleep 100000
  done
  mnt -t tmpfs -o mode=0755,nosuid,nodev tmpfs $R/run
  mkdir -p $run
  mnt -t 9p -o "$opts" moatrun $run
  if [ ! -r $run/guest-init.sh ] || [ ! -r $run/repo ]; then
    fail "the run share lacks guest-init.sh or repo"
  fi
  # Fresh mounts rather than --move: device paths then read /dev/vda, not
  # /newroot/dev/vda, in the guest's mountinfo.
  mnt -t devtmpfs devtmpfs $R/dev
  mnt -t proc proc $R/proc
  mnt -t sysfs sysfs $R/sys
}

mount_writable() {
  local d cow=$R/run/moat-vm-cow
  step "writable dirs"
  mnt -t tmpfs -o mode=1777,nosuid,nodev tmpfs $R/tmp
  mnt -t tmpfs -o mode=0755 tmpfs $R/mnt
  # Copy-on-write views of the host's /etc, /var and /root: overlayfs takes
  # 9p as a lower layer, a tmpfs upper takes the writes.
  for d in etc var root; do
    mkdir -p $cow/$d/upper $cow/$d/work
    mnt -t overlay -o "lowerdir=$R/$d,upperdir=$cow/$d/upper,workdir=$cow/$d/work" overlay $R/$d
  done
  mkdir -p $R/var/tmp $R/var/lib $R/var/log $R/run/lock
  chmod 1777 $R/var/tmp
}

mount_kernel_fs() {
  step "kernel filesystems"
  mkdir -p $R/dev/pts $R/dev/shm $R/dev/mqueue
  mnt -t devpts -o newinstance,ptmxmode=0666,mode=0620,gid=5 devpts $R/dev/pts
  ln -sf pts/ptmx $R/dev/ptmx
  mnt -t tmpfs -o mode=1777,nosuid,nodev tmpfs $R/dev/shm
  mnt -t mqueue mqueue $R/dev/mqueue
  # devtmpfs lacks the /proc/self/fd links (bash process substitution).
  ln -sfn /proc/self/fd $R/dev/fd
  ln -sf /proc/self/fd/0 $R/dev/stdin
  ln -sf /proc/self/fd/1 $R/dev/stdout
  ln -sf /proc/self/fd/2 $R/dev/stderr
  mnt -t securityfs securityfs $R/sys/kernel/security
  mnt -t bpf -o mode=0700 bpf $R/sys/fs/bpf
  # Pure cgroup2 (the host is hybrid): moat keys its BPF policy on cgroup ids.
  mnt -t cgroup2 -o nsdelegate cgroup2 $R/sys/fs/cgroup
  echo "+cpu +memory +pids +cpuset +io" >$R/sys/fs/cgroup/cgroup.subtree_control ||
    fail "cannot enable the cgroup controllers"
}

mount_repo_and_disk() {
  local repo i
  step "repo and disk"
  read -r repo <$run/repo
  # A repo under the host's /tmp has no mount point on the guest's fresh /tmp.
  [ -d "$R$repo" ] || mkdir -p "$R$repo" || fail "no mount point for the repo at $repo"
  # cache=mmap: both sides write the repo, so no loose caching, but shared
  # writable mmap (linkers) must work.
  mnt -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=mmap moatrepo "$R$repo"
  if [ -e $run/disk ]; then
    # devtmpfs makes the node from a kernel thread: it may lag the probe.
    i=0
    until [ -b /dev/vda ]; do
      i=$((i + 1)); [ $i -lt 50 ] || fail "no /dev/vda for the attached disk"
      usleep 100000
    done
    mkdir -p $R/mnt/moat-disk
    mnt -t ext4 /dev/vda $R/mnt/moat-disk
  fi
}

misc() {
  echo moat-vm >/proc/sys/kernel/hostname
  ip link set lo up
  # The command's output must reach the host byte for byte: no CR before LF.
  stty -opost -echo </dev/console
}

load_modules modules-boot
mount_root
load_modules modules-overlay
[ ! -e $run/disk ] || load_modules modules-disk
mount_writable
mount_kernel_fs
mount_repo_and_disk
misc
step "switch_root"
# shellcheck disable=SC2093 # the fail below runs only if exec fails
exec switch_root $R /bin/bash /run/moat-vm/guest-init.sh
fail "switch_root failed"
