#!/usr/bin/env bash
# Cross-checks glusterj's DHT placement against a real GlusterFS volume of the same shape.
#   scripts/compare-placement.sh [--keep-logs]
# Brings up a 2-brick GlusterFS distribute volume (scripts/gluster-volume.sh) and a 2-brick glusterj
# volume on loopback, creates the same few hundred names (ASCII, UTF-8, rsync temp names) in the root
# and in fresh subdirectories of both, then checks per name on which brick the data file landed.
# Directory layouts may be rotated differently in the two systems, so the check uses each directory's
# on-brick layout (trusted.glusterfs.dht): the two bricks chosen for a name must have overlapping hash
# ranges (the name's hash lies in both), and with identical layouts they must be the same brick index.
# Exits 0 only if every name agrees. Cleans everything up, also on failure or Ctrl-C.
# Needs root, FUSE, GlusterFS 10 (see gluster-volume.sh --install), python3, java 17 and maven.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

keep_logs=no
for a in "$@"; do
  case "$a" in
    --keep-logs) keep_logs=yes ;;
    -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare-placement: unknown argument '$a' (see --help)" >&2; exit 2 ;;
  esac
done

GVOL=placecmp
GMNT=/mnt/gluster-placecmp
GBRICKS=/var/tmp/gluster-baseline/$GVOL
JROOT=/var/tmp/glusterj-placecmp
JMNT=/mnt/glusterj-placecmp
# Fresh subdirectories. A new directory's layout is rotated by the hash of its path mod the brick
# count: the DM hashes of "/sub-3" and "/dir-b" are odd (rotated), of the other two even.
SUBDIRS=(placement-subdir sub-3 répertoire-日本 dir-b)

