"""The CS20 word2vec training step (lecture 4) in TensorFlow 2: eager, tf.function, and
tf.function with XLA (jit_compile=True).

The lecture's model as TensorFlow itself writes it: vocabulary UNK + the 49,999 most frequent
words, skip window 1 in corpus order (restarted when exhausted), batch 128, dimension 128,
embed_matrix ~ U[0, 1), nce_weight ~ truncated normal σ = 1/√dim, nce_bias = 0,
tf.nn.nce_loss with 64 classes from tf.random.log_uniform_candidate_sampler (unique; drawn
eagerly before the step and passed in, as Kiln draws its negatives on the host, since XLA has
no kernel for the sampler), the mean over the batch, plain SGD lr 1.0 on the
touched rows only (the gradients are IndexedSlices, applied with scatter_sub). The pairs are
precomputed in NumPy (not timed); a step is the slice of the next batch, the step function
the sampler, the step function and the loss read back. Prints one JSON object per mode: the median ms per step over
--repeats runs of --steps steps (eager: --eager-steps, it is 10x slower) after --warmup steps,
which include tracing and compiling.
A peer for benchmarks only: TensorFlow is never a dependency of Kiln.

  python3 bench/peers/tf_word2vec.py ../shared/data/text8-head.txt --steps 3000
"""
import argparse
import collections
import json
import math
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def read_pairs(path, vocab_size):
    """All (center, target) pairs of window 1 in corpus order, as two int64 arrays."""
    with open(path, encoding="utf-8") as f:
        words = f.read().split()
    ids = {"UNK": 0}
    for word, _ in collections.Counter(words).most_common(vocab_size - 1):
        ids[word] = len(ids)
    index = np.fromiter((ids.get(w, 0) for w in words), np.int64, len(words))
    n = len(index)
    # Center i yields (i, i-1) then (i, i+1), clipped at the ends, as CS20's generate_sample.
    centers = np.repeat(index, 2)
    targets = np.empty(2 * n, np.int64)
    targets[0::2] = np.concatenate(([-1], index[:-1]))
    targets[1::2] = np.concatenate((index[1:], [-1]))
    keep = targets >= 0
    return centers[keep], targets[keep]


def make_step(args, variables, mode):
    embed_matrix, nce_weight, nce_bias = variables

    def step(centers, targets, sampled, true_expected, sampled_expected):
        with tf.GradientTape() as tape:
            embed = tf.nn.embedding_lookup(embed_matrix, centers)
            loss = tf.reduce_mean(tf.nn.nce_loss(
                weights=nce_weight, biases=nce_bias, labels=targets, inputs=embed,
                num_sampled=args.num_sampled, num_classes=args.vocab_size,
                sampled_values=(sampled, true_expected, sampled_expected),
                remove_accidental_hits=False))
        grads = tape.gradient(loss, variables)
        for var, grad in zip(variables, grads):
            var.scatter_sub(tf.IndexedSlices(grad.values * args.lr, grad.indices))
        return loss

    if mode == "eager":
        return step
    return tf.function(step, jit_compile=(mode == "xla"))


def run(args, pairs, mode, steps, seed):
    tf.random.set_seed(seed)
    std = 1.0 / math.sqrt(args.dim)
    variables = [
        tf.Variable(tf.random.uniform([args.vocab_size, args.dim]), name="embed_matrix"),
        tf.Variable(tf.random.truncated_normal([args.vocab_size, args.dim], stddev=std),
                    name="nce_weight"),
        tf.Variable(tf.zeros([args.vocab_size]), name="nce_bias"),
    ]
    step = make_step(args, variables, mode)
    centers, targets = pairs
    n = len(centers) // args.batch * args.batch
    position, losses = 0, []

    def one():
        nonlocal position
        c = tf.constant(centers[position:position + args.batch])
        t = tf.constant(targets[position:position + args.batch].reshape(-1, 1))
        position = (position + args.batch) % n
        sampled = tf.random.log_uniform_candidate_sampler(
            true_classes=t, num_true=1, num_sampled=args.num_sampled, unique=True,
            range_max=args.vocab_size)
        losses.append(float(step(c, t, *sampled)))

    for _ in range(args.warmup):
        one()
    start = time.perf_counter()
    for _ in range(steps):
        one()
    return 1e3 * (time.perf_counter() - start) / steps, losses


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", help="path to text8-head.txt")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--eager-steps", type=int, default=300, help="timed steps, eager mode")
    parser.add_argument("--warmup", type=int, default=50, help="untimed steps first")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--modes", default="eager,function,xla")
    parser.add_argument("--vocab-size", type=int, default=50000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--num-sampled", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    pairs = read_pairs(args.corpus, args.vocab_size)
    results = {}
    for mode in args.modes.split(","):
        steps = min(args.steps, args.eager_steps) if mode == "eager" else args.steps
        runs = [run(args, pairs, mode, steps, args.seed) for _ in range(args.repeats)]
        ms = [r[0] for r in runs]
        losses = runs[-1][1][args.warmup:]
        results[mode] = {
            "ms_per_step": statistics.median(ms),
            "ms_per_step_all": ms,
            # Window 1: each center word yields two pairs.
            "words_per_second": args.batch / 2 / (statistics.median(ms) / 1e3),
            "average_loss": sum(losses) / len(losses),
            "steps": steps,
        }
    print(json.dumps({"tensorflow": tf.__version__, "steps": args.steps,
                      "repeats": args.repeats, "modes": results}))


if __name__ == "__main__":
    main()
