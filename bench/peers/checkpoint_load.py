"""The peers of bench/runtime_bench.cpp's checkpoint benchmarks: loading two 50000x128
float32 arrays (51 MB) with NumPy (`np.load` of two .npy files) and PyTorch (`torch.load`
of a state dict holding both), files written once to a scratch folder, page cache warm.

Neither format has checksums, so neither peer verifies the data as kiln_checkpoint_open
does; both read it into fresh memory. Each repeat calls the load `number` times (doubled
until a repeat takes >= 0.2 s, as timeit's autorange does); prints one JSON object with the
median wall and CPU time per load over --repeats repeats.

  /usr/bin/python3 bench/peers/checkpoint_load.py --repeats 5
"""
import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

ROWS, COLS = 50000, 128
NAMES = ("embedding/table", "embedding/table/adam_m")


def time_per_call(load, repeats):
    """(median wall seconds, median CPU seconds) per call of `load`."""
    load()  # warms the page cache and the allocator
    number = 1
    while True:
        start = time.perf_counter()
        for _ in range(number):
            load()
        if time.perf_counter() - start >= 0.2:
            break
        number *= 2
    walls, cpus = [], []
    for _ in range(repeats):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        for _ in range(number):
            load()
        walls.append((time.perf_counter() - wall0) / number)
        cpus.append((time.process_time() - cpu0) / number)
    return statistics.median(walls), statistics.median(cpus)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = np.random.default_rng(5)
    arrays = {name: rng.uniform(-1, 1, (ROWS, COLS)).astype(np.float32) for name in NAMES}
    data_bytes = sum(a.nbytes for a in arrays.values())
    results = {"bytes": data_bytes, "numpy": np.__version__, "torch": torch.__version__}
    with tempfile.TemporaryDirectory(prefix="kiln-checkpoint-peer-") as scratch:
        npy_paths = [Path(scratch) / f"tensor{i}.npy" for i in range(len(NAMES))]
        for path, array in zip(npy_paths, arrays.values()):
            np.save(path, array)
        state_dict_path = Path(scratch) / "state_dict.pt"
        torch.save({name: torch.from_numpy(a) for name, a in arrays.items()}, state_dict_path)

        loads = {
            "numpy_load": lambda: [np.load(p) for p in npy_paths],
            "torch_load": lambda: torch.load(state_dict_path),
        }
        for key, load in loads.items():
            wall, cpu = time_per_call(load, args.repeats)
            results[key] = {"seconds": wall, "cpu_seconds": cpu}
    print(json.dumps(results))


if __name__ == "__main__":
    main()
