"""Run every benchmark in turn (`make bench`); each prints its own table.

Each also runs alone as ``python -m benchmarks.bench_<name>``. Benchmarks are
measurements, not tests: run them on an otherwise idle machine, and read the
ours/torch (or ours/lime, ours/scikit-image) ratios, which are measured in the
same process and so cancel much of the machine's noise.
"""
import importlib

BENCHMARKS = ["bench_engine", "bench_conv", "bench_rnn", "bench_augment", "bench_lime", "bench_attributions"]


def main():
    for name in BENCHMARKS:
        print(f"\n=== benchmarks.{name} ===", flush=True)
        importlib.import_module(f"benchmarks.{name}").main()


if __name__ == "__main__":
    main()
