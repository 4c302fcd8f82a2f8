"""Recurrent layers as Tensor ops: one graph node for a whole sequence.

A recurrence h_t = cell(x_t, h_{t-1}) could be built from ordinary Tensor ops,
one small node per gate per step: thousands of nodes for a 100-step LSTM, each
with its own Python overhead. Instead each function here is ONE node: its
forward runs the fused kernel over all T steps (kernels/lstm.py, gru.py,
rnn.py), and its backward runs backpropagation through time in one call. The
chain rule is the same; only the bookkeeping moved into the kernel.

All functions take one layer's weights and a time-major sequence:

    input (T, N, I), h0 (N, H)  ->  output (T, N, H) = every step's h, and h_n = output[-1]

An LSTM also returns c_n, which the output does not contain. The node's data
is therefore the output with c_n stacked after it, shape (T + 1, N, H), and
``output``, ``h_n`` and ``c_n`` are slices of it: gradients arriving at any of
them flow into the one backward. Stacking layers, batch_first and the
PyTorch-style interface are in nn/rnn.py.
Read next: augment/random.py (the augment package: training on perturbed copies).
"""
import numpy as np

from ..kernels import gru as gru_kernels
from ..kernels import lstm as lstm_kernels
from ..kernels import rnn as rnn_kernels
from ..tensor import Tensor, as_tensor


def _check_arguments(op, gate_count, input, states, weight_ih, weight_hh, bias_ih, bias_hh):
    """Check shapes and dtypes up front, so mistakes are reported in the caller's terms."""
    if input.ndim != 3:
        raise ValueError(f"{op} expected a time-major input of shape (T, N, input_size), got shape {input.shape}")
    T, N, I = input.shape
    if T == 0:
        raise ValueError(f"{op} expected at least one time step, got input of shape {input.shape}")
    H = weight_hh.shape[-1]
    expected = {
        "weight_ih": (gate_count * H, I),
        "weight_hh": (gate_count * H, H),
        "bias_ih": (gate_count * H,),
        "bias_hh": (gate_count * H,),
    }
    given = {"weight_ih": weight_ih, "weight_hh": weight_hh, "bias_ih": bias_ih, "bias_hh": bias_hh}
    for name, tensor in given.items():
        if tensor is not None and tensor.shape != expected[name]:
            raise ValueError(
                f"{op} expected {name} of shape {expected[name]} for input_size={I} and "
                f"hidden_size={H}, got {tensor.shape}"
            )
    if (bias_ih is None) != (bias_hh is None):
        raise ValueError(f"{op} needs both bias_ih and bias_hh, or neither")
    for name, state in states.items():
        if state is not None and state.shape != (N, H):
            raise ValueError(f"{op} expected {name} of shape {(N, H)} (batch, hidden_size), got {state.shape}")
    dtypes = {name: t.dtype for name, t in [("input", input), *given.items(), *states.items()] if t is not None}
    if len(set(dtypes.values())) != 1 or input.dtype not in (np.float32, np.float64):
        listed = ", ".join(f"{name} {dtype}" for name, dtype in dtypes.items())
        raise TypeError(f"{op} expected one dtype, float32 or float64, for input, states and weights, got {listed}")
    return H


def _initial_state(state, N, H, dtype):
    """A missing initial state means zeros (a constant: nothing to learn)."""
    return Tensor(np.zeros((N, H), dtype=dtype)) if state is None else as_tensor(state)


def _select(tensor, index, op):
    """``tensor[index]`` for a plain slice or integer index.

    The general Tensor.__getitem__ must add gradients with np.add.at in case
    an index repeats; a slice cannot repeat, and a plain assignment into zeros
    is much faster (measured: 20 ms vs well under 1 ms for a 100-step LSTM output).
    """
    shape = tensor.shape

    def backward(grad):
        full = np.zeros(shape, dtype=grad.dtype)
        full[index] = grad
        return (full,)

    return Tensor._make(tensor.data[index], (tensor,), backward, op)


def _optional(values, keep):
    """The gradients of the parents actually passed to _make (biases may be absent)."""
    return tuple(value for value, kept in zip(values, keep) if kept)


