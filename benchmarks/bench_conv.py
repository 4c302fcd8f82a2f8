"""Benchmark: conv2d, max_pool2d and three training steps, ours vs PyTorch CPU.

    python -m benchmarks.bench_conv [--threads 2] [--rounds 3] [--repeats 7] [--only TEXT]

Workloads (float32, batch sizes as listed):
    conv2d (a) N=64, 1->32 channels, 28x28, k=3
    conv2d (b) N=64, 32->64, 13x13, k=3
    conv2d (c) N=32, 3->16, 64x64, k=3, padding 1
        forward (no graph), and forward + backward (input, weight and bias all
        require grad, so all three gradients are computed)
    max_pool2d 2x2, forward + backward, on (64, 32, 26, 26)
    one training step (forward, cross-entropy, backward, SGD) at batch 64 for
        the Keras-book MNIST convnet (models.keras_mnist_convnet), the
        wolves-vs-huskies convnet on 64x64 RGB (demos/wolves_vs_huskies/model.py)
        and the 784-512-10 MLP; torch runs the same architecture with a copy of
        our starting weights.

Each side runs in a fresh process of its own, the sides alternating for
--rounds rounds with the same thread count (benchmarks/common.py says why); a
figure is the median over rounds of the median of --repeats calls after two
warm-up calls (which also load the Numba kernels). ours/torch below 1 means we
are faster. --only keeps the workloads whose name contains TEXT. Without torch
installed, only our side runs (and says so).

Threads: importing our kernels makes numpy's OpenBLAS put its idle workers
to sleep at once instead of spinning for ~0.1 s after each product
(tinygrad_edu/runtime/numba_setup.py; TINYGRAD_EDU_KEEP_BLAS_SPIN=1 turns that
off, to compare). Torch computes with MKL, oneDNN and OpenMP, which that does
not touch: its side runs as it always does.
"""
import numpy as np

from benchmarks.common import compare_main, median_seconds, optional_import, pin_torch_threads

BATCH = 64
CONV_CASES = {  # label -> (N, C_in, C_out, H, W, k, padding)
    "(a) 64x1x28x28 -> 32, k3": (64, 1, 32, 28, 28, 3, 0),
    "(b) 64x32x13x13 -> 64, k3": (64, 32, 64, 13, 13, 3, 0),
    "(c) 32x3x64x64 -> 16, k3 p1": (32, 3, 16, 64, 64, 3, 1),
}
POOL_SHAPE = (64, 32, 26, 26)
TRAIN_CASES = {  # label -> (model builder name, input shape of one example, classes)
    "train step: Keras convnet, batch 64": ("keras", (1, 28, 28), 10),
    "train step: wolves-vs-huskies convnet, batch 64": ("wolves", (3, 64, 64), 2),
    "train step: MLP 784-512-10, batch 64": ("mlp", (784,), 10),
}


def conv_flops(n, c_in, c_out, h, w, k, padding):
    """Multiply-adds count 2: one forward pass of a stride-1 convolution."""
    return 2 * n * c_out * (h + 2 * padding - k + 1) * (w + 2 * padding - k + 1) * c_in * k * k


# --------------------------------------------------------------------------- the two sides

