#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz, clang 19, ASan + UBSan) in build/fuzz and runs
# each one for a while, starting from seeds the runtime's own writers make.
#   scripts/fuzz.sh                      every target for 300 s each
#   scripts/fuzz.sh --seconds 20 npy     only npy_fuzz, for 20 s
# Installs nothing (scripts/install-deps.sh does). Inputs the fuzzers find interesting are
# kept in build/fuzz/corpus/TARGET, so later runs go on from there; a crash is written to
# build/fuzz/crashes/ and makes the script exit non-zero after the other targets ran.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,8s/^# \{0,1\}//p' "$0"; }

all_targets=(npy checkpoint artifact)
# The largest input each target tries: several times its largest seed.
declare -A max_len=([npy]=4096 [checkpoint]=16384 [artifact]=16384)

seconds=300
targets=()
while (($# > 0)); do
  case "$1" in
    --seconds)
      (($# >= 2)) || { echo "fuzz.sh: --seconds needs a number" >&2; exit 2; }
      seconds="$2"
      shift
      ;;
    --seconds=*) seconds="${1#--seconds=}" ;;
    -h | --help) usage; exit 0 ;;
    -*) echo "fuzz.sh: unknown option '$1'" >&2; usage >&2; exit 2 ;;
    *)
      [[ -v "max_len[$1]" ]] || { echo "fuzz.sh: unknown target '$1' (targets: ${all_targets[*]})" >&2; exit 2; }
      targets+=("$1")
      ;;
  esac
  shift
done
[[ "$seconds" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz.sh: --seconds wants a positive whole number, not '$seconds'" >&2; exit 2; }
((${#targets[@]} > 0)) || targets=("${all_targets[@]}")

build=build/fuzz
if [[ ! -f "$build/build.ninja" ]]; then
  cmake -S tests/fuzz -B "$build" -G Ninja \
    -DCMAKE_C_COMPILER=clang-19 -DCMAKE_CXX_COMPILER=clang++-19
fi
cmake --build "$build" --target make_seeds "${targets[@]/%/_fuzz}"

rm -rf "$build/seeds"
"$build/make_seeds" "$build/seeds"
mkdir -p "$build/crashes"

failed=()
for target in "${targets[@]}"; do
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  echo "fuzz.sh: $target for ${seconds}s"
  # New inputs go to the first folder (kept); the seeds are read only.
  if ! "$build/${target}_fuzz" -max_total_time="$seconds" -max_len="${max_len[$target]}" \
    -timeout=5 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/crashes/$target-" "$corpus" "$build/seeds/$target"; then
    failed+=("$target")
  fi
done

if ((${#failed[@]} > 0)); then
  echo "fuzz.sh: FAILED: ${failed[*]} (inputs in $build/crashes/)" >&2
  exit 1
fi
echo "fuzz.sh: ${targets[*]}: no crashes in ${seconds}s each"
