#!/usr/bin/env bash
# Brings a real GlusterFS pure-distribute volume up on this host, or takes it down again.
#   scripts/gluster-volume.sh up|down [--bricks N] [--name VOL] [--mount DIR] [--install]
# Defaults: 2 bricks, volume "baseline", mounted at /mnt/gluster-baseline. Bricks live under
# /var/tmp/gluster-baseline/VOL/b1..bN (root filesystem, hence "force"). Needs root.
# up is idempotent; down unmounts, stops and deletes the volume and its bricks, and stops glusterd
# only if this script started it. --install lets up apt-get install glusterfs-server/client.
set -euo pipefail

ROOT=/var/tmp/gluster-baseline
STARTED_MARK=$ROOT/.glusterd-started-by-script   # holds "pid PID" or "systemd"
CLI_TIMEOUT=90

usage() { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; }
say() { echo "gluster-volume: $*"; }
die() { echo "gluster-volume: error: $*" >&2; exit 1; }

action=${1:-}
[ $# -gt 0 ] && shift
bricks=2 vol=baseline mnt=/mnt/gluster-baseline mnt_given=no install=no
while [ $# -gt 0 ]; do
  case "$1" in
    --bricks) [ $# -ge 2 ] || die "--bricks needs a number"; bricks=$2; shift 2 ;;
    --name)   [ $# -ge 2 ] || die "--name needs a volume name"; vol=$2; shift 2 ;;
    --mount)  [ $# -ge 2 ] || die "--mount needs a directory"; mnt=$2; mnt_given=yes; shift 2 ;;
    --install) install=yes; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument '$1'" ;;
  esac
done
case "$action" in up|down) ;; -h|--help) usage; exit 0 ;; *) usage >&2; die "first argument must be up or down, got '${action}'" ;; esac
[[ "$bricks" =~ ^[0-9]+$ ]] && [ "$bricks" -ge 1 ] && [ "$bricks" -le 64 ] || die "--bricks must be a number from 1 to 64, got '$bricks'"
[[ "$vol" =~ ^[A-Za-z0-9_-]{1,64}$ ]] || die "--name may only use letters, digits, _ and - (at most 64), got '$vol'"
[ "$(id -u)" = 0 ] || die "must run as root (glusterd, trusted.* xattrs on bricks and mount need it)"
mnt=$(realpath -m "$mnt")
voldir=$ROOT/$vol
mount_record=$ROOT/$vol.mount

gl() { timeout "$CLI_TIMEOUT" gluster --mode=script "$@"; }
is_mounted() { awk -v m="$1" '$2 == m { found = 1 } END { exit !found }' /proc/mounts; }
mount_type() { awk -v m="$1" '$2 == m { t = $3 } END { print t }' /proc/mounts; }
glusterd_up() { timeout 10 gluster --mode=script pool list >/dev/null 2>&1; }
volume_exists() { gl volume info "$vol" >/dev/null 2>&1; }

unmount_dir() { # DIR: unmounts, lazily if a plain umount fails (a dead glusterfs client)
  local dir=$1
  is_mounted "$dir" || return 0
  timeout 30 umount "$dir" 2>/dev/null || umount -l "$dir" 2>/dev/null || true
  is_mounted "$dir" && die "could not unmount $dir; check 'fuser -m $dir' and unmount it by hand"
  return 0
}

need_packages() {
  local missing=()
  command -v glusterd >/dev/null || missing+=(glusterfs-server)
  { command -v glusterfs >/dev/null && [ -x /sbin/mount.glusterfs ]; } || missing+=(glusterfs-client)
  command -v getfattr >/dev/null || missing+=(attr)
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$install" = yes ] || die "missing package(s): ${missing[*]}; pass --install to apt-get install them"
  say "installing ${missing[*]} with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; } \
    || die "apt-get install ${missing[*]} failed"
}

start_glusterd() {
  if glusterd_up; then say "glusterd already running"; return 0; fi
  mkdir -p "$ROOT"
  # systemd is not PID 1 in containers and VMs started by a supervisor; start glusterd directly there.
  if [ -d /run/systemd/system ] && systemctl start glusterd 2>/dev/null; then
    echo systemd > "$STARTED_MARK"
    say "started glusterd with systemctl"
  else
    pgrep -x glusterd >/dev/null && die "a glusterd process exists but does not answer 'gluster pool list'; see /var/log/glusterfs/glusterd.log"
    glusterd -p /run/glusterd.pid || die "glusterd failed to start; see /var/log/glusterfs/glusterd.log"
    say "started glusterd (pid $(cat /run/glusterd.pid 2>/dev/null || echo '?'))"
  fi
  for _ in $(seq 1 60); do
    if glusterd_up; then
      [ -s "$STARTED_MARK" ] || echo "pid $(cat /run/glusterd.pid)" > "$STARTED_MARK"
      return 0
    fi
    sleep 0.5
  done
  die "glusterd did not answer within 30 s; see /var/log/glusterfs/glusterd.log"
}

stop_glusterd_if_ours() {
  [ -f "$STARTED_MARK" ] || { say "glusterd was not started by this script: left running"; return 0; }
  local others
  others=$(gl volume list 2>/dev/null | grep -v '^No volumes present' || true)
  if [ -n "$others" ]; then
    say "glusterd left running: other volumes exist ($(echo $others))"
    return 0
  fi
  local how; how=$(cat "$STARTED_MARK")
  if [ "$how" = systemd ]; then
    systemctl stop glusterd || die "systemctl stop glusterd failed"
  else
    local pid=${how#pid }
    if [[ "$pid" =~ ^[0-9]+$ ]] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = glusterd ]; then
      kill -TERM "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -0 "$pid" 2>/dev/null && die "glusterd (pid $pid) did not stop after SIGTERM"
    fi
  fi
  rm -f "$STARTED_MARK"
  say "stopped glusterd (this script had started it)"
}

# glusterd rejects "localhost"/127.0.0.1 as a brick host, but takes a hostname that resolves to
# this machine (here via /etc/hosts to a loopback address).
brick_host() {
  local h; h=$(hostname)
  getent hosts "$h" >/dev/null || die "hostname '$h' does not resolve; add it to /etc/hosts"
  echo "$h"
}

check_existing_volume() {
  local info; info=$(gl volume info "$vol")
  local type count
  type=$(sed -n 's/^Type: //p' <<<"$info")
  count=$(grep -c "^Brick[0-9]*: " <<<"$info" || true)
  [ "$type" = Distribute ] && [ "$count" = "$bricks" ] \
    || die "volume $vol exists as '$type' with $count brick(s), not Distribute with $bricks; run '$0 down --name $vol' first"
  grep -q "^Brick1: .*:$voldir/b1\$" <<<"$info" \
    || die "volume $vol exists but its bricks are not under $voldir; it was not made by this script, leaving it alone"
}

do_up() {
  if is_mounted "$mnt" && [ "$(mount_type "$mnt")" != fuse.glusterfs ]; then
    die "$mnt is already mounted ($(mount_type "$mnt")); choose another --mount"
  fi
  need_packages
  start_glusterd
  local host; host=$(brick_host)
  if volume_exists; then
    check_existing_volume
    say "volume $vol exists (Distribute, $bricks bricks)"
  else
    # Bricks left from an interrupted run carry a volume-id xattr that glusterd refuses; the
    # volume is gone, so they hold nothing worth keeping.
    [ -d "$voldir" ] && { say "removing stale brick directories in $voldir"; rm -rf "$voldir"; }
    local specs=()
    for i in $(seq 1 "$bricks"); do mkdir -p "$voldir/b$i"; specs+=("$host:$voldir/b$i"); done
    say "creating volume $vol: ${specs[*]}"
    gl volume create "$vol" "${specs[@]}" force >/dev/null || die "'gluster volume create $vol' failed (see above)"
  fi
  if gl volume info "$vol" | grep -q '^Status: Started'; then
    # After a glusterd restart a brick may be down; "start force" restarts just those.
    if gl volume status "$vol" detail 2>/dev/null | grep -q '^Online *: N'; then
      say "restarting offline bricks of $vol"
      gl volume start "$vol" force >/dev/null || die "'gluster volume start $vol force' failed"
    else
      say "volume $vol already started"
    fi
  else
    say "starting volume $vol"
    gl volume start "$vol" >/dev/null || die "'gluster volume start $vol' failed; see /var/log/glusterfs/bricks/"
  fi
  if is_mounted "$mnt"; then
    local t; t=$(mount_type "$mnt")
    [ "$t" = fuse.glusterfs ] || die "$mnt is already mounted ($t); choose another --mount"
    timeout 10 stat "$mnt" >/dev/null || die "$mnt is a glusterfs mount that does not answer; run '$0 down' first"
    say "$vol already mounted at $mnt"
  else
    mkdir -p "$mnt"
    say "mounting $host:/$vol at $mnt"
    # A failed or hung mount must not stay behind.
    trap 'unmount_dir "$mnt" || true' EXIT
    local log; log=/var/log/glusterfs/$(echo "${mnt#/}" | tr / -).log
    timeout 60 mount -t glusterfs "$host:/$vol" "$mnt" || die "mount -t glusterfs $host:/$vol $mnt failed; see $log"
    is_mounted "$mnt" || die "mount of $vol at $mnt did not appear; see $log"
    timeout 20 stat -f "$mnt" >/dev/null || die "mount at $mnt does not answer; see $log"
    trap - EXIT
  fi
  echo "$mnt" > "$mount_record"
  say "up: volume $vol ($bricks bricks under $voldir) mounted at $mnt"
}

do_down() {
  # Without --mount, unmount where up mounted this volume.
  if [ "$mnt_given" = no ] && [ -s "$mount_record" ]; then mnt=$(cat "$mount_record"); fi
  if is_mounted "$mnt"; then
    local t; t=$(mount_type "$mnt")
    [ "$t" = fuse.glusterfs ] || die "$mnt is mounted as '$t', not glusterfs; not touching it"
    unmount_dir "$mnt"
    say "unmounted $mnt"
  else
    say "$mnt not mounted"
  fi
  # glusterd must run to forget a volume it still has on record.
  if [ -d "/var/lib/glusterd/vols/$vol" ] && ! glusterd_up; then start_glusterd; fi
  if command -v gluster >/dev/null && glusterd_up && volume_exists; then
    if gl volume info "$vol" | grep -q '^Status: Started'; then
      gl volume stop "$vol" force >/dev/null || die "'gluster volume stop $vol' failed"
      say "stopped volume $vol"
    fi
    gl volume delete "$vol" >/dev/null || die "'gluster volume delete $vol' failed"
    say "deleted volume $vol"
  elif [ -d "$voldir" ] && ! glusterd_up; then
    say "glusterd is not running: cannot check for volume $vol; only its brick directories are removed"
  else
    say "no volume $vol"
  fi
  rmdir "$mnt" 2>/dev/null || true   # only if empty: the mount point up made
  rm -rf "$voldir" "$mount_record"
  say "removed $voldir"
  if glusterd_up || [ -f "$STARTED_MARK" ]; then stop_glusterd_if_ours; fi
  rmdir "$ROOT" 2>/dev/null || true
  say "down: done"
}

"do_$action"
