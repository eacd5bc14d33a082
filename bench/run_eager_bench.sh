#!/usr/bin/env bash
# Times Kiln's eager front end beside PyTorch eager doing the same work, in one run on
# this machine, and prints a markdown table (each figure the median of repetitions)
# with the machine's description. bench/RESULTS.md records one such run.
#   bench/run_eager_bench.sh                    build if needed, run everything
#   bench/run_eager_bench.sh --repetitions N    repetitions per figure (default 5)
#   bench/run_eager_bench.sh --build-dir DIR    use DIR instead of build/release
#   bench/run_eager_bench.sh --keep DIR         also keep the raw JSON results in DIR
# KILN_DATA_DIR overrides the data folder (default ../shared/data beside the checkout).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,9s/^# \{0,1\}//p' "$0"; }
script=run_eager_bench.sh
source bench/bench_lib.sh
bench_parse_args "$@"
bench_setup

# --- Build.
bench_build kiln_eager_ops_bench
kiln_huber="$build_dir/tools/kiln-huber"
if grep -q '^kiln-huber:' <<<"$(cmake --build "$build_dir" --target help)"; then
  bench_build kiln-huber
fi

# --- Kiln: Google Benchmark, one thread (all ops), then two threads (the parallel kernels).
ops_bench="$build_dir/bench/kiln_eager_ops_bench"
gbench_flags=(--benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true
              --benchmark_format=json)
echo "Kiln ops, 1 thread..." >&2
KILN_NUM_THREADS=1 "$ops_bench" "${gbench_flags[@]}" >"$tmp/kiln_ops_t1.json"
echo "Kiln ops, 2 threads..." >&2
KILN_NUM_THREADS=2 "$ops_bench" "${gbench_flags[@]}" --benchmark_filter='Matmul|Gather' \
  >"$tmp/kiln_ops_t2.json"

# --- PyTorch: the same ops, 1 and 2 threads.
echo "PyTorch ops, 1 and 2 threads..." >&2
"$python" bench/peers/torch_eager_ops.py --threads 1 2 --repeats "$repetitions" --data "$data" \
  >"$tmp/torch_ops.jsonl"

# --- The full CS20 Huber run (100 epochs, 19,000 steps), Kiln then PyTorch.
if [[ -x "$kiln_huber" ]]; then
  echo "Kiln Huber run x$repetitions..." >&2
  bench_kiln_huber_runs kiln_huber
else
  echo "run_eager_bench.sh: $kiln_huber does not exist yet; skipping Kiln's full Huber run" >&2
fi
echo "PyTorch Huber run x$repetitions (optim.SGD, then manual update)..." >&2
"$python" bench/peers/torch_huber.py "$data" --repeats "$repetitions" >"$tmp/torch_huber.json"
"$python" bench/peers/torch_huber.py "$data" --repeats "$repetitions" --update manual \
  >"$tmp/torch_huber_manual.json"

# --- Machine and versions.
bench_machine_info frontend >"$tmp/machine.txt"

[[ -z "$keep" ]] || { mkdir -p "$keep"; cp "$tmp"/* "$keep"/; }
"$python" bench/eager_bench_table.py "$tmp"
