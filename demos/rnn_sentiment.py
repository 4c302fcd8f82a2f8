"""Lecture: "Given text (e.g., movie review), figure out whether it has positive
or negative sentiment": five readers of the same reviews, from order-blind to recurrent.

Offline, the reviews are generated (below) so that each kind of reader has
something it cannot do:

    plain      "the acting was wonderful" + filler words (a plot summary), 2-100 of them
    negated    "the plot was not bad at all": the sentiment word says the opposite
    but        "the film was dull honestly but to be fair the music was great":
               two clauses of opposite sentiment, the LAST one decides

The readers, trained the same way (Adam, lr 3e-3, batch 32, same epochs):

    bag of words   mean of the word embeddings -> Linear.  Order-blind: the
                   mean of "not" and "good" is the mean of "good" and "not".
                   Here every sentiment word is as often negated or overruled
                   as not, so a word alone says nothing: it stays at chance.
    1-D CNN        Conv1d (3 words wide) -> ReLU -> max over the review -> Linear.
                   It sees "not good", but the max forgets WHERE a phrase
                   was, so it cannot tell which clause came last.
    SimpleRNN      h_t = tanh(W x_t + U h_{t-1} + b) over the review, Linear on
                   the last h. Reads in order, but every word rewrites h: a
                   verdict followed by 40 plot words is washed out.
    LSTM, GRU      gated states keep the verdict across the plot summary.

All reviews are pre-padded (Keras style) so the last state sits on the last word.
With the real data (IMDb's folders, and GloVe vectors as in the lecture, which
froze the embedding at GloVe's weights; the file may have any dimension):

    python -m demos.rnn_sentiment [--fast] [--epochs N]
    python -m demos.rnn_sentiment --imdb aclImdb --glove glove.6B.100d.txt

It writes out/sentiment_history.png: test accuracy per epoch for the five
readers (none solves the task in epoch 1), and for generated reviews the
accuracy per kind of review and against the number of words between the
deciding clause and the end. On IMDb (25,000 reviews) expect minutes per model.
Read demos/word2vec.py next: where word vectors like GloVe come from.
"""
import matplotlib
import matplotlib.ticker

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import tinygrad_edu as tg
from demos.common import demo_arguments, save
from tinygrad_edu import functional as F
from tinygrad_edu import nn, optim
from tinygrad_edu.io.datasets import Vocabulary, load_glove, load_review_folder, pad_sequences

POSITIVE = ["good", "great", "wonderful", "moving", "funny", "brilliant", "charming", "gripping"]
NEGATIVE = ["bad", "dull", "boring", "awful", "clumsy", "tedious", "weak", "forgettable"]
SUBJECTS = ["the film", "the plot", "the acting", "the ending", "this movie", "the script", "the cast",
            "the music", "the start", "the second half"]
HEDGES = ["honestly", "frankly", "really", "overall", "somehow", "actually", "well", "anyway"]
PLOT = ("a hero travels to the city where his old friend runs a small shop and they meet a stranger who "
        "tells them about the war the river the night train an island her brother some letters from home "
        "while it rains").split()
FILLER = HEDGES + PLOT
KINDS = ("plain", "negated", "but")
MAX_PLOT_WORDS = 100
PLOT_BINS = [(2, 5), (6, 20), (21, 40), (41, 70), (71, 100)]
MODELS = ("bag of words", "1-D CNN", "SimpleRNN", "LSTM", "GRU")
COLOURS = {"bag of words": "tab:gray", "1-D CNN": "tab:orange", "SimpleRNN": "tab:red", "LSTM": "tab:blue",
           "GRU": "tab:green"}


# -- the reviews ----------------------------------------------------------------------------------------------

def clause(rng, positive, negated):
    """'<subject> was [not] <word>' whose meaning is ``positive``; a negation flips the word's side."""
    word = rng.choice(POSITIVE if positive != negated else NEGATIVE)
    if not negated:
        return f"{rng.choice(SUBJECTS)} was {word}"
    return f"{rng.choice(SUBJECTS)} was not {word}" + (" at all" if rng.random() < 0.5 else "")


