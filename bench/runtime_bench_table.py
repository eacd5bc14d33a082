"""Formats the raw results of bench/run_runtime_bench.sh as markdown tables.

Reads, from the folder given: kiln_runtime.json (bench/runtime_bench.cpp, Google Benchmark
JSON with aggregates), checkpoint_load.json (bench/peers/checkpoint_load.py), sizes.txt
(file bytes and `size` text/data/bss of the programs and of libkiln_runtime.a),
huber-predict.map (the linker's map of the standalone executable), huber-predict.nm (its
symbols, largest first) and machine.txt. Timings are medians of the repetitions.
"""
import os
import re
import sys
from collections import defaultdict

from eager_bench_table import (gbench_medians, load_json, ns, print_machine, read_machine,
                               torch_version)

CHECKPOINT_BYTES = 2 * 50000 * 128 * 4
RUNTIME_CODE_TARGET = 200 * 1024  # the issue: "under 200 KB of code, stripped"

# An input section line of GNU ld's map: " .text.name 0xADDR 0xSIZE file", the name on a line
# of its own when it is long.
SECTION = re.compile(r"^ (\.\S+)(?:\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*))?$")
PLACEMENT = re.compile(r"^\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+(\S.*)$")


# The parts of the program, in the order the table lists them: (pattern in the input file's
# path, name). The runtime's command line and .npy I/O have their own library once split out.
PARTS = [("libkiln_runtime.a", "runtime"),
         ("libkiln_runtime_cli.a", "runtime command line and .npy I/O (kiln_runtime_cli)"),
         ("libkiln_standalone_main.a", "standalone main()"),
         ("libstdc++", "libstdc++ (static)"), ("libgcc", "libgcc (static)"),
         ("model.o", "model code"), ("glue.o", "generated glue"),
         ("crt", "C startup (crt*.o)")]
LINKER = "linker (.eh_frame_hdr)"
OTHER = "other"


def owner(path):
    """Which part of the program an input file of the link is."""
    for pattern, name in PARTS:
        if pattern in path:
            return name
    return OTHER


def section_kind(name):
    # The model's code uses the large code model: .ltext, .lrodata, .ldata.
    if re.match(r"\.l?text", name):
        return "code"
    if re.match(r"\.(l?rodata|l?data|eh_frame|gcc_except_table|init_array|fini_array|tdata)", name):
        return "data"
    return None  # debug info, notes, .bss: no bytes in the stripped program's loaded image


def link_map(path):
    """{(owner, "code"|"data"): bytes} and {runtime library member: code bytes} from the map."""
    totals, members = defaultdict(int), defaultdict(int)
    with open(path, encoding="utf-8", errors="replace") as f:
        lines = iter(f)
        for line in lines:
            if line.startswith("Linker script and memory map"):
                break
        pending = None
        for line in lines:
            m = SECTION.match(line)
            if m:
                pending = None if m.group(2) else m.group(1)
                placed = (m.group(1), m.group(3), m.group(4)) if m.group(2) else None
            elif pending and (p := PLACEMENT.match(line)):
                placed, pending = (pending, p.group(2), p.group(3)), None
            else:
                pending, placed = None, None
            if not placed:
                continue
            name, size, file = placed
            kind = section_kind(name)
            if kind is None:
                continue
            # The linker makes .eh_frame_hdr (an index of all unwind info); the map names the
            # first input file for it.
            who = LINKER if name == ".eh_frame_hdr" else owner(file)
            totals[(who, kind)] += int(size, 16)
            if kind == "code" and "libkiln_runtime" in file:  # kiln_runtime and kiln_runtime_cli
                members[re.sub(r".*\((.*)\)$", r"\1", file)] += int(size, 16)
    return totals, members


def read_sizes(folder):
    """{name: (file bytes, text, data, bss)} and the ldd line from sizes.txt."""
    sizes, ldd = {}, ""
    with open(os.path.join(folder, "sizes.txt"), encoding="utf-8") as f:
        for line in f:
            key, _, value = line.rstrip("\n").partition("=")
            if key == "ldd":
                ldd = value.strip()
            else:
                sizes[key] = tuple(int(v) for v in value.split())
    return sizes, ldd


def kb(v):
    return f"{v / 1024:,.1f} KiB ({v:,} B)"


