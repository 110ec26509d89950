#!/usr/bin/env bash
# Reproduces the peer comparison table on a fresh Debian bookworm machine: installs what it needs
# (apt packages including PostgreSQL, and .venv with pandas, DuckDB and psycopg), builds the command
# line and the C++ API contestant in Release, pip-installs the Python package into .venv, then runs
# bench/peers/run.py with the arguments given (e.g. --sizes 1M:10k --threads 1 --markdown peers.md).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)" --target incentives_cli incentives_peer
.venv/bin/python -m pip install -q .
exec .venv/bin/python bench/peers/run.py "$@"
