"""Benchmark: our LSTM, GRU and simple RNN layers against PyTorch's, forward + backward.

    python -m benchmarks.bench_rnn [--threads 2] [--rounds 5] [--repeats 9] [--only LSTM,GRU]
                                   [--clock wall|cpu] [--blocks auto|one] [--forward yes|no]

Each workload times one training-style call of a whole layer, as a user runs it:
``output, _ = layer(x); output.sum().backward()`` with x requiring a gradient
(float32, zero initial state, the same weights on both sides), and the forward
alone under no_grad. Each side runs in its own process (benchmarks/common.py
says why), alternating for --rounds rounds; a figure is the median over rounds
of the median of --repeats calls after one warm-up call (which also loads the
Numba kernels). --clock cpu times with time.process_time (all threads' CPU
time), steadier than wall time on a shared machine. --blocks one runs our
kernels on one block of rows with BLAS's own threads (tinygrad_edu/runtime/threads.py),
--blocks both times that as a third side.

FLOP count (matrix products only; a multiply-add is 2 FLOPs):

    forward  = 2 * T * N * G * H * (I + H)    G = 4 gates (LSTM), 3 (GRU), 1 (RNN)
    backward = 2 * forward                    gradients for the inputs and for the weights

Shapes: (a) T=100, N=32, I=64, H=128 and (b) T=50, N=64, I=100, H=64.
"""
import argparse
import sys
import time

import numpy as np

from benchmarks.common import compare_main, median_seconds, optional_import, pin_torch_threads

SHAPES = {"a": (100, 32, 64, 128), "b": (50, 64, 100, 64)}
LAYERS = ("LSTM", "GRU", "RNN")
GATES = {"LSTM": 4, "GRU": 3, "RNN": 1}
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def forward_flops(kind, T, N, I, H):
    return 2 * T * N * GATES[kind] * H * (I + H)


def workload_name(kind, shape_name, backward):
    T, N, I, H = SHAPES[shape_name]
    return f"{kind} ({shape_name}) T{T} N{N} I{I} H{H} {'fwd+bwd' if backward else 'fwd'}"


def our_call(kind, I, H, x):
    from tinygrad_edu import Tensor, nn, no_grad

    layer = getattr(nn, kind)(I, H)

    def train_step():
        x_tensor = Tensor(x, requires_grad=True)
        output, _ = layer(x_tensor)
        output.sum().backward()

    def forward():
        with no_grad():
            layer(Tensor(x))
    return layer.state_dict(), train_step, forward


def torch_call(torch, kind, I, H, x, state):
    layer = getattr(torch.nn, kind)(I, H)
    layer.load_state_dict({key: torch.from_numpy(value) for key, value in state.items()})

    def train_step():
        x_tensor = torch.from_numpy(x).requires_grad_(True)
        output, _ = layer(x_tensor)
        output.sum().backward()

    def forward():
        with torch.no_grad():
            layer(torch.from_numpy(x))
    return train_step, forward


def worker(side, args):
    """{workload: seconds} for one side, in this process."""
    torch = pin_torch_threads() if side == "torch" else None
    if side == "ours-one-block":
        from tinygrad_edu.runtime import threads as rnn_threads

        rnn_threads.MIN_BLOCK_STEP = 2**62
    clock = CLOCKS[args.clock]
    results = {}
    for kind in args.only.split(",") if args.only else LAYERS:
        for shape_name, (T, N, I, H) in SHAPES.items():
            x = np.random.default_rng(0).standard_normal((T, N, I)).astype(np.float32)
            state, train_step, forward = our_call(kind, I, H, x)  # torch copies our initial weights
            if torch is not None:
                train_step, forward = torch_call(torch, kind, I, H, x, state)
            results[workload_name(kind, shape_name, True)] = median_seconds(train_step, args.repeats, clock=clock)
            if args.forward != "no":
                results[workload_name(kind, shape_name, False)] = median_seconds(forward, args.repeats, clock=clock)
    return results


# Our sides for --blocks: with the batch split over the threads, without it, or both.
OUR_SIDES = {"auto": ["ours"], "one": ["ours-one-block"], "both": ["ours", "ours-one-block"]}

# Options with values (not flags), so that benchmarks.common hands them on to the workers.
PASSED_ON = ("only", "clock", "blocks", "forward")


def options(parser):
    parser.add_argument("--only", help=f"comma-separated layers out of {','.join(LAYERS)} (default: all)")
    parser.add_argument("--clock", choices=sorted(CLOCKS), default="wall", help="wall time (default) or process CPU time")
    parser.add_argument("--blocks", choices=sorted(OUR_SIDES), default="auto",
                        help="ours: split the batch over the threads (auto, default), or not (one), or both sides")
    parser.add_argument("--forward", choices=["yes", "no"], default="yes", help="also time the forward alone")


def results_name(argv):
    """rnn, or rnn_cpu_one-block etc.: a run with other options does not overwrite the default one."""
    parser = argparse.ArgumentParser(add_help=False)
    options(parser)
    args, _ = parser.parse_known_args(argv)
    return "_".join(["rnn"] + (["cpu"] if args.clock == "cpu" else []) + ([] if args.blocks == "auto" else [args.blocks]))


def sides_for(argv):
    parser = argparse.ArgumentParser(add_help=False)
    options(parser)
    args, _ = parser.parse_known_args(argv)
    return OUR_SIDES[args.blocks] + (["torch"] if optional_import("torch") is not None else [])


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    sides = sides_for(argv)
    if "torch" not in sides and "--worker" not in argv:
        print("torch is not installed: timing our layers only")
    summary = compare_main("benchmarks.bench_rnn", results_name(argv), __doc__.splitlines()[0], sides, sides[-1],
                           worker, argv, options, passthrough=PASSED_ON)
    if summary:
        for label, row in summary.items():
            kind, shape_name = label.split()[0], label.split()[1].strip("()")
            flops = forward_flops(kind, *SHAPES[shape_name]) * (3 if label.endswith("fwd+bwd") else 1)
            rates = ", ".join(f"{side} {flops / row[side]['ms'] / 1e6:.1f} GFLOP/s" for side in sides if side in row)
            print(f"{label}: {rates}")


if __name__ == "__main__":
    main()
