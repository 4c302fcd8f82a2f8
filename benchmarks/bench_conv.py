"""Benchmark: conv2d, max_pool2d and two training steps, ours vs PyTorch CPU.

    python -m benchmarks.bench_conv

Workloads (float32):
    conv2d (a) N=64, 1->32 channels, 28x28, k=3
    conv2d (b) N=64, 32->64, 13x13, k=3
    conv2d (c) N=32, 3->16, 64x64, k=3, padding 1
        forward (no graph), and forward + backward (input, weight and bias all
        require grad, so all three gradients are computed)
    max_pool2d 2x2, forward + backward, on (64, 32, 26, 26)
    one training step (forward, cross-entropy, backward, SGD) at batch 64 for
        the Keras-book convnet and for the 784-512-10 MLP (torch runs the same
        architecture with the same starting weights)

Each figure is the median of REPEATS timed runs after warm-up runs (which also
compile or load the Numba kernels). When torch is installed, ours and torch run
in alternating blocks in the same process with the same thread count, so a busy
machine slows both alike; ratio = ours / torch (below 1 means we are faster).
GFLOP/s counts multiply-adds as 2 flops; backward costs twice the forward.
"ratio of mins" compares the fastest runs: on a machine shared with other
jobs it is the steadier figure, since the slow runs are mostly waits for a core.
The "load" column is the 1-minute load average when the row finished (from
os.getloadavg, what `uptime` prints): above ~1 on two cores, another job was
competing and every figure in that row is suspect.
"""
import os
import time

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import functional as F
from tinygrad_edu import models
from tinygrad_edu.optim import SGD
from benchmarks.common import optional_import, print_table

REPEATS = 15  # timed calls per side, in ROUNDS blocks
ROUNDS = 5
WARMUP = 2  # untimed calls at the start of each block
CONV_CASES = [  # (label, N, C_in, C_out, H, W, k, padding)
    ("(a) 64x1x28x28 -> 32, k3", 64, 1, 32, 28, 28, 3, 0),
    ("(b) 64x32x13x13 -> 64, k3", 64, 32, 64, 13, 13, 3, 0),
    ("(c) 32x3x64x64 -> 16, k3 p1", 32, 3, 16, 64, 64, 3, 1),
]
POOL_SHAPE = (64, 32, 26, 26)
BATCH = 64


def paired_medians(ours, theirs, repeats=REPEATS, rounds=ROUNDS):
    """(median, min) seconds of each function (theirs may be None), timed in alternating blocks.

    Each round runs WARMUP calls and repeats // rounds timed calls of ours, then
    the same for theirs. Blocks, not single calls, alternate: after a call, each
    library's idle threads keep spinning for a while and would slow the other's
    very next call; alternating rounds still spreads a busy machine over both.
    """
    times = {"ours": [], "theirs": []}
    for _ in range(rounds):
        for key, fn in (("ours", ours), ("theirs", theirs)):
            if fn is None:
                continue
            for _ in range(WARMUP):
                fn()
            for _ in range(repeats // rounds):
                start = time.perf_counter()
                fn()
                times[key].append(time.perf_counter() - start)
    summary = {key: (float(np.median(values)), float(np.min(values))) if values else (None, None)
               for key, values in times.items()}
    return summary["ours"], summary["theirs"]


def conv_flops(n, c_in, c_out, h, w, k, padding):
    out_h, out_w = h + 2 * padding - k + 1, w + 2 * padding - k + 1
    return 2 * n * c_out * out_h * out_w * c_in * k * k


def conv_workloads(torch, rng):
    workloads = []
    for case in CONV_CASES:
        workloads += conv_workload(torch, rng, *case)
    return workloads


def conv_workload(torch, rng, label, n, c_in, c_out, h, w, k, padding):
    """The forward and forward+backward workloads of one shape.

    A function of its own, not a loop body: closures see variables, not values,
    so closures made in a loop would all run the LAST shape once the loop is done.
    """
    x = rng.standard_normal((n, c_in, h, w), dtype=np.float32)
    weight = rng.standard_normal((c_out, c_in, k, k), dtype=np.float32) * 0.1
    bias = rng.standard_normal(c_out, dtype=np.float32)
    out_shape = (n, c_out, h + 2 * padding - k + 1, w + 2 * padding - k + 1)
    grad_out = rng.standard_normal(out_shape, dtype=np.float32)
    flops = conv_flops(n, c_in, c_out, h, w, k, padding)

    def ours_forward():
        with tg.no_grad():
            F.conv2d(tg.Tensor(x), tg.Tensor(weight), tg.Tensor(bias), padding=padding)

    def ours_both():
        inputs = [tg.Tensor(a, requires_grad=True) for a in (x, weight, bias)]
        F.conv2d(*inputs, padding=padding).backward(grad_out)

    torch_forward = torch_both = None
    if torch is not None:
        tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, weight, bias))
        tgrad = torch.tensor(grad_out)

        def torch_forward():
            with torch.no_grad():
                torch.nn.functional.conv2d(tx, tw, tb, padding=padding)

        def torch_both():
            for t in (tx, tw, tb):
                t.grad = None
            torch.nn.functional.conv2d(tx, tw, tb, padding=padding).backward(tgrad)

    return [(f"conv2d fwd {label}", flops, ours_forward, torch_forward),
            (f"conv2d fwd+bwd {label}", 3 * flops, ours_both, torch_both)]