class Ours:
    def __init__(self):
        import tinygrad_edu as tg
        from tinygrad_edu import functional
        from tinygrad_edu.optim import SGD

        self.tg, self.F, self.SGD = tg, functional, SGD

    def conv(self, x, weight, bias, grad_out, padding, backward):
        tg, F = self.tg, self.F
        if not backward:
            def forward():
                with tg.no_grad():
                    F.conv2d(tg.Tensor(x), tg.Tensor(weight), tg.Tensor(bias), padding=padding)
            return forward

        def both():
            inputs = [tg.Tensor(a, requires_grad=True) for a in (x, weight, bias)]
            F.conv2d(*inputs, padding=padding).backward(grad_out)
        return both

    def pool(self, x, grad_out):
        tg, F = self.tg, self.F
        return lambda: F.max_pool2d(tg.Tensor(x, requires_grad=True), 2).backward(grad_out)

    def train_step(self, model, x, y):
        tg, F = self.tg, self.F
        optimizer = self.SGD(model.parameters(), lr=0.01)

        def step():
            loss = F.cross_entropy(model(tg.Tensor(x)), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return step


class Torch:
    def __init__(self):
        self.torch = pin_torch_threads()

    def conv(self, x, weight, bias, grad_out, padding, backward):
        torch = self.torch
        tx, tw, tb = (torch.tensor(a, requires_grad=True) for a in (x, weight, bias))
        tgrad = torch.tensor(grad_out)
        if not backward:
            def forward():
                with torch.no_grad():
                    torch.nn.functional.conv2d(tx, tw, tb, padding=padding)
            return forward

        def both():
            for t in (tx, tw, tb):
                t.grad = None
            torch.nn.functional.conv2d(tx, tw, tb, padding=padding).backward(tgrad)
        return both

    def pool(self, x, grad_out):
        torch = self.torch
        tx, tgrad = torch.tensor(x, requires_grad=True), torch.tensor(grad_out)

        def both():
            tx.grad = None
            torch.nn.functional.max_pool2d(tx, 2).backward(tgrad)
        return both

    def train_step(self, model, x, y):
        torch = self.torch
        twin = torch_twin(torch, model)
        optimizer = torch.optim.SGD(twin.parameters(), lr=0.01)
        tx, ty = torch.tensor(x), torch.tensor(y)

        def step():
            loss = torch.nn.functional.cross_entropy(twin(tx), ty)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return step


def torch_twin(torch, model):
    """The same Sequential in torch.nn, holding a copy of our weights."""
    nn = torch.nn
    layers = []
    for layer in model:
        kind = type(layer).__name__
        if kind == "Conv2d":
            layers.append(nn.Conv2d(layer.in_channels, layer.out_channels, layer.kernel_size,
                                    stride=layer.stride, padding=layer.padding))
        elif kind == "Linear":
            layers.append(nn.Linear(layer.in_features, layer.out_features))
        elif kind == "MaxPool2d":
            layers.append(nn.MaxPool2d(layer.kernel_size))
        else:
            layers.append(getattr(nn, kind)())
    twin = nn.Sequential(*layers)
    twin.load_state_dict({key: torch.tensor(value) for key, value in model.state_dict().items()})
    return twin


def build_model(kind):
    """Our model with seeded starting weights (both sides build it; torch copies the weights)."""
    import tinygrad_edu as tg
    from tinygrad_edu import models

    tg.manual_seed(0)
    if kind == "keras":
        return models.keras_mnist_convnet()
    if kind == "mlp":
        return models.mnist_mlp()
    from demos.wolves_vs_huskies.model import convnet

    return convnet()


# --------------------------------------------------------------------------- the workloads

def workloads(side):
    """{name: function to time}; the data are drawn from one seed, so both sides see the same."""
    rng = np.random.default_rng(0)
    found = {}
    for label, (n, c_in, c_out, h, w, k, padding) in CONV_CASES.items():
        x = rng.standard_normal((n, c_in, h, w), dtype=np.float32)
        weight = rng.standard_normal((c_out, c_in, k, k), dtype=np.float32) * 0.1
        bias = rng.standard_normal(c_out, dtype=np.float32)
        grad_out = rng.standard_normal((n, c_out, h + 2 * padding - k + 1, w + 2 * padding - k + 1),
                                       dtype=np.float32)
        found[f"conv2d fwd {label}"] = side.conv(x, weight, bias, grad_out, padding, backward=False)
        found[f"conv2d fwd+bwd {label}"] = side.conv(x, weight, bias, grad_out, padding, backward=True)
    n, c, h, w = POOL_SHAPE
    pool_input = rng.standard_normal(POOL_SHAPE, dtype=np.float32)
    pool_grad = rng.standard_normal((n, c, h // 2, w // 2), dtype=np.float32)
    found["max_pool2d 2x2 fwd+bwd (64,32,26,26)"] = side.pool(pool_input, pool_grad)
    for label, (kind, example_shape, classes) in TRAIN_CASES.items():
        x = rng.random((BATCH,) + example_shape, dtype=np.float32)
        y = rng.integers(0, classes, BATCH)
        found[label] = side.train_step(build_model(kind), x, y)
    return found


def flops():
    """Arithmetic per workload (matrix products and convolutions only; backward = 2x forward)."""
    counts = {}
    for label, case in CONV_CASES.items():
        counts[f"conv2d fwd {label}"] = conv_flops(*case)
        counts[f"conv2d fwd+bwd {label}"] = 3 * conv_flops(*case)
    keras = conv_flops(BATCH, 1, 32, 28, 28, 3, 0) + conv_flops(BATCH, 32, 64, 13, 13, 3, 0) + 2 * BATCH * 1600 * 10
    wolves = (conv_flops(BATCH, 3, 16, 64, 64, 3, 1) + conv_flops(BATCH, 16, 32, 32, 32, 3, 1)
              + 2 * BATCH * 32 * 16 * 16 * 2)
    counts["train step: Keras convnet, batch 64"] = 3 * keras
    counts["train step: wolves-vs-huskies convnet, batch 64"] = 3 * wolves
    counts["train step: MLP 784-512-10, batch 64"] = 3 * 2 * BATCH * (784 * 512 + 512 * 10)
    return counts


def worker(side_name, args):
    side = Ours() if side_name == "ours" else Torch()
    return {name: median_seconds(fn, repeats=args.repeats, warmup=2)
            for name, fn in workloads(side).items() if args.only is None or args.only in name}


def add_arguments(parser):
    parser.add_argument("--only", help="run only the workloads whose name contains this text")


def main(argv=None):
    sides, reference = ["ours", "torch"], "torch"
    if optional_import("torch") is None:
        print("torch is not installed: timing our side only (pip install torch for the comparison)")
        sides, reference = ["ours"], "ours"
    summary = compare_main("benchmarks.bench_conv", "conv", __doc__.splitlines()[0], sides, reference, worker,
                           argv, extra=add_arguments, passthrough=("only",))
    if summary:
        counts = flops()
        print("\nGFLOP/s (convolutions and matrix products):")
        for name, row in summary.items():
            if name not in counts:
                continue
            rates = ", ".join(f"{side} {counts[name] / row[side]['ms'] / 1e6:.0f}" for side in sides if side in row)
            print(f"  {name}: {rates}")


if __name__ == "__main__":
    main()
