#!/usr/bin/env bash
# Times word2vec training (issue 6) in one run on this machine beside its peers and prints
# markdown tables with the machine's description.
#   CS20 step: kiln-word2vec train eager, compiled (every core, then OMP_NUM_THREADS=1),
#   PyTorch eager doing the same step (bench/peers/torch_word2vec.py: one thread, PyTorch's
#   default, every core) and, where python3 imports tensorflow, TensorFlow 2 eager,
#   tf.function and XLA (bench/peers/tf_word2vec.py), on text8-head.txt.
#   SGNS recipe: kiln-word2vec train --recipe sgns with 1 and 2 threads (Hogwild), eager and
#   compiled (--full: compiled, 2 threads, 12, 13 and 15 epochs: the time to reach an
#   accuracy), then its analogy accuracy and WordSim-353 rho; gensim Word2Vec (sg=1,
#   negative=5, window=5, sample=1e-4, vector_size=128, min_count=5, workers=2;
#   bench/peers/gensim_word2vec.py; Debian's python3-gensim) and fastText skipgram (Debian's
#   `fasttext`, no subwords): words/s and analogy accuracy. One run each (they are long).
#   bench/run_word2vec_bench.sh                    build kiln-word2vec if missing, run all
#   bench/run_word2vec_bench.sh --part cs20|sgns   only one of the two
#   bench/run_word2vec_bench.sh --steps N          CS20 steps per run (default 3000)
#   bench/run_word2vec_bench.sh --sgns-epochs N    SGNS epochs per run (default 1: minutes)
#   bench/run_word2vec_bench.sh --full             SGNS: issue 6's 15 epochs (peers), Kiln
#                                                  compiled on 2 threads for 12, 13, 15 (minutes)
#   bench/run_word2vec_bench.sh --sgns-runs 'MODE:THREADS:EPOCHS ...'
#                                                  SGNS: these Kiln runs instead (eager|compiled)
#   bench/run_word2vec_bench.sh --sgns-seeds 'S ...' SGNS: every Kiln run and gensim once per seed
#                                                  (default 0; --full: 0 1 2)
#   bench/run_word2vec_bench.sh --repetitions N    CS20 runs per figure, median (default 5)
#   bench/run_word2vec_bench.sh --build-dir DIR    use DIR instead of build/release
#   bench/run_word2vec_bench.sh --keep DIR         also keep the raw JSON results in DIR
# KILN_DATA_DIR overrides the data folder (default ../shared/data beside the checkout);
# KILN_PEER_PYTHON the Python with gensim and tensorflow (default: python3 on PATH).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,28s/^# \{0,1\}//p' "$0"; }
script=run_word2vec_bench.sh
source bench/bench_lib.sh

# --part, --steps, --sgns-epochs and --full are this script's own; the others bench_lib.sh's.
part=all
steps=3000
sgns_epochs=1
sgns_runs=""
sgns_seeds=0
lib_args=()
while (($# > 0)); do
  case "$1" in
    --part) part="${2:?--part needs cs20, sgns or all}"; shift ;;
    --steps) steps="${2:?--steps needs a number}"; shift ;;
    --sgns-epochs) sgns_epochs="${2:?--sgns-epochs needs a number}"; shift ;;
    --full)
      sgns_epochs=15
      sgns_runs="compiled:2:12 compiled:2:13 compiled:2:15"
      sgns_seeds="0 1 2"
      ;;
    --sgns-seeds) sgns_seeds="${2:?--sgns-seeds needs seeds}"; shift ;;
    --sgns-runs) sgns_runs="${2:?--sgns-runs needs MODE:THREADS:EPOCHS ...}"; shift ;;
    *) lib_args+=("$1") ;;
  esac
  shift
done
bench_parse_args "${lib_args[@]}"
case "$part" in cs20 | sgns | all) ;; *) echo "$script: --part is cs20, sgns or all" >&2; exit 2 ;; esac
bench_setup
peer_python="${KILN_PEER_PYTHON:-$(command -v python3)}"

corpus="$data_dir/text8-head.txt"
questions="$data_dir/questions-words.txt"
[[ -f "$corpus" ]] || { echo "$script: $corpus not found (set KILN_DATA_DIR)" >&2; exit 1; }
[[ "$part" == sgns ]] || "$python" -c 'import torch' 2>/dev/null ||
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
if [[ "$part" != sgns ]]; then
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
  if "$peer_python" -c 'import tensorflow' 2>/dev/null; then
    echo "TensorFlow eager, tf.function, XLA..." >&2
    "$peer_python" bench/peers/tf_word2vec.py "$corpus" --steps "$steps" \
      --repeats "$repetitions" >"$tmp/tf.json" 2>"$tmp/tf.log"
  else
    echo "$peer_python cannot import tensorflow: no TensorFlow peer" | tee "$tmp/tf.missing" >&2
  fi
