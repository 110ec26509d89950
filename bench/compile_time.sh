#!/usr/bin/env bash
# CPU time (user + sys) to parse the umbrella header: g++ -std=c++20 -fsyntax-only on a file that
# only includes <incentives/incentives.hpp>. Prints the best of N runs (default 3), in seconds.
#   bench/compile_time.sh [runs] [extra compiler flags...]   e.g. bench/compile_time.sh 3 -DINCENTIVES_HEADER_ONLY
# CXX picks the compiler (default g++); INCLUDE the include directory (default include), e.g. an
# extracted older tree to compare with. CPU time, not wall time, so a busy machine disturbs it less.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift || true
cxx=${CXX:-g++}
inc=${INCLUDE:-include}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#include <incentives/incentives.hpp>\n' > "$tmp/umbrella.cpp"

best=
for ((i = 0; i < runs; ++i)); do
  # %U and %S: user and system CPU seconds of the compiler and its children (cc1plus).
  /usr/bin/time -f '%U %S' -o "$tmp/time" "$cxx" -std=c++20 -fsyntax-only -I"$inc" "$@" "$tmp/umbrella.cpp"
  t=$(awk '{ printf "%.2f", $1 + $2 }' "$tmp/time")
  echo "run $((i + 1)): ${t} s" >&2
  if [[ -z $best ]] || awk -v a="$t" -v b="$best" 'BEGIN { exit !(a < b) }'; then best=$t; fi
done
echo "umbrella header parse (${cxx} -std=c++20 -fsyntax-only -I${inc}${*:+ $*}): best of ${runs}: ${best} s CPU (user+sys)"
