"""Timing helpers shared by the benchmarks: medians, the machine, and one process per side.

Why one process per side: two libraries in one process share the machine's two
cores with each other's idle thread pools (OpenBLAS, Numba, OpenMP), which
keep spinning after a call and slow the other library's next call by up to
10x. So every comparison here runs each side in a FRESH process of its own:

    for round in 1..R:                  the sides alternate, so drift hits both alike
        for side in (ours, theirs):
            python -m benchmarks.bench_X --worker side     -> {workload: median seconds}

and reports, per workload and side, the median of the R round medians with
the min-max spread over rounds. Both sides get the same thread count through
OMP/OPENBLAS/MKL/NUMBA_NUM_THREADS (and torch.set_num_threads in the worker).
The machine is printed at the top and stored with the results in
benchmarks/results/<name>.json.

A benchmark module using this defines ``worker(side, args) -> {workload: seconds}``
and calls ``compare_main(...)`` from its ``main``.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

RESULTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results")


def median_seconds(fn, repeats=7, warmup=1, clock=time.perf_counter):
    """Median time of ``fn()`` over ``repeats`` runs, after ``warmup`` untimed runs.

    ``clock`` is wall time by default; time.process_time gives this process's
    CPU time, which a busy machine disturbs less (its wait for a core is left out).
    """
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        start = clock()
        fn()
        times.append(clock() - start)
    return float(np.median(times))


def optional_import(name):
    try:
        return __import__(name)
    except ImportError:
        return None


def print_table(title, header, rows):
    """Rows of strings/numbers under a header, columns padded to fit."""
    cells = [[str(c) for c in header]] + [[c if isinstance(c, str) else f"{c:.3g}" for c in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    print(f"\n{title}")
    for index, row in enumerate(cells):
        print("  ".join(text.rjust(width) for text, width in zip(row, widths)))
        if index == 0:
            print("  ".join("-" * width for width in widths))


# --------------------------------------------------------------------------- the machine

def machine(threads):
    """What a figure was measured on: CPU, SIMD level, BLAS and its kernel, thread counts."""
    cpuinfo = open("/proc/cpuinfo").read().splitlines() if os.path.exists("/proc/cpuinfo") else []
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
               platform.processor())
    flags = next((line.split(":", 1)[1].split() for line in cpuinfo if line.startswith("flags")), [])
    simd = [flag for flag in ("sse4_2", "avx", "avx2", "fma", "avx512f") if flag in flags]
    config = np.show_config(mode="dicts") if "mode" in np.show_config.__code__.co_varnames else {}
    blas = config.get("Build Dependencies", {}).get("blas", {})
    return {"cpu": cpu, "cores": os.cpu_count(), "simd": simd, "numpy": np.__version__,
            "blas": f"{blas.get('name', '?')} {blas.get('version', '')}".strip(),
            "blas_kernel": blas_kernel(), "threads": threads, "python": platform.python_version(),
            "load_average_at_start": [round(value, 2) for value in os.getloadavg()]}


def blas_kernel():
    """OpenBLAS's core name (e.g. 'SkylakeX', 'Zen'), from threadpoolctl when it is installed."""
    threadpoolctl = optional_import("threadpoolctl")
    if threadpoolctl is None:
        return "?"
    pools = threadpoolctl.threadpool_info()
    return ", ".join(sorted({f"{pool.get('internal_api')}:{pool.get('architecture')}" for pool in pools
                             if pool.get("user_api") == "blas"})) or "?"


def print_machine(info):
    print("machine: " + ", ".join(f"{key} {value}" for key, value in info.items()), flush=True)


# --------------------------------------------------------------------------- one process per side

def thread_environment(threads):
    return dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads),
                MKL_NUM_THREADS=str(threads), NUMBA_NUM_THREADS=str(threads))


