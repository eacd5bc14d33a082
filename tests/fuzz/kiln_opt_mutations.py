#!/usr/bin/env python3
"""Feeds kiln-opt mutated kiln IR and checks that it never crashes or hangs.

    kiln_opt_mutations.py KILN_OPT CORPUS_DIR [--runs N] [--seed S] [--out DIR]

Each run takes one .mlir file of the corpus (the dialect's lit tests), mutates it
(truncation, byte flips, deleted or repeated spans, hostile numbers and types
spliced in) and runs kiln-opt on every `// -----` chunk, half of the runs with
-canonicalize -cse -sccp so that verifiers and folders both see the damage. A run
passes when kiln-opt exits with 0 (still valid) or 1 (diagnosed) within the time
limit; a signal (a crash, or a sanitizer report with abort_on_error=1) or a hang
fails, and the input is saved under --out to reproduce it. The mutations are
seeded, so a failure reproduces with the same --seed and --runs; KILN_FUZZ_RUNS
overrides the number of runs (more for a longer soak).
"""
import argparse
import os
import pathlib
import random
import re
import subprocess
import sys

HOSTILE_NUMBERS = [
    "0", "-1", "1", "2", "7", "-9223372036854775808", "9223372036854775807", "2147483648",
    "4294967296", "99999999999999999999", "1.0e309", "-0.0", "0x7FC00000", "nan", "",
]
HOSTILE_TYPES = [
    "tensor<0xf32>", "tensor<f32>", "tensor<?xf32>", "tensor<*xf32>", "tensor<4xi8>",
    "tensor<9223372036854775807xf32>", "tensor<4294967296x4294967296xi32>",
    "tensor<1x1x1x1x1x1x1x1x1xf32>", "tensor<2xi64>", "tensor<2x0x3xi1>", "f32", "i64",
    "tensor<4xf32, \"enc\">", "memref<4xf32>", "tensor<3x3xf64>",
]
HOSTILE_TOKENS = [
    "kiln.loop", "kiln.yield", "kiln.constant", "kiln.add", "kiln.gather", "kiln.concat",
    "iter_args", "->", "{", "}", "(", ")", "<", ">", ",", ":", "%0", "%arg0", "^bb1:",
    "dense<>", "dense<[[1]]>", "array<i64: -1>", "#kiln<compare_predicate lt>",
    "{kiln.variable = \"\"}", "\"kiln.neg\"()", "// -----", "\x00", "\xff",
]
NUMBER = re.compile(rb"-?\d+(\.\d+)?(e[+-]?\d+)?")
TYPE = re.compile(rb"tensor<[^<>]*>")


def mutate(text: bytes, rng: random.Random) -> bytes:
    data = bytearray(text)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(7)
        if not data:
            break
        at = rng.randrange(len(data))
        if kind == 0:  # truncate
            del data[at:]
        elif kind == 1:  # flip bytes
            for _ in range(rng.randint(1, 8)):
                data[rng.randrange(len(data))] = rng.randrange(256)
        elif kind == 2:  # delete a span
            del data[at:at + rng.randint(1, 80)]
        elif kind == 3:  # repeat a span
            data[at:at] = data[at:at + rng.randint(1, 80)]
        elif kind in (4, 5):  # replace a number or a type with a hostile one
            pattern, choices = (NUMBER, HOSTILE_NUMBERS) if kind == 4 else (TYPE, HOSTILE_TYPES)
            matches = list(pattern.finditer(bytes(data)))
            if matches:
                m = rng.choice(matches)
                data[m.start():m.end()] = rng.choice(choices).encode("latin-1")
        else:  # splice a token
            data[at:at] = (" " + rng.choice(HOSTILE_TOKENS) + " ").encode("latin-1")
    return bytes(data)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kiln_opt")
    parser.add_argument("corpus", type=pathlib.Path)
    parser.add_argument("--runs", type=int, default=int(os.environ.get("KILN_FUZZ_RUNS", 300)))
    parser.add_argument("--seed", type=int, default=20240611)
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--out", type=pathlib.Path, default=pathlib.Path("kiln-opt-crashes"))
    args = parser.parse_args()

    corpus = sorted(args.corpus.glob("*.mlir"))
    if not corpus:
        print(f"no .mlir files in {args.corpus}", file=sys.stderr)
        return 2
    texts = [p.read_bytes() for p in corpus]
    rng = random.Random(args.seed)
    failures = 0
    outcomes = {0: 0, 1: 0}
    for run in range(args.runs):
        source = rng.randrange(len(texts))
        mutated = mutate(texts[source], rng)
        command = [args.kiln_opt, "-split-input-file", "-"]
        if run % 2:
            command[1:1] = ["-canonicalize", "-cse", "-sccp"]
        try:
            result = subprocess.run(command, input=mutated, capture_output=True,
                                    timeout=args.timeout)
            code, detail = result.returncode, result.stderr[-2000:].decode("utf-8", "replace")
        except subprocess.TimeoutExpired:
            code, detail = "timeout", f"no exit within {args.timeout}s"
        if code in (0, 1):
            outcomes[code] += 1
            continue
        failures += 1
        args.out.mkdir(parents=True, exist_ok=True)
        saved = args.out / f"run{run}-from-{corpus[source].stem}.mlir"
        saved.write_bytes(mutated)
        print(f"FAIL run {run} ({' '.join(command[1:])}): exit {code}; input saved as {saved}\n"
              f"{detail}", file=sys.stderr)
    print(f"{args.runs} mutated inputs: {outcomes[0]} accepted, {outcomes[1]} rejected with a "
          f"diagnostic, {failures} crashed or hung")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