def words(rng, vocabulary, count):
    return " ".join(rng.choice(vocabulary, size=count))


def generate_review(rng, max_plot_words=MAX_PLOT_WORDS):
    """One review, its label (1 = positive), its kind and how many plot words follow the verdict."""
    positive = bool(rng.integers(2))
    kind = KINDS[rng.choice(3, p=[0.25, 0.25, 0.5])]
    if kind == "plain":
        text = clause(rng, positive, negated=False)
    elif kind == "negated":
        text = clause(rng, positive, negated=True)
    else:  # the first clause says the opposite; the one after "but" decides
        first = clause(rng, not positive, negated=rng.random() < 0.5)
        last = clause(rng, positive, negated=rng.random() < 0.5)
        # two or more filler words on each side of "but": a 3-word window never holds "but" and a verdict
        text = f"{first} {words(rng, FILLER, rng.integers(2, 4))} but {words(rng, FILLER, rng.integers(2, 4))} {last}"
    # half the reviews stop soon after the verdict, half carry it across a long plot summary; the
    # same filler words follow every clause, so what comes right after a verdict does not tell which one it was
    plot_words = int(rng.integers(2, 6) if rng.random() < 0.5 else rng.integers(6, max_plot_words + 1))
    return " ".join(f"{text} {words(rng, FILLER, plot_words)}".split()), int(positive), kind, plot_words


def generated_reviews(n, seed, max_plot_words=MAX_PLOT_WORDS):
    """Texts, labels, kinds and plot-word counts of ``n`` generated reviews."""
    rng = np.random.default_rng(seed)
    texts, labels, kinds, plot_words = zip(*(generate_review(rng, max_plot_words) for _ in range(n)))
    return list(texts), np.array(labels), np.array(kinds), np.array(plot_words)


# -- the five readers -----------------------------------------------------------------------------------------

class BagOfWords(nn.Module):
    """Mean of the word vectors -> one logit. Shuffling the words changes nothing."""

    def __init__(self, embedding, hidden_size):
        super().__init__()
        self.embedding = embedding
        self.classifier = nn.Linear(embedding.embedding_dim, 1)

    def forward(self, tokens):
        return self.classifier(self.embedding(tokens).mean(axis=1)).reshape(-1)


class ConvolutionalReader(nn.Module):
    """Conv1d over 3-word windows -> ReLU -> max over the review -> one logit."""

    def __init__(self, embedding, hidden_size, window=3):
        super().__init__()
        self.embedding = embedding
        self.conv = nn.Conv1d(embedding.embedding_dim, hidden_size, window)
        self.classifier = nn.Linear(hidden_size, 1)

    def forward(self, tokens):
        channels_first = self.embedding(tokens).permute(0, 2, 1)      # Conv1d wants (N, C, T)
        detected = self.conv(channels_first).relu().amax(axis=2)    # "was this phrase anywhere?"
        return self.classifier(detected).reshape(-1)


