#!/usr/bin/env bash
# Runs every test: unit tests, then integration tests that start real brick processes and mount
# volumes through the kernel's FUSE. Installs what is missing first. Extra arguments go to Maven.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-deps.sh
mvn -B verify "$@"
