"""Lecture: "Given text (e.g., movie review), figure out whether it has positive
or negative sentiment": Embedding -> LSTM -> Dense(1), trained with fit().

Offline, the reviews are generated from templates (below) so that word order
matters: "not good" is negative although "good" is positive, and in
"I expected it to be great, but it was dull" the verdict comes at the end.
A model that only counts words cannot get these right; the LSTM reads the
review in order and carries what it has seen in its state.

With the real data (IMDb's review folders, and optionally GloVe vectors as in
the lecture, which froze the embedding at GloVe's weights):

    python -m demos.rnn_sentiment
    python -m demos.rnn_sentiment --imdb aclImdb --glove glove.6B.100d.txt

Either way it writes out/sentiment_history.png (accuracy per epoch). The GloVe
file may have any dimension; the embedding takes the file's.
"""
import argparse

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu import functional as F
from tinygrad_edu import optim
from tinygrad_edu.data import Vocabulary, load_glove, load_review_folder, pad_sequences
from tinygrad_edu.models import sentiment_lstm
from tinygrad_edu.nn import Embedding

POSITIVE = ["good", "great", "wonderful", "moving", "funny", "brilliant", "charming", "gripping"]
NEGATIVE = ["bad", "dull", "boring", "awful", "clumsy", "tedious", "weak", "forgettable"]
SUBJECTS = ["the film", "the plot", "the acting", "the ending", "this movie", "the script", "the cast"]
FILLER = ["honestly", "to be fair", "all in all", "in the end", "for me", "frankly"]


def generate_review(rng):
    """One templated review and its label (1 = positive), with negations and late verdicts."""
    positive = bool(rng.integers(2))
    praise, scorn = rng.choice(POSITIVE), rng.choice(NEGATIVE)
    subject, filler = rng.choice(SUBJECTS), rng.choice(FILLER)
    form = rng.integers(4)
    if form == 0:    # plain
        text = f"{filler} {subject} was {praise if positive else scorn}"
    elif form == 1:  # negated: the sentiment word says the opposite of the label
        text = f"{filler} {subject} was not {scorn if positive else praise}"
    elif form == 2:  # expectation, then the verdict
        expected = scorn if positive else praise
        verdict = praise if positive else scorn
        text = f"i expected {subject} to be {expected} but it was {verdict}"
    else:            # verdict, then a negated afterthought that agrees with it
        text = f"{subject} was {praise if positive else scorn} and not {scorn if positive else praise} at all"
    return text, int(positive), form == 1


def generated_reviews(n, seed):
    rng = np.random.default_rng(seed)
    texts, labels, negated = zip(*(generate_review(rng) for _ in range(n)))
    return list(texts), np.array(labels), np.array(negated)


def load_data(args):
    if args.imdb:
        train_texts, y_train = load_review_folder(args.imdb, "train")
        test_texts, y_test = load_review_folder(args.imdb, "test")
        return train_texts, y_train, test_texts, y_test, None
    train_texts, y_train, _ = generated_reviews(3000, args.seed)
    test_texts, y_test, negated = generated_reviews(600, args.seed + 1)
    return train_texts, y_train, test_texts, y_test, negated


def main(argv=None):
    parser = argparse.ArgumentParser(description="Embedding -> LSTM sentiment classifier")
    parser.add_argument("--imdb", help="folder with train/ and test/ review folders (aclImdb)")
    parser.add_argument("--glove", help="GloVe text vectors; the embedding is then frozen at them")
    parser.add_argument("--max-words", type=int, default=10000)
    parser.add_argument("--maxlen", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="out", help="folder for sentiment_history.png")
    args = parser.parse_args(argv)

    train_texts, y_train, test_texts, y_test, negated = load_data(args)
    vocabulary = Vocabulary(train_texts, max_words=args.max_words)
    x_train = pad_sequences([vocabulary.encode(t) for t in train_texts], args.maxlen)
    x_test = pad_sequences([vocabulary.encode(t) for t in test_texts], args.maxlen)
    maxlen_used = int(max((x_train != 0).sum(axis=1).max(), 1))
    x_train, x_test = x_train[:, -maxlen_used:], x_test[:, -maxlen_used:]

    tg.manual_seed(args.seed)
    if args.glove:
        # the file decides the embedding size (50, 100, 300-d GloVe ... all work)
        matrix, found = load_glove(args.glove, vocabulary)
        model = sentiment_lstm(len(vocabulary), embedding_dim=matrix.shape[1], hidden_size=32)
        model.embedding = Embedding.from_pretrained(matrix, freeze=True)
        print(f"GloVe: {found} of {len(vocabulary)} vocabulary words found, {matrix.shape[1]}-d; embedding frozen")
    else:
        model = sentiment_lstm(len(vocabulary), embedding_dim=32, hidden_size=32)

    y_train_float, y_test_float = y_train.astype(np.float32), y_test.astype(np.float32)
    history = tg.fit(model, F.binary_cross_entropy_with_logits, optim.RMSprop(model.parameters(), lr=3e-3),
           x_train, y_train_float, epochs=args.epochs, batch_size=64,
           validation_data=(x_test, y_test_float), seed=args.seed)
    _, accuracy = tg.evaluate(model, F.binary_cross_entropy_with_logits, x_test, y_test_float)
    print(f"test accuracy: {accuracy:.1%} on {len(y_test)} reviews")
    if negated is not None:
        predictions = tg.predict(model, x_test) > 0
        print(f"  on negated reviews ('... was not good'): {np.mean(predictions[negated] == y_test[negated]):.1%}")
    embedding = f"frozen {model.embedding.embedding_dim}-d GloVe" if args.glove else "learned embedding"
    path = plot_accuracy_per_epoch(history, embedding, args.out)
    print(f"wrote {path}")
    return accuracy


def plot_accuracy_per_epoch(history, embedding, out):
    """Accuracy per epoch on the training reviews and on the held-out test reviews."""
    import os

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(out, exist_ok=True)
    epochs = np.arange(1, len(history["accuracy"]) + 1)
    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.plot(epochs, np.array(history["accuracy"]) * 100, marker="o", label="training reviews")
    ax.plot(epochs, np.array(history["val_accuracy"]) * 100, marker="s", label="test reviews (held out)")
    ax.axhline(50, color="grey", linestyle="--", label="chance (50%)")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 105)
    ax.set_xticks(epochs)
    ax.set_title(f"Embedding -> LSTM sentiment classifier ({embedding})")
    ax.legend()
    fig.tight_layout()
    path = os.path.join(out, "sentiment_history.png")
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


if __name__ == "__main__":
    main()
