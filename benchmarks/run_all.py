"""Run every benchmark in turn (`make bench`); each prints the machine, its table, and writes a JSON.

Each also runs alone as ``python -m benchmarks.bench_<name>``. Benchmarks are
measurements, not tests: run them on an otherwise idle machine. Every ratio
(ours/torch, ours/micrograd, explain/lime, augment/scikit-image, ours/captum)
comes from separate processes, one per library, alternating over several
rounds (benchmarks/common.py says why one process would flatter one side).
"""
import importlib

BENCHMARKS = ["bench_engine", "bench_conv", "bench_rnn", "bench_augment", "bench_lime", "bench_attributions"]


def main():
    for name in BENCHMARKS:
        print(f"\n=== benchmarks.{name} ===", flush=True)
        importlib.import_module(f"benchmarks.{name}").main([])


if __name__ == "__main__":
    main()
