#!/usr/bin/env bash
# tests/fuzz/docker-bundles.sh - capture the config.json that Docker 20.10
# (dockerd + containerd 1.6 from docker.io) writes for a handful of
# `docker run`s, as seeds for fuzz-spec.
#
# Usage: tests/fuzz/docker-bundles.sh OUTDIR
#
# A private dockerd (its own data-root, exec-root and socket under a temp
# dir; vfs storage, no bridge, no iptables: nothing of the host's network is
# touched) gets a runtime "capture" that copies the bundle's config.json on
# `create` and fails, so no container ever runs. Everything is removed on exit.
set -euo pipefail

out=$(realpath -m "${1:?usage: $0 OUTDIR}")
mkdir -p "$out"
tmp=$(mktemp -d /tmp/moat-fuzz-docker.XXXXXX)
sock=$tmp/docker.sock
dockerd_pid=

cleanup() {
  if [ -n "$dockerd_pid" ]; then
    kill "$dockerd_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$dockerd_pid" 2>/dev/null || break; sleep 0.2; done
  fi
  # dockerd leaves its default netns (nsfs) mounted in the exec-root
  awk -v t="$tmp/" 'index($2, t) == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r m; do umount -l "$m"; done
  rm -rf "$tmp"
}
trap cleanup EXIT

cat >"$tmp/capture" <<CAPTURE
#!/bin/sh
prev=
for a; do [ "\$prev" = --bundle ] && cp "\$a/config.json" "$tmp/last.json"; prev=\$a; done
echo "capture: config.json kept, not running it" >&2
exit 1
CAPTURE
chmod 0755 "$tmp/capture"

dockerd --data-root "$tmp/data" --exec-root "$tmp/exec" --pidfile "$tmp/dockerd.pid" \
  -H "unix://$sock" --storage-driver vfs --bridge none --iptables=false --ip-masq=false \
  --add-runtime "capture=$tmp/capture" >"$tmp/dockerd.log" 2>&1 &
dockerd_pid=$!
export DOCKER_HOST=unix://$sock
for _ in $(seq 150); do docker version >/dev/null 2>&1 && break; sleep 0.2; done
docker version --format 'engine {{.Server.Version}}' || { cat "$tmp/dockerd.log"; exit 1; }

# The image: busybox-static alone (no registry here).
mkdir -p "$tmp/rootfs/bin" "$tmp/rootfs/etc"
cp /bin/busybox "$tmp/rootfs/bin/busybox"
ln -s busybox "$tmp/rootfs/bin/sh"
tar -C "$tmp/rootfs" -c . | docker import - moat-fuzz-seed >/dev/null

mkdir -p "$tmp/vol"
# capture NAME DOCKER-RUN-ARGS...: run with the capture runtime, keep the spec.
capture() {
  local name=$1; shift
  rm -f "$tmp/last.json"
  docker run --runtime capture --name "fuzz-$name" "$@" >/dev/null 2>&1 || true
  if [ -s "$tmp/last.json" ]; then
    cp "$tmp/last.json" "$out/$name.json"
    echo "captured $name"
  else
    echo "no spec for $name:" >&2
    docker run --runtime capture --name "fuzz-$name-again" "$@" 2>&1 | tail -2 >&2 || true
  fi
}

capture plain --network none moat-fuzz-seed /bin/sh -c true
capture tty -t --network none moat-fuzz-seed /bin/sh
capture binds --network none -v "$tmp/vol:/data" -v "$tmp/vol:/ro:ro" \
  -v named-volume:/vol moat-fuzz-seed /bin/sh
capture privileged --privileged --network none moat-fuzz-seed /bin/sh
capture cap-add --cap-add SYS_ADMIN --cap-add NET_ADMIN --cap-drop CHOWN --network none \
  moat-fuzz-seed /bin/sh
capture read-only --read-only --tmpfs /run --tmpfs /tmp:rw,size=64m,mode=1777 \
  --network none moat-fuzz-seed /bin/sh
capture docker-sock --network none -v /var/run/docker.sock:/var/run/docker.sock \
  moat-fuzz-seed /bin/sh
capture etc-docker --network none -v /etc/docker:/host-docker:ro moat-fuzz-seed /bin/sh
capture host-net --network host moat-fuzz-seed /bin/sh
capture host-pid --pid host --ipc host --uts host --network none moat-fuzz-seed /bin/sh
capture publish -p 8080:80 -p 127.0.0.1:5353:53/udp moat-fuzz-seed /bin/sh
capture resources --network none --memory 256m --cpus 1.5 --pids-limit 100 \
  --ulimit nofile=1024:2048 --sysctl net.ipv4.ip_forward=1 --shm-size 128m \
  -e FOO=bar -w /tmp -u 1000:1000 --hostname box --add-host db:10.0.0.2 \
  --security-opt no-new-privileges --device /dev/null:/dev/xnull \
  moat-fuzz-seed /bin/sh
capture unconfined --security-opt seccomp=unconfined --security-opt apparmor=unconfined \
  --network none moat-fuzz-seed /bin/sh
