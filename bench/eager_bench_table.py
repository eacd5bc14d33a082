"""Formats the raw results of bench/run_eager_bench.sh as a markdown table.

Reads, from the folder given: kiln_ops_t1.json and kiln_ops_t2.json (Google Benchmark
JSON with aggregates), torch_ops.jsonl (bench/peers/torch_eager_ops.py), kiln_huber_*.json
(kiln-huber --json, one per run; may be absent), kiln_huber_*.cpu (its
user and system CPU seconds), torch_huber.json and torch_huber_manual.json
(bench/peers/torch_huber.py), machine.txt (key=value lines).
Every figure is the median of its repetitions; the ratio is PyTorch's time over Kiln's.
The main columns are wall time; the CPU-time columns (process CPU time over the same
loops) show how much a busy machine inflated them.
"""
import glob
import json
import os
import re
import statistics
import sys

# (row label, Kiln benchmark, threads, PyTorch op, target from the issue)
OP_ROWS = [
    ("scalar add, f32 `a + b`", "ScalarAdd", 1, "< 200 ns"),
    ("scalar add under a recording tape", "ScalarAddWithTape", 1, ""),
    ("matmul 128×128 f32, 1 thread", "Matmul128", 1, ""),
    ("matmul 128×128 f32, 2 threads", "Matmul128", 2, ""),
    ("gather 128 rows of 50000×128 f32, 1 thread", "Gather128of50000", 1, ""),
    ("gather 128 rows of 50000×128 f32, 2 threads", "Gather128of50000", 2, ""),
    ("Huber step (tape, loss, gradient, SGD update)", "HuberStep", 1, ""),
]


