"""Lecture: "Recommendation: don't use SimpleRNN" -- it forgets; LSTM's carry remembers.

The task: a sequence of T tokens whose label is its FIRST token (one of 4
"signal" words); the other T - 1 tokens are noise words drawn from 8 others.
To answer, the network must carry the first token through T - 1 updates:

    SimpleRNN   h_t = tanh(W x_t + U h_{t-1} + b)       the memory is squashed and
                                                         remixed at every step, and the
                                                         gradient shrinks like |U tanh'|^T
    LSTM        c_t = f_t * c_{t-1} + i_t * g_t          the carry c is only scaled by the
                                                         forget gate f (near 1 -> kept)
    GRU         h_t = (1 - z_t) * n_t + z_t * h_{t-1}    the same idea with one state

The LSTM's forget-gate bias starts at 3 (Keras uses 1, unit_forget_bias; Jozefowicz et
al. 2015 argue for a positive one) so f starts near sigmoid(3) = 0.95, not 0.5: the default
(PyTorch's 0) forgets so fast at the start that the gradient never reaches
step 1. Each model is trained on the same data for each T; the figure plots
test accuracy against T (chance = 25%). The GRU keeps PyTorch's default
init (its update gate not biased towards keeping), and within this budget it
forgets at long T too: what saves the LSTM is a carry that starts out kept.

    python -m demos.long_memory           (writes out/long_memory.png)
    python -m demos.long_memory --fast    (fewer lengths and examples; used by the tests)

Read demos/rnn_sentiment.py next: the same layers on movie reviews.
"""
import argparse
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import functional as F
from tinygrad_edu import nn, optim

N_SIGNAL, N_NOISE = 4, 8
FORGET_BIAS = 3.0  # f starts at sigmoid(3) = 0.95: the carry is kept by default
LAYERS = {"SimpleRNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}


class FirstTokenClassifier(nn.Module):
    """Tokens (N, T) -> Embedding -> recurrent layer -> last hidden state -> 4 logits."""

    def __init__(self, kind, embedding_dim=8, hidden_size=32):
        super().__init__()
        self.embedding = nn.Embedding(N_SIGNAL + N_NOISE, embedding_dim)
        self.rnn = LAYERS[kind](embedding_dim, hidden_size, batch_first=True)
        self.classifier = nn.Linear(hidden_size, N_SIGNAL)
        if kind == "LSTM":  # PyTorch's gate order is i, f, g, o: the second block is the forget gate
            self.rnn.bias_ih_l0.data[hidden_size:2 * hidden_size] = FORGET_BIAS
            self.rnn.bias_hh_l0.data[hidden_size:2 * hidden_size] = 0.0

    def forward(self, tokens):
        output, _ = self.rnn(self.embedding(tokens))
        return self.classifier(output[:, -1])


def first_token_task(n, length, rng):
    """n sequences of `length` tokens; label = the first token (a signal word 0..3)."""
    tokens = rng.integers(N_SIGNAL, N_SIGNAL + N_NOISE, size=(n, length))
    labels = rng.integers(0, N_SIGNAL, size=n)
    tokens[:, 0] = labels
    return tokens, labels


def accuracy_after_training(kind, length, n_train, epochs, seed):
    rng = np.random.default_rng(seed + length)
    x_train, y_train = first_token_task(n_train, length, rng)
    x_test, y_test = first_token_task(500, length, rng)
    tg.manual_seed(seed)
    model = FirstTokenClassifier(kind)
    tg.fit(model, F.cross_entropy, optim.Adam(model.parameters(), lr=3e-3), x_train, y_train,
           epochs=epochs, batch_size=32, seed=seed, verbose=0)
    return tg.evaluate(model, F.cross_entropy, x_test, y_test)[1]


def plot(lengths, accuracies, path):
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for (kind, values), marker in zip(accuracies.items(), "osd"):
        ax.plot(lengths, np.array(values) * 100, marker=marker, label=kind)
    ax.axhline(100 / N_SIGNAL, color="grey", linestyle="--", label="chance (25%)")
    ax.set_xlabel("sequence length T (the label is token 1 of T)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_ylim(0, 105)
    ax.set_title("Remembering the first token of T\nSimpleRNN forgets as T grows; LSTM's carry (forget bias 3) keeps it")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    parser = argparse.ArgumentParser(description="accuracy vs sequence length for SimpleRNN, LSTM, GRU")
    parser.add_argument("--fast", action="store_true", help="two lengths, fewer examples (for the tests)")
    parser.add_argument("--out", default="out")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    lengths = [5, 50] if args.fast else [5, 10, 20, 35, 50]
    n_train, epochs = (1200, 20) if args.fast else (1500, 25)
    os.makedirs(args.out, exist_ok=True)
    started = time.time()
    accuracies = {kind: [] for kind in LAYERS}
    for length in lengths:
        for kind in LAYERS:
            accuracies[kind].append(accuracy_after_training(kind, length, n_train, epochs, args.seed))
        print(f"T={length:3d}: " + "  ".join(f"{k} {v[-1]:.1%}" for k, v in accuracies.items()), flush=True)
    path = os.path.join(args.out, "long_memory.png")
    plot(lengths, accuracies, path)
    print(f"wrote {path} in {time.time() - started:.0f} s; chance is {1 / N_SIGNAL:.0%}")
    return {"lengths": lengths, **accuracies}


if __name__ == "__main__":
    main()
