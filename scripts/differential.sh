#!/usr/bin/env bash
# Runs N generated programs (default 1000) through the engine and the reference model
# (tests/python/differential), and a tenth of them through the command line when INCENTIVES_CLI is set
# (default: build/dev/src/incentives if it exists). Prints: cases, agreed, seconds.
#   scripts/differential.sh 10000
# The Python package must be importable (pip install ., or PYTHONPATH pointing at a built package).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
n=${1:-1000}
python=${PYTHON:-$root/.venv/bin/python}
if [[ -z "${INCENTIVES_CLI:-}" && -x "$root/build/dev/src/incentives" ]]; then
    export INCENTIVES_CLI="$root/build/dev/src/incentives"
fi
summary=$(mktemp)
trap 'rm -f "$summary"' EXIT
start=$(date +%s.%N)
status=0
(cd tests/python && INCENTIVES_DIFF_EXAMPLES="$n" INCENTIVES_DIFF_SUMMARY="$summary" \
    "$python" -m pytest -q -p no:cacheprovider differential) || status=$?
end=$(date +%s.%N)
"$python" - "$summary" "$start" "$end" <<'PY'
import json, sys
try:
    c = json.load(open(sys.argv[1]))
except (OSError, ValueError):
    c = {}
seconds = float(sys.argv[3]) - float(sys.argv[2])
print(f"differential: cases {c.get('cases', 0)}, agreed {c.get('agreed', 0)}; "
      f"through the CLI {c.get('cli_cases', 0)}, agreed {c.get('cli_agreed', 0)}; "
      f"invalid programs {c.get('invalid', 0)}, refused with their code {c.get('refused', 0)}; "
      f"{seconds:.1f} seconds")
PY
exit $status
