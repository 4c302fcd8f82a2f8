"""The LSTM, forward and backward through time, as the lecture writes it.

A plain recurrent cell forgets quickly, because its gradient is multiplied by
W_hh at every step. The LSTM adds a cell state c that is only ever scaled and
added to, guarded by three gates. For each input x_t, with state (h, c):

    i = sigmoid(W_ii x_t + W_hi h + b_i)    input gate: how much to write
    f = sigmoid(W_if x_t + W_hf h + b_f)    forget gate: how much to keep
    g = tanh   (W_ig x_t + W_hg h + b_g)    the candidate to write
    o = sigmoid(W_io x_t + W_ho h + b_o)    output gate: how much to show
    c = f * c + i * g
    h = o * tanh(c)

The four W_i* are stacked into weight_ih (4H, I) in the order i, f, g, o (as in
PyTorch), and likewise weight_hh (4H, H) and the biases (4H,).
Backward runs the same loop in reverse, applying the chain rule to each line
above; dL/dc flows back through "c = f * c" with only a multiplication by f.

Shapes: x (T, N, I), h0 and c0 (N, H). Slow but obvious; lstm.py is the fast
version of exactly this arithmetic.
Read next: tinygrad_edu/kernels/lstm.py.
"""
import numpy as np


def sigmoid(x):
    """1 / (1 + e^-x), written as (1 + tanh(x/2)) / 2 so that nothing overflows."""
    return 0.5 * (1 + np.tanh(0.5 * x))


def lstm_forward(x, h0, c0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """Run the sequence; returns output (T, N, H), h_n, c_n and what backward needs."""
    H = h0.shape[1]
    h, c = h0, c0
    outputs, saved = [], []
    for x_t in x:
        gates = x_t @ weight_ih.T + h @ weight_hh.T
        if bias_ih is not None:
            gates = gates + bias_ih + bias_hh
        i = sigmoid(gates[:, 0 * H:1 * H])
        f = sigmoid(gates[:, 1 * H:2 * H])
        g = np.tanh(gates[:, 2 * H:3 * H])
        o = sigmoid(gates[:, 3 * H:4 * H])
        c_prev, h_prev = c, h
        c = f * c_prev + i * g
        h = o * np.tanh(c)
        saved.append((x_t, h_prev, c_prev, i, f, g, o, c))
        outputs.append(h)
    cache = (saved, weight_ih, weight_hh, bias_ih is not None)
    return np.stack(outputs), h, c, cache


def lstm_backward(grad_output, grad_h_n, grad_c_n, cache):
    """Gradients for (x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh).

    ``grad_output`` is dL/doutput (T, N, H); grad_h_n and grad_c_n (or None)
    are the gradients arriving at the final state.
    """
    saved, weight_ih, weight_hh, has_bias = cache
    grad_h = np.zeros_like(saved[0][1]) if grad_h_n is None else grad_h_n.copy()
    grad_c = np.zeros_like(saved[0][2]) if grad_c_n is None else grad_c_n.copy()
    grad_weight_ih = np.zeros_like(weight_ih)
    grad_weight_hh = np.zeros_like(weight_hh)
    grad_bias = np.zeros(weight_ih.shape[0], dtype=weight_ih.dtype)
    grad_x = []
    for t in reversed(range(len(saved))):
        x_t, h_prev, c_prev, i, f, g, o, c = saved[t]
        grad_h = grad_h + grad_output[t]
        tanh_c = np.tanh(c)
        grad_o = grad_h * tanh_c
        grad_c = grad_c + grad_h * o * (1 - tanh_c ** 2)
        grad_f = grad_c * c_prev
        grad_i = grad_c * g
        grad_g = grad_c * i
        # Through the nonlinearities to the pre-activations of the four gates.
        grad_gates = np.concatenate([
            grad_i * i * (1 - i),
            grad_f * f * (1 - f),
            grad_g * (1 - g ** 2),
            grad_o * o * (1 - o),
        ], axis=1)
        grad_weight_ih += grad_gates.T @ x_t
        grad_weight_hh += grad_gates.T @ h_prev
        grad_bias += grad_gates.sum(axis=0)
        grad_x.append(grad_gates @ weight_ih)
        grad_h = grad_gates @ weight_hh
        grad_c = grad_c * f
    grad_x = np.stack(grad_x[::-1])
    grad_bias_ih = grad_bias if has_bias else None
    grad_bias_hh = grad_bias.copy() if has_bias else None
    return grad_x, grad_h, grad_c, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh
