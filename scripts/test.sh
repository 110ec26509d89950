#!/usr/bin/env bash
# The full test run, as CI does it: set up, build with warnings as errors, run the C++ tests, install
# and build the consumer package test, pip-install the Python package and run pytest, run the commands
# and snippets of the documentation (tests/docs/run_doc_blocks.py), check that every implementation of
# the peer comparison (bench/peers) agrees to the cent on a small data set, then run the C++ tests again
# under AddressSanitizer + UndefinedBehaviorSanitizer, then run each fuzz target for a bounded time.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
jobs=$(nproc)

# Each step prints its name, then its duration when the next begins; the end prints the table.
steps=() times=()
step_started=$SECONDS
step() {
  finish_step
  steps+=("$*")
  step_started=$SECONDS
  printf '\n==> [%s] %s\n' "$(date -u +%H:%M:%S)" "$*"
}
finish_step() {
  if [ ${#steps[@]} -gt ${#times[@]} ]; then
    times+=($((SECONDS - step_started)))
    printf '==> %s: %ds\n' "${steps[-1]}" "${times[-1]}"
  fi
}
table() {
  finish_step
  printf '\n%-72s %8s\n' "step" "seconds"
  for i in "${!steps[@]}"; do printf '%-72.72s %8d\n' "${steps[$i]}" "${times[$i]}"; done
  printf '%-72s %8d\n' "total" "$SECONDS"
}
trap 'status=$?; if [ $status -ne 0 ]; then table; printf "\nFAILED in step: %s\n" "${steps[-1]:-}"; fi' EXIT

step "setup"
bash scripts/setup.sh

step "C++ build (developer mode: pedantic warnings as errors) and tests"
cmake --preset dev -DCMAKE_INSTALL_PREFIX="$root/build/install"
cmake --build --preset dev -j "$jobs"
ctest --preset dev -j "$jobs"

step "install, then build the consumer project against the installed package"
cmake --install build/dev >/dev/null
cmake -S tests/package -B build/package -G Ninja -DCMAKE_PREFIX_PATH="$root/build/install"
cmake --build build/package
./build/package/consumer

step "Python package (pip install '.[all]': the extension, the incentives command, every extra) and pytest"
.venv/bin/python -m pip install -q "$root[all]"
(cd "$root/tests/python" && INCENTIVES_CLI="$root/build/dev/src/incentives" "$root/.venv/bin/python" -m pytest -q -p no:cacheprovider)

step "documentation: every sh and python block of README.md and docs/, with .venv/bin first on PATH"
.venv/bin/python tests/docs/run_doc_blocks.py

step "peer comparison smoke run"
INCENTIVES_PEER_REQUIRED=1 .venv/bin/python bench/peers/run.py --smoke --cli build/dev/src/incentives --peer build/dev/bench/incentives_peer

step "C++ tests under AddressSanitizer + UndefinedBehaviorSanitizer"
cmake --preset asan
cmake --build --preset asan -j "$jobs" --target incentives_tests
# The ledger property tests take 100,000 sequences in the plain build; a tenth under the sanitizers.
INCENTIVES_LEDGER_PROPERTY_CASES=10000 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ./build/asan/tests/incentives_tests

step "fuzzing: each libFuzzer target (decimal, CSV, columns, YAML) under ASan + UBSan, seed 1, a fixed number of inputs"
bash scripts/fuzz.sh --ci

table
printf '\nall tests passed\n'
