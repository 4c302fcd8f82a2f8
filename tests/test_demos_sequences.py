"""demos.long_memory: label = first token; the LSTM remembers at the longest T where the SimpleRNN cannot."""
from demos import long_memory


def test_lstm_beats_simple_rnn_at_the_longest_length(tmp_path):
    results = long_memory.main(["--fast", "--out", str(tmp_path)])
    longest = max(results["LSTM"])
    assert results["LSTM"][longest] > 0.9
    assert results["SimpleRNN"][longest] < 0.65               # near chance (50%)
    assert results["LSTM"][longest] - results["SimpleRNN"][longest] > 0.25
    assert (tmp_path / "long_memory.png").read_bytes()[:4] == b"\x89PNG"
