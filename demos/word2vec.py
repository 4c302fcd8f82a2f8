"""Beyond the slides: self-supervised learning -- word2vec (skip-gram, negative sampling).

No labels are given: the text labels itself. Hide a word's neighbours and ask,
for a (centre, context) pair, "did these two words occur together?":

    P(together | c, o) = sigmoid(u_o . v_c)        v = input vectors, u = output vectors
    loss = -log sigmoid(u_o . v_c) - sum_k log sigmoid(-u_k . v_c)

where o is a real neighbour within the window and k are negative samples drawn
from the unigram distribution^0.75 (Mikolov et al. 2013). Words that share
neighbours get similar vectors v. Here the corpus is synthetic with a known
answer: each sentence talks about one planted group (animals, colours, ...)
mixed with filler words common to all, so a good embedding puts each word's
nearest neighbours (cosine similarity) in its own group.

    python -m demos.word2vec          (writes out/word2vec.png: a 2-D PCA of the vectors)
    python -m demos.word2vec --fast   (a smaller corpus; used by the tests)

Read tinygrad_edu/nn/embedding.py next: the Embedding layer that holds v and u.
"""
import os
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.decomposition import PCA

import tinygrad_edu as tg
from tinygrad_edu import functional as F
from tinygrad_edu import nn, optim
from demos.common import demo_arguments, save

GROUPS = {
    "animals": ["cat", "dog", "horse", "cow", "sheep", "goat"],
    "colours": ["red", "green", "blue", "yellow", "purple", "orange"],
    "food": ["bread", "cheese", "apple", "rice", "soup", "cake"],
    "vehicles": ["car", "bus", "train", "bike", "truck", "plane"],
}
FILLER = ["the", "a", "and", "with", "of", "is"]


def synthetic_corpus(n_sentences, rng, length=10):
    """Sentences of `length` words: words of ONE group, each followed by a filler word half the time."""
    sentences = []
    names = list(GROUPS)
    for _ in range(n_sentences):
        group = GROUPS[names[rng.integers(len(names))]]
        words = []
        while len(words) < length:
            words.append(group[rng.integers(len(group))])
            if rng.random() < 0.5:
                words.append(FILLER[rng.integers(len(FILLER))])
        sentences.append(words[:length])
    return sentences


def skipgram_pairs(sentences, index, window=2):
    """Every (centre, context) pair of word ids within `window` positions."""
    pairs = []
    for words in sentences:
        ids = [index[w] for w in words]
        for i, centre in enumerate(ids):
            for j in range(max(0, i - window), min(len(ids), i + window + 1)):
                if j != i:
                    pairs.append((centre, ids[j]))
    return np.array(pairs)


class SkipGram(nn.Module):
    """Two embeddings; the score of a (centre, context) pair is the dot product v_c . u_o."""

    def __init__(self, vocab_size, dim):
        super().__init__()
        self.centre = nn.Embedding(vocab_size, dim)
        self.context = nn.Embedding(vocab_size, dim)
        for table in (self.centre, self.context):   # small start: word2vec's own init is tiny too
            table.weight.data *= 0.1

    def forward(self, centre_ids, context_ids):
        return (self.centre(centre_ids) * self.context(context_ids)).sum(axis=-1)


def train(model, pairs, counts, negatives, epochs, rng, lr=0.02, batch_size=256):
    noise = counts ** 0.75 / np.sum(counts ** 0.75)
    optimizer = optim.Adam(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        order = rng.permutation(len(pairs))
        total = 0.0
        for start in range(0, len(order), batch_size):
            batch = pairs[order[start:start + batch_size]]
            n = len(batch)
            centres = np.repeat(batch[:, 0], 1 + negatives)
            contexts = np.concatenate([batch[:, 1:2], rng.choice(len(counts), size=(n, negatives), p=noise)], axis=1)
            targets = np.concatenate([np.ones((n, 1)), np.zeros((n, negatives))], axis=1).reshape(-1)
            logits = model(centres, contexts.reshape(-1))
            loss = F.binary_cross_entropy_with_logits(logits, targets.astype(np.float32))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * n
        losses.append(total / len(pairs))
    return losses


def nearest_neighbours(vectors, word_id, k=3):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    similarity = unit @ unit[word_id]
    similarity[word_id] = -np.inf
    return np.argsort(-similarity)[:k]


def plot(vectors, vocabulary, group_of, out):
    points = PCA(n_components=2).fit_transform(vectors)
    fig, ax = plt.subplots(figsize=(7.5, 6))
    for name, colour in zip(list(GROUPS) + ["filler"], ["C0", "C1", "C2", "C3", "grey"]):
        rows = [i for i, w in enumerate(vocabulary) if group_of[w] == name]
        ax.scatter(points[rows, 0], points[rows, 1], color=colour, label=name, s=40)
        # one caption per cluster (the words sit too close together to label each point)
        words = [vocabulary[i] for i in rows]
        caption = " ".join(words[:3]) + "\n" + " ".join(words[3:])
        ax.annotate(caption, points[rows].mean(axis=0), fontsize=8, ha="center",
                    xytext=(0, 12), textcoords="offset points")
    ax.set_xlabel("principal component 1")
    ax.set_ylabel("principal component 2")
    ax.set_title("word2vec vectors (2-D PCA): words of a planted group cluster")
    ax.legend(title="planted group", loc="center left")
    ax.margins(0.2)
    fig.tight_layout()
    return save(fig, out, "word2vec.png")


def main(argv=None):
    args = demo_arguments("skip-gram with negative sampling on a synthetic corpus", argv)
    started = time.time()
    rng = np.random.default_rng(args.seed)
    sentences = synthetic_corpus(300 if args.fast else 1000, rng)
    vocabulary = sorted({w for words in sentences for w in words})
    index = {w: i for i, w in enumerate(vocabulary)}
    group_of = {w: name for name, words in GROUPS.items() for w in words} | {w: "filler" for w in FILLER}
    pairs = skipgram_pairs(sentences, index)
    counts = np.bincount([index[w] for words in sentences for w in words], minlength=len(vocabulary)).astype(float)
    tg.manual_seed(args.seed)
    model = SkipGram(len(vocabulary), dim=10)
    losses = train(model, pairs, counts, negatives=5, epochs=3 if args.fast else 5, rng=rng)
    print(f"{len(sentences)} sentences, {len(pairs)} skip-gram pairs; loss per epoch: "
          + ", ".join(f"{v:.3f}" for v in losses))
    vectors = model.centre.weight.data
    same_group = []
    for word in vocabulary:
        if group_of[word] == "filler":
            continue
        neighbours = [vocabulary[i] for i in nearest_neighbours(vectors, index[word])]
        same_group.append(np.mean([group_of[n] == group_of[word] for n in neighbours]))
        if word in ("cat", "red", "bread", "car"):
            print(f"nearest to {word!r}: {neighbours}")
    print(f"{np.mean(same_group):.0%} of the 3 nearest neighbours are from the word's own planted group "
          f"(chance {5 / (len(vocabulary) - 1):.0%})")
    plot(vectors, vocabulary, group_of, args.out)
    print(f"done in {time.time() - started:.0f} s")
    return {"same_group_fraction": float(np.mean(same_group)), "losses": losses}


if __name__ == "__main__":
    main()