class RecurrentReader(nn.Module):
    """A recurrent layer reads the review left to right; its last hidden state -> one logit."""

    CELLS = {"SimpleRNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}

    def __init__(self, embedding, hidden_size, cell_name):
        super().__init__()
        self.embedding = embedding
        self.recurrent = self.CELLS[cell_name](embedding.embedding_dim, hidden_size, batch_first=True)
        self.classifier = nn.Linear(hidden_size, 1)

    def forward(self, tokens):
        _, final = self.recurrent(self.embedding(tokens))
        h_n = final[0] if isinstance(final, tuple) else final  # the LSTM returns (h_n, c_n)
        return self.classifier(h_n[-1]).reshape(-1)


def make_model(name, embedding, hidden_size=32):
    if name == "bag of words":
        return BagOfWords(embedding, hidden_size)
    if name == "1-D CNN":
        return ConvolutionalReader(embedding, hidden_size)
    return RecurrentReader(embedding, hidden_size, name)


def make_embedding(vocabulary, glove_matrix, dim=16):
    if glove_matrix is not None:
        return nn.Embedding.from_pretrained(glove_matrix, freeze=True)
    return nn.Embedding(len(vocabulary), dim, padding_idx=Vocabulary.PAD)


# -- data, training, evaluation -------------------------------------------------------------------------------

def load_data(args):
    """Train and test (texts, labels), and for generated reviews the test kinds and plot-word counts."""
    if args.imdb:
        train_texts, y_train = load_review_folder(args.imdb, "train")
        test_texts, y_test = load_review_folder(args.imdb, "test")
        return (train_texts, y_train), (test_texts, y_test), None
    n_train, n_test, max_plot = (1000, 400, 40) if args.fast else (2000, 600, MAX_PLOT_WORDS)
    train_texts, y_train, _, _ = generated_reviews(n_train, args.seed, max_plot)
    test_texts, y_test, kinds, plot_words = generated_reviews(n_test, args.seed + 1, max_plot)
    return (train_texts, y_train), (test_texts, y_test), {"kind": kinds, "plot_words": plot_words}


def encode(texts, vocabulary, maxlen):
    return pad_sequences([vocabulary.encode(text) for text in texts], maxlen)


def train(name, vocabulary, glove_matrix, x_train, y_train, x_test, y_test, epochs, seed):
    """One reader, seeded before its first weight is drawn, trained like the others; its test results."""
    tg.manual_seed(seed)
    model = make_model(name, make_embedding(vocabulary, glove_matrix))
    trainable = [p for p in model.parameters() if p.requires_grad]
    history = tg.fit(model, F.binary_cross_entropy_with_logits, optim.Adam(trainable, lr=3e-3), x_train, y_train,
                     epochs=epochs, batch_size=32, validation_data=(x_test, y_test), seed=seed, verbose=0)
    correct = (tg.predict(model, x_test) > 0) == (y_test > 0.5)
    return {"model": model, "history": history, "correct": correct, "accuracy": float(correct.mean())}


def breakdown(correct, details):
    """Accuracy per review kind and per bin of plot words after the verdict."""
    by_kind = {kind: float(correct[details["kind"] == kind].mean()) for kind in KINDS}
    by_plot = {}
    for low, high in PLOT_BINS:
        inside = (details["plot_words"] >= low) & (details["plot_words"] <= high)
        if inside.any():
            by_plot[(low, high)] = float(correct[inside].mean())
    return by_kind, by_plot


# -- the figure -----------------------------------------------------------------------------------------------

def plot(results, details, embedding_name, out):
    panels = 3 if details is not None else 1
    figure, axes = plt.subplots(1, panels, figsize=(6.2 * panels, 4.8), squeeze=False)
    curves = axes[0, 0]
    for name, result in results.items():
        accuracy = np.array(result["history"]["val_accuracy"]) * 100
        curves.plot(np.arange(1, len(accuracy) + 1), accuracy, marker="o", ms=3, color=COLOURS[name],
                    label=f"{name}: {result['accuracy']:.0%}")
    curves.axhline(50, color="black", ls=":", label="chance (50%)")
    curves.set(xlabel="epoch", ylabel="test accuracy (%)", ylim=(35, 103),
               title=f"held-out test reviews, per epoch ({embedding_name})")
    curves.grid(alpha=0.3)
    curves.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    if details is not None:
        plot_by_kind(axes[0, 1], results)
        plot_by_plot_words(axes[0, 2], results)
        figure.suptitle("Sentiment of generated reviews: order-blind bag of words fails on 'not' and 'but', "
                        "the CNN on 'but', the SimpleRNN on long reviews", fontsize=11)
    else:
        figure.suptitle("Sentiment of real reviews: five readers trained the same way", fontsize=11)
    figure.tight_layout(rect=(0, 0.07 if details is not None else 0.16, 1, 1))
    figure.legend(*curves.get_legend_handles_labels(), loc="lower center", ncol=6 if details is not None else 3,
                  fontsize=9, title="final test accuracy")
    return save(figure, out, "sentiment_history.png")


def plot_by_kind(axis, results):
    """Grouped bars: each model's accuracy on plain, negated and two-clause reviews."""
    width = 0.8 / len(results)
    for offset, (name, result) in enumerate(results.items()):
        values = [result["by_kind"][kind] * 100 for kind in KINDS]
        axis.bar(np.arange(len(KINDS)) + (offset - 2) * width, values, width, color=COLOURS[name], label=name)
    axis.axhline(50, color="black", ls=":")
    axis.set_xticks(np.arange(len(KINDS)),
                    ["plain\n'the plot was great'", "negated\n'was not bad at all'", "two clauses\n'..., but ... was great'"])
    axis.set(ylabel="test accuracy after the last epoch (%)", ylim=(0, 105), title="by kind of review")
    axis.grid(alpha=0.3, axis="y")


def plot_by_plot_words(axis, results):
    """Accuracy against the distance (in words) from the deciding clause to the end of the review."""
    for name, result in results.items():
        bins = list(result["by_plot"])
        axis.plot(range(len(bins)), [result["by_plot"][b] * 100 for b in bins], marker="o", color=COLOURS[name],
                  lw=3 if name in ("LSTM", "GRU") else 1.5)
    axis.axhline(50, color="black", ls=":")
    axis.set_xticks(range(len(bins)), [f"{low}-{high}" for low, high in bins])
    axis.set(xlabel="plot-summary words after the verdict", ylabel="test accuracy after the last epoch (%)",
             ylim=(35, 103), title="carrying the verdict across the review")
    axis.grid(alpha=0.3)


# -- main -----------------------------------------------------------------------------------------------------

def options(parser):
    parser.add_argument("--imdb", help="folder with train/ and test/ review folders (aclImdb)")
    parser.add_argument("--glove", help="GloVe text vectors; every model's embedding is then frozen at them")
    parser.add_argument("--max-words", type=int, default=10000)
    parser.add_argument("--maxlen", type=int, default=100, help="words kept per IMDb review (the last ones)")
    parser.add_argument("--epochs", type=int, default=None, help="default 15 (--fast: 12)")


def main(argv=None):
    args = demo_arguments(__doc__.splitlines()[0], argv, extra=options)
    epochs = args.epochs or (12 if args.fast else 15)
    (train_texts, y_train), (test_texts, y_test), details = load_data(args)
    vocabulary = Vocabulary(train_texts, max_words=args.max_words)
    longest = max(len(vocabulary.encode(text)) for text in train_texts + list(test_texts))
    maxlen = min(longest, args.maxlen) if args.imdb else longest  # generated reviews are never cut
    x_train, x_test = encode(train_texts, vocabulary, maxlen), encode(test_texts, vocabulary, maxlen)
    y_train, y_test = np.asarray(y_train, np.float32), np.asarray(y_test, np.float32)
    print(f"{len(x_train)} training and {len(x_test)} test reviews, up to {maxlen} words, "
          f"{len(vocabulary)} words in the vocabulary")

    glove_matrix = None
    if args.glove:  # the file decides the embedding size (50, 100, 300-d GloVe ... all work)
        glove_matrix, found = load_glove(args.glove, vocabulary)
        print(f"GloVe: {found} of {len(vocabulary)} vocabulary words found, {glove_matrix.shape[1]}-d; "
              "embedding frozen")
    embedding_name = f"frozen {glove_matrix.shape[1]}-d GloVe" if args.glove else "learned 16-d embedding"

    results = {}
    for name in MODELS:
        results[name] = train(name, vocabulary, glove_matrix, x_train, y_train, x_test, y_test, epochs, args.seed)
        curve = " ".join(f"{a:.0%}" for a in results[name]["history"]["val_accuracy"])
        print(f"{name:>12}: test accuracy {results[name]['accuracy']:.1%}   (per epoch: {curve})")
        if details is not None:
            results[name]["by_kind"], results[name]["by_plot"] = breakdown(results[name]["correct"], details)
            kinds = ", ".join(f"{kind} {value:.0%}" for kind, value in results[name]["by_kind"].items())
            plots = ", ".join(f"{low}-{high}: {value:.0%}" for (low, high), value in results[name]["by_plot"].items())
            print(f"{'':>14}by kind: {kinds};  by plot words after the verdict: {plots}")
    plot(results, details, embedding_name, args.out)
    return results


if __name__ == "__main__":
    main()
