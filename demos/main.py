"""The main job: train a small network on handwritten digits, offline, in seconds.

The 1,797 8x8 digit images bundled with scikit-learn stand in for MNIST (no
download needed). A two-layer MLP, 64 -> 64 -> 10, is trained with Adam and
``fit``; the script prints the test accuracy and saves the training curves to
``out/digits_history.png``.

    python -m demos.main            (or: make demo)
"""
import argparse
import os

import numpy as np
from sklearn.datasets import load_digits

import tinygrad_edu as tg
from tinygrad_edu import functional as F
from tinygrad_edu import nn, optim


def load_digit_split(seed=0, test_fraction=0.25):
    """Scaled to [0, 1], shuffled once with ``seed`` and split into train and test."""
    digits = load_digits()
    x = (digits.data / 16.0).astype(np.float32)
    y = digits.target
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = int(len(x) * test_fraction)
    test, train = order[:n_test], order[n_test:]
    return x[train], y[train], x[test], y[test]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--out", default="out")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    x_train, y_train, x_test, y_test = load_digit_split(args.seed)
    tg.manual_seed(args.seed)
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    tg.summary(model, (64,))
    history = tg.fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=1e-2), x_train, y_train,
                     epochs=args.epochs, batch_size=32, validation_data=(x_test, y_test), seed=args.seed)
    loss, accuracy = tg.evaluate(model, F.cross_entropy, x_test, y_test)
    print(f"test loss {loss:.4f}  test accuracy {accuracy:.2%} on {len(x_test)} held-out digits")

    os.makedirs(args.out, exist_ok=True)
    plot_path = os.path.join(args.out, "digits_history.png")
    # the held-out digits were passed to fit() only to watch them; they are the test set, not a validation set
    tg.plot_history(history, path=plot_path, validation_label="test",
                    title=f"MLP 64-64-10 on the 8x8 digits: {len(x_train)} training, {len(x_test)} test images")
    weights_path = os.path.join(args.out, "digits_mlp.npz")
    tg.save(model.state_dict(), weights_path)
    print(f"saved {plot_path} and {weights_path}")
    return accuracy


if __name__ == "__main__":
    main()
