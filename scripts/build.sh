#!/usr/bin/env bash
# Configures (CMake + Ninja) and builds Kiln.
#   scripts/build.sh                  RelWithDebInfo build in build/release
#   scripts/build.sh --sanitize       Debug + ASan/UBSan build in build/asan (no benchmarks)
#   scripts/build.sh --build-dir DIR  build in DIR instead
# Re-runs are fast: CMake is configured again only when the options change (Ninja itself
# re-runs CMake when a CMakeLists.txt changes), and ccache is picked up by CMakeLists.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,7s/^# \{0,1\}//p' "$0"; }

sanitize=0
build_dir=""
while (($# > 0)); do
  case "$1" in
    --sanitize) sanitize=1 ;;
    --build-dir)
      (($# >= 2)) || { echo "build.sh: --build-dir needs a folder" >&2; exit 2; }
      build_dir="$2"
      shift
      ;;
    --build-dir=*) build_dir="${1#--build-dir=}" ;;
    -h | --help) usage; exit 0 ;;
    *) echo "build.sh: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

if ((sanitize)); then
  build_dir="${build_dir:-build/asan}"
  options=(-DCMAKE_BUILD_TYPE=Debug -DKILN_SANITIZE=ON -DKILN_BUILD_BENCHMARKS=OFF)
else
  build_dir="${build_dir:-build/release}"
  options=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DKILN_SANITIZE=OFF)
fi

# The options of the last successful configure; equal options and an existing build.ninja
# mean there is nothing to configure.
stamp="$build_dir/.kiln-configure-options"
if [[ ! -f "$build_dir/build.ninja" || "$(cat "$stamp" 2>/dev/null)" != "${options[*]}" ]]; then
  cmake -S . -B "$build_dir" -G Ninja "${options[@]}"
  printf '%s\n' "${options[*]}" >"$stamp"
fi
cmake --build "$build_dir"
