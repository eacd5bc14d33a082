"""The CS20 word2vec training step (lecture 4, word2vec_eager) in PyTorch eager.

The same work as `kiln-word2vec train` (docs/word2vec.md): vocabulary of UNK + the 49,999
most frequent words, skip window 1 in corpus order (CS20's generate_sample, restarted when
the corpus is exhausted), batch 128, dimension 128; embed_matrix ~ U[0, 1), nce_weight ~
truncated normal σ = 1/√dim (cut at 2σ, as TensorFlow's), nce_bias = 0; the NCE loss as
tf.nn.nce_loss writes it (64 classes per batch from the unique log-uniform sampler, here in
NumPy, logits minus log expected count, sigmoid cross-entropy summed per example, no
accidental-hit removal), the mean over the batch, and plain SGD with lr 1.0 on the touched
rows only (index_add_, duplicates accumulate), never a dense [V, dim] gradient.

A step is what Kiln's training loop times per step: the next batch from the pair generator,
the negatives, the forward and backward pass, the update and `loss.item()`. Reading the corpus
and building the vocabulary are not timed. Prints one JSON object: the mean ms per step of
each of --repeats runs of --steps steps (each from the same initial weights, after --warmup
steps on a throwaway model) and their median, the median single-step time, the median time of
the PyTorch part alone (forward, backward, update), and the mean loss over the steps.

  /usr/bin/python3 bench/peers/torch_word2vec.py ../shared/data/text8-head.txt --steps 3000
"""
import argparse
import collections
import json
import math
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F


def read_corpus(path, vocab_size):
    """The corpus as word ids: UNK (0) then the vocab_size - 1 most frequent words, ties in
    order of first appearance (Counter keeps insertion order and most_common sorts stably)."""
    with open(path, encoding="utf-8") as f:
        words = f.read().split()
    ids = {"UNK": 0}
    for word, _ in collections.Counter(words).most_common(vocab_size - 1):
        ids[word] = len(ids)
    return [ids.get(word, 0) for word in words]


class SkipGramBatches:
    """CS20's generate_sample with context window 1 (so no random window size), batched, the
    corpus restarting when exhausted. `centers_seen` counts center words, for words/s."""

    def __init__(self, index_words, batch):
        self.index_words, self.batch = index_words, batch
        self.centers_seen = 0
        self.pairs = self._pairs()

    def _pairs(self):
        words = self.index_words
        while True:
            for index, center in enumerate(words):
                self.centers_seen += 1
                if index > 0:
                    yield center, words[index - 1]
                if index + 1 < len(words):
                    yield center, words[index + 1]

    def next(self):
        centers, targets = zip(*(next(self.pairs) for _ in range(self.batch)))
        return torch.tensor(centers), torch.tensor(targets)


class LogUniformSampler:
    """tf.random.log_uniform_candidate_sampler with unique=True: P(k) = log((k+2)/(k+1)) /
    log(range_max+1); draws until num_sampled distinct classes are seen (in first-seen
    order); expected count 1 - (1 - P(k))^num_tries."""

    def __init__(self, range_max, seed):
        self.log_range = math.log(range_max + 1)
        self.rng = np.random.default_rng(seed)

    def sample(self, labels, num_sampled):
        seen, tries = {}, 0
        while len(seen) < num_sampled:
            draws = np.exp(self.rng.random(num_sampled) * self.log_range).astype(np.int64) - 1
            for k in draws.tolist():
                tries += 1
                seen.setdefault(k)
                if len(seen) == num_sampled:
                    break
        sampled = np.fromiter(seen, np.int64, num_sampled)

        def expected_count(k):
            p = (np.log(k + 2.0) - np.log(k + 1.0)) / self.log_range
            return torch.from_numpy(-np.expm1(tries * np.log1p(-p)).astype(np.float32))

        return torch.from_numpy(sampled), expected_count(labels.numpy()), expected_count(sampled)