def pool_workload(torch, rng):
    x = rng.standard_normal(POOL_SHAPE, dtype=np.float32)
    n, c, h, w = POOL_SHAPE
    grad_out = rng.standard_normal((n, c, h // 2, w // 2), dtype=np.float32)

    def ours():
        inputs = tg.Tensor(x, requires_grad=True)
        F.max_pool2d(inputs, 2).backward(grad_out)

    theirs = None
    if torch is not None:
        tx = torch.tensor(x, requires_grad=True)
        tgrad = torch.tensor(grad_out)

        def theirs():
            tx.grad = None
            torch.nn.functional.max_pool2d(tx, 2).backward(tgrad)

    return "max_pool2d 2x2 fwd+bwd (64,32,26,26)", None, ours, theirs


def torch_twin(torch, model):
    """The same Sequential in torch.nn, holding a copy of our weights."""
    nn = torch.nn
    layers = []
    for layer in model:
        kind = type(layer).__name__
        if kind == "Conv2d":
            layers.append(nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size,
                                    padding=layer.padding))
        elif kind == "Linear":
            layers.append(nn.Linear(layer.in_features, layer.out_features))
        elif kind == "MaxPool2d":
            layers.append(nn.MaxPool2d(layer.kernel_size))
        else:
            layers.append(getattr(nn, kind)())
    twin = nn.Sequential(*layers)
    twin.load_state_dict({key: torch.tensor(value) for key, value in model.state_dict().items()})
    return twin


def train_step_workload(torch, rng, label, model, x_shape, flops):
    x = rng.random((BATCH,) + x_shape, dtype=np.float32)
    y = rng.integers(0, 10, BATCH)
    optimizer = SGD(model.parameters(), lr=0.01)

    def ours():
        loss = F.cross_entropy(model(tg.Tensor(x)), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    theirs = None
    if torch is not None:
        twin = torch_twin(torch, model)
        torch_optimizer = torch.optim.SGD(twin.parameters(), lr=0.01)
        tx, ty = torch.tensor(x), torch.tensor(y)

        def theirs():
            loss = torch.nn.functional.cross_entropy(twin(tx), ty)
            torch_optimizer.zero_grad()
            loss.backward()
            torch_optimizer.step()

    return label, flops, ours, theirs


def main():
    torch = optional_import("torch")
    rng = np.random.default_rng(0)
    tg.manual_seed(0)
    convnet_flops = 3 * (conv_flops(BATCH, 1, 32, 28, 28, 3, 0) + conv_flops(BATCH, 32, 64, 13, 13, 3, 0)
                         + 2 * BATCH * 1600 * 10)
    mlp_flops = 3 * 2 * BATCH * (784 * 512 + 512 * 10)
    workloads = list(conv_workloads(torch, rng)) + [
        pool_workload(torch, rng),
        train_step_workload(torch, rng, "train step: Keras convnet, batch 64",
                            models.keras_mnist_convnet(), (1, 28, 28), convnet_flops),
        train_step_workload(torch, rng, "train step: MLP 784-512-10, batch 64",
                            models.mnist_mlp(), (784,), mlp_flops),
    ]
    header = ["workload", "ours ms", "ours min", "ours GFLOP/s"]
    if torch is not None:
        header += ["torch ms", "torch min", "torch GFLOP/s", "ours/torch", "ratio of mins"]
    header.append("load")
    rows = []
    for label, flops, ours, theirs in workloads:
        (ours_s, ours_min), (theirs_s, theirs_min) = paired_medians(ours, theirs)
        row = [label, ours_s * 1e3, ours_min * 1e3, "-" if flops is None else flops / ours_s / 1e9]
        if torch is not None:
            row += [theirs_s * 1e3, theirs_min * 1e3, "-" if flops is None else flops / theirs_s / 1e9,
                    ours_s / theirs_s, ours_min / theirs_min]
        row.append(f"{os.getloadavg()[0]:.2f}")
        rows.append(row)
    threads = f", torch threads {torch.get_num_threads()}, torch {torch.__version__}" if torch else ""
    print_table(f"Convolution and pooling, float32, median of {REPEATS}{threads}", header, rows)


if __name__ == "__main__":
    main()
