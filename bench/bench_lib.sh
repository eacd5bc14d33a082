# Shared by bench/run_*_bench.sh (sourced, not run): flags, setup, building, the whole
# kiln-huber runs, and the machine description. Each script sets `script` (its name) and
# `usage` (a function) before sourcing this.

# --repetitions N, --build-dir DIR, --keep DIR, -h; sets repetitions, build_dir, keep.
bench_parse_args() {
  build_dir=build/release
  repetitions=5
  keep=""
  while (($# > 0)); do
    case "$1" in
      --repetitions) repetitions="${2:?--repetitions needs a number}"; shift ;;
      --build-dir) build_dir="${2:?--build-dir needs a folder}"; shift ;;
      --keep) keep="${2:?--keep needs a folder}"; shift ;;
      -h | --help) usage; exit 0 ;;
      *) echo "$script: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
    shift
  done
}

# Installs the PyTorch peer, finds the data, makes the scratch folder $tmp (removed on exit)
# and notes the load average. Sets python, data_dir, data, tmp, load_at_start.
bench_setup() {
  scripts/install-deps.sh --bench >&2  # the PyTorch peer
  python=/usr/bin/python3  # Debian's, the one with python3-torch (not pyenv's on PATH)
  data_dir="${KILN_DATA_DIR:-$(cd .. && pwd)/shared/data}"
  data="$data_dir/birth_life_2010.txt"
  [[ -f "$data" ]] || { echo "$script: $data not found (set KILN_DATA_DIR)" >&2; exit 1; }
  export KILN_DATA_DIR="$data_dir"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  load_at_start="$(cut -d' ' -f1-3 /proc/loadavg)"
}

# Builds the targets given (configuring first if this build folder was never configured).
bench_build() {
  if [[ ! -f "$build_dir/build.ninja" ]]; then
    bash scripts/build.sh --build-dir "$build_dir" >&2
  fi
  cmake --build "$build_dir" --target "$@" >&2
}

# bench_kiln_huber_runs PREFIX [kiln-huber flags...]: $repetitions whole runs of kiln-huber
# --json on one thread, into $tmp/PREFIX_N.json, with the process's user and system CPU
# seconds in $tmp/PREFIX_N.cpu and its stderr in $tmp/PREFIX_N.log.
bench_kiln_huber_runs() {
  local prefix="$1" i
  shift
  TIMEFORMAT='%U %S'
  for ((i = 0; i < repetitions; ++i)); do
    { time KILN_NUM_THREADS=1 "$build_dir/tools/kiln-huber" --json --data "$data" "$@" \
        >"$tmp/${prefix}_$i.json" 2>"$tmp/${prefix}_$i.log"; } 2>"$tmp/${prefix}_$i.cpu"
  done
}

# key=value lines describing the machine, the load, the build and the peers, for the
# table scripts. DIRS: the folders whose uncommitted edits are fingerprinted.
bench_machine_info() {
  echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "cpu=$(lscpu | sed -n 's/^Model name: *//p' | head -1)"
  echo "cores=$(nproc) online CPUs ($(lscpu | sed -n 's/^Thread(s) per core: *//p') thread(s) per core)"
  echo "load=$load_at_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  local cxx dirty
  cxx="$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build_dir/CMakeCache.txt")"
  echo "compiler=$("${cxx:-c++}" --version | head -1)"
  echo "build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt")"
  echo "torch=$("$python" -c 'import torch; print(torch.__version__)') (Debian python3-torch $(dpkg-query -W -f='${Version}' python3-torch 2>/dev/null))"
  echo "blas=$(readlink -f /usr/lib/x86_64-linux-gnu/libblas.so.3 2>/dev/null || echo unknown)"
  # The commit, and a fingerprint of uncommitted edits to tell runs apart.
  dirty="$({ git diff HEAD -- "$@"
             git ls-files -z --others --exclude-standard -- "$@" | xargs -0 -r cat
           } 2>/dev/null | sha256sum | cut -c1-12)"
  echo "kiln=$(git rev-parse --short HEAD 2>/dev/null)$(git status --porcelain -- "$@" 2>/dev/null |
    grep -q . && echo " + uncommitted changes in $* (diff $dirty)")"
}