class SkipGramModel:
    """The three variables as plain tensors (no autograd on the [V, dim] matrices) and the
    step, which gathers the rows it needs as leaves and scatters their gradients back."""

    def __init__(self, vocab_size, dim, batch, num_sampled, lr, seed):
        gen = torch.Generator().manual_seed(seed)
        self.embed_matrix = torch.rand(vocab_size, dim, generator=gen)
        std = 1.0 / math.sqrt(dim)
        self.nce_weight = torch.empty(vocab_size, dim)
        torch.nn.init.trunc_normal_(self.nce_weight, std=std, a=-2 * std, b=2 * std)
        self.nce_bias = torch.zeros(vocab_size)
        self.lr = lr
        # tf.nn.nce_loss's labels: 1 for the true class, 0 for each sampled one.
        self.labels = torch.zeros(batch, 1 + num_sampled)
        self.labels[:, 0] = 1

    def step(self, centers, targets, sampled, true_expected, sampled_expected):
        batch = centers.numel()
        embed = self.embed_matrix.index_select(0, centers).requires_grad_()
        # One lookup of the true and sampled classes, as tf.nn.nce_loss does.
        rows = torch.cat((targets, sampled))
        weight = self.nce_weight.index_select(0, rows).requires_grad_()
        bias = self.nce_bias.index_select(0, rows).requires_grad_()
        true_logits = ((embed * weight[:batch]).sum(1, keepdim=True) + bias[:batch, None]
                       - torch.log(true_expected)[:, None])
        sampled_logits = (embed @ weight[batch:].t() + bias[batch:]
                          - torch.log(sampled_expected))
        logits = torch.cat((true_logits, sampled_logits), 1)
        loss = F.binary_cross_entropy_with_logits(logits, self.labels,
                                                  reduction="none").sum(1).mean()
        loss.backward()
        with torch.no_grad():
            self.embed_matrix.index_add_(0, centers, embed.grad, alpha=-self.lr)
            self.nce_weight.index_add_(0, rows, weight.grad, alpha=-self.lr)
            self.nce_bias.index_add_(0, rows, bias.grad, alpha=-self.lr)
        return loss


def train(index_words, args, steps, seed):
    """`steps` timed steps from fresh weights: (per-step seconds, seconds of the PyTorch part
    per step, losses, center words per second)."""
    model = SkipGramModel(args.vocab_size, args.dim, args.batch, args.num_sampled, args.lr, seed)
    batches = SkipGramBatches(index_words, args.batch)
    sampler = LogUniformSampler(args.vocab_size, seed)
    step_s, torch_s, losses = [], [], []
    for _ in range(steps):
        start = time.perf_counter()
        centers, targets = batches.next()
        sampled, true_expected, sampled_expected = sampler.sample(targets, args.num_sampled)
        mid = time.perf_counter()
        losses.append(model.step(centers, targets, sampled, true_expected,
                                 sampled_expected).item())
        end = time.perf_counter()
        step_s.append(end - start)
        torch_s.append(end - mid)
    return step_s, torch_s, losses, batches.centers_seen / max(sum(step_s), 1e-12)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", help="path to text8-head.txt")
    parser.add_argument("--steps", type=int, default=3000)
    parser.add_argument("--warmup", type=int, default=100, help="untimed steps first")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs of --steps steps")
    parser.add_argument("--threads", type=int, default=1,
                        help="torch.set_num_threads; 0 keeps PyTorch's default")
    parser.add_argument("--vocab-size", type=int, default=50000)
    parser.add_argument("--dim", type=int, default=128)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--num-sampled", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    index_words = read_corpus(args.corpus, args.vocab_size)

    train(index_words, args, args.warmup, args.seed + 1)
    runs = [train(index_words, args, args.steps, args.seed) for _ in range(args.repeats)]
    ms_per_step = [1e3 * sum(step_s) / len(step_s) for step_s, _, _, _ in runs]
    _, _, losses, _ = runs[-1]
    print(json.dumps({
        "name": "Word2vecStep",
        "ms_per_step": statistics.median(ms_per_step),
        "ms_per_step_all": ms_per_step,
        "ms_step_median": statistics.median(s for r in runs for s in r[0]) * 1e3,
        "ms_torch_part_median": statistics.median(s for r in runs for s in r[1]) * 1e3,
        "words_per_second": statistics.median(r[3] for r in runs),
        "average_loss": sum(losses) / len(losses),
        "loss_last_100": sum(losses[-100:]) / len(losses[-100:]),
        "steps": args.steps,
        "repeats": args.repeats,
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
