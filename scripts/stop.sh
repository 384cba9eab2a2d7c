#!/usr/bin/env bash
# Unmounts the volume scripts/run.sh mounted and stops its bricks.
set -u
cd "$(dirname "$0")/.."
RUN=run
quiet=no; [ "${1:-}" = --quiet ] && quiet=yes
say() { [ "$quiet" = yes ] || echo "$@"; }
stop_pid() { # pidfile
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$1"
}
stop_pid "$RUN/client.pid"
if [ -f "$RUN/mountpoint" ]; then
  mnt=$(cat "$RUN/mountpoint")
  if grep -qs " $mnt fuse" /proc/mounts; then fusermount -uz "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null; fi
  say "unmounted $mnt"
  rm -f "$RUN/mountpoint"
fi
for p in "$RUN"/*.pid; do [ -e "$p" ] && { stop_pid "$p"; say "stopped $(basename "$p" .pid)"; }; done
exit 0
