"""Sequence demos in their fast modes: each asserts the point its figure makes."""
from demos import long_memory


def test_long_memory_lstm_remembers_where_simple_rnn_forgets(tmp_path):
    result = long_memory.main(["--fast", "--out", str(tmp_path)])
    assert result["lengths"][-1] >= 50
    # all three solve the short sequences, so a failure at long T is forgetting, not a broken model
    assert min(result[kind][0] for kind in long_memory.LAYERS) > 0.9
    # at the longest T the LSTM is far above chance (25%) and the SimpleRNN near it
    assert result["LSTM"][-1] > 0.9
    assert result["LSTM"][-1] - result["SimpleRNN"][-1] > 0.4
    assert (tmp_path / "long_memory.png").read_bytes()[:4] == b"\x89PNG"
