"""The simple (Elman) recurrent network, forward and backward through time.

The lecture's pseudo-code, with W = weight_ih (H, I) and U = weight_hh (H, H):

    for input in input_sequence:
        output = activation(W·input + U·state + b)
        state = output

The activation is tanh (or relu). Backward is the same loop run in reverse
("backpropagation through time"): with a = W·x_t + U·h_prev + b and h = act(a),

    dL/da      = dL/dh * act'(a)          tanh: 1 - h^2      relu: [h > 0]
    dL/dW     += dL/da^T x_t             dL/dU += dL/da^T h_prev
    dL/dh_prev = dL/da U                 (+ the output's own gradient at t-1)

Every step multiplies the gradient by U once more, which is why long
sequences make it vanish or explode, and why the LSTM exists
(lstm_reference.py). RNNSaved and RNNGradients are the contract that rnn.py,
the fast version, shares.
Read next: tinygrad_edu/recurrent/fast_tanh.py.
"""
from typing import NamedTuple, Optional

import numpy as np

NONLINEARITIES = ("tanh", "relu")


class RNNSaved(NamedTuple):
    """What forward keeps for backward; every array is (T, N, .), row t for step t."""
    input: np.ndarray    # x_t
    h_prev: np.ndarray   # the state each step starts from: h0, h_1, ..., h_{T-1}
    h: np.ndarray        # each step's new state, act(a): act'(a) is written in terms of it
    weight_ih: np.ndarray
    weight_hh: np.ndarray
    has_bias: bool
    nonlinearity: str


class RNNGradients(NamedTuple):
    """dL/d(each argument of rnn_forward); grad_input is None if not asked for, the biases if absent."""
    grad_input: Optional[np.ndarray]
    grad_h0: np.ndarray
    grad_weight_ih: np.ndarray
    grad_weight_hh: np.ndarray
    grad_bias_ih: Optional[np.ndarray]
    grad_bias_hh: Optional[np.ndarray]


def check_nonlinearity(nonlinearity):
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")


def activation_and_derivative(nonlinearity):
    """act(a) and act'(a) written in terms of h = act(a), which backward keeps."""
    check_nonlinearity(nonlinearity)
    if nonlinearity == "tanh":
        return np.tanh, lambda h: 1 - h * h
    return (lambda a: np.maximum(a, 0)), (lambda h: (h > 0).astype(h.dtype))


def rnn_forward(input, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, nonlinearity="tanh"):
    """Run the sequence; returns output (T, N, H), h_n and an RNNSaved for backward."""
    activation, _ = activation_and_derivative(nonlinearity)
    state = h0
    steps = []
    for x_t in input:
        a = x_t @ weight_ih.T + state @ weight_hh.T
        if bias_ih is not None:
            a = a + bias_ih + bias_hh
        output = activation(a)
        steps.append((x_t, state, output))
        state = output
    x, h_prev, h = (np.stack(column) for column in zip(*steps))
    return h, state, RNNSaved(x, h_prev, h, weight_ih, weight_hh, bias_ih is not None, nonlinearity)


def rnn_backward(grad_output, grad_h_n, saved, need_grad_input=True):
    """RNNGradients from dL/doutput (T, N, H) and dL/dh_n (N, H) (or None: zero)."""
    _, derivative = activation_and_derivative(saved.nonlinearity)
    T, N, H = saved.h_prev.shape
    grad_h = np.zeros((N, H), saved.h_prev.dtype) if grad_h_n is None else grad_h_n.copy()
    grad_weight_ih = np.zeros_like(saved.weight_ih)
    grad_weight_hh = np.zeros_like(saved.weight_hh)
    grad_bias = np.zeros(H, dtype=saved.weight_ih.dtype)
    grad_input = np.zeros_like(saved.input)
    for t in reversed(range(T)):
        grad_h = grad_h + grad_output[t]
        grad_a = grad_h * derivative(saved.h[t])
        grad_h = grad_a @ saved.weight_hh                  # into h_prev, through U·h_prev
        grad_weight_ih += grad_a.T @ saved.input[t]
        grad_weight_hh += grad_a.T @ saved.h_prev[t]
        grad_bias += grad_a.sum(axis=0)
        grad_input[t] = grad_a @ saved.weight_ih
    return RNNGradients(grad_input if need_grad_input else None, grad_h, grad_weight_ih, grad_weight_hh,
                        grad_bias if saved.has_bias else None, grad_bias.copy() if saved.has_bias else None)
