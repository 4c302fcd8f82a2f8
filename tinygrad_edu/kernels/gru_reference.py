"""The GRU, forward and backward through time, as the lecture writes it.

The GRU keeps the LSTM's idea (a state that is mostly carried over, not
rewritten) with one state h and two gates. For each input x_t:

    r = sigmoid(W_ir x_t + b_ir + W_hr h + b_hr)           reset gate
    z = sigmoid(W_iz x_t + b_iz + W_hz h + b_hz)           update gate
    n = tanh(W_in x_t + b_in + r * (W_hn h + b_hn))        candidate state
    h = (1 - z) * n + z * h

z close to 1 keeps the old state; r decides how much of it the candidate sees.
Note that r multiplies W_hn h + b_hn, bias included (PyTorch's convention), so
the two biases of the n gate are not interchangeable.
Weights stack the gates in the order r, z, n: weight_ih (3H, I), weight_hh (3H, H).

Shapes: x (T, N, I), h0 (N, H). gru.py is the fast version.
Read next: tinygrad_edu/kernels/gru.py.
"""
import numpy as np


def sigmoid(x):
    """1 / (1 + e^-x), written as (1 + tanh(x/2)) / 2 so that nothing overflows."""
    return 0.5 * (1 + np.tanh(0.5 * x))


def gru_forward(x, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """Run the sequence; returns output (T, N, H), h_n and what backward needs."""
    H = h0.shape[1]
    h = h0
    outputs, saved = [], []
    for x_t in x:
        input_part = x_t @ weight_ih.T
        hidden_part = h @ weight_hh.T
        if bias_ih is not None:
            input_part = input_part + bias_ih
            hidden_part = hidden_part + bias_hh
        r = sigmoid(input_part[:, :H] + hidden_part[:, :H])
        z = sigmoid(input_part[:, H:2 * H] + hidden_part[:, H:2 * H])
        hidden_n = hidden_part[:, 2 * H:]
        n = np.tanh(input_part[:, 2 * H:] + r * hidden_n)
        h_prev = h
        h = (1 - z) * n + z * h_prev
        saved.append((x_t, h_prev, r, z, n, hidden_n))
        outputs.append(h)
    cache = (saved, weight_ih, weight_hh, bias_ih is not None)
    return np.stack(outputs), h, cache


def gru_backward(grad_output, grad_h_n, cache):
    """Gradients for (x, h0, weight_ih, weight_hh, bias_ih, bias_hh)."""
    saved, weight_ih, weight_hh, has_bias = cache
    grad_h = np.zeros_like(saved[0][1]) if grad_h_n is None else grad_h_n.copy()
    grad_weight_ih = np.zeros_like(weight_ih)
    grad_weight_hh = np.zeros_like(weight_hh)
    grad_bias_ih = np.zeros(weight_ih.shape[0], dtype=weight_ih.dtype)
    grad_bias_hh = np.zeros(weight_hh.shape[0], dtype=weight_hh.dtype)
    grad_x = []
    for t in reversed(range(len(saved))):
        x_t, h_prev, r, z, n, hidden_n = saved[t]
        grad_h = grad_h + grad_output[t]
        # Pre-activation gradients of the three gates.
        grad_n = grad_h * (1 - z) * (1 - n ** 2)
        grad_z = grad_h * (h_prev - n) * z * (1 - z)
        grad_r = grad_n * hidden_n * r * (1 - r)
        grad_input_part = np.concatenate([grad_r, grad_z, grad_n], axis=1)
        grad_hidden_part = np.concatenate([grad_r, grad_z, grad_n * r], axis=1)
        grad_weight_ih += grad_input_part.T @ x_t
        grad_weight_hh += grad_hidden_part.T @ h_prev
        grad_bias_ih += grad_input_part.sum(axis=0)
        grad_bias_hh += grad_hidden_part.sum(axis=0)
        grad_x.append(grad_input_part @ weight_ih)
        grad_h = grad_h * z + grad_hidden_part @ weight_hh
    grad_x = np.stack(grad_x[::-1])
    if not has_bias:
        grad_bias_ih = grad_bias_hh = None
    return grad_x, grad_h, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh
