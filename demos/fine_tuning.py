"""Lecture: "Dealing with small datasets: fine tuning": reuse a trained convnet, replace its final layer.

The lecture's example takes an ImageNet network and retrains only its last
layer for Teslas vs Toyotas. The same move, small enough to run in seconds:

1. Pretrain a convnet on the digits 0-4 (about 900), each pasted at a random
   place of a 28x28 canvas (demos.common.place_on_canvas): three 3x3
   convolutions, the last pooled over the whole canvas into 64 features.
2. The new task: digits 5-9 with only a few labelled examples. Replace the
   final layer, which scored five old classes, by a fresh one for the five
   new classes, and freeze everything before it:

       model[-1] = nn.Linear(64, 5)
       model[:-1].requires_grad_(False)      # the convolutions keep what they learned

3. Train the new head (325 weights) and compare with the same convnet trained
   from scratch (23,621 weights) on the same examples, with the same budget
   of 200 Adam updates (batch 10) at every size, for 4 draws of the examples
   (mean and min-max over the draws).

Measured honestly, the effect exists only in a regime. The frozen
strokes-and-loops filters learned on 0-4 give a head start (after 20 updates
the new head reads the digits well above chance while the net from scratch
is still at chance), and at the end they are ahead only with 10 examples
(seed 0: 56% vs 49%, within the spread of the draws); at 20 it is a tie
(63% vs 60%); by 50 the net from scratch has learned features fitted to 5-9
and wins (77% vs 85%). Equal budgets matter: with equal epochs instead, 10
examples get 10 times fewer updates than 100, and the net from scratch looks
worse than it is. On the centred 8x8 digits (the old version of this demo)
fine-tuning never won: a few examples suffice to learn their features. Transfer
pays when the new data set is too small or too hard to learn the features
from, as with the lecture's photos; frozen features from five other digits are
a weak stand-in for ImageNet's.

The lecture's second example, frozen GloVe vectors under a sentiment RNN, is
``python -m demos.rnn_sentiment --glove FILE`` (Embedding.from_pretrained(..., freeze=True)).

    python -m demos.fine_tuning [--fast]      (out/fine_tuning.png)

Read demos/rnn_sentiment.py next.
"""
import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from demos.common import demo_arguments, digit_images, place_on_canvas, save
from tinygrad_edu import functional as F
from tinygrad_edu import nn, optim

FEATURES = 64
SMALL_SIZES = (10, 20, 50)
CURVE_SIZES = (10, 50)
POOL = 300          # the draws of labelled examples come from these digits 5-9; the rest are the test set
CURVE_TEST = 150    # the curves are measured on the first 150 test digits (the final numbers on all)
CURVE_POINTS = 10
BATCH = 10


def convnet(classes=5):
    """Three 3x3 convolutions, the last max-pooled over the whole 28x28 canvas: 64 features, then Linear."""
    return nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, FEATURES, 3, padding=1), nn.ReLU(), nn.MaxPool2d(7),
        nn.Flatten(), nn.Linear(FEATURES, classes),
    )


def split_tasks(seed=0):
    """Old task: all digits 0-4. New task (labels 5-9 as 0-4): a pool to draw from, and a test set."""
    images, labels = digit_images(seed)
    canvas = place_on_canvas(images, np.random.default_rng(seed + 1))
    old = labels < 5
    new_images, new_labels = canvas[~old], labels[~old] - 5
    return (canvas[old], labels[old]), (new_images[:POOL], new_labels[:POOL]), \
        (new_images[POOL:], new_labels[POOL:])


def draw_examples(pool, size, draw):
    chosen = np.random.default_rng(1000 + draw).choice(len(pool[0]), size, replace=False)
    return pool[0][chosen], pool[1][chosen]


def pretrain(old_task, epochs, seed):
    tg.manual_seed(seed)
    model = convnet()
    tg.fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=3e-3), *old_task, epochs=epochs,
           batch_size=32, seed=seed, verbose=0)
    return model


def fine_tune(pretrained, small, test, updates, seed):
    """Replace the head, freeze the body, train the head only; returns (History, final test accuracy)."""
    pretrained[-1] = nn.Linear(FEATURES, 5)      # a fresh final layer for the new classes
    pretrained[:-1].requires_grad_(False)        # the slice shares its layers with the model
    trainable = [p for p in pretrained.parameters() if p.requires_grad]
    return train(pretrained, trainable, 1e-2, small, test, updates, seed)


def from_scratch(small, test, updates, seed):
    tg.manual_seed(seed + 1)
    model = convnet()
    return train(model, model.parameters(), 3e-3, small, test, updates, seed)


