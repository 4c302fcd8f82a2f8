"""What the lecture demos share: their command line, the digit data sets, figure saving.

Every demo is run as ``python -m demos.NAME [--fast] [--out DIR] [--seed N]``:
``--fast`` shrinks data and epochs so the test suite can run the whole script
in seconds, and the figures go to ``--out`` (``out/`` by default).

``shifted_digits`` builds the data set on which convolution visibly helps:
scikit-learn's 8x8 digits, doubled to 16x16 and pasted at a random position
on an empty 28x28 canvas. A dense layer has one weight per (pixel, unit), so
a stroke it learned at the top left means nothing to it at the bottom right;
a convolution slides the same small filter everywhere, and pooling forgets
exactly where it fired.

Read demos/function_approximation.py first; README.md has the table of all demos.
"""
import argparse
import os

import numpy as np
from sklearn.datasets import load_digits

from tinygrad_edu.io.atomic import save_figure

CANVAS = 28


def demo_arguments(description, argv=None, extra=None):
    """Parse the options every demo takes; ``extra(parser)`` may add the demo's own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--fast", action="store_true", help="small data and few epochs (for the tests)")
    parser.add_argument("--out", default="out", help="folder for the figures (default: out)")
    parser.add_argument("--seed", type=int, default=0)
    if extra is not None:
        extra(parser)
    return parser.parse_args(argv)


def save(figure, out, name):
    """Save ``figure`` as out/name atomically, close it, print and return the path."""
    import matplotlib.pyplot as plt

    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, name)
    save_figure(figure, path)
    plt.close(figure)
    print(f"saved {path}")
    return path


def digit_images(seed=0):
    """The 1,797 8x8 digits as (N, 1, 8, 8) float32 in [0, 1], shuffled once with ``seed``."""
    digits = load_digits()
    order = np.random.default_rng(seed).permutation(len(digits.target))
    images = (digits.images[order] / 16.0).astype(np.float32)[:, None]
    return images, digits.target[order].astype(np.int64)


def place_on_canvas(images, rng, canvas=CANVAS, zoom=2):
    """Each (1, h, w) image enlarged ``zoom`` times and pasted at a random spot of a canvas x canvas field."""
    big = np.kron(images, np.ones((1, 1, zoom, zoom), dtype=images.dtype))
    size = big.shape[-1]
    if size > canvas:
        raise ValueError(f"place_on_canvas: a {size}x{size} image does not fit on a {canvas}x{canvas} canvas")
    out = np.zeros((len(images), 1, canvas, canvas), dtype=images.dtype)
    rows = rng.integers(0, canvas - size + 1, size=len(images))
    cols = rng.integers(0, canvas - size + 1, size=len(images))
    for i, (row, col) in enumerate(zip(rows, cols)):
        out[i, :, row:row + size, col:col + size] = big[i]
    return out


def shifted_digits(n_train, n_test, seed=0):
    """Train and test sets of digits at random positions on a 28x28 canvas (the positions differ per image)."""
    images, labels = digit_images(seed)
    if n_train + n_test > len(images):
        raise ValueError(f"shifted_digits: only {len(images)} digits, asked for {n_train} + {n_test}")
    rng = np.random.default_rng(seed + 1)
    canvas = place_on_canvas(images[:n_train + n_test], rng)
    return (canvas[:n_train], labels[:n_train], canvas[n_train:n_train + n_test], labels[n_train:n_train + n_test])
