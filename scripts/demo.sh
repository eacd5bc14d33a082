#!/usr/bin/env bash
# The README's first command, the main job end to end: installs dependencies, builds,
# trains the CS20 Huber regression eagerly and saves a checkpoint, compiles the traced
# model ahead of time into an artifact and a standalone executable, and runs that
# executable (which has no compiler in it) on the checkpoint. Then the same for word2vec:
# trains the CS20 skip-gram model compiled (20,000 steps of text8-head.txt, or of a small
# synthetic corpus when ../shared/data is missing), compiles its nearest-neighbour function
# into a standalone executable and asks it for the neighbours of a few words.
#   scripts/demo.sh [OUT_DIR]    (default: runs/huber; word2vec in OUT_DIR/word2vec)
# Runs from the repository root, so the data in ../shared/data is found when present.
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-runs/huber}"
scripts/install-deps.sh
scripts/build.sh

tools=build/release/tools
for tool in kiln-huber kiln-word2vec kiln-compile kiln-run kiln-inspect; do
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

w2v="$out/word2vec"
mkdir -p "$w2v"
corpus=../shared/data/text8-head.txt
words=(three american his)
if [[ ! -f "$corpus" ]]; then
  # No shared data: a Zipf-like corpus of 300,000 tokens w1, w2, ... (w1 the most frequent).
  echo "demo.sh: $corpus not found: training word2vec on a synthetic corpus instead" >&2
  corpus="$w2v/synthetic-corpus.txt"
  awk 'BEGIN { srand(1); for (i = 0; i < 300000; ++i) printf "w%d ", int(1 / (rand() * 0.999 + 0.001)); print "" }' >"$corpus"
  words=(w2 w3 w5)
fi
step "6. Train word2vec (CS20 skip-gram, NCE) compiled; save the checkpoint and the traced functions" \
  "$tools/kiln-word2vec" train --corpus "$corpus" --mode compiled --steps 20000 \
  --report-every 10000 --checkpoint-dir "$w2v/run" --emit-mlir "$w2v/word2vec.mlir"
step "7. Compile the nearest-neighbour function into a standalone executable" \
  "$tools/kiln-compile" "$w2v/word2vec.mlir" --emit=exe -o "$w2v/w2v-neighbors"
step "8. Ask it for neighbours (words in, words out; the vocabulary comes from the checkpoint)" \
  "$w2v/w2v-neighbors" --function neighbors --checkpoint "$w2v/run/ckpt-20000.kckpt" "${words[@]}"
printf '\nDone: %s\n' "$out"