def load_json(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def gbench_medians(path):
    """{benchmark name without BM_: (median real ns, median CPU ns)} and the Google Benchmark
    context of one JSON result file (with one repetition, which has no aggregates: its
    figures)."""
    out, single = {}, {}
    doc = load_json(path)
    for b in doc["benchmarks"]:
        if b.get("error_occurred"):
            continue
        scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[b.get("time_unit", "ns")]
        # "BM_ScalarAdd/process_time" -> "ScalarAdd"
        name = b["run_name"].split("/")[0].removeprefix("BM_")
        figures = (b["real_time"] * scale, b["cpu_time"] * scale)
        if b.get("aggregate_name") == "median":
            out[name] = figures
        elif b.get("run_type", "iteration") == "iteration":
            single[name] = figures
    return {**single, **out}, doc.get("context", {})


def kiln_ops(folder):
    """{(name, threads): (median real ns, median CPU ns)} and the Google Benchmark context."""
    out, context = {}, {}
    for threads in (1, 2):
        path = os.path.join(folder, f"kiln_ops_t{threads}.json")
        if not os.path.exists(path):
            continue
        medians, context = gbench_medians(path)
        out.update({(name, threads): v for name, v in medians.items()})
    return out, context


def read_machine(folder):
    """machine.txt's key=value lines as a dict."""
    machine = {}
    with open(os.path.join(folder, "machine.txt"), encoding="utf-8") as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            machine[key] = value
    return machine


def torch_version(machine):
    """Debian's build calls itself 1.13.0a0; the package version names the release."""
    m = re.search(r"python3-torch (\d+\.\d+\.\d+)", machine.get("torch", ""))
    return m.group(1) if m else machine.get("torch", "").split(" ")[0]


def kiln_huber_runs(folder, prefix):
    """kiln-huber --json runs PREFIX_N.json: (the runs, median "seconds", median whole-process
    CPU seconds from PREFIX_N.cpu); the medians are None without runs."""
    runs = [load_json(p) for p in sorted(glob.glob(os.path.join(folder, f"{prefix}_[0-9]*.json")))]
    seconds = statistics.median(r["seconds"] for r in runs) if runs else None
    # PREFIX_N.cpu: "user system" CPU seconds of the whole kiln-huber process.
    cpu = [sum(float(v) for v in open(p, encoding="utf-8").read().split())
           for p in glob.glob(os.path.join(folder, f"{prefix}_[0-9]*.cpu"))]
    return runs, seconds, statistics.median(cpu) if cpu else None


def print_machine(machine, context, how):
    """The bullet list under a table: date, CPU and load, compiler, peers; `how` ends it."""
    print(f"- date: {machine.get('date')}")
    print(f"- CPU: {machine.get('cpu')}, {machine.get('cores')}; load average (1, 5, 15 min) "
          f"{machine.get('load')}")
    print(f"- compiler: {machine.get('compiler')}, CMAKE_BUILD_TYPE={machine.get('build_type')}; "
          f"Kiln {machine.get('kiln')}")
    print(f"- PyTorch {machine.get('torch')}; BLAS: {machine.get('blas')}")
    print(f"- Google Benchmark: library built as {context.get('library_build_type', '?')}; {how}")


def torch_ops(folder):
    out = {}
    with open(os.path.join(folder, "torch_ops.jsonl"), encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                out[(r["name"], r["threads"])] = (r["ns_per_op"], r.get("cpu_ns_per_op"))
    return out


def ns(v):
    if v is None:
        return "—"
    if v >= 1e6:
        return f"{v / 1e6:,.2f} ms"
    if v >= 1e4:
        return f"{v / 1e3:,.1f} µs"
    return f"{v:,.0f} ns"


def ratio(torch_v, kiln_v):
    return f"{torch_v / kiln_v:.1f}×" if torch_v and kiln_v else "—"


def main():
    folder = sys.argv[1]
    machine = read_machine(folder)
    kiln, context = kiln_ops(folder)
    torch_r = torch_ops(folder)
    torch_version_ = torch_version(machine)

    print(f"| op | Kiln | PyTorch {torch_version_} | PyTorch ÷ Kiln | target "
          f"| Kiln CPU time | PyTorch CPU time | CPU-time ratio |")
    print("|---|---:|---:|---:|---|---:|---:|---:|")
    for label, name, threads, target in OP_ROWS:
        k, kc = kiln.get((name, threads), (None, None))
        t, tc = torch_r.get((name, threads), (None, None))
        print(f"| {label} | {ns(k)} | {ns(t)} | {ratio(t, k)} | {target} "
              f"| {ns(kc)} | {ns(tc)} | {ratio(tc, kc)} |")

    kiln_runs, kiln_s, kiln_cpu_s = kiln_huber_runs(folder, "kiln_huber")
    fits = []
    if kiln_runs:
        fits.append(f"Kiln w = {kiln_runs[-1]['w']:.5f}, b = {kiln_runs[-1]['b']:.4f}")
    for file, label in (("torch_huber.json", "CS20 Huber run, 100 epochs (PyTorch: optim.SGD)"),
                        ("torch_huber_manual.json",
                         "CS20 Huber run, 100 epochs (PyTorch: manual update)")):
        path = os.path.join(folder, file)
        if not os.path.exists(path):
            continue
        r = load_json(path)
        kiln_cell = f"{kiln_s:.3f} s" if kiln_s is not None else "not run (no kiln-huber)"
        print(f"| {label} | {kiln_cell} | {r['seconds']:.3f} s | "
              f"{ratio(r['seconds'], kiln_s)} | Kiln ≥ 10× faster "
              f"| {f'{kiln_cpu_s:.3f} s (whole process)' if kiln_cpu_s else '—'} "
              f"| {r['cpu_seconds']:.3f} s | {ratio(r['cpu_seconds'], kiln_cpu_s)} |")
        fits.append(f"PyTorch ({r['name']}) w = {r['w']:.5f}, b = {r['b']:.4f}")

    print()
    print("Fits (reference w = −6.27074, b = 85.6266): " + "; ".join(fits) + ".")
    print()
    print_machine(machine, context,
                  "Kiln figures are medians over the repetitions, PyTorch figures medians of "
                  "timeit repeats; full runs time the training loop (kiln-huber: its own "
                  "\"seconds\")")


if __name__ == "__main__":
    main()
