#!/usr/bin/env bash
# Installs the Debian 12 (bookworm) packages Kiln's build, tests and tools need.
#   scripts/install-deps.sh           what building and testing need
#   scripts/install-deps.sh --bench   also the peers the benchmarks compare with (PyTorch,
#                                     gensim, fastText)
# Idempotent: when every package is already installed it changes nothing and makes no
# network call; otherwise it runs apt-get update once and installs only what is missing.
set -euo pipefail

packages=(
  # toolchain and build
  build-essential g++ cmake ninja-build ccache pkg-config git
  # C++ libraries
  libgtest-dev libgmock-dev googletest libbenchmark-dev nlohmann-json3-dev libcli11-dev
  libfmt-dev
  # checkpoints and artifacts: flatc and the FlatBuffers headers (runtime/schemas)
  flatbuffers-compiler libflatbuffers-dev
  # libFuzzer targets (tests/fuzz): clang 19 with its sanitizer and fuzzer runtimes
  clang-19 libclang-rt-19-dev
  # LLVM/MLIR 19: headers and CMake files, shared libLLVM/libMLIR, mlir-tblgen, and the
  # test tools (lit, FileCheck, not) for the kiln dialect and kiln-opt
  llvm-19-dev libmlir-19-dev mlir-19-tools llvm-19-tools
  # LLVM's OpenMP runtime: compiled code runs its large loops on every core
  libomp-19-dev
  # lit runs on Python; the runtime's .npy tests check files against NumPy's own
  python3 python3-numpy
  # the embedding map's page is checked in headless Chromium (kiln/viz/embedding_map_test.cpp):
  # about 116 MB to download and 372 MB installed, 15 s to install from Debian's mirror
  chromium
  # lint (scripts/lint.sh)
  clang-format clang-tidy
)

case "${1:-}" in
  "") ;;
  --bench) packages+=(python3-torch python3-gensim fasttext) ;;
  *) echo "install-deps: unknown argument '$1' (expected --bench or nothing)" >&2; exit 2 ;;
esac

is_installed() {
  [[ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" == installed ]]
}

missing=()
for pkg in "${packages[@]}"; do
  is_installed "$pkg" || missing+=("$pkg")
done

# Interop tests read Kiln's files with the peers' own readers, which Debian does not package:
# TensorBoard's event reader and gensim's KeyedVectors, from PyPI into the python3 on PATH
# (test-only; nothing Kiln builds or ships uses them).
python_packages=(tensorboard gensim)
install_python_packages() {
  local wanted=()
  for pkg in "${python_packages[@]}"; do
    python3 -c "import $pkg" >/dev/null 2>&1 || wanted+=("$pkg")
  done
  ((${#wanted[@]} == 0)) && return 0
  echo "install-deps: pip installing ${wanted[*]} into $(command -v python3)"
  python3 -m pip install --quiet "${wanted[@]}" ||
    python3 -m pip install --quiet --break-system-packages "${wanted[@]}"
}

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages already installed"
  install_python_packages
  exit 0
fi

sudo=()
if ((EUID != 0)); then
  if command -v sudo >/dev/null 2>&1; then
    sudo=(sudo)
  else
    echo "install-deps: not root and sudo is not available; run as root to install:" >&2
    echo "  ${missing[*]}" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"
install_python_packages
echo "install-deps: done"
