"""The fast GRU: gru_reference.py's arithmetic, step for step, regrouped like lstm.py.

Read it side by side with gru_reference.py: the same signatures, the same
names (r, z, n, hidden_n, grad_pre_r, grad_input_part, grad_hidden_part, ...),
the same lines in the same order, the same GRUSaved and GRUGradients. What
differs is what lstm.py's docstring lists, for the same reasons:

1. The input part of every gate, x_t @ W_ih^T, for all T steps at once, one
   matrix product per gate written straight into r, z, n.
2. Each step: one BLAS call for h_prev @ W_hh^T (or grad_hidden_part @ W_hh)
   and one compiled call, gru_cell_forward / gru_cell_backward, for the
   elementwise lines. The biases are added inside the cell (no extra pass).
3. Backward: the weight gradients and grad_input move after the loop, as
   products over all T * N rows.
4. The batch is split into blocks of rows on separate threads (runtime/threads.py).

One line is split in two, "grad_h = grad_h * z + grad_hidden_part @ W_hh": the cell computes
grad_h * z, BLAS writes the product into grad_h_through_w_hh (it cannot add into its output),
and the next step's cell adds the two. The batch row is ``row`` in the cells (``n`` is a gate).
Read next: tinygrad_edu/recurrent/op.py.
"""
import numpy as np
from numba import njit

from .fast_tanh import FAST, sigmoid, tanh
from .gru_reference import GRUGradients, GRUSaved
from ..runtime.threads import backward_by_blocks, forward_by_blocks

KERNEL = dict(FAST, nogil=True)


@njit(inline="always")
def split_gates(row, H):
    """A row laid out [r | z | n], as three views (the order of weight_ih's rows)."""
    return row[0:H], row[H:2 * H], row[2 * H:3 * H]


@njit(**KERNEL)
def gru_cell_forward(t, hidden_part, bias_ih, bias_hh, r, z, n, hidden_n, h):
    """Step t of the reference's loop "for x_t in input", for every row, from "r = ..." to "h = ...".

    On entry r[t], z[t], n[t] (N, H) hold x_t @ W_ih^T for their gate (item 1)
    and hidden_part (N, 3H) holds h_prev @ W_hh^T; on exit they hold the
    activated gates, hidden_n[t] = W_hn h_prev + b_hn and h[t + 1] the new state.
    """
    N, H = hidden_part.shape[0], hidden_part.shape[1] // 3
    bias_ir, bias_iz, bias_in = split_gates(bias_ih, H)
    bias_hr, bias_hz, bias_hn = split_gates(bias_hh, H)
    for row in range(N):
        h_r, h_z, h_n = split_gates(hidden_part[row], H)
        for j in range(H):
            r[t, row, j] = sigmoid(r[t, row, j] + bias_ir[j] + h_r[j] + bias_hr[j])
        for j in range(H):
            z[t, row, j] = sigmoid(z[t, row, j] + bias_iz[j] + h_z[j] + bias_hz[j])
        for j in range(H):
            hidden_n[t, row, j] = h_n[j] + bias_hn[j]
        for j in range(H):
            n[t, row, j] = tanh(n[t, row, j] + bias_in[j] + r[t, row, j] * hidden_n[t, row, j])
        for j in range(H):
            z_tj, n_tj = z[t, row, j], n[t, row, j]
            h[t + 1, row, j] = n_tj - z_tj * n_tj + z_tj * h[t, row, j]


@njit(**KERNEL)
def gru_cell_backward(t, grad_output, r, z, n, hidden_n, h_prev, grad_h, grad_h_through_w_hh,
                      grad_input_part, grad_hidden_part):
    """Step t of the reference's loop "for t in reversed(range(T))", up to "grad_h = grad_h * z + ...".

    grad_h (N, H) arrives as dL/dh through "z * h_prev" of step t + 1 (dL/dh_n
    at the last step), grad_h_through_w_hh as dL/dh through W_hh; on exit
    grad_h holds grad_h * z and grad_input_part[t], grad_hidden_part[t] (N, 3H)
    hold [grad_pre_r | grad_pre_z | grad_pre_n] and [grad_pre_r | grad_pre_z | grad_pre_n * r].
    """
    N, H = grad_h.shape
    for row in range(N):
        grad_pre_r, grad_pre_z, grad_pre_n = split_gates(grad_input_part[t, row], H)
        hidden_r, hidden_z, hidden_n_part = split_gates(grad_hidden_part[t, row], H)
        for j in range(H):
            grad_h[row, j] += grad_output[t, row, j] + grad_h_through_w_hh[row, j]
        for j in range(H):
            keep = grad_h[row, j] - grad_h[row, j] * z[t, row, j]      # grad_h * (1 - z)
            grad_pre_n[j] = keep - keep * n[t, row, j] * n[t, row, j]
        for j in range(H):
            z_tj = z[t, row, j]
            grad_pre_z[j] = grad_h[row, j] * (h_prev[t, row, j] - n[t, row, j]) * (z_tj - z_tj * z_tj)
        for j in range(H):
            r_tj = r[t, row, j]
            grad_pre_r[j] = grad_pre_n[j] * hidden_n[t, row, j] * (r_tj - r_tj * r_tj)
        for j in range(H):
            hidden_r[j] = grad_pre_r[j]
        for j in range(H):
            hidden_z[j] = grad_pre_z[j]
        for j in range(H):
            hidden_n_part[j] = grad_pre_n[j] * r[t, row, j]
        for j in range(H):
            grad_h[row, j] *= z[t, row, j]


