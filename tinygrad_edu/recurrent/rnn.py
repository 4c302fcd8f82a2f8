"""The fast simple RNN: rnn_reference.py's arithmetic, step for step, regrouped like lstm.py.

Read it side by side with rnn_reference.py: the same signatures, the same
names (a, h_prev, grad_h, grad_a, ...), the same lines in the same order, the
same RNNSaved and RNNGradients. What differs is what lstm.py's docstring
lists, for the same reasons:

1. The input part of a = W·x_t + U·h_prev + b, for all T steps at once (one
   matrix product, the two biases added in the same pass).
2. Each step: one BLAS call for h_prev @ W_hh^T (or grad_a @ W_hh), written
   straight into the new state h[t + 1], and one compiled call,
   rnn_cell_forward / rnn_cell_backward, for the activation and its derivative.
3. Backward: the weight gradients and grad_input move after the loop, as
   products over all T * N rows.
4. The batch may be split into blocks of rows on separate threads
   (runtime/threads.py); a simple RNN's step is small, so mostly it is not.

Read next: tinygrad_edu/recurrent/lstm_reference.py.
"""
import numpy as np
from numba import njit

from .fast_tanh import FAST, tanh
from .rnn_reference import RNNGradients, RNNSaved, check_nonlinearity
from ..runtime.threads import backward_by_blocks, forward_by_blocks

KERNEL = dict(FAST, nogil=True)


@njit(**KERNEL)
def rnn_cell_forward(t, input_part, h, use_relu):
    """Step t, "output = activation(a)": h[t + 1] (N, H) holds h_prev @ W_hh^T on entry, act(a) on exit."""
    N, H = input_part.shape[1], input_part.shape[2]
    for n in range(N):
        if use_relu:
            for j in range(H):
                a = h[t + 1, n, j] + input_part[t, n, j]
                h[t + 1, n, j] = a if a > 0 else a - a  # "a - a" is a zero of a's own type
        else:
            for j in range(H):
                h[t + 1, n, j] = tanh(h[t + 1, n, j] + input_part[t, n, j])


@njit(**KERNEL)
def rnn_cell_backward(t, grad_output, h, grad_h, grad_a, use_relu):
    """Step t back: grad_h += grad_output[t], then grad_a[t] = grad_h * act'(a), act' in terms of h."""
    N, H = grad_h.shape
    for n in range(N):
        for j in range(H):
            grad_h[n, j] += grad_output[t, n, j]
        if use_relu:
            for j in range(H):
                grad_a[t, n, j] = grad_h[n, j] if h[t, n, j] > 0 else grad_h[n, j] - grad_h[n, j]
        else:
            for j in range(H):
                grad_a[t, n, j] = grad_h[n, j] - grad_h[n, j] * h[t, n, j] * h[t, n, j]


def rnn_forward_rows(input, h0, weight_ih, weight_hh, bias, has_bias, nonlinearity):
    """rnn_forward for one block of rows, on the calling thread."""
    T, N, I = input.shape
    H = h0.shape[1]
    dtype = input.dtype
    inputs = np.ascontiguousarray(input).reshape(T * N, I)
    input_part = (inputs @ weight_ih.T).reshape(T, N, H)          # item 1: every step at once
    if has_bias:
        input_part += bias
    h = np.empty((T + 1, N, H), dtype=dtype)                        # h[t] is h_prev of step t
    h[0] = h0
    weight_hh_t = np.ascontiguousarray(weight_hh.T)
    use_relu = nonlinearity == "relu"
    for t in range(T):
        np.matmul(h[t], weight_hh_t, out=h[t + 1])                 # h_prev @ W_hh^T
        rnn_cell_forward(t, input_part, h, use_relu)
    return h[1:], RNNSaved(inputs.reshape(T, N, I), h[:T], h[1:], weight_ih, weight_hh, has_bias, nonlinearity)


def rnn_backward_rows(grad_output, grad_h_n, saved, need_grad_input):
    """rnn_backward for one block of rows; its weight gradients are this block's share."""
    T, N, H = saved.h_prev.shape
    dtype = saved.h_prev.dtype
    grad_h = np.zeros((N, H), dtype) if grad_h_n is None else np.array(grad_h_n, dtype=dtype)
    grad_a = np.empty((T, N, H), dtype=dtype)
    grad_output = np.ascontiguousarray(grad_output, dtype=dtype)
    use_relu = saved.nonlinearity == "relu"
    for t in range(T - 1, -1, -1):
        rnn_cell_backward(t, grad_output, saved.h, grad_h, grad_a, use_relu)
        np.matmul(grad_a[t], saved.weight_hh, out=grad_h)          # grad_h = grad_a @ W_hh
    # Item 3: the lines of the reference loop that no later step needs, for all steps at once.
    all_grad_a = grad_a.reshape(T * N, H)
    grad_weight_ih = all_grad_a.T @ saved.input.reshape(T * N, saved.input.shape[2])
    grad_weight_hh = all_grad_a.T @ saved.h_prev.reshape(T * N, H)
    grad_bias = all_grad_a.sum(axis=0) if saved.has_bias else None
    grad_input = (all_grad_a @ saved.weight_ih).reshape(saved.input.shape) if need_grad_input else None
    return RNNGradients(grad_input, grad_h, grad_weight_ih, grad_weight_hh,
                        grad_bias, None if grad_bias is None else grad_bias.copy())


def rnn_forward(input, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, nonlinearity="tanh"):
    """Run the sequence; returns output (T, N, H), h_n and what backward needs (an RNNSaved per block)."""
    check_nonlinearity(nonlinearity)
    has_bias = bias_ih is not None
    bias = (bias_ih + bias_hh).astype(input.dtype) if has_bias else None
    output, _, saved = forward_by_blocks(rnn_forward_rows, input, (h0,), weight_ih, weight_hh, bias, has_bias,
                                         nonlinearity)
    return output, output[-1], saved


def rnn_backward(grad_output, grad_h_n, saved, need_grad_input=True):
    """RNNGradients from dL/doutput (T, N, H) and dL/dh_n (N, H) (or None: zero)."""
    return backward_by_blocks(rnn_backward_rows, grad_output, (grad_h_n,), saved, need_grad_input)

