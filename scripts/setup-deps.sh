#!/usr/bin/env bash
# Installs what glusterj needs on a fresh Debian machine: a JDK 17 and Maven to build,
# libfuse2 (loaded by jnr-fuse) and fuse3 (fusermount) to mount, attr/fio for tests and
# benchmarks, python3 and strace for the POSIX tests. Does nothing when all of it is present.
set -euo pipefail
need=()
command -v javac >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
# The POSIX integration tests run a python3 script on the mount and trace a brick with strace.
command -v python3 >/dev/null 2>&1 || need+=(python3)
command -v strace >/dev/null 2>&1 || need+=(strace)
for pkg in libfuse2 fuse3 attr fio; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-deps: missing packages: ${need[*]}; run this script as root (or install them with apt-get)" >&2
    exit 1
  fi
  echo "setup-deps: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ ! -e /dev/fuse ]; then
  modprobe fuse 2>/dev/null || true
fi
if [ ! -e /dev/fuse ]; then
  echo "setup-deps: /dev/fuse is missing and the fuse module could not be loaded; glusterj cannot mount here" >&2
  exit 1
fi