def run_worker(module, side, threads, extra_args=()):
    """``python -m module --worker side ...`` in a fresh process; its last stdout line is JSON."""
    command = [sys.executable, "-m", module, "--worker", side, *extra_args]
    finished = subprocess.run(command, env=thread_environment(threads), capture_output=True, text=True)
    if finished.returncode != 0:
        raise RuntimeError(f"{module} --worker {side} failed:\n{finished.stderr[-3000:]}")
    return json.loads(finished.stdout.strip().splitlines()[-1])


def alternate(module, sides, threads, rounds, extra_args=()):
    """{side: [round results]}: the sides run one after the other, ``rounds`` times."""
    results = {side: [] for side in sides}
    for round_index in range(rounds):
        for side in sides:
            results[side].append(run_worker(module, side, threads, extra_args))
        print(f"  round {round_index + 1}/{rounds} done", file=sys.stderr, flush=True)
    return results


def summarise(results, reference):
    """Per workload: each side's median of round medians (ms), the spread, and side/reference ratios."""
    summary = {}
    for workload in results[reference][0]:
        row = {}
        for side, rounds in results.items():
            seconds = [r[workload] for r in rounds if workload in r]
            if seconds:
                row[side] = {"ms": 1e3 * float(np.median(seconds)),
                             "spread_ms": [1e3 * min(seconds), 1e3 * max(seconds)]}
        for side in list(row):
            if side != reference and reference in row:
                row[f"{side}/{reference}"] = row[side]["ms"] / row[reference]["ms"]
        summary[workload] = row
    return summary


def print_summary(title, summary, sides, reference):
    others = [side for side in sides if side != reference]
    header = ["workload"] + list(sides) + [f"{side}/{reference}" for side in others]
    rows = []
    for workload, row in summary.items():
        cells = [workload]
        for side in sides:
            cells.append(f"{row[side]['ms']:.2f} ({row[side]['spread_ms'][0]:.2f}-{row[side]['spread_ms'][1]:.2f})"
                         if side in row else "-")
        cells += [f"{row[f'{side}/{reference}']:.2f}" if f"{side}/{reference}" in row else "-" for side in others]
        rows.append(cells)
    print_table(f"{title}\nmedian of round medians in ms (min-max over rounds)", header, rows)


def write_results(name, results):
    from tinygrad_edu.io.atomic import atomic_write_text

    os.makedirs(RESULTS, exist_ok=True)
    path = os.path.join(RESULTS, f"{name}.json")
    atomic_write_text(path, json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {path}")
    return path


def worker_arguments(description, sides, argv=None, extra=None, threads=2):
    """The argument parser every separate-process benchmark shares; ``extra(parser)`` adds its own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--threads", type=int, default=threads, help=f"threads for each side (default {threads})")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    parser.add_argument("--repeats", type=int, default=7, help="timed calls per workload per round")
    parser.add_argument("--worker", choices=list(sides), help=argparse.SUPPRESS)
    if extra is not None:
        extra(parser)
    return parser.parse_args(argv)


def pin_torch_threads():
    """In a torch worker: the same thread count as ours (torch reads OMP_NUM_THREADS, but say it)."""
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    return torch


def compare_main(module, name, title, sides, reference, worker, argv=None, extra=None, passthrough=(), threads=2):
    """Run ``worker`` when asked to (``--worker SIDE``), else drive all sides in separate processes.

    ``sides`` whose library is missing should be dropped by the caller before this.
    ``passthrough`` names the extra arguments handed on to the workers.
    """
    args = worker_arguments(title, sides, argv, extra, threads)
    if args.worker:
        print(json.dumps(worker(args.worker, args)))
        return None
    info = machine(args.threads)
    print_machine(info)
    extra_args = ["--repeats", str(args.repeats)]
    for option in passthrough:
        value = getattr(args, option.replace("-", "_"))
        if value is not None:
            extra_args += [f"--{option}", str(value)]
    results = alternate(module, sides, args.threads, args.rounds, extra_args)
    summary = summarise(results, reference)
    print_summary(title, summary, sides, reference)
    write_results(f"{name}_{args.threads}threads",
                  {"machine": info, "rounds": args.rounds, "repeats": args.repeats, "summary": summary,
                   "raw_seconds": results})
    return summary
