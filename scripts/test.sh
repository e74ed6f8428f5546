#!/usr/bin/env bash
# Installs what is missing, then builds and runs the whole test suite, then a short smoke run of every fuzz
# harness (scripts/fuzz.sh --smoke: one sanitizer build, 20 s per harness; any finding fails).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/oms-venv.sh   # PyPI model-signing 1.1.1 for the signing interop tests
export OPENBLAS_NUM_THREADS=1
swift build --build-tests
swift test
bash scripts/fuzz.sh --smoke
