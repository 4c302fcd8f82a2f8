"""The GRU, forward and backward through time, as the lecture writes it.

The GRU keeps the LSTM's idea (a state that is mostly carried over, not
rewritten) with one state h and two gates. For each input x_t:

    r = sigmoid(W_ir x_t + b_ir + W_hr h + b_hr)           reset gate
    z = sigmoid(W_iz x_t + b_iz + W_hz h + b_hz)           update gate
    n = tanh(W_in x_t + b_in + r * (W_hn h + b_hn))        candidate state
    h = (1 - z) * n + z * h

z close to 1 keeps the old state; r decides how much of it the candidate sees.
Note that r multiplies W_hn h + b_hn, bias included (PyTorch's convention), so
the two biases of the n gate are not interchangeable, and backward needs two
gradients of the gates' pre-activations: through W_ih (grad_input_part) and
through W_hh (grad_hidden_part, whose n block is scaled by r).
Weights stack the gates in the order r, z, n: weight_ih (3H, I), weight_hh (3H, H).

Shapes: input (T, N, I), h0 (N, H). GRUSaved and GRUGradients are the
contract that gru.py, the fast version, shares.
Read next: tinygrad_edu/recurrent/gru.py.
"""
from typing import NamedTuple, Optional

import numpy as np

from .lstm_reference import sigmoid  # the same gate nonlinearity as the LSTM's


class GRUSaved(NamedTuple):
    """What forward keeps for backward; every array is (T, N, .), row t for step t."""
    input: np.ndarray     # x_t
    h_prev: np.ndarray    # the state each step starts from: h0, h_1, ..., h_{T-1}
    r: np.ndarray         # the activated gates
    z: np.ndarray
    n: np.ndarray
    hidden_n: np.ndarray  # W_hn h_prev + b_hn, which r multiplies
    weight_ih: np.ndarray
    weight_hh: np.ndarray
    has_bias: bool


class GRUGradients(NamedTuple):
    """dL/d(each argument of gru_forward); grad_input is None if not asked for, the biases if absent."""
    grad_input: Optional[np.ndarray]
    grad_h0: np.ndarray
    grad_weight_ih: np.ndarray
    grad_weight_hh: np.ndarray
    grad_bias_ih: Optional[np.ndarray]
    grad_bias_hh: Optional[np.ndarray]


def gru_forward(input, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """Run the sequence; returns output (T, N, H), h_n and a GRUSaved for backward."""
    H = h0.shape[1]
    h = h0
    steps = []
    for x_t in input:
        input_part = x_t @ weight_ih.T
        hidden_part = h @ weight_hh.T
        if bias_ih is not None:
            input_part = input_part + bias_ih
            hidden_part = hidden_part + bias_hh
        r = sigmoid(input_part[:, 0 * H:1 * H] + hidden_part[:, 0 * H:1 * H])
        z = sigmoid(input_part[:, 1 * H:2 * H] + hidden_part[:, 1 * H:2 * H])
        hidden_n = hidden_part[:, 2 * H:3 * H]
        n = np.tanh(input_part[:, 2 * H:3 * H] + r * hidden_n)
        h_prev = h
        h = (1 - z) * n + z * h_prev
        steps.append((x_t, h_prev, r, z, n, hidden_n, h))
    x, h_prev, r, z, n, hidden_n, output = (np.stack(column) for column in zip(*steps))
    return output, h, GRUSaved(x, h_prev, r, z, n, hidden_n, weight_ih, weight_hh, bias_ih is not None)


def gru_backward(grad_output, grad_h_n, saved, need_grad_input=True):
    """GRUGradients from dL/doutput (T, N, H) and dL/dh_n (N, H) (or None: zero)."""
    T, N, H = saved.h_prev.shape
    grad_h = np.zeros((N, H), saved.h_prev.dtype) if grad_h_n is None else grad_h_n.copy()
    grad_weight_ih = np.zeros_like(saved.weight_ih)
    grad_weight_hh = np.zeros_like(saved.weight_hh)
    grad_bias_ih = np.zeros(3 * H, dtype=saved.weight_ih.dtype)
    grad_bias_hh = np.zeros(3 * H, dtype=saved.weight_hh.dtype)
    grad_input = np.zeros_like(saved.input)
    for t in reversed(range(T)):
        r, z, n, h_prev = saved.r[t], saved.z[t], saved.n[t], saved.h_prev[t]
        grad_h = grad_h + grad_output[t]
        # Through each gate's nonlinearity to its pre-activation.
        grad_pre_n = grad_h * (1 - z) * (1 - n ** 2)                 # h = (1 - z) * n + z * h_prev
        grad_pre_z = grad_h * (h_prev - n) * z * (1 - z)
        grad_pre_r = grad_pre_n * saved.hidden_n[t] * r * (1 - r)    # n = tanh(... + r * hidden_n)
        grad_input_part = np.concatenate([grad_pre_r, grad_pre_z, grad_pre_n], axis=1)
        grad_hidden_part = np.concatenate([grad_pre_r, grad_pre_z, grad_pre_n * r], axis=1)
        grad_h = grad_h * z + grad_hidden_part @ saved.weight_hh     # into h_prev, both ways
        grad_weight_ih += grad_input_part.T @ saved.input[t]
        grad_weight_hh += grad_hidden_part.T @ h_prev
        grad_bias_ih += grad_input_part.sum(axis=0)
        grad_bias_hh += grad_hidden_part.sum(axis=0)
        grad_input[t] = grad_input_part @ saved.weight_ih
    return GRUGradients(grad_input if need_grad_input else None, grad_h, grad_weight_ih, grad_weight_hh,
                        grad_bias_ih if saved.has_bias else None, grad_bias_hh if saved.has_bias else None)