say() { echo "compare-placement: $*"; }
die() { echo "compare-placement: error: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (GlusterFS and trusted.* xattrs need it)"
for tool in python3 java getfattr fusermount; do
  command -v "$tool" >/dev/null || die "'$tool' not found; install it first"
done
[ -e /dev/fuse ] || die "/dev/fuse is missing: FUSE is not available here"

WORK=$(mktemp -d /tmp/compare-placement.XXXXXX)
pids=()
gluster_up=no
status=1

stop_pid() { # PID: SIGTERM, then SIGKILL after 10 s
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
  set +e
  trap - EXIT INT TERM
  if [ "$status" != 0 ]; then
    for f in "$WORK"/*.log; do
      [ -s "$f" ] && { echo "--- last lines of $(basename "$f")" >&2; tail -n 15 "$f" >&2; }
    done
  fi
  say "cleaning up"
  if grep -qs " $JMNT fuse" /proc/mounts; then fusermount -uz "$JMNT" 2>/dev/null || umount -l "$JMNT"; fi
  # Client first (it is the one holding the mount), then the bricks.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do stop_pid "${pids[$i]}"; done
  rm -rf "$JROOT"
  rmdir "$JMNT" 2>/dev/null
  [ "$gluster_up" = yes ] && "$REPO/scripts/gluster-volume.sh" down --name "$GVOL" --mount "$GMNT"
  rmdir "$GMNT" 2>/dev/null
  if [ "$keep_logs" = yes ]; then say "logs kept in $WORK"; else rm -rf "$WORK"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'status=130; exit 130' INT TERM

# --- glusterj ---------------------------------------------------------------------------------
if [ ! -f target/glusterj-brick.jar ] || [ ! -f target/glusterj-client.jar ]; then
  say "building glusterj (mvn -q -o package -DskipTests)"
  mvn -q -o package -DskipTests >"$WORK/build.log" 2>&1 || die "maven build failed; see the build log above"
fi
grep -qs " $JMNT " /proc/mounts && die "$JMNT is already mounted; unmount it first (fusermount -u $JMNT)"
[ -e "$JROOT" ] && die "$JROOT exists (left from an earlier run?); remove it first"

read -r P1 P2 < <(python3 -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])')

wait_port() { # PORT PID NAME
  for _ in $(seq 1 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || die "glusterj brick $3 exited at start-up"
    sleep 0.1
  done
  die "glusterj brick $3 did not listen on port $1 within 20 s"
}
for i in 1 2; do
  port=$([ $i = 1 ] && echo "$P1" || echo "$P2")
  setsid java -jar target/glusterj-brick.jar --dir "$JROOT/b$i" --port "$port" --name "b$i" --bind 127.0.0.1 \
    --log-file "$WORK/glusterj-b$i.log" </dev/null >"$WORK/glusterj-b$i.out.log" 2>&1 &
  pids+=($!)
  wait_port "$port" "$!" "b$i"
  say "glusterj brick b$i serving $JROOT/b$i on 127.0.0.1:$port"
done

cat >"$WORK/client.vol" <<VOL
volume placecmp-client-0
    type protocol/client
    option remote-host 127.0.0.1
    option remote-port $P1
    option remote-subvolume b1
end-volume

volume placecmp-client-1
    type protocol/client
    option remote-host 127.0.0.1
    option remote-port $P2
    option remote-subvolume b2
end-volume

volume placecmp-dht
    type cluster/distribute
    subvolumes placecmp-client-0 placecmp-client-1
end-volume
VOL
mkdir -p "$JMNT"
setsid java -jar target/glusterj-client.jar "$WORK/client.vol" "$JMNT" --log-file "$WORK/glusterj-client.log" \
  </dev/null >"$WORK/glusterj-client.out.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 300); do
  grep -qs " $JMNT fuse" /proc/mounts && break
  kill -0 "${pids[-1]}" 2>/dev/null || die "glusterj client exited before mounting $JMNT"
  sleep 0.1
done
grep -qs " $JMNT fuse" /proc/mounts || die "glusterj mount at $JMNT did not appear within 30 s"
timeout 20 stat "$JMNT" >/dev/null || die "glusterj mount at $JMNT does not answer"
say "glusterj volume mounted at $JMNT"

# --- GlusterFS --------------------------------------------------------------------------------
gluster_up=yes   # from here on, cleanup takes the volume down even if "up" fails half-way
"$REPO/scripts/gluster-volume.sh" up --name "$GVOL" --bricks 2 --mount "$GMNT"

# --- names, creation, comparison --------------------------------------------------------------
cat >"$WORK/placement.py" <<'PY'
import os, random, stat, sys

def names():
    """A few hundred names: ASCII, UTF-8 (incl. the reference's test vectors), rsync temp names."""
    rnd = random.Random(20261121)
    alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    out = ["a.txt", "x", "abcdefghijklmnop", "abcdefghijklmnopq", "foo", ".foo.bar", "hidden.tmp",
           ".hidden.tmp.Ab12Cd", "foo.txt", ".foo.txt.Ab12Cd", "é", "ö", "日本", "ab€"]
    out += [f"file-{i:03d}.txt" for i in range(120)]
    out += [chr(c) for c in range(ord("a"), ord("z") + 1)]
    out += ["k" * n for n in (2, 3, 4, 5, 7, 8, 11, 12, 13, 15, 16, 17, 31, 32, 33, 64, 100, 200, 255)]
    out += ["with space", "-leading-dash", "trailing.", "..double", "a+b#c~d%e", "MiXeD.CaSe.TXT",
            "no_ext", "tab\tname", "semi;colon", "quote'and\"dq"]
    out += [f"café-{i}" for i in range(20)] + [f"日本語ファイル{i}" for i in range(15)]
    out += [f"ab€{i}" for i in range(10)]
    out += ["naïve", "Ünïcödé", "ß", "Ελληνικά", "Кириллица", "emoji-😀", "€uro", "ø", "ñandú",
            "한국어", "中文文件名", "עברית", "ÆØÅ", "ÿ", "é" * 40, "日本" * 20]
    finals = [f"file-{i:03d}.txt" for i in range(0, 120, 3)] + [f"café-{i}" for i in range(0, 20, 2)] \
        + ["日本", "ab€", "é", "ö"]
    out += ["." + f + "." + "".join(rnd.choice(alnum) for _ in range(6)) for f in finals]
    seen, uniq = set(), []
    for n in out:
        b = os.fsencode(n)
        assert b and b"/" not in b and len(b) <= 255, n
        if n not in seen:
            seen.add(n); uniq.append(n)
    return uniq

def create(mount, subdirs):
    for d in ["", *subdirs]:
        base = os.path.join(mount, d)
        if d:
            os.mkdir(base)
        for n in names():
            with open(os.path.join(base, n), "wb") as f:
                f.write(n.encode())

def layout(brick_dir):
    raw = os.getxattr(brick_dir, "trusted.glusterfs.dht")
    if len(raw) != 16:
        raise SystemExit(f"layout xattr on {brick_dir} has {len(raw)} bytes, expected 16")
    return int.from_bytes(raw[8:12], "big"), int.from_bytes(raw[12:16], "big")

def data_bricks(bricks, d, n):
    """Brick indexes (1-based) holding the data file of d/n; linkto files (mode ---------T, empty) skipped."""
    found, problems = [], []
    for i, b in enumerate(bricks, 1):
        p = os.path.join(b, d, n)
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(st.st_mode):
            problems.append(f"brick {i}: not a regular file")
        elif stat.S_IMODE(st.st_mode) == stat.S_ISVTX and st.st_size == 0:
            continue
        else:
            with open(p, "rb") as f:
                if f.read() != n.encode():
                    problems.append(f"brick {i}: content differs from what was written")
            found.append(i)
    return found, problems

def fmt(r):
    return f"0x{r[0]:08x}-0x{r[1]:08x}"

def compare(gbricks, jbricks, subdirs):
    gbricks, jbricks = gbricks.split(","), jbricks.split(",")
    checked = agree = 0
    bad = []
    for d in ["", *subdirs]:
        where = "/" + d
        gl = [layout(os.path.join(b, d)) for b in gbricks]
        jl = [layout(os.path.join(b, d)) for b in jbricks]
        same = gl == jl
        print(f"layout of {where}: GlusterFS {[fmt(r) for r in gl]}  glusterj {[fmt(r) for r in jl]}"
              f"  ({'identical' if same else 'differ'})")
        per_dir = {"gluster": [0] * len(gbricks), "glusterj": [0] * len(jbricks)}
        for n in names():
            checked += 1
            gi, gp = data_bricks(gbricks, d, n)
            ji, jp = data_bricks(jbricks, d, n)
            for i in gi: per_dir["gluster"][i - 1] += 1
            for i in ji: per_dir["glusterj"][i - 1] += 1
            why = [f"GlusterFS {p}" for p in gp] + [f"glusterj {p}" for p in jp]
            if len(gi) != 1: why.append(f"GlusterFS has the data on bricks {gi}")
            if len(ji) != 1: why.append(f"glusterj has the data on bricks {ji}")
            if not why:
                g, j = gl[gi[0] - 1], jl[ji[0] - 1]
                if max(g[0], j[0]) > min(g[1], j[1]):
                    why.append(f"GlusterFS brick {gi[0]} ({fmt(g)}) and glusterj brick {ji[0]} ({fmt(j)}) "
                               "share no hash value")
                elif same and gi != ji:
                    why.append(f"identical layouts but GlusterFS brick {gi[0]}, glusterj brick {ji[0]}")
            if why:
                bad.append(f"{where.rstrip('/')}/{n!r}: " + "; ".join(why))
            else:
                agree += 1
        print(f"files per brick in {where}: GlusterFS {per_dir['gluster']}  glusterj {per_dir['glusterj']}")
    print(f"names checked: {checked} ({len(names())} names x {1 + len(subdirs)} directories)")
    print(f"agreements:    {agree}")
    print(f"disagreements: {len(bad)}")
    for b in bad:
        print("  " + b)
    return 0 if not bad and checked else 1

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "create":
        create(sys.argv[2], sys.argv[3:])
    elif cmd == "compare":
        sys.exit(compare(sys.argv[2], sys.argv[3], sys.argv[4:]))
    elif cmd == "count":
        print(len(names()))
PY

count=$(python3 "$WORK/placement.py" count) || die "the name list is broken (see above)"
say "creating $count names in / and in ${SUBDIRS[*]} of both volumes"
python3 "$WORK/placement.py" create "$GMNT" "${SUBDIRS[@]}" || die "creating names on GlusterFS ($GMNT) failed"
python3 "$WORK/placement.py" create "$JMNT" "${SUBDIRS[@]}" || die "creating names on glusterj ($JMNT) failed"
sync

say "on-brick layouts (getfattr -n trusted.glusterfs.dht -e hex):"
for b in "$GBRICKS"/b1 "$GBRICKS"/b2 "$JROOT"/b1 "$JROOT"/b2; do
  for d in "$b" "${SUBDIRS[@]/#/$b/}"; do
    printf '  %-60s %s\n' "$d" "$(getfattr --absolute-names -n trusted.glusterfs.dht -e hex "$d" 2>&1 | sed -n 's/^trusted.glusterfs.dht=//p')"
  done
done
set +e
python3 "$WORK/placement.py" compare "$GBRICKS/b1,$GBRICKS/b2" "$JROOT/b1,$JROOT/b2" "${SUBDIRS[@]}"
status=$?
set -e
if [ "$status" = 0 ]; then say "PASS: glusterj places every name as GlusterFS 10 does"; else say "FAIL: see the disagreements above"; fi
