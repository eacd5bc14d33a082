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

build_dir=build/release
repetitions=5
keep=""
while (($# > 0)); do
  case "$1" in
    --repetitions) repetitions="${2:?--repetitions needs a number}"; shift ;;
    --build-dir) build_dir="${2:?--build-dir needs a folder}"; shift ;;
    --keep) keep="${2:?--keep needs a folder}"; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "run_eager_bench.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

scripts/install-deps.sh --bench >&2  # the PyTorch peer
python=/usr/bin/python3  # Debian's, the one with python3-torch (not pyenv's on PATH)
data_dir="${KILN_DATA_DIR:-$(cd .. && pwd)/shared/data}"
data="$data_dir/birth_life_2010.txt"
[[ -f "$data" ]] || { echo "run_eager_bench.sh: $data not found (set KILN_DATA_DIR)" >&2; exit 1; }
export KILN_DATA_DIR="$data_dir"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- Build (configure first if this build folder was never configured).
if [[ ! -f "$build_dir/build.ninja" ]]; then
  bash scripts/build.sh --build-dir "$build_dir" >&2
fi
cmake --build "$build_dir" --target kiln_eager_ops_bench >&2
kiln_huber="$build_dir/tools/kiln-huber"
if grep -q '^kiln-huber:' <<<"$(cmake --build "$build_dir" --target help)"; then
  cmake --build "$build_dir" --target kiln-huber >&2
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
  TIMEFORMAT='%U %S'  # the process's user and system CPU seconds, for kiln_huber_N.cpu
  for ((i = 0; i < repetitions; ++i)); do
    { time KILN_NUM_THREADS=1 "$kiln_huber" --json --data "$data" >"$tmp/kiln_huber_$i.json" \
        2>"$tmp/kiln_huber_$i.log"; } 2>"$tmp/kiln_huber_$i.cpu"
  done
else
  echo "run_eager_bench.sh: $kiln_huber does not exist yet; skipping Kiln's full Huber run" >&2
fi
echo "PyTorch Huber run x$repetitions (optim.SGD, then manual update)..." >&2
"$python" bench/peers/torch_huber.py "$data" --repeats "$repetitions" >"$tmp/torch_huber.json"
"$python" bench/peers/torch_huber.py "$data" --repeats "$repetitions" --update manual \
  >"$tmp/torch_huber_manual.json"

# --- Machine and versions.
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "cores=$(nproc) online CPUs ($(lscpu | sed -n 's/^Thread(s) per core: *//p') thread(s) per core)"
  echo "load=$load_at_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  cxx="$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build_dir/CMakeCache.txt")"
  echo "compiler=$("${cxx:-c++}" --version | head -1)"
  echo "build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt")"
  echo "torch=$("$python" -c 'import torch; print(torch.__version__)') (Debian python3-torch $(dpkg-query -W -f='${Version}' python3-torch 2>/dev/null))"
  echo "blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)"
  # The commit, and a fingerprint of uncommitted front-end edits to tell runs apart.
  dirty="$({ git diff HEAD -- frontend
             git ls-files -z --others --exclude-standard -- frontend | xargs -0 -r cat
           } 2>/dev/null | sha256sum | cut -c1-12)"
  echo "kiln=$(git rev-parse --short HEAD 2>/dev/null)$(git status --porcelain -- frontend 2>/dev/null |
    grep -q . && echo " + uncommitted front-end changes (diff $dirty)")"
} >"$tmp/machine.txt"

[[ -z "$keep" ]] || { mkdir -p "$keep"; cp "$tmp"/* "$keep"/; }
"$python" bench/eager_bench_table.py "$tmp"
