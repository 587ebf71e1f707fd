#!/usr/bin/env bash
# scripts/demo.sh - moat at work: the transcripts of Docker's "Enhanced
# Container Isolation" documentation, each run without moat (plain runc) and
# with moat, in a QEMU guest whose kernel enforces BPF-LSM; a summary table at
# the end. `make demo` runs it after scripts/deps.sh and the build.
#
# Usage: scripts/demo.sh            boot the moat VM and run the demo there
#        scripts/demo.sh --inside   the demo itself (in the guest, engines up:
#                                   scripts/docker-vm.sh run -- scripts/demo.sh --inside)
# Exits 0 when every transcript behaved as the documentation says (features
# not built yet are shown as such and do not fail it).
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
out=${OUTPUT:-build}
case $out in /*) ;; *) out=$repo/$out ;; esac

if [ "${1:-}" != --inside ]; then
  for b in moat-loader moatctl moat-runc; do
    [ -x "$out/$b" ] || { echo "demo: $out/$b is not built (make)" >&2; exit 1; }
  done
  # The test image is made on the host, once (in the guest it would be slow).
  "$repo/scripts/mkimage.sh" --tar-only >/dev/null || { echo "demo: cannot build the test image" >&2; exit 1; }
  echo "demo: booting the moat VM (Debian's ${MOAT_KERNEL:-6.1} kernel under QEMU/TCG, BPF-LSM on);"
  echo "demo: starting moat-loader, containerd and two Docker engines takes about a minute."
  exec "$repo/scripts/vm.sh" --disk 2G --timeout 900 -- \
    "$repo/scripts/docker-vm.sh" run -- "$repo/scripts/demo.sh" --inside
fi

# ---- in the guest ----
IMAGE=moat-test
T=$(mktemp -d /tmp/moat-demo.XXXXXX)
trap 'rm -rf "$T"' EXIT
if [ -t 1 ] && [ "${TERM:-dumb}" != dumb ]; then
  B=$'\e[1m' D=$'\e[2m' G=$'\e[32m' R=$'\e[31m' Y=$'\e[33m' N=$'\e[0m'
else
  B='' D='' G='' R='' Y='' N=''
fi
rows=() failed=0 n=0

title() {
  n=$((n + 1))
  printf '\n%s== %d. %s ==%s\n' "$B" "$n" "$1" "$N"
}

# The docker CLI's "Run 'docker run --help'..." trailer is noise here.
clean() { sed "/^Run 'docker run --help' for more information$/d" "$1" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'; }

# show LABEL CMD FILE: one engine's part of a transcript, like a terminal.
show() {
  printf '%s%s%s\n' "$D" "$1" "$N"
  printf '  %s$%s %s\n' "$B" "$N" "$2"
  clean "$3" | sed 's/^/  /'
}

# The command line as one would type it: arguments with blanks or shell
# characters in single quotes.
cmdline() {
  local a line=docker
  for a in "$@"; do
    if [[ $a =~ [^A-Za-z0-9_./:=,+-] ]]; then line+=" '${a//\'/\'\\\'\'}'"; else line+=" $a"; fi
  done
  echo "$line"
}

# pair CMD...: the same docker command on both engines at once; then
# r_rc/r_out (runc) and m_rc/m_out (moat), and both shown.
pair() {
  local cmd pid
  cmd=$(cmdline "$@")
  DOCKER_HOST=$MOAT_DOCKER_CONTROL docker "$@" >"$T/r" 2>&1 &
  pid=$!
  docker "$@" >"$T/m" 2>&1
  m_rc=$?
  wait "$pid"
  r_rc=$?
  r_out=$(clean "$T/r") m_out=$(clean "$T/m")
  show "without moat (runc):" "$cmd" "$T/r"
  show "with moat:" "$cmd" "$T/m"
}

# moat_only CMD...: a command only the moat engine runs.
moat_only() {
  docker "$@" >"$T/m" 2>&1
  m_rc=$?
  m_out=$(clean "$T/m")
  show "with moat:" "$(cmdline "$@")" "$T/m"
}

squeeze() { tr -s ' \t' ' ' <<<"$1" | sed 's/^ //; s/ $//'; }
oci() { grep -o 'OCI runtime create failed: .*' <<<"$1" | sed 's/^OCI runtime create failed: //; s/: unknown\.\{0,1\}$//' | head -n1; }

# row TITLE RUNC MOAT VERDICT: ok | FAIL | "not yet"
row() {
  rows+=("$1"$'\t'"$2"$'\t'"$3"$'\t'"$4")
  case $4 in
    ok) printf '%s-> as documented%s\n' "$G" "$N" ;;
    "not yet") printf '%s-> not built yet in moat%s\n' "$Y" "$N" ;;
    *) printf '%s-> NOT as documented%s\n' "$R" "$N"; failed=$((failed + 1)) ;;
  esac
}
verdict() { if "$@"; then echo ok; else echo FAIL; fi; }
is_map() { [[ $1 =~ ^0\ [1-9][0-9]*\ 65536$ ]]; }

printf '%sEnhanced Container Isolation, with moat%s\n' "$B" "$N"
printf 'Two Docker engines share this VM: "without moat" runs containers with runc,\n'
printf '"with moat" is configured by `moatctl setup docker` (default runtime moat-runc,\n'
printf 'and --runtime=runc goes through moat too); moat-loader enforces the kernel policy.\n'

# 1. user namespace and exclusive ranges
title "Every container gets its own user namespace and uid range"
pair run --rm "$IMAGE" cat /proc/self/uid_map
r1=$(squeeze "$r_out")
docker run -d --name first "$IMAGE" sleep 1d >"$T/id1" 2>&1
docker run -d --name second "$IMAGE" sleep 1d >"$T/id2" 2>&1
show "with moat, two containers running at once:" "docker run -d --name first $IMAGE sleep 1d" "$T/id1"
printf '  %s$%s %s\n' "$B" "$N" "docker run -d --name second $IMAGE sleep 1d"
sed 's/^/  /' "$T/id2"
docker exec first cat /proc/self/uid_map >"$T/m1" 2>&1
docker exec second cat /proc/self/uid_map >"$T/m2" 2>&1
printf '  %s$%s docker exec first cat /proc/self/uid_map\n' "$B" "$N"; sed 's/^/  /' "$T/m1"
printf '  %s$%s docker exec second cat /proc/self/uid_map\n' "$B" "$N"; sed 's/^/  /' "$T/m2"
m1=$(squeeze "$(cat "$T/m1")") m2=$(squeeze "$(cat "$T/m2")")
row "uid_map: two containers" "$r1 (host root)" "$m1 / ${m2#0 }" \
  "$(verdict test "$r1" = "0 0 4294967295" -a "$m1" = "0 100000 65536" -a "$m2" = "0 165536 65536")"

title "--userns=host is ignored"
pair run --rm --userns=host "$IMAGE" cat /proc/self/uid_map
row "--userns=host" "$(squeeze "$r_out")" "$(squeeze "$m_out") (ignored)" "$(verdict is_map "$(squeeze "$m_out")")"

title "The --runtime flag is ignored: --runtime=runc still runs moat"
moat_only run --rm --runtime=runc "$IMAGE" cat /proc/self/uid_map
row "--runtime=runc" "-" "$(squeeze "$m_out") (still moat)" "$(verdict is_map "$(squeeze "$m_out")")"

# 2. host namespaces
title "Containers can't share the host's pid namespace"
pair run --rm --pid=host "$IMAGE" sh -c 'echo "pid 1 is $(cat /proc/1/comm)"'
row "--pid=host" "allowed (sees the host's pid 1)" "refused" \
  "$(verdict test "$m_rc" -ne 0 -a "$(oci "$m_out")" = "error in the container spec: invalid or unsupported container spec: moat containers can't share namespaces [pid] with the host (because they use the linux user-namespace for isolation)")"

title "Containers can't share the host's network namespace"
pair run --rm --network=host "$IMAGE" sh -c 'ls /sys/class/net | tr "\n" " "; echo'
row "--network=host" "allowed" "refused" \
  "$(verdict test "$m_rc" -ne 0 -a "$(oci "$m_out")" = "error in the container spec: invalid or unsupported container spec: moat containers can't share a network namespace with the host (because they use the linux user-namespace for isolation)")"

# 3. bind mounts
title "Bind mounts of the engine's configuration are refused"
pair run --rm -v /etc/docker/daemon.json:/mnt/daemon.json "$IMAGE" sh -c 'test -w /mnt/daemon.json && echo "daemon.json is writable:" && head -n3 /mnt/daemon.json'
row "-v /etc/docker/daemon.json" "$([ "$r_rc" = 0 ] && echo "writable" || echo "?")" "refused" \
  "$(verdict test "$m_rc" -ne 0 -a "$(oci "$m_out")" = "error in the container spec: can't mount /etc/docker/daemon.json because it's configured as a restricted host mount")"

title "...and of the Docker socket"
pair run --rm -v /var/run/docker.sock:/var/run/docker.sock "$IMAGE" sh -c 'ls -l /var/run/docker.sock'
row "-v /var/run/docker.sock" "$([ "$r_rc" = 0 ] && echo "mounted" || echo "?")" "refused" \
  "$(verdict test "$m_rc" -ne 0 -a -n "$(oci "$m_out")")"

title "Bind mounts of ordinary host directories work (\$HOME is $HOME)"
echo "a file in \$HOME" >"$HOME/moat-demo.txt"
pair run --rm -v "$HOME:/mnt" "$IMAGE" cat /mnt/moat-demo.txt
rm -f "$HOME/moat-demo.txt"
row "-v \$HOME:/mnt" "works" "works" "$(verdict test "$m_rc" = 0 -a "$r_rc" = 0)"

# 4. mount vetting
title "CAP_SYS_ADMIN can't turn a read-only bind mount read-write"
pair run --rm --cap-add SYS_ADMIN -v "$HOME:/mnt:ro" "$IMAGE" sh -c 'mount -o remount,rw /mnt /mnt && echo "remounted /mnt read-write"'
if [ "$m_rc" -ne 0 ] && [[ $m_out == *"permission denied"* ]]; then v=ok
elif nm "$out/moat-runc" 2>/dev/null | grep -q ' T moat_policy_protect_mounts$'; then v=FAIL
else v="not yet"; fi
row "remount,rw of a ro bind" "$([ "$r_rc" = 0 ] && echo "remounted rw" || echo denied)" \
  "$([ "$m_rc" = 0 ] && echo "remounted rw" || echo denied)" "$v"

title "...while mounts made inside the container stay the container's business"
moat_only run --rm --cap-add SYS_ADMIN "$IMAGE" sh -c 'mkdir /root/tmpfs && mount -t tmpfs tmpfs /root/tmpfs && mount -o remount,ro /root/tmpfs /root/tmpfs && grep /root/tmpfs /proc/mounts && mount -o remount,rw /root/tmpfs /root/tmpfs && grep /root/tmpfs /proc/mounts'
row "tmpfs in /root, remount ro/rw" "-" "$([ "$m_rc" = 0 ] && echo works || echo fails)" "$(verdict test "$m_rc" = 0)"

# 5. BPF
title "Privileged containers can't touch the kernel's BPF state"
pair run --rm --privileged "$IMAGE" bpftool map show
row "--privileged bpftool map show" "$([ "$r_rc" = 0 ] && echo "lists $(grep -c '^[0-9]*:' <<<"$r_out") maps" || echo fails)" \
  "Operation not permitted" "$(verdict test "$m_rc" -ne 0 -a "$m_out" = "Error: can't get next map: Operation not permitted")"
if [ -s /run/moat-docker/denials.log ]; then
  printf '%smoat-loader logged:%s\n' "$D" "$N"
  grep 'rule=bpf' /run/moat-docker/denials.log | tail -n1 | sed 's/^/  /'
fi

# 6. /proc emulation
title "/proc/uptime is the container's, not the VM's"
pair run --rm "$IMAGE" cat /proc/uptime
ru=${r_out%%.*} mu=${m_out%%.*}
if [[ $mu =~ ^[0-9]+$ && $ru =~ ^[0-9]+$ ]] && [ "$mu" -lt 10 ] && [ "$ru" -ge 10 ]; then v=ok
else v="not yet"; fi
row "/proc/uptime" "${r_out%% *} s (the VM's)" "${m_out%% *} s" "$v"

# 7. volumes
title "Volumes keep real ownership across containers (idmapped mounts)"
moat_only run --rm -v demo:/data "$IMAGE" sh -c 'echo hello > /data/f; cat /proc/self/uid_map; ls -ln /data'
vf=$MOAT_VM_DISK/moat-docker/data/volumes/demo/_data/f
printf '%son the host:%s\n  %s$%s stat -c "%%u:%%g %%n" %s\n' "$D" "$N" "$B" "$N" "$vf"
stat -c '  %u:%g %n' "$vf"
row "named volume, file owner on disk" "-" "$(stat -c %u:%g "$vf" 2>/dev/null) (container root: 0)" \
  "$(verdict test "$m_rc" = 0 -a "$(stat -c %u:%g "$vf" 2>/dev/null)" = 0:0)"

docker rm -f first second >/dev/null 2>&1

# ---- summary ----
printf '\n%sSummary%s\n' "$B" "$N"
{
  printf 'transcript\twithout moat (runc)\twith moat\t\n'
  printf -- '----------\t-------------------\t---------\t\n'
  for r in "${rows[@]}"; do
    IFS=$'\t' read -r a b c v <<<"$r"
    case $v in ok) v="ok" ;; "not yet") v="(not built yet)" ;; *) v="NOT AS DOCUMENTED" ;; esac
    printf '%s\t%s\t%s\t%s\n' "$a" "$b" "$c" "$v"
  done
} | column -t -s $'\t'
if [ "$failed" -gt 0 ]; then
  printf '\n%s%d transcript(s) did not behave as documented%s\n' "$R" "$failed" "$N"
  exit 1
fi
printf '\n%sEvery transcript behaved as documented.%s\n' "$G" "$N"
