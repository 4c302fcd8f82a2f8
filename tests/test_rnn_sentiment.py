"""The lecture's sentiment model (Embedding -> LSTM -> Linear) learns a toy task with fit()."""
import numpy as np

import tinygrad_edu as tg
import tinygrad_edu.functional as F
from tinygrad_edu import models
from tinygrad_edu.optim import Adam
from tinygrad_edu.training.loop import evaluate, fit

KEYWORD = 3  # the "positive" word: a review is positive iff it contains it
VOCAB, LENGTH = 12, 10


def toy_reviews(count, rng):
    tokens = rng.integers(1, VOCAB, size=(count, LENGTH))
    tokens[tokens == KEYWORD] = KEYWORD + 1
    labels = rng.random(count) < 0.5
    positions = rng.integers(0, LENGTH, size=count)
    tokens[labels, positions[labels]] = KEYWORD
    # Pre-pad about half of the reviews with id 0, Keras style.
    padding = rng.integers(0, 4, size=count)
    for row, pad in enumerate(padding):
        if not labels[row] or positions[row] >= pad:
            tokens[row, :pad] = 0
    labels = np.array([KEYWORD in row for row in tokens])
    return tokens, labels.astype(np.float32)


def test_sentiment_model_shapes_and_parameter_names():
    model = models.sentiment_lstm(VOCAB, embedding_dim=5, hidden_size=7, padding_idx=0)
    logits = model(np.zeros((4, LENGTH), dtype=np.int64))
    assert logits.shape == (4,)
    assert list(model.state_dict()) == [
        "embedding.weight", "lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0", "lstm.bias_hh_l0",
        "classifier.weight", "classifier.bias",
    ]


def test_sentiment_lstm_learns_whether_a_word_occurs():
    tg.manual_seed(0)
    rng = np.random.default_rng(0)
    x_train, y_train = toy_reviews(1024, rng)
    x_test, y_test = toy_reviews(256, rng)
    model = models.sentiment_lstm(VOCAB, embedding_dim=8, hidden_size=16, padding_idx=0)
    _, accuracy_before = evaluate(model, F.binary_cross_entropy_with_logits, x_test, y_test)
    fit(model, F.binary_cross_entropy_with_logits, Adam(model.parameters(), lr=0.02), x_train, y_train,
        epochs=8, batch_size=32, seed=0, verbose=0)
    _, accuracy_after = evaluate(model, F.binary_cross_entropy_with_logits, x_test, y_test)
    assert accuracy_before < 0.8
    assert accuracy_after > 0.95
