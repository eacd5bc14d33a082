#!/usr/bin/env bash
# Measures the runtime (issue 5) in one run on this machine and prints a markdown table with
# the machine's description: opening and verifying a 2 × 50000×128 f32 checkpoint (51 MB)
# beside NumPy and PyTorch loading the same arrays, loading and calling the compiled Huber
# artifact (bench/runtime_bench.cpp), and the sizes of the standalone Huber executable and
# of the runtime's code in it. bench/RESULTS.md records one such run.
#   bench/run_runtime_bench.sh                    build if needed, run everything
#   bench/run_runtime_bench.sh --repetitions N    repetitions per figure (default 5)
#   bench/run_runtime_bench.sh --build-dir DIR    use DIR instead of build/release
#   bench/run_runtime_bench.sh --keep DIR         also keep the raw results (JSON, link map) in DIR
# KILN_DATA_DIR overrides the data folder (default ../shared/data beside the checkout).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,11s/^# \{0,1\}//p' "$0"; }
script=run_runtime_bench.sh
source bench/bench_lib.sh
bench_parse_args "$@"
bench_setup

bench_build kiln_runtime_bench kiln-huber kiln-compile kiln_runtime kiln_standalone_main

# --- The Huber module, built the way a user builds it.
echo "Building huber.kiln and the standalone huber-predict..." >&2
"$build_dir/tools/kiln-huber" --data "$data" --emit-mlir "$tmp/huber.mlir" >"$tmp/kiln_huber.log"
"$build_dir/tools/kiln-compile" "$tmp/huber.mlir" -o "$tmp/huber.kiln"
# kiln-compile links executables with $KILN_CXX. These two wrappers link the same objects
# with the same command, once also writing the linker's map (which input each byte of the
# program came from) and once with libstdc++ and libgcc shared instead of static, which
# shows how much of the program libstdc++ is.
cat >"$tmp/cxx-with-map" <<EOF
#!/bin/sh
exec c++ "\$@" -Wl,-Map="$tmp/huber-predict.map"
EOF
cat >"$tmp/cxx-shared-libstdcxx" <<'EOF'
#!/bin/sh
for arg; do
  shift
  case "$arg" in -static-libstdc++ | -static-libgcc) ;; *) set -- "$@" "$arg" ;; esac
done
exec c++ "$@"
EOF
chmod +x "$tmp/cxx-with-map" "$tmp/cxx-shared-libstdcxx"
KILN_CXX="$tmp/cxx-with-map" "$build_dir/tools/kiln-compile" "$tmp/huber.mlir" --emit=exe \
  -o "$tmp/huber-predict"
KILN_CXX="$tmp/cxx-shared-libstdcxx" "$build_dir/tools/kiln-compile" "$tmp/huber.mlir" \
  --emit=exe -o "$tmp/huber-predict-shared-libstdcxx"
strip -o "$tmp/huber-predict.stripped" "$tmp/huber-predict"
strip -o "$tmp/huber-predict-shared-libstdcxx.stripped" "$tmp/huber-predict-shared-libstdcxx"
# The program must run: a size of a broken link would mean nothing.
"$tmp/huber-predict.stripped" --function predict --input x=[1.8] >/dev/null
"$tmp/huber-predict-shared-libstdcxx.stripped" --function predict --input x=[1.8] >/dev/null

# --- Sizes: file bytes, and text/data (Berkeley `size`) of the programs and the archive.
{
  for exe in huber-predict huber-predict.stripped huber-predict-shared-libstdcxx.stripped; do
    read -r text data_ bss _ < <(size "$tmp/$exe" | tail -1)
    echo "$exe=$(stat -c %s "$tmp/$exe") $text $data_ $bss"
  done
  read -r text data_ bss _ < <(size -t "$build_dir/runtime/libkiln_runtime.a" | tail -1)
  echo "libkiln_runtime.a=0 $text $data_ $bss"
  echo "ldd=$(ldd "$tmp/huber-predict" | awk '{print $1}' | tr '\n' ' ')"
} >"$tmp/sizes.txt"
nm --size-sort --reverse-sort --radix=d -C "$tmp/huber-predict" >"$tmp/huber-predict.nm"

# --- Checkpoint loading and the module (Google Benchmark), then the Python peers.
echo "Kiln checkpoint open, restore, module load and predict calls..." >&2
KILN_NUM_THREADS=1 KILN_BENCH_HUBER_ARTIFACT="$tmp/huber.kiln" \
  "$build_dir/bench/kiln_runtime_bench" --benchmark_repetitions="$repetitions" \
  --benchmark_report_aggregates_only=true --benchmark_format=json >"$tmp/kiln_runtime.json"
echo "NumPy np.load and PyTorch torch.load of the same arrays..." >&2
"$python" bench/peers/checkpoint_load.py --repeats "$repetitions" >"$tmp/checkpoint_load.json"

bench_machine_info runtime bench >"$tmp/machine.txt"

[[ -z "$keep" ]] || { mkdir -p "$keep"; cp "$tmp"/*.json "$tmp"/*.txt "$tmp"/*.map "$tmp"/*.nm "$keep"/; }
"$python" bench/runtime_bench_table.py "$tmp"
