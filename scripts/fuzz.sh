#!/usr/bin/env bash
# Builds the libFuzzer harnesses of Fuzz/ with -sanitize=fuzzer,address and runs one or all of them.
#
#   scripts/fuzz.sh [--smoke] [TARGET|all] [SECONDS]
#
# TARGET is a harness name (fuzz-pave, fuzz-safetensors, …; `all` by default). SECONDS per harness defaults to
# 60 (20 with --smoke). The corpus grows in Fuzz/.build/fuzz/corpus/TARGET (kept between runs); the seeds come
# from scripts/fuzz-seeds.py and Tests/Fixtures/fuzz/TARGET/ (regression inputs of past findings). A crash,
# a timeout (> 10 s) or an out-of-memory (> 2 GB) stops the run, leaves the input in
# Fuzz/.build/fuzz/artifacts/TARGET/ and makes this script fail. One line of statistics per harness
# (executions, exec/s, coverage) is appended to Fuzz/.build/fuzz/stats.tsv.
# FUZZ_NICE=19 runs the harnesses at low priority; FUZZ_ARGS adds libFuzzer flags; FUZZ_CONFIG=debug builds
# without optimisation (the default with --smoke; otherwise release: about twice the executions per second,
# same checks — Swift keeps overflow and bounds traps in optimised code).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

SMOKE=0
if [[ "${1:-}" == "--smoke" ]]; then SMOKE=1; shift; fi
TARGET=${1:-all}
SECONDS_PER=${2:-$([[ $SMOKE == 1 ]] && echo 20 || echo 60)}

# Harness → dictionaries (Fuzz/dict/*.dict, concatenated: libFuzzer takes one).
declare -A DICTS=(
  [fuzz-pave]="pave manifest json"
  [fuzz-safetensors]="safetensors json"
  [fuzz-manifest]="manifest json"
  [fuzz-basemodel]="basemodel safetensors json"
  [fuzz-zip]="zip torch"
  [fuzz-torch]="torch zip pickle"
  [fuzz-pickle]="pickle"
  [fuzz-checkpoint]="torch zip pickle safetensors json"
  [fuzz-oci]="oci json"
  [fuzz-oms]="oms json"
)
# Harness → longest input (bytes).
declare -A MAXLEN=([fuzz-pave]=65536 [fuzz-safetensors]=16384 [fuzz-manifest]=8192 [fuzz-basemodel]=16384
  [fuzz-zip]=65536 [fuzz-torch]=65536 [fuzz-pickle]=16384 [fuzz-checkpoint]=65536 [fuzz-oci]=16384 [fuzz-oms]=16384)
ALL=(fuzz-pave fuzz-safetensors fuzz-manifest fuzz-basemodel fuzz-zip fuzz-torch fuzz-pickle fuzz-checkpoint fuzz-oci fuzz-oms)

if [[ "$TARGET" == all ]]; then TARGETS=("${ALL[@]}"); else
  [[ -n "${DICTS[$TARGET]+x}" ]] || { echo "unknown harness $TARGET (known: ${ALL[*]})" >&2; exit 2; }
  TARGETS=("$TARGET")
fi

WORK=$ROOT/Fuzz/.build/fuzz
mkdir -p "$WORK"
echo "building the harnesses (fuzzer + address sanitizer)…" >&2
# --smoke builds debug (quicker to build from clean, enough to catch a harness that stops building or a
# shallow crash); campaigns build release.
CONFIG=${FUZZ_CONFIG:-$([[ $SMOKE == 1 ]] && echo debug || echo release)}
BUILD=(swift build -c "$CONFIG" --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address)
(cd Fuzz && "${BUILD[@]}") > "$WORK/build.log" 2>&1 || {
  tail -40 "$WORK/build.log" >&2; echo "the fuzz harnesses do not build (log $WORK/build.log)" >&2; exit 1; }
BIN=$(cd Fuzz && "${BUILD[@]}" --show-bin-path)

rm -rf "$WORK/seeds"
python3 scripts/fuzz-seeds.py "$WORK/seeds"

status=0
for t in "${TARGETS[@]}"; do
  corpus=$WORK/corpus/$t artifacts=$WORK/artifacts/$t dict=$WORK/$t.dict log=$WORK/$t$( (( SMOKE )) && echo .smoke || true).log
  mkdir -p "$corpus" "$artifacts" "$WORK/seeds/$t"
  : > "$dict"
  for d in ${DICTS[$t]}; do cat "Fuzz/dict/$d.dict" >> "$dict"; done
  dirs=("$corpus" "$WORK/seeds/$t")
  [[ -d "Tests/Fixtures/fuzz/$t" ]] && dirs+=("Tests/Fixtures/fuzz/$t")
  echo "== $t: ${SECONDS_PER} s" >&2
  set +e
  nice -n "${FUZZ_NICE:-0}" "$BIN/$t" "${dirs[@]}" -dict="$dict" -max_total_time="$SECONDS_PER" -timeout=10 \
    -rss_limit_mb=2048 -max_len="${MAXLEN[$t]}" -artifact_prefix="$artifacts/" -print_final_stats=1 ${FUZZ_ARGS:-} > "$log" 2>&1
  rc=$?
  set -e
  execs=$(grep -ao 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{print $2}' | tail -1)
  rate=$(grep -ao 'stat::average_exec_per_sec: *[0-9]*' "$log" | awk '{print $2}' | tail -1)
  cov=$(grep -ao 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$(date -u +%FT%TZ)" "$t" "${execs:-?}" "${rate:-?}" "${cov:-?}" "rc=$rc" >> "$WORK/stats.tsv"
  echo "$t: ${execs:-?} executions, ${rate:-?} exec/s, ${cov:-?}, exit $rc" >&2
  if [[ $rc != 0 ]]; then
    status=1
    echo "FINDING in $t (log $log, input in $artifacts/):" >&2
    grep -aE 'ERROR: |Fatal error|SUMMARY|==[0-9]+==' "$log" | head -20 >&2 || tail -30 "$log" >&2
  fi
done
exit $status
