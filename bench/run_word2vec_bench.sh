#!/usr/bin/env bash
# Times the CS20 word2vec training step (issue 6) in one run on this machine and prints a
# markdown table with the machine's description: kiln-word2vec train eager, compiled (every
# core, then OMP_NUM_THREADS=1) and PyTorch eager doing the same step
# (bench/peers/torch_word2vec.py: one thread, PyTorch's default, every core) on text8-head.txt.
#   bench/run_word2vec_bench.sh                    build kiln-word2vec if missing, run all
#   bench/run_word2vec_bench.sh --steps N          steps per run (default 3000)
#   bench/run_word2vec_bench.sh --repetitions N    runs per figure, median taken (default 5)
#   bench/run_word2vec_bench.sh --build-dir DIR    use DIR instead of build/release
#   bench/run_word2vec_bench.sh --keep DIR         also keep the raw JSON results in DIR
# KILN_DATA_DIR overrides the data folder (default ../shared/data beside the checkout).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,11s/^# \{0,1\}//p' "$0"; }
script=run_word2vec_bench.sh
source bench/bench_lib.sh

# --steps is this script's own; the other flags are bench_lib.sh's.
steps=3000
lib_args=()
while (($# > 0)); do
  case "$1" in
    --steps) steps="${2:?--steps needs a number}"; shift ;;
    *) lib_args+=("$1") ;;
  esac
  shift
done
bench_parse_args "${lib_args[@]}"
bench_setup

corpus="$data_dir/text8-head.txt"
[[ -f "$corpus" ]] || { echo "$script: $corpus not found (set KILN_DATA_DIR)" >&2; exit 1; }
"$python" -c 'import torch' 2>/dev/null ||
  { echo "$script: $python cannot import torch (scripts/install-deps.sh --bench)" >&2; exit 1; }

# A ninja no-op can still take a while on a busy machine; build only when it is missing.
[[ -x "$build_dir/tools/kiln-word2vec" ]] || bench_build kiln-word2vec

# kiln_w2v PREFIX MODE [VAR=value...]: $repetitions runs of kiln-word2vec train --mode MODE
# under that environment into $tmp/PREFIX_N.json. --report-every $steps makes its
# average_loss the mean over every step of the run.
kiln_w2v() {
  local prefix="$1" mode="$2" i
  shift 2
  for ((i = 0; i < repetitions; ++i)); do
    env "$@" "$build_dir/tools/kiln-word2vec" train --corpus "$corpus" --steps "$steps" \
      --mode "$mode" --report-every "$steps" --json \
      >"$tmp/${prefix}_$i.json" 2>"$tmp/${prefix}_$i.log"
  done
}

uptime | tee "$tmp/uptime_start.txt" >&2
echo "Kiln eager, compiled, compiled on one thread, $steps steps x$repetitions each..." >&2
kiln_w2v kiln_eager eager
kiln_w2v kiln_compiled compiled
kiln_w2v kiln_compiled_t1 compiled OMP_NUM_THREADS=1
# PyTorch's default is one thread on this machine (its OpenMP reports one), hence also nproc.
echo "PyTorch eager: one thread, PyTorch's default, $(nproc) threads..." >&2
for threads in 1 0 "$(nproc)"; do
  "$python" bench/peers/torch_word2vec.py "$corpus" --steps "$steps" --repeats "$repetitions" \
    --threads "$threads" >"$tmp/torch_t$threads.json"
done
uptime | tee "$tmp/uptime_end.txt" >&2

bench_machine_info frontend compiler models >"$tmp/machine.txt"

[[ -z "$keep" ]] || { mkdir -p "$keep"; cp "$tmp"/* "$keep"/; }
"$python" bench/word2vec_bench_table.py "$tmp"
