"""Engine benchmarks: the scalar Value against micrograd, and the Tensor's per-op overhead.

    python -m benchmarks.bench_engine

1. One training iteration (forward, backward, SGD update) of MLP(2, [16, 16, 1])
   on 100 2-D points with micrograd's max-margin loss and L2 penalty, for our
   Value and (if installed) the micrograd package, same work, same process.
2. Per-op overhead of the Tensor engine on tiny 64x64 operands: a chain of adds
   and a chain of matmuls, forward and backward, in microseconds per op, next to
   numpy alone (and torch, if installed).
"""
import gc

import numpy as np

from benchmarks.common import median_seconds, optional_import, print_table
from tinygrad_edu import Tensor
from tinygrad_edu.value import MLP as OurMLP
from tinygrad_edu.value import Value


def make_points(n=100, seed=0):
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(n, 2))
    labels = np.where(points[:, 0] * points[:, 1] > 0, 1.0, -1.0)
    return points.tolist(), labels.tolist()


def training_iteration(model, value_class, points, labels, learning_rate=0.05, alpha=1e-4):
    scores = [model([value_class(a), value_class(b)]) for a, b in points]
    losses = [(1 + -y * s).relu() for y, s in zip(labels, scores)]
    loss = sum(losses) * (1.0 / len(losses)) + alpha * sum(p * p for p in model.parameters())
    model.zero_grad()
    loss.backward()
    for p in model.parameters():
        p.data -= learning_rate * p.grad


def bench_scalar_engine(repeats):
    points, labels = make_points()
    rows = []
    ours = OurMLP(2, [16, 16, 1], seed=0)
    ours_time = median_seconds(lambda: training_iteration(ours, Value, points, labels), repeats)
    rows.append(["tinygrad_edu.Value, fused dot neurons", f"{ours_time * 1e3:.1f}", "1.0"])
    composed = OurMLP(2, [16, 16, 1], seed=0, fused=False)
    composed_time = median_seconds(lambda: training_iteration(composed, Value, points, labels), repeats)
    rows.append(["tinygrad_edu.Value, + and * nodes (micrograd's graph)", f"{composed_time * 1e3:.1f}",
                 f"{composed_time / ours_time:.1f}"])
    micrograd = optional_import("micrograd")
    if micrograd is not None:
        from micrograd.engine import Value as MicroValue
        from micrograd.nn import MLP as MicroMLP
        theirs = MicroMLP(2, [16, 16, 1])
        theirs_time = median_seconds(lambda: training_iteration(theirs, MicroValue, points, labels), repeats)
        rows.append(["micrograd", f"{theirs_time * 1e3:.1f}", f"{theirs_time / ours_time:.1f}"])
        gc.disable()
        try:
            theirs_no_gc = median_seconds(lambda: training_iteration(theirs, MicroValue, points, labels), repeats)
        finally:
            gc.enable()
            gc.collect()
        rows.append(["micrograd, gc disabled", f"{theirs_no_gc * 1e3:.1f}", f"{theirs_no_gc / ours_time:.1f}"])
    print_table("MLP(2, [16, 16, 1]) training iteration on 100 points (median of %d)" % repeats,
                ["engine", "ms / iteration", "x slower than fused"], rows)


def add_chain(x, w, n):
    for _ in range(n):
        x = x + w
    return x


def matmul_chain(x, w, n):
    for _ in range(n):
        x = x @ w
    return x


def bench_tensor_overhead(repeats, n_ops=200, size=64):
    rng = np.random.default_rng(0)
    x0 = rng.normal(size=(size, size)).astype(np.float32) * 1e-3
    w0 = (np.eye(size) + rng.normal(size=(size, size)) * 1e-3).astype(np.float32)
    rows = []
    for name, numpy_fn, forward in [
        ("add", lambda: add_chain(x0, w0, n_ops), lambda x, w: add_chain(x, w, n_ops)),
        ("matmul", lambda: matmul_chain(x0, w0, n_ops), lambda x, w: matmul_chain(x, w, n_ops)),
    ]:
        numpy_time = median_seconds(numpy_fn, repeats)
        x, w = Tensor(x0, requires_grad=True), Tensor(w0, requires_grad=True)
        forward_time = median_seconds(lambda: forward(x, w), repeats)

        def forward_backward():
            forward(x, w).sum().backward()

        total_time = median_seconds(forward_backward, repeats)
        backward_time = max(total_time - forward_time, 0.0)
        row = [name, f"{numpy_time / n_ops * 1e6:.1f}", f"{forward_time / n_ops * 1e6:.1f}",
               f"{(forward_time - numpy_time) / n_ops * 1e6:.1f}", f"{backward_time / n_ops * 1e6:.1f}"]
        torch = optional_import("torch")
        if torch is not None:
            xt = torch.tensor(x0, requires_grad=True)
            wt = torch.tensor(w0, requires_grad=True)
            torch_total = median_seconds(lambda: forward(xt, wt).sum().backward(), repeats)
            row.append(f"{torch_total / n_ops * 1e6:.1f}")
            row.append(f"{total_time / torch_total:.2f}")
        rows.append(row)
    header = ["op (64x64)", "numpy us/op", "forward us/op", "overhead us/op", "backward us/node"]
    if optional_import("torch") is not None:
        header += ["torch fwd+bwd us/op", "ours/torch"]
    print_table(f"Tensor per-op cost, chains of {n_ops} ops on {size}x{size} float32 (median of {repeats})",
                header, rows)


def main(repeats=7):
    torch = optional_import("torch")
    if torch is not None:
        print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    bench_scalar_engine(repeats)
    bench_tensor_overhead(repeats)


if __name__ == "__main__":
    main()
