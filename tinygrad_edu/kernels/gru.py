"""The fast GRU: gru_reference.py's arithmetic, regrouped like lstm.py.

    forward   x_proj = x @ W_ih^T + b_ih                 one GEMM for all steps
              per step: hidden = h @ W_hh^T + b_hh       a small GEMM
                        gru_cell_forward                 one fused Numba kernel
    backward  per step, reversed: gru_cell_backward, then
                        dL/dh_prev = dL/dh * z + G_hidden @ W_hh
              then dW_ih = G_input^T x, dW_hh = G_hidden^T h_prev, dx = G_input W_ih.

The GRU needs two gradient arrays where the LSTM needs one: the n gate's
hidden part is scaled by r, so G_hidden = [dr, dz, dn * r] differs from
G_input = [dr, dz, dn]. As in lstm.py, each gate gets its own short loop so
that it vectorises, and "z - z * z" replaces "z * (1 - z)" to keep float32.
Read next: tinygrad_edu/functional/conv.py: the kernels as Tensor ops, convolution first.
"""
import numpy as np
from numba import njit

from .activations import FAST, sigmoid, tanh


@njit(**FAST)
def gru_cell_forward(x_proj, hidden_part, h_prev, gates, h_next):
    """One step. hidden_part (N, 3H) = h_prev @ W_hh^T + b_hh.

    gates (N, 4H) receives r, z, n and the n gate's hidden part (needed by backward).
    """
    N, H = h_prev.shape
    for n in range(N):
        for j in range(H):
            gates[n, j] = sigmoid(x_proj[n, j] + hidden_part[n, j])
        for j in range(H):
            gates[n, H + j] = sigmoid(x_proj[n, H + j] + hidden_part[n, H + j])
        for j in range(H):
            gates[n, 3 * H + j] = hidden_part[n, 2 * H + j]
        for j in range(H):
            gates[n, 2 * H + j] = tanh(x_proj[n, 2 * H + j] + gates[n, j] * gates[n, 3 * H + j])
        for j in range(H):
            z = gates[n, H + j]
            candidate = gates[n, 2 * H + j]
            h_next[n, j] = candidate - z * candidate + z * h_prev[n, j]


@njit(**FAST)
def gru_cell_backward(grad_output, grad_h_recurrent, grad_h_direct, gates, h_prev,
                      grad_input_part, grad_hidden_part):
    """One step back. dL/dh = grad_output + grad_h_recurrent + grad_h_direct.

    grad_h_recurrent came through W_hh, grad_h_direct through "z * h"; on exit
    grad_h_direct holds this step's dL/dh * z for the step before.
    """
    N, H = h_prev.shape
    for n in range(N):
        for j in range(H):
            grad_h_direct[n, j] += grad_output[n, j] + grad_h_recurrent[n, j]
        for j in range(H):
            z = gates[n, H + j]
            candidate = gates[n, 2 * H + j]
            dh_keep = grad_h_direct[n, j] - grad_h_direct[n, j] * z
            grad_input_part[n, 2 * H + j] = dh_keep - dh_keep * candidate * candidate
        for j in range(H):
            z = gates[n, H + j]
            grad_input_part[n, H + j] = grad_h_direct[n, j] * (h_prev[n, j] - gates[n, 2 * H + j]) * (z - z * z)
        for j in range(H):
            r = gates[n, j]
            grad_input_part[n, j] = grad_input_part[n, 2 * H + j] * gates[n, 3 * H + j] * (r - r * r)
        for j in range(H):
            grad_hidden_part[n, j] = grad_input_part[n, j]
        for j in range(H):
            grad_hidden_part[n, H + j] = grad_input_part[n, H + j]
        for j in range(H):
            grad_hidden_part[n, 2 * H + j] = grad_input_part[n, 2 * H + j] * gates[n, j]
        for j in range(H):
            grad_h_direct[n, j] *= gates[n, H + j]


def gru_forward(x, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """Same contract as gru_reference.gru_forward: output (T, N, H), h_n, cache."""
    T, N, I = x.shape
    H = h0.shape[1]
    dtype = x.dtype
    x = np.ascontiguousarray(x)
    x_proj = (x.reshape(T * N, I) @ weight_ih.T).reshape(T, N, 3 * H)
    if bias_ih is not None:
        x_proj += bias_ih
    weight_hh_t = np.ascontiguousarray(weight_hh.T)
    hidden = np.empty((T + 1, N, H), dtype=dtype)
    hidden[0] = h0
    gates = np.empty((T, N, 4 * H), dtype=dtype)
    hidden_part = np.empty((N, 3 * H), dtype=dtype)
    for t in range(T):
        np.matmul(hidden[t], weight_hh_t, out=hidden_part)
        if bias_hh is not None:
            hidden_part += bias_hh
        gru_cell_forward(x_proj[t], hidden_part, hidden[t], gates[t], hidden[t + 1])
    cache = (x, hidden, gates, weight_ih, weight_hh, bias_ih is not None)
    return hidden[1:], hidden[T], cache


def gru_backward(grad_output, grad_h_n, cache, need_grad_x=True):
    """Gradients for (x, h0, weight_ih, weight_hh, bias_ih, bias_hh); see gru_reference."""
    x, hidden, gates, weight_ih, weight_hh, has_bias = cache
    T, N, H = hidden.shape[0] - 1, hidden.shape[1], hidden.shape[2]
    dtype = x.dtype
    grad_output = np.ascontiguousarray(grad_output, dtype=dtype)
    grad_h_direct = np.zeros((N, H), dtype) if grad_h_n is None else np.array(grad_h_n, dtype=dtype)
    grad_h_recurrent = np.zeros((N, H), dtype)
    grad_input_part = np.empty((T, N, 3 * H), dtype=dtype)
    grad_hidden_part = np.empty((T, N, 3 * H), dtype=dtype)
    for t in range(T - 1, -1, -1):
        gru_cell_backward(grad_output[t], grad_h_recurrent, grad_h_direct, gates[t], hidden[t],
                          grad_input_part[t], grad_hidden_part[t])
        np.matmul(grad_hidden_part[t], weight_hh, out=grad_h_recurrent)
    grad_h0 = grad_h_direct + grad_h_recurrent
    all_input = grad_input_part.reshape(T * N, 3 * H)
    all_hidden = grad_hidden_part.reshape(T * N, 3 * H)
    grad_weight_ih = all_input.T @ x.reshape(T * N, -1)
    grad_weight_hh = all_hidden.T @ hidden[:T].reshape(T * N, H)
    grad_x = (all_input @ weight_ih).reshape(x.shape) if need_grad_x else None
    grad_bias_ih = all_input.sum(axis=0) if has_bias else None
    grad_bias_hh = all_hidden.sum(axis=0) if has_bias else None
    return grad_x, grad_h0, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh
