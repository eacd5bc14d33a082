#!/usr/bin/env bash
# The README's first command, the main job end to end: installs dependencies, builds,
# trains the CS20 Huber regression eagerly and saves a checkpoint, compiles the traced
# model ahead of time into an artifact and a standalone executable, and runs that
# executable (which has no compiler in it) on the checkpoint.
#   scripts/demo.sh [OUT_DIR]    (default: runs/huber)
# Runs from the repository root, so the data in ../shared/data is found when present.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-runs/huber}"
scripts/install-deps.sh
scripts/build.sh

tools=build/release/tools
for tool in kiln-huber kiln-compile kiln-run kiln-inspect; do
  if [[ ! -x "$tools/$tool" ]]; then
    echo "demo.sh: $tools/$tool was not built" >&2
    exit 1
  fi
done
mkdir -p "$out"

step() { printf '\n== %s\n$ %s\n' "$1" "${*:2}"; "${@:2}"; }

step "1. Train eagerly (the lecture's loop), save a checkpoint and the traced model" \
  "$tools/kiln-huber" --checkpoint "$out/huber.kckpt" --emit-mlir "$out/huber.mlir" \
  --plot "$out/huber.svg"
step "2. Compile ahead of time: an artifact for the runtime" \
  "$tools/kiln-compile" "$out/huber.mlir" -o "$out/huber.kiln"
step "   ... and a standalone executable" \
  "$tools/kiln-compile" "$out/huber.mlir" --emit=exe -o "$out/huber-predict"
step "3. What the artifact holds" "$tools/kiln-inspect" "$out/huber.kiln"
step "4. The standalone executable needs only the C library" ldd "$out/huber-predict"
step "5. Predict life expectancy for birth rates 1.8, 3.9 and 6.0 (runtime only)" \
  "$out/huber-predict" --checkpoint "$out/huber.kckpt" --function predict \
  --input 'x=[1.8,3.9,6.0]' --output-dir "$out/predictions"
printf '\nDone: %s\n' "$out"