def lstm(input, h0, c0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """One LSTM layer (gates i, f, g, o). Returns output (T, N, H), h_n (N, H), c_n (N, H)."""
    input, weight_ih, weight_hh = as_tensor(input), as_tensor(weight_ih), as_tensor(weight_hh)
    bias_ih, bias_hh = (None if bias is None else as_tensor(bias) for bias in (bias_ih, bias_hh))
    H = _check_arguments("lstm", 4, input, {"h0": h0, "c0": c0}, weight_ih, weight_hh, bias_ih, bias_hh)
    T, N, _ = input.shape
    h0 = _initial_state(h0, N, H, input.dtype)
    c0 = _initial_state(c0, N, H, input.dtype)
    has_bias = bias_ih is not None
    output, _, c_n, cache = lstm_kernels.lstm_forward(
        input.data, h0.data, c0.data, weight_ih.data, weight_hh.data,
        bias_ih.data if has_bias else None, bias_hh.data if has_bias else None,
    )
    need_grad_x = input.requires_grad

    def backward(grad):
        grads = lstm_kernels.lstm_backward(grad[:T], None, grad[T], cache, need_grad_x)
        return _optional(grads, (True, True, True, True, True, has_bias, has_bias))

    parents = (input, h0, c0, weight_ih, weight_hh) + ((bias_ih, bias_hh) if has_bias else ())
    packed = Tensor._make(np.concatenate([output, c_n[None]]), parents, backward, "lstm")
    sequence = _select(packed, slice(0, T), "lstm_output")
    return sequence, _select(sequence, T - 1, "lstm_h_n"), _select(packed, T, "lstm_c_n")


def gru(input, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """One GRU layer (gates r, z, n). Returns output (T, N, H) and h_n (N, H)."""
    input, weight_ih, weight_hh = as_tensor(input), as_tensor(weight_ih), as_tensor(weight_hh)
    bias_ih, bias_hh = (None if bias is None else as_tensor(bias) for bias in (bias_ih, bias_hh))
    H = _check_arguments("gru", 3, input, {"h0": h0}, weight_ih, weight_hh, bias_ih, bias_hh)
    T, N, _ = input.shape
    h0 = _initial_state(h0, N, H, input.dtype)
    has_bias = bias_ih is not None
    output, _, cache = gru_kernels.gru_forward(
        input.data, h0.data, weight_ih.data, weight_hh.data,
        bias_ih.data if has_bias else None, bias_hh.data if has_bias else None,
    )
    need_grad_x = input.requires_grad

    def backward(grad):
        grads = gru_kernels.gru_backward(grad, None, cache, need_grad_x)
        return _optional(grads, (True, True, True, True, has_bias, has_bias))

    parents = (input, h0, weight_ih, weight_hh) + ((bias_ih, bias_hh) if has_bias else ())
    sequence = Tensor._make(output, parents, backward, "gru")
    return sequence, _select(sequence, T - 1, "gru_h_n")


def _rnn(nonlinearity, input, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    op = f"rnn_{nonlinearity}"
    input, weight_ih, weight_hh = as_tensor(input), as_tensor(weight_ih), as_tensor(weight_hh)
    bias_ih, bias_hh = (None if bias is None else as_tensor(bias) for bias in (bias_ih, bias_hh))
    H = _check_arguments(op, 1, input, {"h0": h0}, weight_ih, weight_hh, bias_ih, bias_hh)
    T, N, _ = input.shape
    h0 = _initial_state(h0, N, H, input.dtype)
    has_bias = bias_ih is not None
    output, _, cache = rnn_kernels.rnn_forward(
        input.data, h0.data, weight_ih.data, weight_hh.data,
        bias_ih.data if has_bias else None, bias_hh.data if has_bias else None, nonlinearity,
    )
    need_grad_x = input.requires_grad

    def backward(grad):
        grads = rnn_kernels.rnn_backward(grad, None, cache, need_grad_x)
        return _optional(grads, (True, True, True, True, has_bias, has_bias))

    parents = (input, h0, weight_ih, weight_hh) + ((bias_ih, bias_hh) if has_bias else ())
    sequence = Tensor._make(output, parents, backward, op)
    return sequence, _select(sequence, T - 1, op + "_h_n")


def rnn_tanh(input, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """One simple RNN layer, h = tanh(W_ih x + b_ih + W_hh h + b_hh). Returns output, h_n."""
    return _rnn("tanh", input, h0, weight_ih, weight_hh, bias_ih, bias_hh)


def rnn_relu(input, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """One simple RNN layer with relu instead of tanh. Returns output, h_n."""
    return _rnn("relu", input, h0, weight_ih, weight_hh, bias_ih, bias_hh)
