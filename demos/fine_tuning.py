"""Lecture: "Dealing with small datasets: fine tuning": reuse a trained convnet, replace its final layer.

The lecture's example takes an ImageNet network and retrains only its last
layer for Teslas vs Toyotas. The same move, small enough to run in seconds:

1. Pretrain a convnet (models.digits_convnet) on the 8x8 digits 0-4, about 900 examples.
2. The new task: digits 5-9, only 50 labelled examples. Replace the final
   layer, which scored five old classes, by a fresh one for the five new
   classes, and freeze everything before it:

       model[-1] = nn.Linear(128, 5)
       model[:-1].requires_grad_(False)      # the convolutions keep what they learned

3. Train the new head on the 50 examples, and compare with the same network
   trained from scratch on the same 50. Only 645 of 5,445 weights are trained,
   yet the frozen filters (strokes, loops) learned on 0-4 read the new digits
   well above chance. Honest result, visible on the curves: these 8x8 digits
   are so easy that the net from scratch, given the same 50 examples, does as
   well or better (fine-tuned 85% vs scratch 84% after 5 epochs, 89% vs 94%
   after 30, seed 0);
   fine-tuning pays when the new data set is too small or too hard to learn
   the features from, as with ImageNet photos.

The lecture's second example, frozen GloVe vectors under a sentiment RNN, is
``python -m demos.rnn_sentiment --glove FILE`` (Embedding.from_pretrained(..., freeze=True)).

    python -m demos.fine_tuning [--fast]      (out/fine_tuning.png)

Read demos/rnn_sentiment.py next.
"""
import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from demos.common import demo_arguments, digit_images, save
from tinygrad_edu.models import digits_convnet
from tinygrad_edu import functional as F
from tinygrad_edu import nn, optim

N_SMALL = 50
EARLY_EPOCH = 5


def split_tasks(seed=0, n_small=N_SMALL):
    """Old task: all digits 0-4. New task: n_small training digits 5-9 (labels 0-4), the rest for testing."""
    images, labels = digit_images(seed)
    old = labels < 5
    new_images, new_labels = images[~old], labels[~old] - 5
    return (images[old], labels[old]), (new_images[:n_small], new_labels[:n_small]), \
        (new_images[n_small:], new_labels[n_small:])


def pretrain(old_task, epochs, seed):
    tg.manual_seed(seed)
    model = digits_convnet()
    model[-1] = nn.Linear(128, 5)  # five old classes
    tg.fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=3e-3), *old_task, epochs=epochs,
           batch_size=32, seed=seed, verbose=0)
    return model


def fine_tune(pretrained, small, test, epochs, seed):
    """Replace the head, freeze the body, train the head only; returns the History (test set monitored)."""
    pretrained[-1] = nn.Linear(128, 5)           # a fresh final layer for the new classes
    pretrained[:-1].requires_grad_(False)        # the slice shares its layers with the model
    trainable = [p for p in pretrained.parameters() if p.requires_grad]
    tg.manual_seed(seed)
    return tg.fit(pretrained, F.cross_entropy, optim.Adam(trainable, lr=2e-2), *small, epochs=epochs,
                  batch_size=10, validation_data=test, seed=seed, verbose=0)


def from_scratch(small, test, epochs, seed):
    tg.manual_seed(seed + 1)
    model = digits_convnet()
    model[-1] = nn.Linear(128, 5)
    return tg.fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=3e-3), *small, epochs=epochs,
                  batch_size=10, validation_data=test, seed=seed, verbose=0)


def plot(histories, n_old, out):
    figure, (accuracy, loss) = plt.subplots(1, 2, figsize=(13, 4.8))
    for (name, history), colour in zip(histories.items(), ("tab:green", "tab:gray")):
        epochs = np.arange(1, len(history["loss"]) + 1)
        accuracy.plot(epochs, history["val_accuracy"], "o-", color=colour, label=f"{name}: test")
        accuracy.plot(epochs, history["accuracy"], "--", color=colour, label=f"{name}: the 50 training digits")
        loss.plot(epochs, history["val_loss"], "o-", color=colour, label=f"{name}: test")
        loss.plot(epochs, history["loss"], "--", color=colour, label=f"{name}: training")
    accuracy.axhline(0.2, color="black", ls=":", label="chance (5 classes)")
    accuracy.axvline(EARLY_EPOCH, color="tab:red", ls=":", label=f"epoch {EARLY_EPOCH}")
    accuracy.set_ylim(0, 1.02)
    for axis, name in ((accuracy, "accuracy"), (loss, "cross-entropy loss")):
        axis.set_xlabel("epoch on the 50 new examples")
        axis.set_ylabel(name)
        axis.grid(alpha=0.3)
        axis.legend(fontsize=8)
    accuracy.set_title("digits 5-9 from 50 examples: accuracy")
    loss.set_title("loss")
    figure.suptitle(f"Fine-tuning (convolutions pretrained on {n_old} digits 0-4, frozen; new final layer) "
                    "vs the same convnet from scratch", fontsize=12)
    figure.tight_layout()
    return save(figure, out, "fine_tuning.png")


def main(argv=None):
    args = demo_arguments(__doc__.splitlines()[0], argv)
    pretrain_epochs, epochs = (4, 15) if args.fast else (8, 30)
    old_task, small, test = split_tasks(args.seed)
    model = pretrain(old_task, pretrain_epochs, args.seed)
    print(f"pretrained on {len(old_task[0])} digits 0-4 for {pretrain_epochs} epochs")
    histories = {"fine-tuned": fine_tune(model, small, test, epochs, args.seed),
                 "from scratch": from_scratch(small, test, epochs, args.seed)}
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    print(f"fine-tuning trains {trainable} weights of the new final layer; {frozen} convolution weights are frozen")
    results = {}
    for name, history in histories.items():
        early, last = history["val_accuracy"][EARLY_EPOCH - 1], history["val_accuracy"][-1]
        results[name] = {"early": early, "last": last}
        print(f"{name:>12}: test accuracy on {len(test[0])} digits 5-9, trained on {len(small[0])} examples: "
              f"{early:.1%} after {EARLY_EPOCH} epochs, {last:.1%} after {epochs}")
    plot(histories, len(old_task[0]), args.out)
    results["model"] = model
    return results


if __name__ == "__main__":
    main()
