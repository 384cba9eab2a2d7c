#!/usr/bin/env bash
# The main job: builds glusterj, starts the bricks of a volume on loopback and mounts it.
#   scripts/run.sh [CLIENT-VOLFILE] [MOUNTPOINT] [--foreground]
# Defaults: volfiles/two-brick.vol at /mnt/glusterj. The client volfile names its brick volfiles
# in a "# bricks:" comment. Stop everything with scripts/stop.sh (or Ctrl-C with --foreground).
set -euo pipefail
cd "$(dirname "$0")/.."
foreground=no
pos=()
for a in "$@"; do
  case "$a" in
    --foreground) foreground=yes ;;
    -h|--help) sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) pos+=("$a") ;;
  esac
done
VOLFILE=${pos[0]:-volfiles/two-brick.vol}
MNT=${pos[1]:-/mnt/glusterj}
RUN=run
[ -f "$VOLFILE" ] || { echo "run.sh: no volfile $VOLFILE" >&2; exit 2; }

echo "[1/4] checking system packages"
scripts/setup-deps.sh
echo "[2/4] building (mvn package, about a minute the first time)"
mvn -q -B package -DskipTests
scripts/stop.sh --quiet || true
mkdir -p "$RUN"

bricks=$(sed -n 's/^# bricks:[[:space:]]*//p' "$VOLFILE")
echo "[3/4] starting bricks: ${bricks:-none listed}"
for b in $bricks; do
  vf="volfiles/$b"
  name=$(basename "$b" .vol)
  for d in $(awk '$1=="option" && $2=="directory" {print $3}' "$vf"); do mkdir -p "$d"; done
  port=$(awk '$1=="option" && $2=="transport.socket.listen-port" {print $3}' "$vf")
  setsid nohup java -jar target/glusterj-brick.jar "$vf" --log-file "$RUN/$name.log" </dev/null >"$RUN/$name.out" 2>&1 &
  echo $! > "$RUN/$name.pid"
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    kill -0 "$(cat "$RUN/$name.pid")" 2>/dev/null || { echo "brick $name failed to start:" >&2; cat "$RUN/$name.out" "$RUN/$name.log" >&2 2>/dev/null; exit 1; }
    sleep 0.1
  done
  echo "      brick $name serving on 127.0.0.1:$port (log: $RUN/$name.log)"
done

echo "[4/4] mounting $VOLFILE at $MNT"
mkdir -p "$MNT"
if [ "$foreground" = yes ]; then
  trap 'scripts/stop.sh --quiet' EXIT
  echo "      serving in the foreground; press Ctrl-C to unmount and stop the bricks"
  java -jar target/glusterj-client.jar "$VOLFILE" "$MNT"
  exit $?
fi
setsid nohup java -jar target/glusterj-client.jar "$VOLFILE" "$MNT" --log-file "$RUN/client.log" </dev/null >"$RUN/client.out" 2>&1 &
echo $! > "$RUN/client.pid"
echo "$MNT" > "$RUN/mountpoint"
for _ in $(seq 1 200); do
  grep -qs " $MNT fuse" /proc/mounts && break
  kill -0 "$(cat "$RUN/client.pid")" 2>/dev/null || { echo "mount failed:" >&2; cat "$RUN/client.out" "$RUN/client.log" >&2 2>/dev/null; exit 1; }
  sleep 0.1
done
grep -qs " $MNT fuse" /proc/mounts || { echo "mount did not appear within 20 s; see $RUN/client.log" >&2; exit 1; }
cat <<MSG

glusterj volume mounted at $MNT. Try:
    cp /etc/services $MNT/ && ls -l $MNT && cat $MNT/services | head
Brick data lives under the directories named in the brick volfiles ($bricks).
Logs are in $RUN/. Stop (unmount and stop the bricks) with:
    scripts/stop.sh
MSG
