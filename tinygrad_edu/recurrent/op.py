"""Recurrent layers as Tensor ops: one graph node for a whole sequence.

A recurrence h_t = cell(x_t, h_{t-1}) could be built from ordinary Tensor ops,
one small node per gate per step: thousands of nodes for a 100-step LSTM, each
with its own Python overhead. Instead each function here is ONE node: its
forward runs the fused kernel over all T steps (lstm.py, gru.py, rnn.py), and
its backward runs backpropagation through time in one call. The chain rule is
the same; only the bookkeeping moved into the kernel.

All functions take one layer's weights and a time-major sequence:

    input (T, N, I), h0 (N, H)  ->  output (T, N, H) = every step's h, and h_n = output[-1]

An LSTM also returns c_n, which the output does not contain. The node's data
is therefore the output with c_n stacked after it, shape (T + 1, N, H), and
``output``, ``h_n`` and ``c_n`` are slices of it (plain Tensor indexing):
gradients arriving at any of them flow into the one backward. The three
recurrences share one body, _run; a Recurrence names what differs (gate count,
states, kernels). An empty batch (N = 0) gives outputs (T, 0, H), as in PyTorch.
Read next: tinygrad_edu/recurrent/layer.py: stacking layers, batch_first, PyTorch's interface.
"""
from typing import Callable, NamedTuple

import numpy as np

from . import gru as gru_kernels
from . import lstm as lstm_kernels
from . import rnn as rnn_kernels
from ..engine.tensor import Tensor, as_tensor


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


class Recurrence(NamedTuple):
    """What differs between the three recurrences; everything else is one body, _run below.

    The gate algebra differs too, but it lives entirely in the kernels; here
    every recurrence is "kernel forward, kernel backward" over the same shapes.
    """
    op: str                  # the graph node's name, also used in error messages
    gate_count: int          # weight_ih is (gate_count * H, I)
    state_names: tuple       # the initial states, in the kernels' argument order
    forward: Callable        # <name>.py: (input, *states, weights..., **options) -> output, h_n, *others, saved
    backward: Callable       # (grad_output, grad_h_n, *grad_others, saved, need_grad_input) -> Gradients
    options: dict


LSTM = Recurrence("lstm", 4, ("h0", "c0"), lstm_kernels.lstm_forward, lstm_kernels.lstm_backward, {})
GRU = Recurrence("gru", 3, ("h0",), gru_kernels.gru_forward, gru_kernels.gru_backward, {})
RNN_TANH = Recurrence("rnn_tanh", 1, ("h0",), rnn_kernels.rnn_forward, rnn_kernels.rnn_backward,
                      {"nonlinearity": "tanh"})
RNN_RELU = RNN_TANH._replace(op="rnn_relu", options={"nonlinearity": "relu"})


def _run(recurrence, input, states, weight_ih, weight_hh, bias_ih, bias_hh):
    """One layer of ``recurrence`` as one graph node; returns output, h_n and the other final states."""
    input, weight_ih, weight_hh = as_tensor(input), as_tensor(weight_ih), as_tensor(weight_hh)
    bias_ih, bias_hh = (None if bias is None else as_tensor(bias) for bias in (bias_ih, bias_hh))
    op = recurrence.op
    H = _check_arguments(op, recurrence.gate_count, input, dict(zip(recurrence.state_names, states)),
                         weight_ih, weight_hh, bias_ih, bias_hh)
    T, N, _ = input.shape
    states = [_initial_state(state, N, H, input.dtype) for state in states]
    # The parents by name; each one's gradient is the kernel's "grad_" + name. Absent biases are no parents.
    parents = {"input": input, **dict(zip(recurrence.state_names, states)), "weight_ih": weight_ih,
               "weight_hh": weight_hh}
    if bias_ih is not None:
        parents.update(bias_ih=bias_ih, bias_hh=bias_hh)
    output, _, *other_finals, saved = recurrence.forward(
        input.data, *(state.data for state in states), weight_ih.data, weight_hh.data,
        None if bias_ih is None else bias_ih.data, None if bias_hh is None else bias_hh.data,
        **recurrence.options)
    need_grad_input = input.requires_grad

    def backward(grad):
        # grad's rows: the output's T steps, then the other final states (c_n); h_n is output[T - 1].
        gradients = recurrence.backward(grad[:T], None, *grad[T:], saved, need_grad_input)
        return tuple(getattr(gradients, "grad_" + name) for name in parents)

    data = np.concatenate([output, *(final[None] for final in other_finals)]) if other_finals else output
    # backward reads the input and the weights (the states it needs are copies in saved)
    packed = Tensor._make(data, tuple(parents.values()), backward, op, saves=(input, weight_ih, weight_hh))
    sequence = packed[0:T] if other_finals else packed
    finals = [packed[T + k] for k in range(len(other_finals))]  # c_n for the LSTM
    return (sequence, sequence[T - 1], *finals)


def lstm(input, h0, c0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """One LSTM layer (gates i, f, g, o). Returns output (T, N, H), h_n (N, H), c_n (N, H)."""
    return _run(LSTM, input, (h0, c0), weight_ih, weight_hh, bias_ih, bias_hh)


def gru(input, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """One GRU layer (gates r, z, n). Returns output (T, N, H) and h_n (N, H)."""
    return _run(GRU, input, (h0,), weight_ih, weight_hh, bias_ih, bias_hh)


def rnn_tanh(input, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """One simple RNN layer, h = tanh(W_ih x + b_ih + W_hh h + b_hh). Returns output, h_n."""
    return _run(RNN_TANH, input, (h0,), weight_ih, weight_hh, bias_ih, bias_hh)


def rnn_relu(input, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """One simple RNN layer with relu instead of tanh. Returns output, h_n."""
    return _run(RNN_RELU, input, (h0,), weight_ih, weight_hh, bias_ih, bias_hh)
