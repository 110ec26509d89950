#!/usr/bin/env bash
# Installs what building and testing incentives needs on Debian bookworm: the C++ dependencies from
# Debian's packages, PostgreSQL (a contestant in bench/peers), Java (for PySpark's local Spark in the
# tests of incentives.spark) and a Python virtual environment (.venv)
# with the test tools from PyPI.
# Idempotent: packages already present are not fetched again.
set -euo pipefail
cd "$(dirname "$0")/.."

debs=(build-essential cmake ninja-build python3-dev python3-venv
      libboost-dev libfmt-dev libyaml-cpp-dev doctest-dev libbenchmark-dev libcli11-dev librandom123-dev
      clang libclang-rt-14-dev postgresql openjdk-17-jre-headless)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO=sudo
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if [ "${INCENTIVES_SKIP_VENV:-0}" != 1 ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements-dev.txt
fi
