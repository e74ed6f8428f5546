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

# Sharing through an OCI registry: a loopback CNCF registry (docker-registry), push, pull into a fresh PAVE_HOME.
if command -v docker-registry >/dev/null; then
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  mkdir -p "$out/oci"
  printf 'version: 0.1\nlog: {level: error, accesslog: {disabled: true}}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' \
    "$PWD/$out/oci/storage" "$port" > "$out/oci/config.yml"
  docker-registry serve "$out/oci/config.yml" > "$out/oci/registry.log" 2>&1 &
  registry_pid=$!
  trap 'kill $registry_pid 2>/dev/null || true' EXIT
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
  reg="127.0.0.1:$port"
  step pavepkg push pave-7b-video "$reg/demo/pave-7b-video"
  step pavepkg push pave-7b-audio "$reg/demo/pave-7b-audio"
  step pavepkg push video-audio "$reg/demo/video-audio"      # shares its members' tensor blobs: mounted, not re-sent
  step pavepkg tags "$reg/demo/video-audio"
  export PAVE_HOME="$PWD/$out/pave-home-pulled"                # a second machine, in effect
  printf '\n\033[1m$ pavepkg pull %s --base %s   # the wrong base: refused from the config blob\033[0m\n' "$reg/demo/pave-7b-audio:1.0.0" "$wrong"
  pavepkg pull "$reg/demo/pave-7b-audio:1.0.0" --base "$wrong" || echo "(exit status $?)"
  step pavepkg pull "$reg/demo/pave-7b-audio:1.0.0" --base "$sig"
  step pavepkg pull "$reg/demo/video-audio:1.0.0" --base "$sig"
  step pavepkg list
  kill $registry_pid 2>/dev/null || true
  wait $registry_pid 2>/dev/null || true
  trap - EXIT
else
  echo "(docker-registry not installed: skipping push / pull; scripts/install-deps.sh installs it)"
fi
printf '\n\033[1mdone:\033[0m the patches are in %s, the registry in %s\n' "$out" "$PAVE_HOME"
