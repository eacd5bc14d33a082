"""The ops of bench/eager_ops_bench.cpp in PyTorch eager, timed like timeit.

For each op and thread count: the number of calls per repeat is chosen so that one
repeat takes about --min-seconds, then --repeats repeats run. Prints one JSON line
per op: {"name", "threads", "ns_per_op" (median wall time of the repeats), "best_ns",
"cpu_ns_per_op" (median process CPU time), "repeats"}.
Names match the Google Benchmark names without the BM_ prefix.

  /usr/bin/python3 bench/peers/torch_eager_ops.py --threads 1 2 \
      --data ../shared/data/birth_life_2010.txt
"""
import argparse
import itertools
import json
import os
import statistics
import sys
import time
import timeit

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_huber  # noqa: E402  (the Huber step is shared with the full run)


# Each op is (setup, statement): the statement is timed as timeit times source text, in a
# loop with no extra Python call around it, in the namespace the setup returns.

def scalar_add():
    a = torch.tensor(1.5, dtype=torch.float32)
    b = torch.tensor(2.25, dtype=torch.float32)
    return {"a": a, "b": b}, "a + b"


def scalar_add_with_tape():
    # requires_grad makes autograd record a graph node for each add (freed with its result).
    a = torch.tensor(1.5, dtype=torch.float32, requires_grad=True)
    b = torch.tensor(2.25, dtype=torch.float32)
    return {"a": a, "b": b}, "a + b"


def matmul128():
    g = torch.Generator().manual_seed(1)
    a = torch.rand(128, 128, generator=g)
    b = torch.rand(128, 128, generator=g)
    return {"a": a, "b": b}, "a @ b"


def gather128of50000():
    g = torch.Generator().manual_seed(3)
    params = torch.rand(50000, 128, generator=g)
    indices = torch.randint(0, 50000, (128,), generator=g, dtype=torch.int64)
    return {"torch": torch, "params": params, "indices": indices}, \
        "torch.index_select(params, 0, indices)"


def huber_step(data_path):
    xs, ys = torch_huber.read_birth_life(data_path)
    model = torch_huber.HuberModel()
    samples = itertools.cycle(list(zip(xs, ys)))
    return {"model": model, "samples": samples}, "model.step(*next(samples))"


class Stamp:
    """Wall and process CPU time together, so that one timeit loop measures both."""

    def __init__(self, wall, cpu):
        self.wall, self.cpu = wall, cpu

    @staticmethod
    def now():
        return Stamp(time.perf_counter(), time.process_time())

    def __sub__(self, other):
        return Stamp(self.wall - other.wall, self.cpu - other.cpu)


def measure(setup, stmt, repeats, min_seconds):
    """Median and best wall ns per call, and median CPU ns per call, over `repeats`."""
    timer = timeit.Timer(stmt, timer=Stamp.now, globals=setup)
    number = 1
    while timer.timeit(number).wall < min_seconds:  # timeit's autorange, to a longer target
        number *= 2
    runs = timer.repeat(repeat=repeats, number=number)
    wall = [r.wall / number * 1e9 for r in runs]
    cpu = [r.cpu / number * 1e9 for r in runs]
    return statistics.median(wall), min(wall), statistics.median(cpu)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--min-seconds", type=float, default=0.2)
    parser.add_argument("--data", help="birth_life_2010.txt, for HuberStep (skipped without it)")
    args = parser.parse_args()

    ops = {
        "ScalarAdd": scalar_add,
        "ScalarAddWithTape": scalar_add_with_tape,
        "Matmul128": matmul128,
        "Gather128of50000": gather128of50000,
    }
    if args.data:
        ops["HuberStep"] = lambda: huber_step(args.data)
    for threads in args.threads:
        torch.set_num_threads(threads)
        for name, make in ops.items():
            setup, stmt = make()
            median, best, cpu = measure(setup, stmt, args.repeats, args.min_seconds)
            print(json.dumps({"name": name, "threads": threads, "ns_per_op": round(median, 1),
                              "best_ns": round(best, 1), "cpu_ns_per_op": round(cpu, 1),
                              "repeats": args.repeats, "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