def train(model, parameters, lr, small, test, updates, seed):
    """``updates`` Adam steps of batch 10, whatever the number of examples (so both methods get the same
    budget at every size); the test accuracy is measured CURVE_POINTS times on the way and at the end."""
    optimizer = optim.Adam(parameters, lr=lr)
    epochs = max(1, round(updates * BATCH / len(small[0])))
    checkpoints = np.unique(np.linspace(0, epochs, CURVE_POINTS + 1).round().astype(int))
    curve_test = (test[0][:CURVE_TEST], test[1][:CURVE_TEST])
    curve = []
    for chunk, (start, stop) in enumerate(zip(checkpoints[:-1], checkpoints[1:])):
        tg.fit(model, F.cross_entropy, optimizer, *small, epochs=int(stop - start), batch_size=BATCH,
               seed=seed * 1000 + chunk, verbose=0)
        curve.append(tg.evaluate(model, F.cross_entropy, *curve_test)[1])
    steps_per_epoch = -(-len(small[0]) // BATCH)
    _, accuracy = tg.evaluate(model, F.cross_entropy, *test)
    return {"updates": checkpoints[1:] * steps_per_epoch, "val_accuracy": curve}, accuracy


def restore(model, body_weights):
    """Put the pretrained convolution weights back (each draw starts from the same pretrained net)."""
    for parameter, weights in zip(model[:-1].parameters(), body_weights):
        parameter.data[...] = weights


def compare(model, pool, test, sizes, draws, updates, seed):
    """For each size and draw: fine-tuned and from-scratch test accuracy, and the curves for CURVE_SIZES."""
    body_weights = [p.data.copy() for p in model[:-1].parameters()]
    results = {"fine-tuned": {}, "from scratch": {}}
    for size in sizes:
        runs = {"fine-tuned": [], "from scratch": []}
        for draw in range(draws):
            small = draw_examples(pool, size, draw)
            restore(model, body_weights)
            runs["fine-tuned"].append(fine_tune(model, small, test, updates, seed + draw))
            runs["from scratch"].append(from_scratch(small, test, updates, seed + draw))
        for name, pairs in runs.items():
            results[name][size] = {"accuracy": np.array([accuracy for _, accuracy in pairs]),
                                   "curves": np.array([history["val_accuracy"] for history, _ in pairs]),
                                   "updates": pairs[0][0]["updates"]}
    return results


def plot(results, curve_sizes, draws, n_old, out):
    figure, axes = plt.subplots(1, 1 + len(curve_sizes), figsize=(6 * (1 + len(curve_sizes)), 4.8))
    colours = {"fine-tuned": "tab:green", "from scratch": "tab:gray"}
    sizes = sorted(results["fine-tuned"])
    for name, by_size in results.items():
        accuracy = np.array([by_size[size]["accuracy"] for size in sizes])
        axes[0].plot(sizes, accuracy.mean(axis=1), "o-", color=colours[name], label=f"{name} (mean)")
        axes[0].fill_between(sizes, accuracy.min(axis=1), accuracy.max(axis=1), color=colours[name], alpha=0.2,
                             label=f"{name} (min-max over {draws} draws)")
        for axis, size in zip(axes[1:], curve_sizes):
            curves, updates = by_size[size]["curves"], by_size[size]["updates"]
            axis.plot(updates, curves.mean(axis=0), "o-", ms=3, color=colours[name], lw=2, label=f"{name} (mean)")
            axis.fill_between(updates, curves.min(axis=0), curves.max(axis=0), color=colours[name], alpha=0.2,
                              label="min-max over the draws")
            axis.set(xlabel=f"Adam updates (batch {BATCH}) on the {size} labelled digits 5-9", ylabel=f"test accuracy ({CURVE_TEST} digits)",
                     title=f"{size} labelled examples: learning curves", ylim=(0, 1.02))
    axes[0].set_xticks(sizes, [str(size) for size in sizes])
    axes[0].set(xlabel="labelled examples of the new digits 5-9", ylabel="test accuracy after training",
                title="after all updates: accuracy against data size", ylim=(0, 1.02))
    for axis in axes:
        axis.axhline(0.2, color="black", ls=":", label="chance (5 classes)")
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8, loc="lower right")
    figure.suptitle(f"Shifted 28x28 digits 5-9: convolutions pretrained on {n_old} digits 0-4, frozen, new final layer "
                    "vs the same convnet from scratch", fontsize=12)
    figure.tight_layout()
    return save(figure, out, "fine_tuning.png")


def main(argv=None):
    args = demo_arguments(__doc__.splitlines()[0], argv)
    pretrain_epochs, updates, draws = (4, 100, 3) if args.fast else (6, 200, 4)
    sizes = CURVE_SIZES if args.fast else SMALL_SIZES
    old_task, pool, test = split_tasks(args.seed)
    model = pretrain(old_task, pretrain_epochs, args.seed)
    print(f"pretrained on {len(old_task[0])} shifted digits 0-4 for {pretrain_epochs} epochs")
    results = compare(model, pool, test, sizes, draws, updates, args.seed)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f"fine-tuning trains the {trainable} weights of the new final layer; {frozen} convolution weights are frozen")
    print(f"test accuracy on {len(test[0])} shifted digits 5-9, mean [min, max] over {draws} draws, {updates} updates each:")
    for size in sizes:
        tuned, scratch = results["fine-tuned"][size]["accuracy"], results["from scratch"][size]["accuracy"]
        verdict = "fine-tuning ahead" if tuned.mean() > scratch.mean() + 0.04 else \
            "from scratch ahead" if scratch.mean() > tuned.mean() + 0.04 else "about equal"
        print(f"  {size:>3} examples: fine-tuned {tuned.mean():.1%} [{tuned.min():.0%}, {tuned.max():.0%}], "
              f"from scratch {scratch.mean():.1%} [{scratch.min():.0%}, {scratch.max():.0%}]: {verdict}")
    first = {name: np.mean([by_size[size]["curves"][:, 1].mean() for size in sizes]) for name, by_size in
             results.items() if name != "model"}
    print(f"a head start: after {results['fine-tuned'][sizes[0]]['updates'][1]} updates, fine-tuned "
          f"{first['fine-tuned']:.0%}, from scratch {first['from scratch']:.0%} (mean over sizes and draws)")
    print("the frozen features give a head start and pay at the end only with very few examples (10); "
          "with 50, features learned for the new digits win")
    plot(results, CURVE_SIZES, draws, len(old_task[0]), args.out)
    results["model"] = model
    return results


if __name__ == "__main__":
    main()
