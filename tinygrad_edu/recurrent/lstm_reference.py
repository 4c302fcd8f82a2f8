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

The four W_i* are stacked into weight_ih (4H, I) in PyTorch's order i, f, g, o,
and likewise weight_hh (4H, H) and the biases (4H,). Backward runs the same loop
in reverse, applying the chain rule to each line above; dL/dc flows back through
"c = f * c" with only a multiplication by f. Shapes: input (T, N, I), h0 and c0
(N, H). LSTMSaved and LSTMGradients are the contract lstm.py, the fast version, keeps.
Read next: tinygrad_edu/recurrent/lstm.py.
"""
from typing import NamedTuple, Optional

import numpy as np


class LSTMSaved(NamedTuple):
    """What forward keeps for backward; every array is (T, N, .), row t for step t."""
    input: np.ndarray    # x_t
    h_prev: np.ndarray   # the state each step starts from: h0, h_1, ..., h_{T-1}
    c_prev: np.ndarray   # likewise c0, c_1, ..., c_{T-1}
    i: np.ndarray        # the four activated gates
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    tanh_c: np.ndarray   # tanh(c_t), needed twice by backward
    weight_ih: np.ndarray
    weight_hh: np.ndarray
    has_bias: bool


class LSTMGradients(NamedTuple):
    """dL/d(each argument of lstm_forward); grad_input is None if not asked for, the biases if absent."""
    grad_input: Optional[np.ndarray]
    grad_h0: np.ndarray
    grad_c0: np.ndarray
    grad_weight_ih: np.ndarray
    grad_weight_hh: np.ndarray
    grad_bias_ih: Optional[np.ndarray]
    grad_bias_hh: Optional[np.ndarray]


def sigmoid(x):
    """1 / (1 + e^-x), written as (1 + tanh(x/2)) / 2 so that nothing overflows."""
    return 0.5 * (1 + np.tanh(0.5 * x))


def lstm_forward(input, h0, c0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """Run the sequence; returns output (T, N, H), h_n, c_n and an LSTMSaved for backward."""
    H = h0.shape[1]
    h, c = h0, c0
    steps = []
    for x_t in input:
        gates = x_t @ weight_ih.T + h @ weight_hh.T
        if bias_ih is not None:
            gates = gates + bias_ih + bias_hh
        i = sigmoid(gates[:, 0 * H:1 * H])
        f = sigmoid(gates[:, 1 * H:2 * H])
        g = np.tanh(gates[:, 2 * H:3 * H])
        o = sigmoid(gates[:, 3 * H:4 * H])
        h_prev, c_prev = h, c
        c = f * c_prev + i * g
        tanh_c = np.tanh(c)
        h = o * tanh_c
        steps.append((x_t, h_prev, c_prev, i, f, g, o, tanh_c, h))
    x, h_prev, c_prev, i, f, g, o, tanh_c, output = (np.stack(column) for column in zip(*steps))
    saved = LSTMSaved(x, h_prev, c_prev, i, f, g, o, tanh_c, weight_ih, weight_hh, bias_ih is not None)
    return output, h, c, saved


def lstm_backward(grad_output, grad_h_n, grad_c_n, saved, need_grad_input=True):
    """LSTMGradients from dL/doutput (T, N, H) and dL/dh_n, dL/dc_n (N, H) (or None: zero)."""
    T, N, H = saved.h_prev.shape
    grad_h = np.zeros((N, H), saved.h_prev.dtype) if grad_h_n is None else grad_h_n.copy()
    grad_c = np.zeros((N, H), saved.h_prev.dtype) if grad_c_n is None else grad_c_n.copy()
    grad_weight_ih = np.zeros_like(saved.weight_ih)
    grad_weight_hh = np.zeros_like(saved.weight_hh)
    grad_bias = np.zeros(4 * H, dtype=saved.weight_ih.dtype)
    grad_input = np.zeros_like(saved.input)
    for t in reversed(range(T)):
        i, f, g, o, tanh_c = saved.i[t], saved.f[t], saved.g[t], saved.o[t], saved.tanh_c[t]
        grad_h = grad_h + grad_output[t]
        grad_c = grad_c + grad_h * o * (1 - tanh_c ** 2)          # h = o * tanh(c)
        # Through each gate's nonlinearity to its pre-activation (sigmoid' = s (1 - s), tanh' = 1 - t^2).
        grad_pre_o = grad_h * tanh_c * o * (1 - o)
        grad_pre_i = grad_c * g * i * (1 - i)                       # c = f * c_prev + i * g
        grad_pre_f = grad_c * saved.c_prev[t] * f * (1 - f)
        grad_pre_g = grad_c * i * (1 - g ** 2)
        grad_gates = np.concatenate([grad_pre_i, grad_pre_f, grad_pre_g, grad_pre_o], axis=1)
        grad_c = grad_c * f                                         # into c_prev
        grad_h = grad_gates @ saved.weight_hh                       # into h_prev, through h_prev @ W_hh^T
        grad_weight_ih += grad_gates.T @ saved.input[t]
        grad_weight_hh += grad_gates.T @ saved.h_prev[t]
        grad_bias += grad_gates.sum(axis=0)
        grad_input[t] = grad_gates @ saved.weight_ih
    return LSTMGradients(
        grad_input if need_grad_input else None, grad_h, grad_c, grad_weight_ih, grad_weight_hh,
        grad_bias if saved.has_bias else None, grad_bias.copy() if saved.has_bias else None)
