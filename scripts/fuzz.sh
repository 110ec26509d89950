#!/usr/bin/env bash
# Builds the libFuzzer targets (preset fuzz: clang, ASan + UBSan) and runs each for a bounded time on
# its corpus: the seeds in fuzz/seeds/<target>, the test and example data, and what earlier runs found
# (build/fuzz/corpus/<target>). A crash, a leak, a hang (-timeout) or a broken property stops with
# status 1 and leaves the input in build/fuzz/artifacts/; turn it into a regression test.
#
#   bash scripts/fuzz.sh            # 60 s per target, a new random seed each time
#   bash scripts/fuzz.sh 600        # longer
#   bash scripts/fuzz.sh 30 yaml    # one target
#   bash scripts/fuzz.sh --ci       # the test command's run: seed 1 and a fixed number of inputs per
#                                   # target (~25 s each here), so that it explores the same inputs on
#                                   # every machine; a cap of 180 s per target on a slow one
set -euo pipefail
cd "$(dirname "$0")/.."
ci=0 seconds=60
if [ "${1:-}" = "--ci" ]; then
  ci=1
  shift
elif [ $# -gt 0 ]; then
  seconds=$1
  shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decimal csv columns yaml)

cmake --preset fuzz > build-fuzz-configure.log 2>&1 || { cat build-fuzz-configure.log; exit 1; }
rm -f build-fuzz-configure.log
cmake --build --preset fuzz -j "$(nproc)"

seeds_of() {  # extra seed directories per target, from the tests and examples
  case "$1" in
    csv) echo examples/data ;;
    yaml) echo examples/programs examples/simulation data/tax tests/data/bad; find tests/data/golden -mindepth 1 -maxdepth 1 -type d ;;
    *) ;;
  esac
}

mkdir -p build/fuzz/artifacts
for t in "${targets[@]}"; do
  corpus=build/fuzz/corpus/$t
  mkdir -p "$corpus"
  # -timeout: one input may take at most 10 s (a hang is a bug); -rss_limit_mb: bounded memory.
  limits=(-max_total_time="$seconds")
  if [ $ci = 1 ]; then
    case "$t" in decimal) runs=1500000 ;; csv) runs=100000 ;; columns) runs=300000 ;; *) runs=100000 ;; esac
    limits=(-seed=1 -runs=$runs -max_total_time=180)
    printf '==> fuzz_%s: %s inputs, seed 1\n' "$t" "$runs"
  else
    printf '\n==> fuzz_%s for %s s\n' "$t" "$seconds"
  fi
  ./build/fuzz/fuzz/fuzz_"$t" "${limits[@]}" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/"$t"- "$corpus" fuzz/seeds/"$t" $(seeds_of "$t") 2>build/fuzz/"$t".log ||
    { tail -n 60 build/fuzz/"$t".log; echo "fuzz_$t failed: the input is in build/fuzz/artifacts/"; exit 1; }
  grep -E "^stat::(number_of_executed_units|new_units_added)" build/fuzz/"$t".log | tr '\n' ' '; echo
done
