"""Lecture: "Simple RNN: has trouble remembering things from long ago"; "Recommendation: don't use SimpleRNN".

The task: a sequence of T tokens whose label is its FIRST token (A or B); the
other T - 1 tokens are random noise words. To answer, a network must carry one
bit from step 1 to step T through T - 1 updates.

    SimpleRNN   h_t = tanh(W x_t + U h_{t-1} + b): every input rewrites the whole
                state, so the first token is washed out, and the gradient that
                should teach it to keep that token shrinks like a product of T
                Jacobians (it vanishes).
    LSTM        c_t = f_t * c_{t-1} + i_t * g_t: the carry c is only scaled by
                the forget gate f and added to, so with f ~ 1 and i ~ 0 it keeps
                its value (and its gradient) over hundreds of steps.
    GRU         h_t = (1 - z_t) * n_t + z_t * h_{t-1}: the update gate z does the same.

The gates start biased towards "keep" (forget-gate bias +5, input-gate bias -5,
the GRU's update-gate bias +5), the chrono initialisation of Tallec & Ollivier
(2018); Keras' unit_forget_bias=True is the mild version of the same idea.
A SimpleRNN has no gate to bias: that is the point.

    python -m demos.long_memory           (writes out/long_memory.png)
Read demos/rnn_sentiment.py next.
"""
import os
import time

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import functional as F
from tinygrad_edu import nn, optim
from demos.common import demo_arguments, save

LABEL_TOKENS = 2          # tokens 0 and 1 are "A" and "B": the label
VOCABULARY = 10           # tokens 2..9 are noise
KEEP_BIAS = 5.0           # sigmoid(5) = 0.993: a gate that starts almost fully open (or, at -5, closed)
CELLS = {"SimpleRNN": nn.SimpleRNN, "LSTM": nn.LSTM, "GRU": nn.GRU}
COLOURS = {"SimpleRNN": "tab:red", "LSTM": "tab:blue", "GRU": "tab:green"}
STYLES = {"SimpleRNN": dict(ls="-", lw=2), "LSTM": dict(ls="-", lw=5, alpha=0.6), "GRU": dict(ls="--", lw=2)}  # LSTM and GRU overlap at 100%


def first_token_task(count, length, rng):
    """Sequences (count, length) of noise tokens whose first token, A (0) or B (1), is the label."""
    tokens = rng.integers(LABEL_TOKENS, VOCABULARY, size=(count, length))
    labels = rng.integers(0, LABEL_TOKENS, size=count)
    tokens[:, 0] = labels
    return tokens, labels


class Reader(nn.Module):
    """Embedding -> recurrent layer -> Linear(2) on the final hidden state."""

    def __init__(self, cell_name, embedding_dim=8, hidden_size=16):
        super().__init__()
        self.embedding = nn.Embedding(VOCABULARY, embedding_dim)
        self.recurrent = CELLS[cell_name](embedding_dim, hidden_size, batch_first=True)
        self.classifier = nn.Linear(hidden_size, LABEL_TOKENS)
        bias, size = self.recurrent.bias_hh_l0.data, hidden_size
        if cell_name == "LSTM":     # gates i, f, g, o: keep the carry, write little into it
            bias[0:size] = -KEEP_BIAS
            bias[size:2 * size] = KEEP_BIAS
        elif cell_name == "GRU":    # gates r, z, n: z near 1 keeps h_{t-1}
            bias[size:2 * size] = KEEP_BIAS

    def forward(self, tokens):
        _, final = self.recurrent(self.embedding(tokens))
        h_n = final[0] if isinstance(final, tuple) else final  # the LSTM returns (h_n, c_n)
        return self.classifier(h_n[-1])


def train_one(cell_name, length, train_size, epochs, seed):
    rng = np.random.default_rng(seed)
    x_train, y_train = first_token_task(train_size, length, rng)
    x_test, y_test = first_token_task(500, length, rng)
    tg.manual_seed(seed)
    model = Reader(cell_name)
    history = tg.fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=1e-2), x_train, y_train,
                     epochs=epochs, batch_size=64, validation_data=(x_test, y_test), seed=seed, verbose=0)
    return history["val_accuracy"]


def draw(lengths, results, out):
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.6))
    for name, curves in results.items():
        left.plot(lengths, [curve[-1] for curve in curves], marker="o", color=COLOURS[name], label=name, **STYLES[name])
        right.plot(np.arange(1, len(curves[-1]) + 1), curves[-1], marker="o", color=COLOURS[name], label=name,
                   **STYLES[name])
    for axis in (left, right):
        axis.axhline(0.5, color="gray", ls="--", label="chance (50%)")
        axis.set_ylim(0.35, 1.05)
        axis.set_ylabel("test accuracy")
        axis.legend(loc="center right")
        axis.grid(alpha=0.3)
    left.set_xscale("log")
    left.set_xticks(lengths)
    left.set_xticklabels([str(length) for length in lengths])
    left.set_xlabel("sequence length T (the label is token 1 of T)")
    left.set_title("Remembering the first token: SimpleRNN forgets as T grows")
    right.set_xlabel("epoch")
    right.set_title(f"Learning curves at the longest sequence, T = {lengths[-1]}")
    right.xaxis.get_major_locator().set_params(integer=True)
    figure.tight_layout()
    return save(figure, out, "long_memory.png")


def main(argv=None):
    args = demo_arguments("SimpleRNN vs LSTM vs GRU: label = the first token", argv)
    lengths = [10, 100] if args.fast else [10, 25, 50, 100, 200]
    train_size, epochs = (1000, 5) if args.fast else (1500, 8)
    start = time.perf_counter()
    results = {name: [] for name in CELLS}
    for length in lengths:
        for name in CELLS:
            results[name].append(train_one(name, length, train_size, epochs, args.seed))
        print(f"T = {length:3d}: " + ", ".join(f"{name} {results[name][-1][-1]:.0%}" for name in CELLS))
    path = draw(lengths, results, args.out)
    print(f"SimpleRNN at T = {lengths[-1]}: {results['SimpleRNN'][-1][-1]:.0%} (chance is 50%); "
          f"LSTM {results['LSTM'][-1][-1]:.0%}, GRU {results['GRU'][-1][-1]:.0%}: the gated carry remembers")
    print(f"wrote {path} in {time.perf_counter() - start:.0f} s")
    return {name: {length: curves[-1] for length, curves in zip(lengths, results[name])} for name in CELLS}


if __name__ == "__main__":
    main()