def gru_forward_rows(input, h0, weight_ih, weight_hh, bias_ih, bias_hh, has_bias):
    """gru_forward for one block of rows, on the calling thread."""
    T, N, I = input.shape
    H = h0.shape[1]
    dtype = input.dtype
    inputs = np.ascontiguousarray(input).reshape(T * N, I)
    r, z, n = gates = np.empty((3, T, N, H), dtype=dtype)
    for gate, rows in enumerate(np.split(weight_ih, 3)):           # item 1: every step at once
        np.matmul(inputs, rows.T, out=gates[gate].reshape(T * N, H))
    h = np.empty((T + 1, N, H), dtype=dtype)                        # h[t] is h_prev of step t
    h[0] = h0
    hidden_n = np.empty((T, N, H), dtype=dtype)
    weight_hh_t = np.ascontiguousarray(weight_hh.T)
    hidden_part = np.empty((N, 3 * H), dtype=dtype)
    for t in range(T):
        np.matmul(h[t], weight_hh_t, out=hidden_part)              # h_prev @ W_hh^T
        gru_cell_forward(t, hidden_part, bias_ih, bias_hh, r, z, n, hidden_n, h)
    return h[1:], GRUSaved(inputs.reshape(T, N, I), h[:T], r, z, n, hidden_n, weight_ih, weight_hh, has_bias)


def gru_backward_rows(grad_output, grad_h_n, saved, need_grad_input):
    """gru_backward for one block of rows; its weight gradients are this block's share."""
    T, N, H = saved.h_prev.shape
    dtype = saved.h_prev.dtype
    grad_h = np.zeros((N, H), dtype) if grad_h_n is None else np.array(grad_h_n, dtype=dtype)
    grad_h_through_w_hh = np.zeros((N, H), dtype)
    grad_input_part = np.empty((T, N, 3 * H), dtype=dtype)
    grad_hidden_part = np.empty((T, N, 3 * H), dtype=dtype)
    grad_output = np.ascontiguousarray(grad_output, dtype=dtype)
    for t in range(T - 1, -1, -1):
        gru_cell_backward(t, grad_output, saved.r, saved.z, saved.n, saved.hidden_n, saved.h_prev,
                          grad_h, grad_h_through_w_hh, grad_input_part, grad_hidden_part)
        np.matmul(grad_hidden_part[t], saved.weight_hh, out=grad_h_through_w_hh)  # grad_hidden_part @ W_hh
    grad_h0 = grad_h + grad_h_through_w_hh
    # Item 3: the lines of the reference loop that no later step needs, for all steps at once.
    all_input_part = grad_input_part.reshape(T * N, 3 * H)
    all_hidden_part = grad_hidden_part.reshape(T * N, 3 * H)
    grad_weight_ih = all_input_part.T @ saved.input.reshape(T * N, saved.input.shape[2])
    grad_weight_hh = all_hidden_part.T @ saved.h_prev.reshape(T * N, H)
    grad_bias_ih = all_input_part.sum(axis=0) if saved.has_bias else None
    grad_bias_hh = all_hidden_part.sum(axis=0) if saved.has_bias else None
    grad_input = (all_input_part @ saved.weight_ih).reshape(saved.input.shape) if need_grad_input else None
    return GRUGradients(grad_input, grad_h0, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh)


def gru_forward(input, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """Run the sequence; returns output (T, N, H), h_n and what backward needs (a GRUSaved per block)."""
    has_bias = bias_ih is not None
    zeros = np.zeros(weight_ih.shape[0], input.dtype)
    bias_ih, bias_hh = (zeros, zeros) if not has_bias else (bias_ih.astype(input.dtype), bias_hh.astype(input.dtype))
    output, _, saved = forward_by_blocks(gru_forward_rows, input, (h0,), weight_ih, weight_hh, bias_ih, bias_hh,
                                         has_bias)
    return output, output[-1], saved


def gru_backward(grad_output, grad_h_n, saved, need_grad_input=True):
    """GRUGradients from dL/doutput (T, N, H) and dL/dh_n (N, H) (or None: zero)."""
    return backward_by_blocks(gru_backward_rows, grad_output, (grad_h_n,), saved, need_grad_input)
