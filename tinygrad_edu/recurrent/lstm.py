"""The fast LSTM: lstm_reference.py's arithmetic, step for step, regrouped for the CPU.

Read it beside lstm_reference.py: the same signatures, names (i, f, g, o, c_prev,
tanh_c, grad_h, grad_c, grad_pre_i, ...), lines in the same order, LSTMSaved and
LSTMGradients. What differs, each for speed (timings: benchmarks/results/rnn_*.json):

1. Forward, "gates = x_t @ W_ih^T + ...": the input part for all T steps before
   the loop, one matrix product per gate written straight into i, f, g, o.
2. Each step is one BLAS call for h_prev @ W_hh^T (or grad_gates @ W_hh) and one
   compiled call, lstm_cell_forward / lstm_cell_backward, for the elementwise
   lines of the loop body (Numba's own np.dot calls a slower copy of OpenBLAS).
3. Backward: the reference's last four lines (grad_weight_*, grad_bias, grad_input[t])
   feed no later step, so they move after the loop as products over all T * N rows.
4. The batch is split into blocks of rows on separate threads (runtime/threads.py);
   forward returns one LSTMSaved per block.

In the cells each gate gets its own short loop over j, which LLVM turns into SIMD
code (one long loop over a dozen arrays it does not); tanh and sigmoid are fast_tanh.py's;
"i - i * i" is i * (1 - i), since an integer 1 would promote float32 to float64.
Read next: tinygrad_edu/recurrent/gru_reference.py.
"""
import numpy as np
from numba import njit

from .fast_tanh import FAST, sigmoid, tanh
from .lstm_reference import LSTMGradients, LSTMSaved
from ..runtime.threads import backward_by_blocks, forward_by_blocks

KERNEL = dict(FAST, nogil=True)


@njit(inline="always")
def split_gates(row, H):
    """A row laid out [i | f | g | o], as four views (the order of weight_ih's rows)."""
    return row[0:H], row[H:2 * H], row[2 * H:3 * H], row[3 * H:4 * H]


@njit(**KERNEL)
def lstm_cell_forward(t, recurrent, bias, i, f, g, o, h, c, tanh_c):
    """Step t of the reference's loop "for x_t in input", for every row n, from "gates = ..." to "h = ...".

    On entry i[t], f[t], g[t], o[t] (N, H) hold x_t @ W_ih^T for their gate
    (item 1) and recurrent (N, 4H) holds h_prev @ W_hh^T; on exit they hold
    the activated gates, h[t + 1] and c[t + 1] the new state and tanh_c[t] = tanh(c[t + 1]).
    """
    N, H = recurrent.shape[0], recurrent.shape[1] // 4
    bias_i, bias_f, bias_g, bias_o = split_gates(bias, H)
    for n in range(N):
        h_i, h_f, h_g, h_o = split_gates(recurrent[n], H)
        for j in range(H):
            i[t, n, j] = sigmoid(i[t, n, j] + h_i[j] + bias_i[j])
        for j in range(H):
            f[t, n, j] = sigmoid(f[t, n, j] + h_f[j] + bias_f[j])
        for j in range(H):
            g[t, n, j] = tanh(g[t, n, j] + h_g[j] + bias_g[j])
        for j in range(H):
            o[t, n, j] = sigmoid(o[t, n, j] + h_o[j] + bias_o[j])
        for j in range(H):
            c[t + 1, n, j] = f[t, n, j] * c[t, n, j] + i[t, n, j] * g[t, n, j]
        for j in range(H):
            tanh_c[t, n, j] = tanh(c[t + 1, n, j])
        for j in range(H):
            h[t + 1, n, j] = o[t, n, j] * tanh_c[t, n, j]


@njit(**KERNEL)
def lstm_cell_backward(t, grad_output, i, f, g, o, c_prev, tanh_c, grad_h, grad_c, grad_gates):
    """Step t of the reference's loop "for t in reversed(range(T))", up to "grad_c = grad_c * f".

    grad_h, grad_c (N, H) arrive from step t + 1 (dL/dh_n, dL/dc_n at the
    last step); on exit grad_c is dL/dc_prev and grad_gates[t] (N, 4H) holds
    [grad_pre_i | grad_pre_f | grad_pre_g | grad_pre_o].
    """
    N, H = grad_h.shape
    for n in range(N):
        grad_pre_i, grad_pre_f, grad_pre_g, grad_pre_o = split_gates(grad_gates[t, n], H)
        for j in range(H):
            grad_h[n, j] += grad_output[t, n, j]
        for j in range(H):
            o_grad_h = o[t, n, j] * grad_h[n, j]
            grad_c[n, j] += o_grad_h - o_grad_h * tanh_c[t, n, j] * tanh_c[t, n, j]
        for j in range(H):
            o_tj = o[t, n, j]
            grad_pre_o[j] = grad_h[n, j] * tanh_c[t, n, j] * (o_tj - o_tj * o_tj)
        for j in range(H):
            i_tj = i[t, n, j]
            grad_pre_i[j] = grad_c[n, j] * g[t, n, j] * (i_tj - i_tj * i_tj)
        for j in range(H):
            f_tj = f[t, n, j]
            grad_pre_f[j] = grad_c[n, j] * c_prev[t, n, j] * (f_tj - f_tj * f_tj)
        for j in range(H):
            i_grad_c = grad_c[n, j] * i[t, n, j]
            grad_pre_g[j] = i_grad_c - i_grad_c * g[t, n, j] * g[t, n, j]
        for j in range(H):
            grad_c[n, j] *= f[t, n, j]


