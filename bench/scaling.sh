#!/usr/bin/env bash
# Scaling curves of the engine (issue 5): builds incentives_bench_scaling with the release preset, runs
# it and plots the results (bench/plot_scaling.py).
#
#     bench/scaling.sh            every sweep (10-20 minutes; several GiB of memory for the large sizes)
#                                 -> build/scaling.json and docs/img/scaling-{events,partners,rules,threads}.png
#     bench/scaling.sh SWEEP      one sweep: events, partners, rules or threads
#                                 -> build/scaling-SWEEP.json and build/scaling-img/scaling-SWEEP.png
#
# Run it on an otherwise idle machine: the timings are real time.
set -euo pipefail
cd "$(dirname "$0")/.."

sweep=${1:-all}
case "$sweep" in
  all)      filter='BM_scaling' ;;
  events)   filter='partners:10000/rules:2/threads:1/' ;;
  partners) filter='events:10000000/partners:[0-9]+/rules:2/threads:1/' ;;
  rules)    filter='events:10000000/partners:10000/rules:[0-9]+/threads:1/' ;;
  threads)  filter='events:10000000/partners:10000/rules:2/threads:' ;;
  *) echo "usage: $0 [all|events|partners|rules|threads]" >&2; exit 2 ;;
esac
if [[ $sweep == all ]]; then
  out=build/scaling.json img=docs/img
else
  out=build/scaling-$sweep.json img=build/scaling-img
fi

cmake --preset release
cmake --build --preset release --target incentives_bench_scaling

python=.venv/bin/python
[[ -x $python ]] || python=python3
# The commit, and a digest of the engine headers as built (they may hold uncommitted work).
revision=$(git describe --always --dirty 2>/dev/null || echo unknown)
engine=$(cat include/incentives/engine/*.hpp | sha1sum | cut -c1-12)
bench() {  # bench FILTER OUT
  build/release/bench/incentives_bench_scaling --benchmark_filter="$1" \
    --benchmark_context="revision=$revision,engine_headers_sha1=$engine" \
    --benchmark_out="$2" --benchmark_out_format=json --benchmark_counters_tabular=true
}
outs=("$out")
if [[ $sweep == all || $sweep == events ]]; then
  # 100 M events (about 18 GiB) runs in a process of its own, so that if the memory runs out after
  # all (something else grew meanwhile), only that point is lost.
  if [[ $sweep == all ]]; then bench '-events:100000000/' "$out"; else bench 'events:[0-9]{7,8}/partners:10000/rules:2/threads:1/' "$out"; fi
  outs+=("${out%.json}-100M.json")
  # Its memory need, estimated from the peak per event of the 30 M and 50 M points (the 50 M point's
  # id table has the same load as the 100 M one's), plus 5%.
  per_event=$("$python" -c "
import json, sys
b = [x for x in json.load(open(sys.argv[1]))['benchmarks'] if x.get('peak_MiB_per_M_events')
     and x['events'] >= 30e6 and (x['partners'], x['rules'], x['threads']) == (10000, 2, 1)]
print(round(1.05 * max(x['peak_MiB_per_M_events'] for x in b) * 1048576 / 1e6) if b else 0)" "$out")
  INCENTIVES_SCALING_BYTES_PER_EVENT=$per_event bench 'events:100000000/' "${outs[1]}" || echo "the 100 M point failed (exit $?): plotting without it" >&2
else
  bench "$filter" "$out"
fi
existing=()
for f in "${outs[@]}"; do
  if [[ -s $f ]] && "$python" -c "import json, sys; json.load(open(sys.argv[1]))" "$f" 2>/dev/null; then existing+=("$f"); fi
done
"$python" bench/plot_scaling.py "${existing[@]}" --img-dir "$img"
