#!/usr/bin/env bash
# The main job: set up, build the `incentives` command line (Release), and run a bulk accrual of the
# bundled reseller program over the bundled sample data, printing a statement per partner.
set -euo pipefail
cd "$(dirname "$0")/.."
INCENTIVES_SKIP_VENV=1 bash scripts/setup.sh
cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DINCENTIVES_BUILD_TESTS=OFF >/dev/null
cmake --build build/release -j "$(nproc)" --target incentives_cli
./build/release/src/incentives demo "$@"
