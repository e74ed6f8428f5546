#!/usr/bin/env bash
# Installs what pavepkg needs on Debian/Ubuntu and is not there yet: the C libraries (zstd, zlib, OpenBLAS,
# SQLite) with pkg-config, the zstd / sqlite3 command-line tools the tests compare against, and for `push` / `pull`
# tests and the demo: the CNCF registry (docker-registry), skopeo and htpasswd (apache2-utils).
# Swift 6 itself must already be on PATH (swift.org toolchain).
set -euo pipefail
need=()
for p in libzstd-dev zlib1g-dev libopenblas-dev libsqlite3-dev pkg-config zstd sqlite3 docker-registry skopeo apache2-utils; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift not found on PATH: install a Swift 6 toolchain" >&2; exit 2; }
