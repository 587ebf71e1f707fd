# tests/load/lib.bash - many containers alive at once (tests/integration/load.bats
# on the host, tests/vm/80-load.bats in the guest). Load after
# tests/fault/lib.bash (its world, clocks and checks).

# ld_rss_kb: the resident memory (kB) of this suite's moat-fs processes
# (worker and keeper).
ld_rss_kb() {
  local p kb total=0
  for p in $(fs_pids); do
    kb=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
    total=$((total + ${kb:-0}))
  done
  echo "$total"
}

# ld_avail_kb: the machine's MemAvailable (kB).
ld_avail_kb() {
  local k v _
  while read -r k v _; do [ "$k" = MemAvailable: ] && { echo "$v"; return; }; done </proc/meminfo
}

# ld_up N: create and start N containers load-1..load-N, one after the other.
# $T/times gets "LIVE CREATE-MS START-MS" per container (LIVE: containers
# alive before this create).
ld_up() {
  local n=$1 i t0 tc
  : >"$T/times"
  for ((i = 1; i <= n; i++)); do
    ft_bundle "load-$i"
    ft_now; t0=$FT_NOW
    ft_plain create --bundle "$FT_B" "load-$i"
    [ "$FT_RC" = 0 ] || { echo "create of load-$i failed (with $((i - 1)) alive):"; tail -n5 "$FT_LOG"; return 1; }
    ft_now; tc=$((FT_NOW - t0)); t0=$FT_NOW
    ft_plain start "load-$i"
    [ "$FT_RC" = 0 ] || { echo "start of load-$i failed:"; tail -n5 "$FT_LOG"; return 1; }
    ft_now
    echo "$((i - 1)) $tc $((FT_NOW - t0))" >>"$T/times"
  done
}

# ld_table: live count vs create and start ms (the mean of the five creates
# up to each row's count), as TAP comments.
ld_table() {
  ft_note "live  create-ms  start-ms   (mean of the 5 creates before each count)"
  awk -v rows="0 9 24 49 99 149 199 299 399 499" '
    BEGIN { n = split(rows, r, " "); for (i = 1; i <= n; i++) want[r[i]] = 1 }
    { c[NR] = $2; s[NR] = $3; live[NR] = $1 }
    END {
      for (k = 1; k <= NR; k++) {
        if (!(live[k] in want) && k != NR) continue
        lo = k > 5 ? k - 4 : 1; sc = ss = 0
        for (j = lo; j <= k; j++) { sc += c[j]; ss += s[j] }
        printf "# %5d  %9d  %8d\n", live[k] + 1, sc / (k - lo + 1), ss / (k - lo + 1)
      }
    }' "$T/times" >&3
}

# ld_read_all N [STEP]: every STEP-th container (and the last) reads
# /proc/uptime and /proc/meminfo through moat-fs: its own uptime (less than
# the host's), MemTotal answered.
ld_read_all() {
  local n=$1 step=${2:-1} i u h out
  h=$(ft_host_uptime)
  for ((i = 1; i <= n; i++)); do
    ((i % step == 0 || i == n)) || continue
    out=$(ft_moat exec "load-$i" sh -c 'cat /proc/uptime; grep MemTotal /proc/meminfo' <"$T/empty" 2>>"$FT_LOG") ||
      { echo "load-$i cannot read through moat-fs"; return 1; }
    u=${out%%.*}
    [ "$u" -lt "$h" ] || { echo "load-$i reads the host's uptime: $out"; return 1; }
    [[ $out == *MemTotal:* ]] || { echo "load-$i has no MemTotal: $out"; return 1; }
  done
}

# ld_down N: delete load-1..load-N; prints the mean delete ms.
ld_down() {
  local n=$1 i t0 sum=0
  for ((i = 1; i <= n; i++)); do
    ft_now; t0=$FT_NOW
    ft_plain delete --force "load-$i"
    ft_now; sum=$((sum + FT_NOW - t0))
  done
  echo $((sum / n))
}

# ld_load N: N containers alive at once; their ranges pairwise disjoint and
# full; moat-fs answers in each (every $LD_READ_STEP-th); no moat-runc process stays per container;
# moat-fs's memory and the create times reported; all deleted, nothing left.
ld_load() {
  local n=$1 rss0 rss1 rss2 left ranges del
  local avail0 avail1
  rss0=$(ld_rss_kb)
  avail0=$(ld_avail_kb)
  ld_up "$n" || return 1
  avail1=$(ld_avail_kb)
  [ "$(wc -l <"$T/times")" = "$n" ]
  ft_quiesce 10 || return 1
  # moat-runc keeps no process per container (nor runc: only the containers run)
  left=$(pgrep -af -- "--root $T/runc-root " || true)
  [ -z "$left" ] || { echo "processes left per container: $left"; return 1; }
  ranges=$(ft_ranges)
  [ "$(wc -l <<<"$ranges")" = "$n" ] || { echo "$(wc -l <<<"$ranges") ranges for $n containers"; return 1; }
  ft_disjoint <<<"$ranges" || return 1
  # the records agree with the kernel's uid_maps
  [ "$(jq -r '"\(.uid_start) \(.uid_size)"' "$T"/state/containers/*/state.json | sort -n)" = "$(sort -n <<<"$ranges")" ] ||
    { echo "moat's records and the containers' uid_maps differ"; return 1; }
  ft_check_live || return 1
  rss1=$(ld_rss_kb)
  ld_read_all "$n" "${LD_READ_STEP:-1}" || return 1
  rss2=$(ld_rss_kb)
  ld_table
  ft_note "moat-fs RSS: $rss0 kB before, $rss1 kB with $n containers, $rss2 kB after reads in every ${LD_READ_STEP:-1}. of them:" \
    "$(( (rss2 - rss0) * 1024 / n )) bytes per container"
  ft_note "MemAvailable: $(( (avail0 - avail1) / n )) kB less per container (the whole machine: containers, mounts, cgroups)"
  ft_note "processes of moat-runc or runc alive with $n containers: none (checked)"
  del=$(ld_down "$n")
  ft_note "delete: $del ms per container (mean)"
  ft_quiesce 10 || return 1
  left=$(ft_leaks)
  [ -z "$left" ] || { echo "leaked after deleting all:"; echo "$left"; return 1; }
}
