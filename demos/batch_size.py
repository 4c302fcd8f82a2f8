"""Lecture: "Stochastic gradient descent", "Mini-batch gradient descent": what the batch size changes.

The loss of a network is an average over the n training examples. Gradient
descent on that full average takes one step per pass over the data; SGD takes
a step after every single example (a noisy estimate of the same gradient);
mini-batch gradient descent averages b examples per step:

    steps per epoch = ceil(n / b)        an epoch = one full pass over the training data

Same network (an MLP 64-64-10 on the 8x8 digits), same optimizer (optim.SGD,
lr 0.05), same number of epochs, only the batch size changes. Per epoch,
batch 1 makes n small noisy steps and learns fastest; the full batch makes one
exact step and barely moves. Per second the picture changes: one example at a
time pays Python's overhead n times, so an epoch costs far more wall time, and
mini-batches are the usual compromise.

    python -m demos.batch_size [--fast]       (out/batch_size.png)

Read demos/augmentation.py next.
"""
import time

import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from demos.common import demo_arguments, digit_images, save
from tinygrad_edu import functional as F
from tinygrad_edu import nn, optim

LR = 0.05


def train_with_batch_size(x, y, batch_size, epochs, seed):
    """Training loss after each epoch (over the whole training set) and the wall time elapsed."""
    tg.manual_seed(seed)
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    optimizer = optim.SGD(model.parameters(), lr=LR)
    losses, seconds, elapsed = [tg.evaluate(model, F.cross_entropy, x, y)[0]], [0.0], 0.0
    for epoch in range(epochs):
        started = time.perf_counter()
        tg.fit(model, F.cross_entropy, optimizer, x, y, epochs=1, batch_size=batch_size, seed=seed + epoch,
               verbose=0)
        elapsed += time.perf_counter() - started
        losses.append(tg.evaluate(model, F.cross_entropy, x, y)[0])
        seconds.append(elapsed)
    return {"loss": np.array(losses), "seconds": np.array(seconds), "steps_per_epoch": -(-len(x) // batch_size)}


def plot(runs, n, out):
    figure, (by_epoch, by_time, cost) = plt.subplots(1, 3, figsize=(17, 5))
    for name, run in runs.items():
        epochs = np.arange(len(run["loss"]))
        by_epoch.plot(epochs, run["loss"], "o-", ms=3, label=f"{name} ({run['steps_per_epoch']} steps/epoch)")
        by_time.plot(run["seconds"], run["loss"], "o-", ms=3, label=name)
    by_epoch.set_xlabel("epoch (one full pass over the training data)")
    by_epoch.set_title("training loss per epoch")
    by_time.set_xlabel("wall-clock seconds of training")
    by_time.set_title("training loss per second")
    for axis in (by_epoch, by_time):
        axis.set_ylabel("training loss (cross-entropy)")
        axis.set_yscale("log")
        axis.grid(alpha=0.3, which="both")
        axis.legend(fontsize=8)
    sizes = [int(name.split()[1]) if name.split()[1].isdigit() else n for name in runs]
    per_epoch = [run["seconds"][-1] / (len(run["seconds"]) - 1) for run in runs.values()]
    cost.loglog(sizes, per_epoch, "o-", color="black")
    for size, value in zip(sizes, per_epoch):
        cost.annotate(f"{value:.3f} s", (size, value), textcoords="offset points", xytext=(5, 5), fontsize=8)
    cost.set_xlabel("batch size (log scale)")
    cost.set_ylabel("seconds per epoch (log scale)")
    cost.set_title("time per epoch vs batch size")
    cost.grid(alpha=0.3, which="both")
    figure.suptitle(f"Same MLP, same SGD (lr {LR}), {n} training digits: only the batch size changes "
                    "(times measured on this machine)", fontsize=12)
    figure.tight_layout()
    return save(figure, out, "batch_size.png")


def main(argv=None):
    args = demo_arguments(__doc__.splitlines()[0], argv)
    images, labels = digit_images(args.seed)
    n, epochs = (400, 4) if args.fast else (1200, 10)
    x, y = images[:n], labels[:n]
    runs = {}
    for batch_size in (1, 16, 128, n):
        name = "full batch" if batch_size == n else f"batch {batch_size}"
        runs[name] = train_with_batch_size(x, y, batch_size, epochs, args.seed)
        run = runs[name]
        print(f"{name:>11}: {run['steps_per_epoch']:>5} steps per epoch, training loss {run['loss'][0]:.3f} -> "
              f"{run['loss'][-1]:.3f} after {epochs} epochs, {run['seconds'][-1] / epochs:.3f} s per epoch")
    plot(runs, n, args.out)
    return runs


if __name__ == "__main__":
    main()
