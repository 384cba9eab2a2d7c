#!/usr/bin/env bash
# Side-by-side benchmark: the same workload on a local directory, a two-brick glusterj volume and
# (when installed) a real GlusterFS two-brick distribute volume, in one run; prints one table of
# medians with the glusterj/GlusterFS ratio against the targets of issue 4, and peak RSS.
#   sudo scripts/bench.sh [--with-gluster] [--runs N] [--warmup N] [--size S] [--files N] [--quick] [--no-build]
#     --with-gluster  install GlusterFS from Debian if missing (otherwise it is used only if installed)
#     --runs N        runs of the workload per system, median taken (default 3)
#     --warmup N      runs per system before those, not counted (default 1): a mount in use is warm,
#                     and the JVM compiles its hot code with C2 during the first minute or two
#     --size S        fio file size for the sequential and random phases (default 256M)
#     --files N       small files for create/stat/read/readdir/unlink (default 2000)
#     --quick         one run, 64M, 500 files: a smoke test, not a measurement
#     --no-build      use the jars already in target/
# Everything it starts (bricks, client, GlusterFS volume, directories) is removed on exit, also on Ctrl-C.
set -uo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

usage() { sed -n '5,14p' "$0" | sed 's/^# \{0,1\}//'; }
say() { echo "bench: $*"; }
die() { echo "bench: error: $*" >&2; exit 1; }

runs=3 warmup=1 size=256M files=2000 with_gluster=no build=yes
while [ $# -gt 0 ]; do
  case "$1" in
    --with-gluster) with_gluster=yes; shift ;;
    --runs)  [ $# -ge 2 ] || die "--runs needs a number"; runs=$2; shift 2 ;;
    --warmup) [ $# -ge 2 ] || die "--warmup needs a number"; warmup=$2; shift 2 ;;
    --size)  [ $# -ge 2 ] || die "--size needs a size such as 256M"; size=$2; shift 2 ;;
    --files) [ $# -ge 2 ] || die "--files needs a number"; files=$2; shift 2 ;;
    --quick) runs=1 warmup=0 size=64M files=500; shift ;;
    --no-build) build=no; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
[[ "$runs" =~ ^[0-9]+$ ]] && [ "$runs" -ge 1 ] && [ "$runs" -le 20 ] || die "--runs must be 1 to 20, got '$runs'"
[[ "$warmup" =~ ^[0-9]+$ ]] && [ "$warmup" -le 5 ] || die "--warmup must be 0 to 5, got '$warmup'"
[[ "$files" =~ ^[0-9]+$ ]] && [ "$files" -ge 10 ] || die "--files must be a number of at least 10, got '$files'"
[[ "$size" =~ ^[0-9]+[KMG]$ ]] || die "--size must look like 64M or 1G, got '$size'"
[ "$(id -u)" = 0 ] || die "must run as root (FUSE mounts, dropping the page cache, glusterd); try: sudo $0"
for tool in fio python3 java mvn; do command -v $tool >/dev/null || die "$tool is not installed (scripts/setup-deps.sh installs what glusterj needs; apt-get install fio)"; done

WORK=/var/tmp/glusterj-bench.$$
GVOL=jbench$$
GMNT=/mnt/glusterj-bench-gluster.$$
JMNT=$WORK/mnt-glusterj
LOCAL=$WORK/local
RESULTS=$REPO/target/bench
pids=() gluster_up=no workload_pid=

cleanup() {
  trap - EXIT INT TERM
  set +e
  if [ -n "$workload_pid" ] && kill -0 "$workload_pid" 2>/dev/null; then
    pkill -TERM -P "$workload_pid"; kill -TERM "$workload_pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$workload_pid" 2>/dev/null || break; sleep 0.1; done
  fi
  if grep -qs " $JMNT fuse" /proc/mounts; then fusermount -uz "$JMNT" 2>/dev/null || umount -l "$JMNT" 2>/dev/null; fi
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null
  done
  if [ "$gluster_up" = yes ]; then
    scripts/gluster-volume.sh down --name "$GVOL" --mount "$GMNT" >"$RESULTS/gluster-down.log" 2>&1 \
      || echo "bench: warning: removing GlusterFS volume $GVOL failed; see $RESULTS/gluster-down.log" >&2
  fi
  grep -qs " $JMNT " /proc/mounts || rm -rf "$WORK"
  say "cleaned up"
}
trap cleanup EXIT
trap 'echo; say "interrupted"; exit 130' INT TERM

