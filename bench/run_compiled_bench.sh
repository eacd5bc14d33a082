#!/usr/bin/env bash
# Times Kiln's compiled code (issue 4) in one run on this machine and prints a markdown
# table (each figure the median of repetitions) with the machine's description:
# compile times of the Huber train step and 100-epoch loop, compiled against eager
# kernels (bench/compiled_bench.cpp), and the whole 100-epoch Huber run eager, compiled
# and in PyTorch eager. bench/RESULTS.md records one such run.
#   bench/run_compiled_bench.sh                    build if needed, run everything
#   bench/run_compiled_bench.sh --repetitions N    repetitions per figure (default 5)
#   bench/run_compiled_bench.sh --build-dir DIR    use DIR instead of build/release
#   bench/run_compiled_bench.sh --keep DIR         also keep the raw JSON results in DIR
# KILN_DATA_DIR overrides the data folder (default ../shared/data beside the checkout).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,11s/^# \{0,1\}//p' "$0"; }
script=run_compiled_bench.sh
source bench/bench_lib.sh
bench_parse_args "$@"
bench_setup

bench_build kiln_compiled_bench kiln-huber

# --- Compile times and kernels (Google Benchmark). Eager kernels on one thread.
echo "Kiln compile times and compiled vs eager kernels..." >&2
KILN_NUM_THREADS=1 "$build_dir/bench/kiln_compiled_bench" --benchmark_repetitions="$repetitions" \
  --benchmark_report_aggregates_only=true --benchmark_format=json >"$tmp/kiln_compiled.json"

# --- The full CS20 Huber run (100 epochs, 19,000 steps): eager, compiled, PyTorch eager.
echo "Kiln Huber run, eager then compiled, x$repetitions each..." >&2
bench_kiln_huber_runs kiln_huber_eager --mode eager
bench_kiln_huber_runs kiln_huber_compiled --mode compiled
echo "PyTorch Huber run x$repetitions (optim.SGD)..." >&2
"$python" bench/peers/torch_huber.py "$data" --repeats "$repetitions" >"$tmp/torch_huber.json"

bench_machine_info frontend compiler models >"$tmp/machine.txt"

[[ -z "$keep" ]] || { mkdir -p "$keep"; cp "$tmp"/* "$keep"/; }
"$python" bench/compiled_bench_table.py "$tmp"