def main():
    folder = sys.argv[1]
    machine = read_machine(folder)
    bench, context = gbench_medians(os.path.join(folder, "kiln_runtime.json"))
    peers = load_json(os.path.join(folder, "checkpoint_load.json"))

    def gbps(seconds_ns):
        return f"{CHECKPOINT_BYTES / seconds_ns:.1f} GB/s" if seconds_ns else "—"

    print("| what | wall | CPU time | throughput (wall) | target |")
    print("|---|---:|---:|---:|---|")
    for label, name, target in (
            ("Kiln `kiln_checkpoint_open` + close, every checksum verified", "CheckpointOpenVerify",
             "< 10 ms"),
            ("Kiln `load_checkpoint` + `restore_checkpoint` into 2 eager `kiln::Variable`s",
             "CheckpointRestoreVariables", "")):
        t, c = bench.get(name, (None, None))
        print(f"| {label} | {ns(t)} | {ns(c)} | {gbps(t)} | {target} |")
    for label, key in ((f"NumPy {peers['numpy']} `np.load` of 2 .npy files (no checksums)",
                        "numpy_load"),
                       (f"PyTorch {torch_version(machine)} `torch.load` of a state dict (no checksums)",
                        "torch_load")):
        t, c = peers[key]["seconds"] * 1e9, peers[key]["cpu_seconds"] * 1e9
        print(f"| {label} | {ns(t)} | {ns(c)} | {gbps(t)} |  |")
    for label, name in (("Kiln `kiln_module_load` + free of huber.kiln (verify, dlopen)",
                         "HuberModuleLoad"),
                        ("Kiln `kiln_instance_call` Huber predict, 1 row", "HuberPredict1Row"),
                        ("Kiln `kiln_instance_call` Huber predict, 190 rows",
                         "HuberPredict190Rows")):
        t, c = bench.get(name, (None, None))
        print(f"| {label} | {ns(t)} | {ns(c)} |  |  |")

    sizes, ldd = read_sizes(folder)
    totals, members = link_map(os.path.join(folder, "huber-predict.map"))
    print()
    print("| program | bytes | text + data (`size`) |")
    print("|---|---:|---:|")
    for label, name in (("standalone `huber-predict` (`kiln-compile --emit=exe`), as linked",
                         "huber-predict"),
                        ("the same, stripped", "huber-predict.stripped"),
                        ("the same program linked with libstdc++ and libgcc shared, stripped",
                         "huber-predict-shared-libstdcxx.stripped"),
                        ("all of libkiln_runtime.a (every member, linked or not)",
                         "libkiln_runtime.a")):
        file_bytes, text, data, _ = sizes[name]
        print(f"| {label} | {kb(file_bytes) if file_bytes else '—'} | {kb(text + data)} |")
    print()
    runtime_code = totals[("runtime", "code")]
    met = "met" if runtime_code < RUNTIME_CODE_TARGET else "**not met**"
    print("| part of the stripped `huber-predict` (link map) | code (`.text*`) "
          "| read-only data, tables, unwind info | target |")
    print("|---|---:|---:|---|")
    present = {who for who, _ in totals}
    for who in [name for _, name in PARTS] + [LINKER, OTHER]:
        if who not in present:
            continue
        target = f"code < 200 KiB: {met}" if who == "runtime" else ""
        print(f"| {who} | {kb(totals[(who, 'code')])} | {kb(totals[(who, 'data')])} | {target} |")
    print()
    print("Runtime code (kiln_runtime, and kiln_runtime_cli where split out) linked into "
          "huber-predict, by object file (from the link map):")
    print()
    for member, size in sorted(members.items(), key=lambda kv: -kv[1]):
        print(f"- {member}: {kb(size)}")
    print()
    print("Largest symbols of huber-predict (`nm --size-sort -C`):")
    print()
    with open(os.path.join(folder, "huber-predict.nm"), encoding="utf-8") as f:
        for line in list(f)[:15]:
            size, _, rest = line.rstrip("\n").partition(" ")
            print(f"- {int(size):,} B {rest.split(' ', 1)[1][:140]}")
    print()
    print(f"`ldd huber-predict`: {ldd}")
    print()
    print_machine(machine, context, "timings are medians of the repetitions (Kiln: Google "
                  "Benchmark; peers: time.perf_counter / time.process_time)")


if __name__ == "__main__":
    main()
