"""The sequence demos: long_memory (label = first token) and rnn_sentiment (five readers of generated reviews).

long_memory: the LSTM remembers at the longest T where the SimpleRNN cannot.
rnn_sentiment: the labels follow the last clause; bag of words is order-blind
and stays near chance, the CNN reads "not good" but not which clause came last,
the LSTM and GRU read everything.
"""
import numpy as np
import pytest

from demos import long_memory, rnn_sentiment


def test_lstm_beats_simple_rnn_at_the_longest_length(tmp_path):
    results = long_memory.main(["--fast", "--out", str(tmp_path)])
    longest = max(results["LSTM"])
    assert results["LSTM"][longest] > 0.9
    assert results["SimpleRNN"][longest] < 0.65               # near chance (50%)
    assert results["LSTM"][longest] - results["SimpleRNN"][longest] > 0.25
    assert (tmp_path / "long_memory.png").read_bytes()[:4] == b"\x89PNG"


def last_clause_reading(text):
    """The rule the generator follows: the last sentiment word, flipped if 'not' comes right before it."""
    tokens = text.split()
    position = max(i for i, token in enumerate(tokens) if token in rnn_sentiment.POSITIVE + rnn_sentiment.NEGATIVE)
    positive = tokens[position] in rnn_sentiment.POSITIVE
    return int(positive != (tokens[position - 1] == "not"))


def test_generated_labels_follow_the_last_clause_and_single_words_say_nothing():
    texts, labels, kinds, plot_words = rnn_sentiment.generated_reviews(600, seed=3)
    assert set(kinds) == set(rnn_sentiment.KINDS) and set(labels) == {0, 1}
    assert [last_clause_reading(text) for text in texts] == list(labels)
    assert plot_words.min() >= 2 and plot_words.max() > 60
    for text, count in zip(texts[:50], plot_words[:50]):   # the verdict is followed by exactly that many words
        tokens = text.split()
        last_verdict = max(i for i, t in enumerate(tokens) if t in rnn_sentiment.POSITIVE + rnn_sentiment.NEGATIVE)
        assert len(tokens) - 1 - last_verdict - tokens[last_verdict + 1:last_verdict + 3].count("at") * 2 == count
    # a positive word is about as common in negative reviews as in positive ones: counting words cannot work
    has_praise = np.array([any(word in rnn_sentiment.POSITIVE for word in text.split()) for text in texts])
    assert abs(labels[has_praise].mean() - 0.5) < 0.1


def test_bag_of_words_is_order_blind_and_the_lstm_is_not():
    import tinygrad_edu as tg
    from tinygrad_edu.io.datasets import Vocabulary

    texts = ["the plot was not good honestly", "the plot was good honestly not"]
    vocabulary = Vocabulary(texts)
    tokens = rnn_sentiment.encode(texts, vocabulary, 8)
    tg.manual_seed(0)
    bag = rnn_sentiment.make_model("bag of words", rnn_sentiment.make_embedding(vocabulary, None))
    lstm = rnn_sentiment.make_model("LSTM", rnn_sentiment.make_embedding(vocabulary, None))
    bag_logits, lstm_logits = tg.predict(bag, tokens), tg.predict(lstm, tokens)
    np.testing.assert_allclose(bag_logits[0], bag_logits[1], rtol=1e-6)
    assert abs(lstm_logits[0] - lstm_logits[1]) > 1e-4


@pytest.fixture(scope="module")
def sentiment_fast(tmp_path_factory):
    out = tmp_path_factory.mktemp("sentiment")
    return rnn_sentiment.main(["--fast", "--out", str(out)]), out


def test_sentiment_lstm_and_gru_beat_bag_of_words_which_stays_near_chance(sentiment_fast):
    results, out = sentiment_fast
    accuracy = {name: result["accuracy"] for name, result in results.items()}
    assert list(accuracy) == list(rnn_sentiment.MODELS)
    assert accuracy["bag of words"] < 0.6
    assert accuracy["LSTM"] > accuracy["bag of words"] + 0.3 and accuracy["GRU"] > accuracy["bag of words"] + 0.3
    assert accuracy["LSTM"] > accuracy["SimpleRNN"] + 0.15
    # epoch 1 does not solve it: the curves have something to show
    assert all(result["history"]["val_accuracy"][0] < 0.7 for result in results.values())
    assert (out / "sentiment_history.png").read_bytes()[:4] == b"\x89PNG"


def test_sentiment_cnn_reads_negation_but_not_which_clause_came_last(sentiment_fast):
    results, _ = sentiment_fast
    kind = {name: result["by_kind"] for name, result in results.items()}
    assert kind["1-D CNN"]["negated"] > 0.9 and kind["bag of words"]["negated"] < 0.65
    assert kind["1-D CNN"]["but"] < 0.7 and kind["LSTM"]["but"] > 0.9


def test_rnn_sentiment_accepts_glove_of_any_dimension_and_freezes_it(tmp_path, capsys):
    # a tiny 7-d "GloVe" file: every template word gets a random vector, plus one word not in the vocabulary
    words = (rnn_sentiment.POSITIVE + rnn_sentiment.NEGATIVE + ["not", "was", "but", "the", "film", "unseenword"])
    rng = np.random.default_rng(0)
    glove = tmp_path / "glove.7d.txt"
    glove.write_text("".join(word + " " + " ".join(f"{v:.4f}" for v in rng.normal(size=7)) + "\n" for word in words))
    results = rnn_sentiment.main(["--fast", "--glove", str(glove), "--epochs", "1", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "7-d; embedding frozen" in printed
    assert f"{len(words) - 1} of" in printed            # every template word found, the stray one not
    for result in results.values():
        embedding = result["model"].embedding
        assert embedding.weight.shape[1] == 7 and not embedding.weight.requires_grad
    assert (tmp_path / "sentiment_history.png").read_bytes()[:4] == b"\x89PNG"


def test_rnn_sentiment_reads_an_imdb_style_folder(tmp_path):
    for split in ("train", "test"):
        for label, words in (("pos", "wonderful great"), ("neg", "awful dull")):
            folder = tmp_path / "imdb" / split / label
            folder.mkdir(parents=True)
            for i in range(6):
                (folder / f"{i}_7.txt").write_text(f"the film was {words.split()[i % 2]} indeed")
    results = rnn_sentiment.main(["--imdb", str(tmp_path / "imdb"), "--epochs", "1", "--out", str(tmp_path)])
    assert all(len(result["correct"]) == 12 for result in results.values())
    assert "by_kind" not in results["LSTM"]             # real reviews have no generated kinds
    assert (tmp_path / "sentiment_history.png").read_bytes()[:4] == b"\x89PNG"