fi
if [[ "$part" != cs20 ]]; then
  # sgns runs: kiln-word2vec train --recipe sgns --epochs E --mode MODE --threads T, its
  # checkpoint evaluated on the analogies and WordSim-353.
  [[ -n "$sgns_runs" ]] ||
    sgns_runs="eager:1:$sgns_epochs eager:2:$sgns_epochs compiled:1:$sgns_epochs compiled:2:$sgns_epochs"
  for spec in $sgns_runs; do
    IFS=: read -r mode threads epochs <<<"$spec"
    [[ "$mode" == eager || "$mode" == compiled ]] && [[ "$threads" =~ ^[0-9]+$ ]] &&
      [[ "$epochs" =~ ^[0-9]+$ ]] ||
      { echo "$script: --sgns-runs: '$spec' is not MODE:THREADS:EPOCHS" >&2; exit 2; }
    for seed in $sgns_seeds; do
      echo "Kiln sgns $mode, $threads thread(s), $epochs epoch(s), seed $seed..." >&2
      run="$tmp/sgns_${mode}_t${threads}_e${epochs}_s$seed"
      "$build_dir/tools/kiln-word2vec" train --corpus "$corpus" --recipe sgns --seed "$seed" \
        --epochs "$epochs" --mode "$mode" --threads "$threads" --json \
        --checkpoint-dir "$run" >"$run.json" 2>"$run.log"
      "$build_dir/tools/kiln-word2vec" eval "$run" --analogies "$questions" \
        --similarity "$data_dir/wordsim353.tsv" --json >"${run}_eval.json" 2>>"$run.log"
      rm -rf "$run"
    done
  done
  # Debian's python3-gensim (scripts/install-deps.sh --bench), else the one in $peer_python.
  gensim_python="$python"
  "$gensim_python" -c 'import gensim' 2>/dev/null || gensim_python="$peer_python"
  if "$gensim_python" -c 'import gensim' 2>/dev/null; then
    for seed in $sgns_seeds; do
      echo "gensim, 2 workers, $sgns_epochs epoch(s), seed $seed..." >&2
      "$gensim_python" bench/peers/gensim_word2vec.py "$corpus" --questions "$questions" \
        --epochs "$sgns_epochs" --workers 2 --seed "$seed" \
        >"$tmp/gensim_s$seed.json" 2>"$tmp/gensim_s$seed.log"
    done
  else
    echo "neither $python nor $peer_python imports gensim: no gensim peer" |
      tee "$tmp/gensim.missing" >&2
  fi
  if command -v fasttext >/dev/null; then
    # word2vec's skip-gram in fastText: no subword n-grams (-maxn 0), word2vec's rate.
    echo "fastText skipgram, 2 threads, $sgns_epochs epoch(s)..." >&2
    start_ns=$(date +%s%N)
    fasttext skipgram -input "$corpus" -output "$tmp/fasttext" -dim 128 -ws 5 -neg 5 \
      -t 1e-4 -minCount 5 -minn 0 -maxn 0 -lr 0.025 -epoch "$sgns_epochs" -thread 2 \
      -verbose 0 >"$tmp/fasttext.log" 2>&1
    end_ns=$(date +%s%N)
    "$gensim_python" bench/peers/gensim_word2vec.py "$corpus" --questions "$questions" \
      --vectors "$tmp/fasttext.vec" >"$tmp/fasttext_eval.json" 2>>"$tmp/fasttext.log"
    echo "{\"seconds\": $(((end_ns - start_ns) / 1000000))e-3, \"epochs\": $sgns_epochs," \
      "\"version\": \"$(dpkg-query -W -f='${Version}' fasttext 2>/dev/null)\"}" \
      >"$tmp/fasttext.json"
    rm -f "$tmp/fasttext.bin" "$tmp/fasttext.vec"
  else
    echo "no fasttext (apt-get install fasttext): no fastText peer" | tee "$tmp/fasttext.missing" >&2
  fi
fi
uptime | tee "$tmp/uptime_end.txt" >&2

bench_machine_info frontend compiler models >"$tmp/machine.txt"

[[ -z "$keep" ]] || { mkdir -p "$keep"; cp "$tmp"/* "$keep"/; }
"$python" bench/word2vec_bench_table.py "$tmp" "$part"
