#!/usr/bin/env bash
# The main job on the bundled samples, from a fresh Debian machine with Swift 6:
# install what is missing → build (release) → generate the sample patches → pack → inspect → verify (hashes,
# numerics, base model) → install into a private registry → list / search → compose video + audio → verify the stack.
# Everything it writes goes to samples/out/ (gitignored); the registry is samples/out/pave-home, not ~/.pave.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
echo "building pavepkg (release)…" >&2
swift build -c release --product pavepkg >/dev/null
swift build -c release --product pavepkg-bench >/dev/null
bin="$(swift build -c release --show-bin-path)"
export PATH="$bin:$PATH"
export OPENBLAS_NUM_THREADS=2
export SOURCE_DATE_EPOCH=1767225600            # 2026-01-01T00:00:00Z: the packs are byte-identical everywhere
out=samples/out
export PAVE_HOME="$PWD/$out/pave-home"
rm -rf "$out" && mkdir -p "$out"
sig=samples/base-signatures/llava-onevision-qwen2-7b-ov.sig.json
wrong=samples/base-signatures/llava-onevision-qwen2-0.5b-ov.sig.json

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step pavepkg-bench generate-samples --out "$out"
for p in pave-7b-audio pave-7b-video; do
  step pavepkg pack "$out/$p.safetensors" --manifest "$out/$p.manifest.json" --base "$sig" -o "$out/$p.pave"
done
step pavepkg inspect "$out/pave-7b-audio.pave"
step pavepkg verify "$out/pave-7b-audio.pave" --base "$sig"
printf '\n\033[1m$ pavepkg verify %s --base %s   # the wrong base: refused\033[0m\n' "$out/pave-7b-audio.pave" "$wrong"
status=0; pavepkg verify "$out/pave-7b-audio.pave" --base "$wrong" > "$out/wrong-base.txt" 2>&1 || status=$?
grep -E '^error: (structural|architecture: the patch was made for hidden_size|model.layers.0.self_attn.q_proj: lora_A|fusion.output_dim)|^FAIL|FAILED' "$out/wrong-base.txt"
echo "(exit status $status; all $(grep -c '^error:' "$out/wrong-base.txt") mismatches in $out/wrong-base.txt)"
step pavepkg install "$out/pave-7b-audio.pave" "$out/pave-7b-video.pave" --base "$sig"
step pavepkg list
step pavepkg search audio
step pavepkg compose pave-7b-video pave-7b-audio --weight pave-7b-audio=0.5 --name video-audio --version 1.0.0 \
  -o "$out/video-audio.pave"
step pavepkg inspect "$out/video-audio.pave"
step pavepkg verify "$out/video-audio.pave" --base "$sig"
step pavepkg install "$out/video-audio.pave"
step pavepkg gc --dry-run
printf '\n\033[1mdone:\033[0m the patches are in %s, the registry in %s\n' "$out" "$PAVE_HOME"
