"""demos.long_memory: label = first token; the LSTM remembers at the longest T where the SimpleRNN cannot."""
from demos import long_memory


def test_lstm_beats_simple_rnn_at_the_longest_length(tmp_path):
    results = long_memory.main(["--fast", "--out", str(tmp_path)])
    longest = max(results["LSTM"])
    assert results["LSTM"][longest] > 0.9
    assert results["SimpleRNN"][longest] < 0.65               # near chance (50%)
    assert results["LSTM"][longest] - results["SimpleRNN"][longest] > 0.25
    assert (tmp_path / "long_memory.png").read_bytes()[:4] == b"\x89PNG"


def test_rnn_sentiment_accepts_glove_of_any_dimension_and_writes_its_figure(tmp_path, capsys):
    import numpy as np

    from demos import rnn_sentiment

    # a tiny 7-d "GloVe" file: every template word gets a random vector, plus one word not in the vocabulary
    words = (rnn_sentiment.POSITIVE + rnn_sentiment.NEGATIVE + ["not", "was", "but", "the", "film", "unseenword"])
    rng = np.random.default_rng(0)
    glove = tmp_path / "glove.7d.txt"
    glove.write_text("".join(word + " " + " ".join(f"{v:.4f}" for v in rng.normal(size=7)) + "\n" for word in words))
    accuracy = rnn_sentiment.main(["--glove", str(glove), "--epochs", "2", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "7-d; embedding frozen" in printed
    assert f"{len(words) - 1} of" in printed            # every template word found, the stray one not
    assert 0.0 <= accuracy <= 1.0
    assert (tmp_path / "sentiment_history.png").read_bytes()[:4] == b"\x89PNG"
