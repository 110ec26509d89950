#!/usr/bin/env bash
# The main job: set up, build the `incentives` command line (Release), and run a bulk accrual of the
# bundled reseller program over the bundled sample data, printing a statement per partner.
# Standard output carries the statements alone (`bash scripts/demo.sh > statements.txt`); setting up
# and building write to build/logs/demo.log, with one progress line per step on standard error and
# the log's tail when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build/logs
log=build/logs/demo.log
: > "$log"

quiet_step() {  # quiet_step "what" command...: the command's output to the log
  local what=$1 start=$SECONDS
  shift
  printf '%s ...' "$what" >&2
  if "$@" >>"$log" 2>&1; then
    printf ' done (%ds)\n' $((SECONDS - start)) >&2
  else
    local status=$?
    printf ' FAILED (exit %d); the end of %s:\n' "$status" "$log" >&2
    tail -n 30 "$log" >&2
    exit "$status"
  fi
}

quiet_step "setting up (Debian packages)" env INCENTIVES_SKIP_VENV=1 bash scripts/setup.sh
quiet_step "configuring the build" cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DINCENTIVES_BUILD_TESTS=OFF
quiet_step "building the command line (build/release/src/incentives)" cmake --build build/release -j "$(nproc)" --target incentives_cli
./build/release/src/incentives demo "$@"
