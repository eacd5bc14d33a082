"""Formats the raw results of bench/run_word2vec_bench.sh as a markdown table.

Reads, from the folder given: kiln_eager_N.json, kiln_compiled_N.json and
kiln_compiled_t1_N.json (kiln-word2vec train --json, one per run), torch_t1.json,
torch_t0.json and torch_tC.json (bench/peers/torch_word2vec.py on one thread, PyTorch's
default and C = every core), uptime_start.txt, uptime_end.txt and machine.txt. Every figure
is the median of its runs.
"""
import glob
import os
import statistics
import sys

from eager_bench_table import load_json, read_machine, torch_version

# Issue 6's target for the compiled step on this 2-core machine.
TARGET_MS = 0.150


def kiln_runs(folder, prefix):
    """(median ms/step, min and max ms/step, median words/s, median mean loss, median compile
    seconds or None) over the kiln-word2vec runs PREFIX_N.json."""
    runs = [load_json(p) for p in sorted(glob.glob(os.path.join(folder, f"{prefix}_[0-9]*.json")))]
    ms = [r["ms_per_step"] for r in runs]
    # With --report-every equal to --steps, the one average is over every step of the run.
    loss = statistics.median(next(iter(r["average_loss"].values())) for r in runs)
    compile_s = [r["compile_seconds"] for r in runs if r.get("compile_seconds")]
    return (statistics.median(ms), min(ms), max(ms),
            statistics.median(r["words_per_second"] for r in runs), loss,
            statistics.median(compile_s) if compile_s else None)


def row(label, ms, lo, hi, words, loss, compile_s):
    compile_text = f"{compile_s:.2f} s" if compile_s else "—"
    print(f"| {label} | {ms:.3f} ms | {lo:.3f}–{hi:.3f} ms | {1e3 / ms:,.0f} | {words:,.0f} "
          f"| {loss:.1f} | {compile_text} |")


def main():
    folder = sys.argv[1]
    machine = read_machine(folder)
    torch_t1 = load_json(os.path.join(folder, "torch_t1.json"))
    torch_t0 = load_json(os.path.join(folder, "torch_t0.json"))
    cores = machine.get("cores", "").split(" ")[0]

    print("| configuration | ms/step (median of runs) | runs' range | steps/s | words/s "
          f"| mean loss, steps 0–{torch_t1['steps'] - 1} | compile |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    eager = kiln_runs(folder, "kiln_eager")
    compiled = kiln_runs(folder, "kiln_compiled")
    compiled_t1 = kiln_runs(folder, "kiln_compiled_t1")
    row("Kiln eager", *eager)
    row(f"Kiln compiled, default threads ({cores})", *compiled)
    row("Kiln compiled, `OMP_NUM_THREADS=1`", *compiled_t1)
    version = torch_version(machine)
    for label, name in (("1 thread", "torch_t1.json"),
                        (f"default threads ({torch_t0['threads']})", "torch_t0.json"),
                        (f"{cores} threads", f"torch_t{cores}.json")):
        r = load_json(os.path.join(folder, name))
        label = f"PyTorch {version} eager, {label}"
        all_ms = r["ms_per_step_all"]
        row(label, r["ms_per_step"], min(all_ms), max(all_ms), r["words_per_second"],
            r["average_loss"], None)

    best = min(compiled[0], compiled_t1[0])
    print()
    print(f"Target (issue 6): compiled step under {TARGET_MS * 1e3:.0f} µs — "
          f"{'met' if best < TARGET_MS else 'not met'}: the faster compiled figure is "
          f"{best * 1e3:.0f} µs, {best / TARGET_MS:.1f}× the target. PyTorch ÷ Kiln compiled "
          f"(1 thread each): {torch_t1['ms_per_step'] / compiled_t1[0]:.2f}×.")
    print(f"PyTorch per step, 1 thread: median single step {torch_t1['ms_step_median']:.3f} ms, "
          f"of which forward, backward and update {torch_t1['ms_torch_part_median']:.3f} ms "
          f"(the rest: the Python pair generator and the NumPy sampler); loss over its last "
          f"100 steps {torch_t1['loss_last_100']:.1f}.")
    print()
    print(f"- date: {machine.get('date')}")
    print(f"- CPU: {machine.get('cpu')}, {machine.get('cores')}")
    print(f"- uptime at the start: `{open_text(folder, 'uptime_start.txt')}`")
    print(f"- uptime at the end: `{open_text(folder, 'uptime_end.txt')}`")
    print(f"- compiler: {machine.get('compiler')}, CMAKE_BUILD_TYPE={machine.get('build_type')}; "
          f"Kiln {machine.get('kiln')}")
    print(f"- PyTorch {machine.get('torch')}")


def open_text(folder, name):
    with open(os.path.join(folder, name), encoding="utf-8") as f:
        return f.read().strip()


if __name__ == "__main__":
    main()