mkdir -p "$WORK" "$LOCAL" "$JMNT" "$RESULTS" || die "cannot create $WORK"
rm -f "$RESULTS"/*.raw "$RESULTS"/*.log "$RESULTS"/*.out "$RESULTS"/table.txt   # logs of the previous run

# ---- the workload (the logic of shared/bench/fsbench.sh): prints "metric value unit" per figure ----
workload() { # DIR
  local w="$1/bench.$$"
  mkdir -p "$w" || return 1
  fio_bw() { # name rw bs extra...
    local n=$1 rw=$2 bs=$3; shift 3
    timeout --foreground 900 fio --name="$n" --directory="$w" --filename=seq.dat --rw="$rw" --bs="$bs" --size="$size" \
        --ioengine=psync --output-format=terse --terse-version=3 "$@" 2>/dev/null |
      awk -F';' -v n="$n" -v rw="$rw" '
          # fio may print a terse line more than once (seen: zero-filled ones first); the last is the result.
          { if (rw ~ /write/) {bw=$48; io=$49} else {bw=$7; io=$8} }
          END { if (NR == 0) exit 1; if (n ~ /^seq/) printf "%s %.1f MiB/s\n", n, bw/1024; else printf "%s %.0f IOPS\n", n, io }'
  }
  fio_bw seqwrite-1M write 1M --end_fsync=1
  sync; echo 3 > /proc/sys/vm/drop_caches
  fio_bw seqread-1M read 1M
  fio_bw randread-4k randread 4k --runtime=10 --time_based
  fio_bw randwrite-4k randwrite 4k --runtime=10 --time_based
  rm -f "$w/seq.dat"
  sync; echo 3 > /proc/sys/vm/drop_caches
  timeout --foreground 900 python3 - "$w" "$files" <<'PY'
import os, sys, time
w, n = sys.argv[1], int(sys.argv[2])
d = os.path.join(w, "small"); os.mkdir(d)
buf = os.urandom(4096)
def timed(name, f, count=n, unit="ops/s"):
    s = time.perf_counter(); f(); e = time.perf_counter() - s
    print(f"{name} {count / e:.1f} {unit}", flush=True)
def create():
    for i in range(n):
        with open(f"{d}/f{i}", "wb") as fh: fh.write(buf)
def stat():
    for i in range(n): os.stat(f"{d}/f{i}")
def read():
    for i in range(n):
        with open(f"{d}/f{i}", "rb") as fh: fh.read()
def ls():
    for _ in range(5):
        if len(os.listdir(d)) != n: raise SystemExit(f"readdir saw a wrong number of entries in {d}")
def unlink():
    for i in range(n): os.unlink(f"{d}/f{i}")
timed("create-4k", create); timed("stat", stat); timed("read-4k", read)
timed(f"readdir-{n}", ls, 5, "listings/s"); timed("unlink", unlink)
os.rmdir(d)
PY
  rm -rf "$w"
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { # port pid log
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; die "brick exited at start; log above ($3)"; }
    sleep 0.1
  done
  die "brick did not listen on port $1 within 30 s; see $3"
}
peak_rss_mib() { awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null; }

# ---- glusterj ----------------------------------------------------------------------------------------
if [ "$build" = yes ]; then
  say "building glusterj (mvn -q package -DskipTests)"
  mvn -q -B package -DskipTests >"$RESULTS/build.log" 2>&1 || { tail -40 "$RESULTS/build.log" >&2; die "build failed; log: $RESULTS/build.log"; }
fi
[ -f target/glusterj-client.jar ] && [ -f target/glusterj-brick.jar ] || die "target/glusterj-*.jar missing; run without --no-build"
# Private copies: a rebuild in target/ while the benchmark runs must not pull jars from under the JVMs.
mkdir -p "$WORK/jars" && cp target/glusterj-client.jar target/glusterj-brick.jar "$WORK/jars/" \
    && cp volfiles/two-brick.vol "$WORK/" || die "cannot copy the jars and volfiles/two-brick.vol to $WORK"

brick_ports=() brick_pids=()
for i in 1 2; do
  port=$(free_port); dir=$WORK/bricks/b$i; mkdir -p "$dir"
  setsid java -jar "$WORK/jars/glusterj-brick.jar" --dir "$dir" --port "$port" --name "b$i" --bind 127.0.0.1 \
      --log-file "$RESULTS/brick$i.log" </dev/null >"$RESULTS/brick$i.out" 2>&1 &
  pids+=($!); brick_pids+=($!); brick_ports+=("$port")
  wait_port "$port" "$!" "$RESULTS/brick$i.out"
  say "glusterj brick b$i serving on 127.0.0.1:$port"
done

# The client volfile is volfiles/two-brick.vol itself, pointed at this run's bricks: the benchmark
# measures the default stack exactly as users get it.
sed -e "s/option remote-port 24009/option remote-port ${brick_ports[0]}/" \
    -e "s/option remote-port 24010/option remote-port ${brick_ports[1]}/" "$WORK/two-brick.vol" >"$WORK/client.vol"
setsid java -jar "$WORK/jars/glusterj-client.jar" "$WORK/client.vol" "$JMNT" --log-file "$RESULTS/client.log" \
    </dev/null >"$RESULTS/client.out" 2>&1 &
client_pid=$!
for _ in $(seq 1 300); do
  grep -qs " $JMNT fuse" /proc/mounts && break
  kill -0 "$client_pid" 2>/dev/null || break
  sleep 0.1
done
if ! grep -qs " $JMNT fuse" /proc/mounts; then
  kill "$client_pid" 2>/dev/null
  cat "$RESULTS/client.out" >&2
  die "glusterj mount failed; see $RESULTS/client.out and $RESULTS/client.log"
fi
pids=("$client_pid" "${pids[@]}")   # the client stops before the bricks
cp "$WORK/client.vol" "$RESULTS/client.vol"
say "glusterj mounted at $JMNT with the stack of volfiles/two-brick.vol (volfile: $RESULTS/client.vol)"

# ---- GlusterFS -------------------------------------------------------------------------------------
have_gluster=no
if command -v glusterd >/dev/null && [ -x /sbin/mount.glusterfs ]; then have_gluster=yes; fi
if [ "$have_gluster" = yes ] || [ "$with_gluster" = yes ]; then
  inst=(); [ "$with_gluster" = yes ] && inst=(--install)
  say "starting GlusterFS volume $GVOL (2-brick distribute) at $GMNT"
  gluster_up=yes
  if scripts/gluster-volume.sh up --name "$GVOL" --bricks 2 --mount "$GMNT" "${inst[@]}" >"$RESULTS/gluster-up.log" 2>&1; then
    have_gluster=yes
  else
    cat "$RESULTS/gluster-up.log" >&2
    die "could not bring the GlusterFS volume up (log above)"
  fi
else
  say "GlusterFS is not installed: its column stays empty (pass --with-gluster to install it)"
fi

# ---- runs --------------------------------------------------------------------------------------------
systems=(local glusterj); dirs=("$LOCAL" "$JMNT")
[ "$have_gluster" = yes ] && { systems+=(gluster); dirs+=("$GMNT"); }
# The hypervisor's steal (/proc/stat) says how much CPU the virtual machine lost to its neighbours:
# runs with much of it say more about the host than about either filesystem.
cpu_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $9; exit }' /proc/stat; }
steal_percent() { # "total steal" before, after
  set -- $1 $2
  awk -v t0="$1" -v s0="$2" -v t1="$3" -v s1="$4" 'BEGIN { d = t1 - t0; printf "%.0f", (d > 0 ? 100 * (s1 - s0) / d : 0) }'
}

say "workload: fio ${size} 1M seq write/read, 4k random read/write (10 s each), $files small files; $warmup uncounted warm-up and $runs counted run(s) per system, order: ${systems[*]}"
start=$SECONDS
for r in $(seq $((1 - warmup)) "$runs"); do
  for k in "${!systems[@]}"; do
    sys=${systems[$k]}
    if [ "$r" -ge 1 ]; then echo "[run $r/$runs] $sys"; else echo "[warm-up $((r + warmup))/$warmup, not counted] $sys"; fi
    # In the background, so that Ctrl-C interrupts the wait at once instead of after the phase.
    : >"$RESULTS/current.out"
    steal_before=$(cpu_ticks)
    workload "${dirs[$k]}" >"$RESULTS/current.out" 2>&1 &
    workload_pid=$!
    tail -n +1 -f --pid="$workload_pid" "$RESULTS/current.out" | awk '{ printf "    %-14s %10s %s\n", $1, $2, $3; fflush() }' &
    progress_pid=$!
    wait "$workload_pid"; status=$?
    wait "$progress_pid"
    workload_pid=
    [ "$status" = 0 ] || die "the workload failed on $sys (exit $status); output: $RESULTS/current.out"
    [ "$(awk 'NF == 3 && $2 ~ /^[0-9.]+$/' "$RESULTS/current.out" | wc -l)" = 9 ] \
      || die "the workload on $sys gave an incomplete set of figures; output: $RESULTS/current.out"
    steal=$(steal_percent "$steal_before" "$(cpu_ticks)")
    echo "    host CPU steal during this run: $steal%"
    [ "$r" -ge 1 ] && awk -v s="$sys" 'NF == 3 && $2 ~ /^[0-9.]+$/ { print s, $0 }' "$RESULTS/current.out" >>"$RESULTS/results.raw"
    [ "$r" -ge 1 ] && echo "$sys $steal" >>"$RESULTS/steal.raw"
  done
done
say "workload done in $((SECONDS - start)) s"
grep -q "type debug/io-stats" "$WORK/client.vol" && say "glusterj io-stats (fop counts and latencies) go to $RESULTS/client.log at unmount"

# ---- peak memory -------------------------------------------------------------------------------------
{
  echo "rss glusterj-client $(peak_rss_mib "$client_pid")"
  m=0; for p in "${brick_pids[@]}"; do v=$(peak_rss_mib "$p"); [ -n "$v" ] && [ "$v" -gt "$m" ] && m=$v; done
  echo "rss glusterj-brick $m"
  if [ "$have_gluster" = yes ]; then
    # Read-only lookups of the GlusterFS processes of this volume, to read their /proc/PID/status.
    gc=$(pgrep -f "glusterfs .*--volfile-id=/?$GVOL .*$GMNT" | head -1)
    echo "rss gluster-client $( [ -n "$gc" ] && peak_rss_mib "$gc")"
    m=0; for p in $(pgrep -f "glusterfsd .*--volfile-id $GVOL\."); do v=$(peak_rss_mib "$p"); [ -n "$v" ] && [ "$v" -gt "$m" ] && m=$v; done
    echo "rss gluster-brick $m"
  fi
} >"$RESULTS/rss.raw"

# ---- the table ---------------------------------------------------------------------------------------
python3 - "$RESULTS/results.raw" "$RESULTS/rss.raw" "$runs" "$size" "$files" "$warmup" "$RESULTS/steal.raw" <<'PY' | tee "$RESULTS/table.txt"
import statistics, sys
raw, rss_file, runs, size, files, warmup, steal_file = sys.argv[1:8]
vals, units, order = {}, {}, []
for line in open(raw):
    sysname, metric, value, unit = line.split()
    if metric not in order: order.append(metric)
    vals.setdefault((metric, sysname), []).append(float(value)); units[metric] = unit
targets = {"seqwrite-1M": 1.0, "seqread-1M": 1.0, "randread-4k": 1.5, "randwrite-4k": 1.5, "create-4k": 3,
           "stat": 3, "read-4k": 1.5, "unlink": 3}
def target(metric):
    return 10 if metric.startswith("readdir-") else targets.get(metric)
def med(metric, s):
    v = vals.get((metric, s)); return statistics.median(v) if v else None
def fmt(v): return "-" if v is None else (f"{v:.1f}" if v < 100 else f"{v:.0f}")
head = ["metric", "unit", "local", "glusterj", "gluster", "glusterj/gluster", "target", "met?"]
rows = []
for m in order:
    l, j, g = med(m, "local"), med(m, "glusterj"), med(m, "gluster")
    ratio = j / g if j is not None and g else None
    t = target(m)
    met = "-" if ratio is None or t is None else ("yes" if ratio >= t else "no")
    rows.append([m, units[m], fmt(l), fmt(j), fmt(g), "-" if ratio is None else f"{ratio:.2f}",
                 "-" if t is None else f">= {t:g}", met])
rss = {}
for line in open(rss_file):
    parts = line.split()
    rss[parts[1]] = parts[2] if len(parts) > 2 else None
def mib(k): return "-" if not rss.get(k) else rss[k]
jc, gc = rss.get("glusterj-client"), rss.get("gluster-client")
rows.append(["client peak RSS", "MiB", "-", mib("glusterj-client"), mib("gluster-client"),
             f"{int(jc) / int(gc):.2f}" if jc and gc and int(gc) else "-", "< 1024 MiB",
             "-" if not jc else ("yes" if int(jc) < 1024 else "no")])
rows.append(["brick peak RSS", "MiB", "-", mib("glusterj-brick"), mib("gluster-brick"), "-", "-", "-"])
w = [max(len(str(r[i])) for r in rows + [head]) for i in range(len(head))]
print(f"median of {runs} run(s) after {warmup} uncounted warm-up run(s); fio size {size}, {files} small files; "
      "RSS = VmHWM (brick: the larger of two)")
print(" | ".join(h.ljust(w[i]) for i, h in enumerate(head)))
print("-+-".join("-" * x for x in w))
for r in rows: print(" | ".join(str(c).ljust(w[i]) for i, c in enumerate(r)))
steal = {}
for line in open(steal_file):
    sysname, pct = line.split()
    steal.setdefault(sysname, []).append(pct + "%")
print("host CPU steal per counted run: " + "; ".join(f"{s} {' '.join(v)}" for s, v in steal.items()))
PY
say "table saved in $RESULTS/table.txt (raw figures: $RESULTS/results.raw)"
