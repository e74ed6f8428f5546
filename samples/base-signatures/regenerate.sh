#!/usr/bin/env bash
# Regenerates the sample base-model signatures in this folder.
#
# For each published LLaVA-OneVision base, `pavepkg-bench make-model-dir` writes a model directory from the
# published config (../../../shared/reference/BASE_MODELS.md; values in ModelDirectoryBuilder.Preset) into a
# temporary folder: config.json, safetensors shards with real headers and a hole for the data (sparse files:
# the 7B directory has ~15 GB of apparent size and takes well under 1 MB on disk), and the shard index.
# Then `pavepkg signature` signs it exactly as it signs a real download. The temporary folder is removed.
#
# Usage: samples/base-signatures/regenerate.sh   (from anywhere; BUILD_CONFIG=release for a release build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
config="${BUILD_CONFIG:-debug}"
cd "$root"
swift build -c "$config" --product pavepkg >/dev/null
swift build -c "$config" --product pavepkg-bench >/dev/null
bin="$(swift build -c "$config" --show-bin-path)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# preset:shards (the 7B checkpoint is published as 4 shards; the 0.5B as one file)
for spec in llava-onevision-qwen2-0.5b-ov:1 llava-onevision-qwen2-7b-ov:4; do
    preset="${spec%%:*}"
    shards="${spec##*:}"
    "$bin/pavepkg-bench" make-model-dir "$preset" "$tmp/$preset" --shards "$shards"
    echo "  on disk: $(du -sh "$tmp/$preset" | cut -f1), apparent: $(du -sh --apparent-size "$tmp/$preset" | cut -f1)"
    "$bin/pavepkg" signature "$tmp/$preset" --name "lmms-lab/$preset" -o "$here/$preset.sig.json"
done
