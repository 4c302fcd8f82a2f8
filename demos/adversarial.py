"""Lecture: "Adversarial examples at test time remain a problem".

The fast gradient sign method (FGSM, Goodfellow et al. 2015) nudges every
pixel of an image x by the same small amount eps, in the direction that
increases the loss of the true label y the most to first order:

    x_adv = clip(x + eps * sign(d loss(model(x), y) / d x), 0, 1)

The gradient is taken with respect to the INPUT, not the weights: the same
backprop that trains the network tells an attacker how to fool it. On the
8x8 digits (pixels in [0, 1]) a change of eps = 0.1 per pixel barely shows,
yet the trained convnet's accuracy drops steeply as eps grows.

    python -m demos.adversarial          (writes out/adversarial.png)
    python -m demos.adversarial --fast   (fewer epochs; used by the tests)

Read tinygrad_edu/engine/autograd.py next: the backprop that computes d loss / d x.
"""
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits

import tinygrad_edu as tg
from tinygrad_edu import functional as F
from tinygrad_edu import optim
from tinygrad_edu.models import digits_convnet
from demos.common import demo_arguments, save

EPSILONS = [0.0, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3]


def digit_images(seed):
    """sklearn's 8x8 digits as (N, 1, 8, 8) floats in [0, 1], split 75/25."""
    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32)[:, None]
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = len(x) // 4
    test, train = order[:n_test], order[n_test:]
    return x[train], digits.target[train], x[test], digits.target[test]


def fgsm(model, images, labels, eps):
    """One signed-gradient step of size eps on every pixel, kept inside [0, 1]."""
    x = tg.Tensor(images, requires_grad=True)
    loss = F.cross_entropy(model(x), labels)
    loss.backward()
    return np.clip(images + eps * np.sign(x.grad), 0.0, 1.0).astype(np.float32)


def accuracy(model, images, labels):
    return float(np.mean(tg.predict(model, images).argmax(axis=1) == labels))


def plot(epsilons, accuracies, examples, out):
    fig = plt.figure(figsize=(12, 5.5))
    grid = fig.add_gridspec(2, 1 + len(examples), width_ratios=[3] + [1] * len(examples))
    ax = fig.add_subplot(grid[:, 0])
    ax.plot(epsilons, np.array(accuracies) * 100, marker="o", label="FGSM-attacked test digits")
    ax.axhline(10, color="grey", linestyle="--", label="chance (10%)")
    ax.set_xlabel("eps (change per pixel; pixels are in [0, 1])")
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(0, 105)
    ax.set_title("Accuracy falls as eps grows")
    ax.legend()
    for column, (clean, attacked, label, clean_guess, attacked_guess, eps) in enumerate(examples, start=1):
        for row, (image, caption) in enumerate([(clean, f"clean: read {clean_guess}"),
                                                (attacked, f"eps {eps}: read {attacked_guess}")]):
            image_ax = fig.add_subplot(grid[row, column])
            shown = image_ax.imshow(image[0], cmap="gray_r", vmin=0, vmax=1)
            image_ax.set_title(f"true {label}\n{caption}" if row == 0 else caption, fontsize=8)
            image_ax.set_xticks([])
            image_ax.set_yticks([])
    fig.colorbar(shown, ax=fig.axes[1:], shrink=0.6, label="pixel value")
    fig.suptitle("Adversarial examples (FGSM): digits that look unchanged are misread")
    return save(fig, out, "adversarial.png")


def main(argv=None):
    args = demo_arguments("FGSM adversarial examples on the digits convnet", argv)
    started = time.time()
    x_train, y_train, x_test, y_test = digit_images(args.seed)
    tg.manual_seed(args.seed)
    model = digits_convnet()
    tg.fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=3e-3), x_train, y_train,
           epochs=6 if args.fast else 15, batch_size=32, seed=args.seed, verbose=0)
    model.eval()
    epsilons = [0.0, 0.05, 0.1, 0.2] if args.fast else EPSILONS
    accuracies = []
    for eps in epsilons:
        attacked = fgsm(model, x_test, y_test, eps) if eps > 0 else x_test
        accuracies.append(accuracy(model, attacked, y_test))
        print(f"eps={eps:<5} test accuracy {accuracies[-1]:.1%}")
    eps_shown = 0.1
    attacked = fgsm(model, x_test, y_test, eps_shown)
    clean_guess = tg.predict(model, x_test).argmax(axis=1)
    attacked_guess = tg.predict(model, attacked).argmax(axis=1)
    fooled = np.flatnonzero((clean_guess == y_test) & (attacked_guess != y_test))[:4]  # top row vs bottom row
    examples = [(x_test[i], attacked[i], y_test[i], clean_guess[i], attacked_guess[i], eps_shown) for i in fooled]
    print(f"at eps={eps_shown}: {len(np.flatnonzero((clean_guess == y_test) & (attacked_guess != y_test)))} "
          f"correctly read test digits are misread; e.g. " +
          ", ".join(f"{y_test[i]} -> {attacked_guess[i]}" for i in fooled))
    plot(epsilons, accuracies, examples, args.out)
    print(f"done in {time.time() - started:.0f} s")
    return {"epsilons": epsilons, "accuracies": accuracies}


if __name__ == "__main__":
    main()
