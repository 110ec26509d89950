#!/usr/bin/env bash
# Builds the libFuzzer targets (preset fuzz: clang, ASan + UBSan) and runs each for a bounded time on
# its corpus: the seeds in fuzz/seeds/<target>, the test and example data, and what earlier runs found
# (build/fuzz/corpus/<target>). A crash, a leak, a hang (-timeout) or a broken property stops with
# status 1 and leaves the input in build/fuzz/artifacts/; turn it into a regression test.
#
#   bash scripts/fuzz.sh            # 60 s per target
#   bash scripts/fuzz.sh 600        # longer
#   bash scripts/fuzz.sh 30 yaml    # one target
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(decimal csv columns yaml)

cmake --preset fuzz > build-fuzz-configure.log 2>&1 || { cat build-fuzz-configure.log; exit 1; }
rm -f build-fuzz-configure.log
cmake --build --preset fuzz -j "$(nproc)"

seeds_of() {  # extra seed directories per target, from the tests and examples
  case "$1" in
    csv) echo examples/data ;;
    yaml) echo examples/programs tests/data/bad; find tests/data/golden -mindepth 1 -maxdepth 1 -type d ;;
    *) ;;
  esac
}

mkdir -p build/fuzz/artifacts
for t in "${targets[@]}"; do
  corpus=build/fuzz/corpus/$t
  mkdir -p "$corpus"
  printf '\n==> fuzz_%s for %s s\n' "$t" "$seconds"
  # -timeout: one input may take at most 10 s (a hang is a bug); -rss_limit_mb: bounded memory.
  ./build/fuzz/fuzz/fuzz_"$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix=build/fuzz/artifacts/"$t"- "$corpus" fuzz/seeds/"$t" $(seeds_of "$t") 2>build/fuzz/"$t".log ||
    { tail -n 60 build/fuzz/"$t".log; echo "fuzz_$t failed: the input is in build/fuzz/artifacts/"; exit 1; }
  grep -E "^stat::(number_of_executed_units|new_units_added)" build/fuzz/"$t".log | tr '\n' ' '; echo
done
