"""Formats the raw results of bench/run_compiled_bench.sh as a markdown table.

Reads, from the folder given: kiln_compiled.json (bench/compiled_bench.cpp, Google Benchmark
JSON with aggregates), kiln_huber_eager_*.json and kiln_huber_compiled_*.json (kiln-huber
--json --mode eager|compiled, one per run) with their .cpu files (the process's user and
system CPU seconds), torch_huber.json (bench/peers/torch_huber.py) and machine.txt.
Every figure is the median of its repetitions. Shares its readers with eager_bench_table.py.
"""
import os
import sys

from eager_bench_table import (gbench_medians, kiln_huber_runs, load_json, ns, print_machine,
                               read_machine, torch_version)

# The issue's PyTorch figure for the 100-epoch run, which the compiled run is to beat 100×.
ISSUE_TORCH_SECONDS = 1.62


def seconds(v):
    if v is None:
        return "—"
    return f"{v * 1e3:,.1f} ms" if v < 1 else f"{v:.3f} s"


def times(num, den):
    return f"{num / den:,.1f}×" if num and den else "—"


def main():
    folder = sys.argv[1]
    machine = read_machine(folder)
    bench, context = gbench_medians(os.path.join(folder, "kiln_compiled.json"))
    get = lambda name: bench.get(name, (None, None))  # noqa: E731

    print("| what | Kiln eager | Kiln compiled | eager ÷ compiled | target "
          "| compiled CPU time |")
    print("|---|---:|---:|---:|---|---:|")
    for label, name, target in (
            ("compile the Huber train step (`kiln::compile`, tracing excluded)",
             "CompileHuberStep", "< 1 s"),
            ("compile the 100-epoch Huber loop (one `kiln.loop`)", "CompileHuberLoop", "< 1 s")):
        t, c = get(name)
        print(f"| {label} | — | {ns(t)} | — | {target} | {ns(c)} |")
    t, c = get("TraceHuberLoop")
    print(f"| trace the 100-epoch Huber loop (`trace_huber_functions`, for comparison) | — "
          f"| {ns(t)} | — |  | {ns(c)} |")
    for label, eager, compiled in (
            ("matmul 128×128 f32 (compiled: one call)", "EagerMatmul128", "CompiledMatmul128"),
            ("gather 128 rows of 50000×128 f32 (compiled: one call)", "EagerGather128of50000",
             "CompiledGather128of50000"),
            ("Huber step (compiled: one `train_step` call)", None, "CompiledHuberStepCall")):
        e, _ = get(eager) if eager else (None, None)
        k, kc = get(compiled)
        print(f"| {label} | {ns(e)} | {ns(k)} | {times(e, k)} |  | {ns(kc)} |")

    print()
    eager_runs, eager_s, eager_cpu = kiln_huber_runs(folder, "kiln_huber_eager")
    comp_runs, comp_s, comp_cpu = kiln_huber_runs(folder, "kiln_huber_compiled")
    torch_r = load_json(os.path.join(folder, "torch_huber.json"))
    compile_s = (sorted(r["compile_seconds"] for r in comp_runs)[len(comp_runs) // 2]
                 if comp_runs else None)
    print(f"| CS20 Huber run, 100 epochs | Kiln eager | Kiln compiled | PyTorch "
          f"{torch_version(machine)} eager (optim.SGD) | PyTorch ÷ Kiln compiled "
          f"| issue's PyTorch 1.62 s ÷ Kiln compiled | target |")
    print("|---|---:|---:|---:|---:|---:|---|")
    print(f"| training loop (wall) | {seconds(eager_s)} | {seconds(comp_s)} "
          f"| {seconds(torch_r['seconds'])} | {times(torch_r['seconds'], comp_s)} "
          f"| {times(ISSUE_TORCH_SECONDS, comp_s)} | compiled ≥ 100× faster than 1.62 s |")
    print(f"| compiling `train_epoch` (kiln-huber's compile_seconds, tracing included) | — "
          f"| {seconds(compile_s)} | — | | | |")
    print(f"| whole process, CPU time (start, data, compile, loop) | {seconds(eager_cpu)} "
          f"| {seconds(comp_cpu)} | {seconds(torch_r['cpu_seconds'])} (loop only) | | | |")
    fits = []
    for label, runs in (("eager", eager_runs), ("compiled", comp_runs)):
        if runs:
            fits.append(f"Kiln {label} w = {runs[-1]['w']:.5f}, b = {runs[-1]['b']:.4f}")
    fits.append(f"PyTorch w = {torch_r['w']:.5f}, b = {torch_r['b']:.4f}")
    print()
    print("Fits (reference w = −6.27074, b = 85.6266): " + "; ".join(fits) + ".")
    print()
    print_machine(machine, context,
                  "figures are medians over the repetitions; compiled kernels include the "
                  "`CompiledModule::call` overhead; Huber runs time the training loop alone "
                  "(kiln-huber's own \"seconds\", compile excluded)")


if __name__ == "__main__":
    main()