def lstm_forward_rows(input, h0, c0, weight_ih, weight_hh, bias, has_bias):
    """lstm_forward for one block of rows, on the calling thread."""
    T, N, I = input.shape
    H = h0.shape[1]
    dtype = input.dtype
    inputs = np.ascontiguousarray(input).reshape(T * N, I)
    i, f, g, o = gates = np.empty((4, T, N, H), dtype=dtype)
    for gate, rows in enumerate(np.split(weight_ih, 4)):           # item 1: every step at once
        np.matmul(inputs, rows.T, out=gates[gate].reshape(T * N, H))
    h = np.empty((T + 1, N, H), dtype=dtype)                        # h[t] is h_prev of step t
    c = np.empty((T + 1, N, H), dtype=dtype)
    h[0], c[0] = h0, c0
    tanh_c = np.empty((T, N, H), dtype=dtype)
    weight_hh_t = np.ascontiguousarray(weight_hh.T)
    recurrent = np.empty((N, 4 * H), dtype=dtype)
    for t in range(T):
        np.matmul(h[t], weight_hh_t, out=recurrent)                # h_prev @ W_hh^T
        lstm_cell_forward(t, recurrent, bias, i, f, g, o, h, c, tanh_c)
    saved = LSTMSaved(inputs.reshape(T, N, I), h[:T], c[:T], i, f, g, o, tanh_c, weight_ih, weight_hh, has_bias)
    return h[1:], saved, c[T]


def lstm_backward_rows(grad_output, grad_h_n, grad_c_n, saved, need_grad_input):
    """lstm_backward for one block of rows; its weight gradients are this block's share."""
    T, N, H = saved.h_prev.shape
    dtype = saved.h_prev.dtype
    grad_h = np.zeros((N, H), dtype) if grad_h_n is None else np.array(grad_h_n, dtype=dtype)
    grad_c = np.zeros((N, H), dtype) if grad_c_n is None else np.array(grad_c_n, dtype=dtype)
    grad_gates = np.empty((T, N, 4 * H), dtype=dtype)
    grad_output = np.ascontiguousarray(grad_output, dtype=dtype)
    for t in range(T - 1, -1, -1):
        lstm_cell_backward(t, grad_output, saved.i, saved.f, saved.g, saved.o, saved.c_prev, saved.tanh_c,
                           grad_h, grad_c, grad_gates)
        np.matmul(grad_gates[t], saved.weight_hh, out=grad_h)       # grad_h = grad_gates @ W_hh
    # Item 3: the lines of the reference loop that no later step needs, for all steps at once.
    all_grad_gates = grad_gates.reshape(T * N, 4 * H)
    grad_weight_ih = all_grad_gates.T @ saved.input.reshape(T * N, saved.input.shape[2])
    grad_weight_hh = all_grad_gates.T @ saved.h_prev.reshape(T * N, H)
    grad_bias = all_grad_gates.sum(axis=0) if saved.has_bias else None
    grad_input = (all_grad_gates @ saved.weight_ih).reshape(saved.input.shape) if need_grad_input else None
    return LSTMGradients(grad_input, grad_h, grad_c, grad_weight_ih, grad_weight_hh,
                         grad_bias, None if grad_bias is None else grad_bias.copy())


def lstm_forward(input, h0, c0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """Run the sequence; returns output (T, N, H), h_n, c_n and what backward needs (an LSTMSaved per block)."""
    bias = np.zeros(weight_ih.shape[0], input.dtype) if bias_ih is None else (bias_ih + bias_hh).astype(input.dtype)
    output, (c_n,), saved = forward_by_blocks(lstm_forward_rows, input, (h0, c0), weight_ih, weight_hh, bias,
                                              bias_ih is not None)
    return output, output[-1], c_n, saved


def lstm_backward(grad_output, grad_h_n, grad_c_n, saved, need_grad_input=True):
    """LSTMGradients from dL/doutput (T, N, H) and dL/dh_n, dL/dc_n (N, H) (or None: zero)."""
    return backward_by_blocks(lstm_backward_rows, grad_output, (grad_h_n, grad_c_n), saved, need_grad_input)
