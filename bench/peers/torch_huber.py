"""The CS20 eager Huber regression (lecture 4, 04_linreg_eager.py) in PyTorch eager.

Per-sample SGD over birth_life_2010.txt in file order, float32, w = b = 0, lr 0.01,
100 epochs, loss `t**2 if |t| <= m else m * (2|t| - m)` with m = 1 and t = y - (x w + b),
autograd for the gradient and torch.optim.SGD for the update (CS20 uses
GradientDescentOptimizer). Prints one JSON object: w, b, mean loss per epoch for
epochs 0 and 90, and the median wall and CPU time of the training loop over --repeats runs.

  /usr/bin/python3 bench/peers/torch_huber.py ../shared/data/birth_life_2010.txt
"""
import argparse
import json
import statistics
import time

import torch


def read_birth_life(path):
    """(x, y) lists of 0-d float32 tensors, one per country, in file order."""
    xs, ys = [], []
    with open(path, encoding="utf-8") as f:
        next(f)  # header: Country, Birth rate, Life expectancy
        for line in f:
            fields = line.rstrip("\n").split("\t")
            if len(fields) == 3:
                xs.append(float(fields[1]))
                ys.append(float(fields[2]))
    return (list(torch.tensor(xs, dtype=torch.float32).unbind()),
            list(torch.tensor(ys, dtype=torch.float32).unbind()))


def huber_loss(y, y_predicted, m=1.0):
    # CS20's form, Python `if` on the tensor included.
    t = y - y_predicted
    return t ** 2 if torch.abs(t) <= m else m * (2 * torch.abs(t) - m)


class HuberModel:
    """w, b and one training step; `update` is "sgd" (torch.optim.SGD) or "manual"."""

    def __init__(self, lr=0.01, update="sgd"):
        self.w = torch.zeros((), dtype=torch.float32, requires_grad=True)
        self.b = torch.zeros((), dtype=torch.float32, requires_grad=True)
        self.lr = lr
        self.optimizer = torch.optim.SGD([self.w, self.b], lr=lr) if update == "sgd" else None

    def step(self, x, y):
        loss = huber_loss(y, x * self.w + self.b)
        loss.backward()
        if self.optimizer is not None:
            self.optimizer.step()
            self.optimizer.zero_grad(set_to_none=True)
        else:
            with torch.no_grad():
                self.w -= self.lr * self.w.grad
                self.b -= self.lr * self.b.grad
            self.w.grad = None
            self.b.grad = None
        return loss


def train(xs, ys, epochs, update):
    model = HuberModel(update=update)
    epoch_loss = []
    start, start_cpu = time.perf_counter(), time.process_time()
    for _ in range(epochs):
        total = 0.0
        for x, y in zip(xs, ys):
            total += model.step(x, y).item()
        epoch_loss.append(total / len(xs))
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - start_cpu
    return model.w.item(), model.b.item(), epoch_loss, seconds, cpu_seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="path to birth_life_2010.txt")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=1, help="runs; seconds is their median")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    parser.add_argument("--update", choices=["sgd", "manual"], default="sgd")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    xs, ys = read_birth_life(args.data)
    runs = [train(xs, ys, args.epochs, args.update) for _ in range(args.repeats)]
    w, b, epoch_loss, _, _ = runs[-1]
    seconds = [r[3] for r in runs]
    cpu_seconds = [r[4] for r in runs]
    steps = args.epochs * len(xs)
    print(json.dumps({
        "name": "HuberRun" if args.update == "sgd" else "HuberRunManualUpdate",
        "w": w, "b": b,
        "loss_epoch0": epoch_loss[0],
        "loss_epoch90": epoch_loss[90] if len(epoch_loss) > 90 else None,
        "seconds": statistics.median(seconds),
        "seconds_all": seconds,
        "cpu_seconds": statistics.median(cpu_seconds),
        "steps": steps,
        "us_per_step": statistics.median(seconds) / steps * 1e6,
        "threads": args.threads,
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
