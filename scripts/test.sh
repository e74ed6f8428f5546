#!/usr/bin/env bash
# Installs what is missing, builds, runs a short smoke of every fuzz harness (scripts/fuzz.sh --smoke: one
# sanitizer build, 20 s per harness; any finding fails), then the whole test suite (its summary is the last line).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/oms-venv.sh   # PyPI model-signing 1.1.1 for the signing interop tests
export OPENBLAS_NUM_THREADS=1
swift build --build-tests
bash scripts/fuzz.sh --smoke
swift test
