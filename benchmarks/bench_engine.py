"""Engine benchmarks: the scalar Value against micrograd, and the Tensor's per-op overhead.

    python -m benchmarks.bench_engine [--rounds 5] [--repeats 7]

The workload is micrograd's demo.ipynb step: MLP(2, [16, 16, 1]) on 100 2-D
points, max-margin loss + L2 penalty, forward, backward, SGD update.
"+ and * nodes" builds micrograd's EXACT graph (each neuron is
sum((w_i * x_i for ...), b) and a relu): about 65,800 nodes per step, the same
number and kind of nodes on both sides. "fused dot" is ours only: one dot node
per neuron. The Tensor rows are ours only: chains of 200 tiny 64x64 ops.

Each side runs in a fresh process of its own (benchmarks/common.py says why),
alternating for --rounds rounds. The scalar rows are pure single-threaded
Python, timed in CPU seconds (time.process_time), which a busy machine
disturbs less than wall time; the Tensor rows are wall time. The micrograd
side is skipped if the package is not installed (pip install micrograd).
"""
import time

import numpy as np

from benchmarks.common import compare_main, median_seconds, optional_import

MICROGRAD_GRAPH = "MLP step, + and * nodes (micrograd's graph)"
FUSED = "MLP step, fused dot nodes (ours only)"
TENSOR_OPS = 200


def make_points(n=100, seed=0):
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(n, 2))
    labels = np.where(points[:, 0] * points[:, 1] > 0, 1.0, -1.0)
    return points.tolist(), labels.tolist()


def training_iteration(model, value_class, points, labels, learning_rate=0.05, alpha=1e-4):
    """One step of micrograd's demo loop, written as its notebook writes it."""
    scores = [model([value_class(a), value_class(b)]) for a, b in points]
    losses = [(1 + -y * s).relu() for y, s in zip(labels, scores)]
    loss = sum(losses) * (1.0 / len(losses)) + alpha * sum(p * p for p in model.parameters())
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= learning_rate * p.grad


def scalar_step(side, fused=False):
    """A zero-argument training step for ``side``'s engine, with its own model."""
    points, labels = make_points()
    if side == "micrograd":
        import random

        from micrograd.engine import Value
        from micrograd.nn import MLP
        random.seed(0)
        model = MLP(2, [16, 16, 1])
    else:
        from tinygrad_edu.engine.value import MLP, Value
        model = MLP(2, [16, 16, 1], seed=0, fused=fused)
    return lambda: training_iteration(model, Value, points, labels)


def add_chain(x, w, n):
    for _ in range(n):
        x = x + w
    return x


def matmul_chain(x, w, n):
    for _ in range(n):
        x = x @ w
    return x


def tensor_workloads(repeats, size=64):
    """Wall seconds of a chain of TENSOR_OPS tiny ops: numpy alone, our forward, our forward + backward."""
    from tinygrad_edu import Tensor

    rng = np.random.default_rng(0)
    x0 = rng.normal(size=(size, size)).astype(np.float32) * 1e-3
    w0 = (np.eye(size) + rng.normal(size=(size, size)) * 1e-3).astype(np.float32)
    x, w = Tensor(x0, requires_grad=True), Tensor(w0, requires_grad=True)
    results = {}
    for name, chain in (("add", add_chain), ("matmul", matmul_chain)):
        label = f"Tensor {size}x{size} {name} x{TENSOR_OPS}"
        results[f"{label}: numpy alone"] = median_seconds(lambda: chain(x0, w0, TENSOR_OPS), repeats)
        results[f"{label}: forward"] = median_seconds(lambda: chain(x, w, TENSOR_OPS), repeats)
        results[f"{label}: forward + backward"] = median_seconds(
            lambda: chain(x, w, TENSOR_OPS).sum().backward(), repeats)
    return results


def worker(side, args):
    results = {MICROGRAD_GRAPH: median_seconds(scalar_step(side), args.repeats, clock=time.process_time)}
    if side == "ours":
        results[FUSED] = median_seconds(scalar_step(side, fused=True), args.repeats, clock=time.process_time)
        results.update(tensor_workloads(args.repeats))
    return results


def main(argv=None):
    sides = ["ours", "micrograd"] if optional_import("micrograd") is not None else ["ours"]
    if sides == ["ours"]:
        print("micrograd is not installed (pip install micrograd): timing ours only")
    summary = compare_main("benchmarks.bench_engine", "engine", __doc__.splitlines()[0], sides, "ours",
                           worker, argv)
    if summary:
        step = summary[MICROGRAD_GRAPH]
        fused = summary[FUSED]["ours"]["ms"]
        print(f"\nscalar step (CPU ms): ours {step['ours']['ms']:.0f}, fused dot {fused:.0f}", end="")
        if "micrograd" in step:
            print(f", micrograd {step['micrograd']['ms']:.0f}: ours {step['micrograd/ours']:.1f}x faster "
                  f"on micrograd's graph, fused dot {step['micrograd']['ms'] / fused:.1f}x", end="")
        print()
        for name in ("add", "matmul"):
            label = f"Tensor 64x64 {name} x{TENSOR_OPS}"
            numpy_ms = summary[f"{label}: numpy alone"]["ours"]["ms"]
            forward_ms = summary[f"{label}: forward"]["ours"]["ms"]
            total_ms = summary[f"{label}: forward + backward"]["ours"]["ms"]
            print(f"{label}: overhead over numpy {1e3 * (forward_ms - numpy_ms) / TENSOR_OPS:.1f} us/op, "
                  f"backward {1e3 * max(total_ms - forward_ms, 0.0) / TENSOR_OPS:.1f} us/node")


if __name__ == "__main__":
    main()
