"""Chapter 9, recurrent networks: each loop as the lecture writes it, then fast.

    rnn_reference.py    the Elman RNN and backpropagation through time
    fast_tanh.py        tanh and sigmoid for the kernels' inner loops
    rnn.py              the RNN loop compiled by Numba
    lstm_reference.py, lstm.py   the LSTM: the carry and its four gates
    gru_reference.py, gru.py     the GRU: two gates, no separate carry
    op.py               one Tensor op per sequence, for all three
    layer.py            nn.RNN, nn.LSTM, nn.GRU: stacking, directions, shapes
"""
from .. import runtime  # noqa: F401  (threads and a writable compile cache, before any kernel compiles)
