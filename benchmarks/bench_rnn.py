"""Recurrent layers: our LSTM, GRU and simple RNN against PyTorch's, forward + backward.

    python -m benchmarks.bench_rnn [--repeats 9] [--only LSTM GRU RNN]

Each row times one training-style call of the whole layer, as a user runs it:
``output, _ = layer(x); output.sum().backward()`` with x requiring a gradient,
for nn.LSTM / nn.GRU / nn.RNN (float32, zero initial state) and for the torch
layer of the same size, in the same process with the same thread count
(torch.set_num_threads(2); numpy's OpenBLAS uses its default, the 2 cores).
Times are medians over ``--repeats`` runs after one warm-up (which also
compiles the Numba kernels).

FLOP count (matrix products only; a multiply-add is 2 FLOPs; the elementwise
gate arithmetic is not counted):

    forward  = 2 * T * N * G * H * (I + H)    G = 4 gates (LSTM), 3 (GRU), 1 (RNN)
    backward = 2 * forward                    gradients for the inputs and for the weights

Shapes: (a) T=100, N=32, I=64, H=128 and (b) T=50, N=64, I=100, H=64.
"""
import argparse

import numpy as np

from benchmarks.common import median_seconds, optional_import, print_table
from tinygrad_edu import Tensor, nn, no_grad

SHAPES = {"a": (100, 32, 64, 128), "b": (50, 64, 100, 64)}
WORKLOADS = [("LSTM", "a"), ("LSTM", "b"), ("GRU", "a"), ("GRU", "b"), ("RNN", "a"), ("RNN", "b")]
GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
THREADS = 2


def forward_flops(kind, T, N, I, H):
    return 2 * T * N * GATES[kind] * H * (I + H)


def our_step(layer, x, backward=True):
    def run():
        if not backward:
            with no_grad():
                layer(Tensor(x))
            return
        x_tensor = Tensor(x, requires_grad=True)
        output, _ = layer(x_tensor)
        output.sum().backward()
    return run


def torch_step(torch, layer, x, backward=True):
    def run():
        if not backward:
            with torch.no_grad():
                layer(torch.from_numpy(x))
            return
        x_tensor = torch.from_numpy(x).requires_grad_(True)
        output, _ = layer(x_tensor)
        output.sum().backward()
    return run


def bench(repeats, only=None):
    torch = optional_import("torch")
    if torch is not None:
        torch.set_num_threads(THREADS)
    header = ["layer", "shape (T, N, I, H)", "pass", "ours ms", "ours GFLOP/s"]
    if torch is not None:
        header += ["torch ms", "torch GFLOP/s", "ours/torch"]
    rows = []
    rng = np.random.default_rng(0)
    for kind, shape_name in WORKLOADS:
        if only and kind not in only:
            continue
        T, N, I, H = SHAPES[shape_name]
        x = rng.standard_normal((T, N, I)).astype(np.float32)
        ours = getattr(nn, kind)(I, H)
        theirs = None
        if torch is not None:
            theirs = getattr(torch.nn, kind)(I, H)
            theirs.load_state_dict({key: torch.from_numpy(value) for key, value in ours.state_dict().items()})
        for backward in (True, False):
            flops = forward_flops(kind, T, N, I, H) * (3 if backward else 1)
            seconds = median_seconds(our_step(ours, x, backward), repeats)
            row = [kind, f"({shape_name}) {T}, {N}, {I}, {H}", "fwd+bwd" if backward else "fwd",
                   f"{seconds * 1e3:.1f}", f"{flops / seconds / 1e9:.1f}"]
            if theirs is not None:
                their_seconds = median_seconds(torch_step(torch, theirs, x, backward), repeats)
                row += [f"{their_seconds * 1e3:.1f}", f"{flops / their_seconds / 1e9:.1f}",
                        f"{seconds / their_seconds:.2f}"]
            rows.append(row)
    torch_note = f", torch {torch.__version__} with {THREADS} threads" if torch is not None else ", torch not installed"
    print_table(f"Recurrent layers, float32, medians of {repeats} runs{torch_note}", header, rows)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--only", nargs="*", choices=sorted(GATES), help="layers to run (default: all)")
    args = parser.parse_args()
    bench(max(args.repeats, 5), args.only)


if __name__ == "__main__":
    main()
