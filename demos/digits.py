"""Lecture: "Handwritten digit recognition": a dense net against a convnet, where the difference is real.

On scikit-learn's 8x8 digits, centred and cropped, a dense net and a convnet
both score about 97%, which wrongly suggests that convolution does not help.
Here the same digits sit at a random position on a 28x28 canvas (see
demos/common.py), as a digit would in a photo:

    dense:   784 pixels -> Linear 512 + ReLU -> Linear 10 (the lecture's first net)
    convnet: [conv 3x3 + ReLU -> max pool 2] x 2 -> conv 3x3 + ReLU -> max pool over
             the whole 7x7 map -> Linear 10

The dense net must learn every stroke again at every position; the convnet's
filters slide, and the last pooling forgets where a feature fired. With a
thirtieth of the weights, the convnet wins by a wide margin.

With ``--mnist DIR`` (the four IDX files, read by tinygrad_edu.io.datasets.load_mnist)
the script also trains the dense 784-512-10 net and the Keras book's convnet
(models.keras_mnist_convnet) on a slice of the real MNIST.

    python -m demos.digits [--fast] [--mnist DIR]      (out/digits_shifted.png, out/digits_mnist.png)

Read demos/batch_size.py next.
"""
import time

import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from demos.common import demo_arguments, save, shifted_digits
from tinygrad_edu import functional as F
from tinygrad_edu import nn, optim
from tinygrad_edu.io.datasets import load_mnist
from tinygrad_edu.models import keras_mnist_convnet, mnist_mlp


def shift_invariant_convnet():
    """28x28 -> 14x14 -> 7x7 -> one value per channel (max over the whole map) -> 10 logits."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(7),
        nn.Flatten(), nn.Linear(32, 10),
    )


def count_parameters(model):
    return int(sum(parameter.numel() for parameter in model.parameters()))


def train(model, data, epochs, lr, seed):
    """fit() with the test set passed for monitoring only (it never chooses anything here)."""
    x_train, y_train, x_test, y_test = data
    tg.manual_seed(seed)
    started = time.perf_counter()
    history = tg.fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=lr), x_train, y_train,
                     epochs=epochs, batch_size=32, validation_data=(x_test, y_test), seed=seed, verbose=0)
    seconds = time.perf_counter() - started
    predictions = tg.predict(model, x_test).argmax(axis=1)
    return {"history": history, "accuracy": float(np.mean(predictions == y_test)), "seconds": seconds,
            "confusion": confusion_matrix(y_test, predictions), "parameters": count_parameters(model)}


def confusion_matrix(labels, predictions, n_classes=10):
    """counts[true, predicted]."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (labels, predictions), 1)
    return counts


def compare(builders, data, epochs, seed, lrs):
    results = {}
    for name, build in builders.items():
        model = build()
        results[name] = train(model, data, epochs, lrs[name], seed)
        print(f"{name:>28}: {results[name]['parameters']:>7,} weights, test accuracy "
              f"{results[name]['accuracy']:.1%} after {epochs} epochs ({results[name]['seconds']:.1f} s)")
    return results


def plot_comparison(results, examples, example_labels, title, out, name):
    names = list(results)
    figure = plt.figure(figsize=(15, 7.8))
    grid = figure.add_gridspec(2, 4, height_ratios=[1, 1.15])
    example_axes = grid[0, 0:2].subgridspec(2, 4)
    for i in range(min(8, len(examples))):
        axis = figure.add_subplot(example_axes[i // 4, i % 4])
        axis.imshow(examples[i, 0], cmap="gray_r", vmin=0, vmax=1)
        axis.set_title(f"label {example_labels[i]}", fontsize=9)
        axis.set_xticks([])
        axis.set_yticks([])
    curves = figure.add_subplot(grid[0, 2:4])
    for (label, result), colour in zip(results.items(), ("tab:orange", "tab:blue")):
        history = result["history"]
        epochs = np.arange(1, len(history["accuracy"]) + 1)
        curves.plot(epochs, history["accuracy"], "--", color=colour, label=f"{label}: training")
        curves.plot(epochs, history["val_accuracy"], "o-", color=colour, label=f"{label}: test")
    curves.set_xlabel("epoch")
    curves.set_ylabel("accuracy")
    curves.set_ylim(0, 1.02)
    curves.set_title("learning curves (dashed: training set, solid: held-out test set)")
    curves.grid(alpha=0.3)
    curves.legend(fontsize=8, loc="lower right")
    for column, label in enumerate(names[:2]):
        axis = figure.add_subplot(grid[1, 2 * column:2 * column + 2])
        result = results[label]
        image = axis.imshow(result["confusion"], cmap="Blues")
        figure.colorbar(image, ax=axis, label="number of test digits")
        for (true, predicted), count in np.ndenumerate(result["confusion"]):
            if count:
                axis.text(predicted, true, count, ha="center", va="center", fontsize=7,
                          color="white" if count > result["confusion"].max() / 2 else "black")
        axis.set_xticks(range(10))
        axis.set_yticks(range(10))
        axis.set_xlabel("predicted digit")
        axis.set_ylabel("true digit")
        axis.set_title(f"{label}: {result['parameters']:,} weights, test accuracy {result['accuracy']:.1%}")
    figure.suptitle(title, fontsize=13)
    figure.tight_layout()
    return save(figure, out, name)


def shifted_experiment(args):
    n_train, n_test, epochs = (600, 300, 6) if args.fast else (1200, 500, 12)
    data = shifted_digits(n_train, n_test, seed=args.seed)
    print(f"digits at random positions on a 28x28 canvas: {n_train} training, {n_test} test images")
    builders = {"dense 784-512-10": mnist_mlp, "convnet": shift_invariant_convnet}
    results = compare(builders, data, epochs, args.seed, {"dense 784-512-10": 1e-3, "convnet": 3e-3})
    plot_comparison(results, data[2], data[3], "Digits anywhere on the canvas: the convnet's sliding filters "
                    "and pooling beat the dense net", args.out, "digits_shifted.png")
    return {name: result["accuracy"] for name, result in results.items()}


def mnist_experiment(args):
    x_train, y_train = load_mnist(args.mnist, "train")
    x_test, y_test = load_mnist(args.mnist, "test")
    n_train, n_test = (min(len(x_train), 2000), min(len(x_test), 500)) if args.fast else (5000, 1000)
    data = (x_train[:n_train], y_train[:n_train], x_test[:n_test], y_test[:n_test])
    epochs = 2  # about 2.7 s per 2,000 images per epoch for the convnet on 2 cores: the whole script stays < 60 s
    print(f"MNIST from {args.mnist}: the first {len(data[0])} training and {len(data[2])} test images")
    builders = {"dense 784-512-10": mnist_mlp, "Keras-book convnet": keras_mnist_convnet}
    results = compare(builders, data, epochs, args.seed, {"dense 784-512-10": 1e-3, "Keras-book convnet": 1e-3})
    plot_comparison(results, data[2], data[3], f"MNIST ({len(data[0])} training images): dense net vs the "
                    "Keras book's convnet", args.out, "digits_mnist.png")
    return {f"mnist {name}": result["accuracy"] for name, result in results.items()}


def main(argv=None):
    args = demo_arguments(__doc__.splitlines()[0], argv,
                          lambda parser: parser.add_argument("--mnist", metavar="DIR",
                                                             help="folder with the four MNIST IDX files"))
    accuracies = shifted_experiment(args)
    if args.mnist:
        accuracies.update(mnist_experiment(args))
    return accuracies


if __name__ == "__main__":
    main()
