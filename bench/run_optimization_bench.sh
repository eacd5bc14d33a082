#!/usr/bin/env bash
# Issue 7's optimizations, each switched off in turn, in one run on this machine: for the
# word2vec CS20 training step, the word2vec SGNS step and the Huber 100-epoch loop (each
# traced by its own tool with --emit-mlir), kiln-compile with every combination below, then
#   compile seconds (median of 3 kiln-compile runs, artifact incl. linking),
#   kernels and estimated bytes moved per call (kiln-compile --explain),
#   arena bytes beside the sum of temporaries and the peak of live bytes,
#   time per call (kiln-run --repeat, the runtime alone, one thread; median of
#   --repetitions runs).
# Combinations: all on (the default), --no-simplify, --no-fusion, --no-memory-plan, all off.
#   bench/run_optimization_bench.sh [--repetitions N] [--build-dir DIR] [--keep DIR]
# KILN_DATA_DIR overrides the data folder (default ../shared/data beside the checkout).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,12s/^# \{0,1\}//p' "$0"; }
script=run_optimization_bench.sh
source bench/bench_lib.sh
bench_parse_args "$@"
repetitions=${repetitions:-5}

data_dir="${KILN_DATA_DIR:-$(cd .. && pwd)/shared/data}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"
bench_build kiln-compile kiln-run kiln-word2vec kiln-huber
tools="$build_dir/tools"

corpus="$data_dir/text8-head.txt"
if [[ ! -f "$corpus" ]]; then
  echo "$script: $corpus not found: word2vec traces on a synthetic Zipfian corpus" >&2
  corpus="$tmp/corpus.txt"
  /usr/bin/python3 -c "import numpy as np; r = np.random.default_rng(0); \
print(' '.join('w%d' % w for w in np.minimum(r.zipf(1.3, 2000000), 60000)))" >"$corpus"
fi
corpus_flag=(--corpus "$corpus")

# The traced modules.
"$tools/kiln-word2vec" train "${corpus_flag[@]}" --steps 1 --mode compiled \
  --emit-mlir "$tmp/cs20.mlir" >/dev/null 2>&1
"$tools/kiln-word2vec" train "${corpus_flag[@]}" --recipe sgns --steps 1 --mode compiled \
  --emit-mlir "$tmp/sgns.mlir" >/dev/null 2>&1
"$tools/kiln-huber" --emit-mlir "$tmp/huber.mlir" >/dev/null 2>&1

# Inputs (fixed, in range) as .npy files.
/usr/bin/python3 - "$tmp" "$data_dir" <<'EOF'
import sys, numpy as np
tmp, data_dir = sys.argv[1], sys.argv[2]
rng = np.random.default_rng(0)
np.save(f"{tmp}/centers.npy", rng.integers(0, 50000, 128).astype(np.int64))
np.save(f"{tmp}/targets.npy", rng.integers(0, 50000, (128, 1)).astype(np.int64))
np.save(f"{tmp}/sampled.npy", rng.integers(0, 50000, 64).astype(np.int64))
np.save(f"{tmp}/true_expected.npy", np.full((128, 1), 0.01, np.float32))
np.save(f"{tmp}/sampled_expected.npy", np.full(64, 0.05, np.float32))
np.save(f"{tmp}/sgns_centers.npy", rng.integers(0, 20000, 256).astype(np.int64))
np.save(f"{tmp}/sgns_contexts.npy", rng.integers(0, 20000, 256).astype(np.int64))
np.save(f"{tmp}/negatives.npy", rng.integers(0, 20000, 64).astype(np.int64))
try:
    rows = [l.split("\t") for l in open(f"{data_dir}/birth_life_2010.txt").read().splitlines()[1:]]
    x = np.array([float(r[1]) for r in rows], np.float32)
    y = np.array([float(r[2]) for r in rows], np.float32)
except OSError:
    x = rng.uniform(1, 7, 190).astype(np.float32)
    y = (85 - 6 * x + rng.normal(0, 3, 190)).astype(np.float32)
np.save(f"{tmp}/x.npy", x)
np.save(f"{tmp}/y.npy", y)
EOF

combinations=("all on|" "--no-simplify|--no-simplify" "--no-fusion|--no-fusion"
              "--no-memory-plan|--no-memory-plan"
              "all off|--no-simplify --no-fusion --no-memory-plan")

# workload|module|function|repeat|inputs...
workloads=(
  "word2vec CS20 train_step|cs20.mlir|train_step|2000|centers=@$tmp/centers.npy targets=@$tmp/targets.npy sampled=@$tmp/sampled.npy true_expected_count=@$tmp/true_expected.npy sampled_expected_count=@$tmp/sampled_expected.npy"
  "word2vec SGNS sgns_step|sgns.mlir|sgns_step|2000|centers=@$tmp/sgns_centers.npy contexts=@$tmp/sgns_contexts.npy negatives=@$tmp/negatives.npy learning_rate=0.025"
  "Huber train (100 epochs)|huber.mlir|train|3|x=@$tmp/x.npy y=@$tmp/y.npy"
)

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

echo "| workload | options | compile s | kernels | bytes moved / call | arena B | sum of temporaries B | peak live B | time / call |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for w in "${workloads[@]}"; do
  IFS='|' read -r wname module fn repeat inputs <<<"$w"
  for c in "${combinations[@]}"; do
    IFS='|' read -r cname flags <<<"$c"
    # shellcheck disable=SC2086
    compile_s=$(for i in 1 2 3; do
      /usr/bin/time -f %e "$tools/kiln-compile" "$tmp/$module" -o "$tmp/a.kiln" $flags \
        --explain "$tmp/r.json" 2>&1 >/dev/null | tail -1
    done | median)
    read -r kernels bytes arena sum peak < <(/usr/bin/python3 - "$tmp/r.json" "$fn" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
f = next(f for f in d["functions"] if f["name"] == sys.argv[2])
m = f["memory_plan"]
print(f["kernel_count"], int(f["bytes_moved"]), m["arena_bytes"], m["sum_temporaries_bytes"],
      m["peak_live_bytes"])
EOF
)
    args=()
    for input in $inputs; do args+=(--input "$input"); done
    per_call=$(for ((r = 0; r < repetitions; ++r)); do
      "$tools/kiln-run" "$tmp/a.kiln" --function "$fn" "${args[@]}" --repeat "$repeat" --json |
        /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print(d['seconds'] / d['calls'])"
    done | median)
    if [[ "$flags" == *--no-memory-plan* ]]; then sum="-"; peak="-"; fi
    printf '| %s | %s | %.2f | %s | %s | %s | %s | %s | %s |\n' "$wname" "$cname" "$compile_s" \
      "$kernels" "$bytes" "$arena" "$sum" "$peak" \
      "$(/usr/bin/python3 -c "s=$per_call; print(f'{s*1e6:.1f} µs' if s < 1e-2 else f'{s*1e3:.2f} ms')")"
  done
done
echo
echo "Machine: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores;" \
  "load $load_at_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end;" \
  "$(date -u '+%Y-%m-%d %H:%M UTC'); kiln $(git rev-parse --short HEAD)."
if [[ -n "$keep" ]]; then mkdir -p "$keep" && cp "$tmp"/*.mlir "$tmp"/r.json "$keep"/; fi
