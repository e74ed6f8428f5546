#!/usr/bin/env bash
# Generates the sample inputs into samples/out/ (gitignored) and packs them:
#   samples/out/pave-7b-audio-fusion.safetensors  PAVE 7B audio fusion module (30 BF16 tensors, 8,996,352 params, fixed seed)
#   samples/out/pave-7b-audio-fusion.pave         the same, packed
#   samples/out/tiny.safetensors                   4-tensor miniature; packed it is the committed samples/tiny.pave
# Usage: samples/generate.sh [--release]   (deterministic: same bytes on every machine)
set -euo pipefail
cd "$(dirname "$0")/.."
config=debug
[ "${1:-}" = "--release" ] && config=release
swift build -c "$config" --product pavepkg-bench >/dev/null
swift build -c "$config" --product pavepkg >/dev/null
bin=$(swift build -c "$config" --show-bin-path)
"$bin/pavepkg-bench" generate-samples --out samples/out --seed 20260101
export SOURCE_DATE_EPOCH=1767225600   # 2026-01-01T00:00:00Z: packs are byte-identical everywhere
"$bin/pavepkg" pack samples/out/pave-7b-audio-fusion.safetensors --manifest samples/out/pave-7b-audio-fusion.manifest.json \
  -o samples/out/pave-7b-audio-fusion.pave
"$bin/pavepkg" pack samples/out/tiny.safetensors -o samples/out/tiny.pave --name tiny-fusion-sample --version 1.0.0
if ! cmp -s samples/out/tiny.pave samples/tiny.pave; then
  echo "note: samples/out/tiny.pave differs from the committed samples/tiny.pave" >&2
fi
