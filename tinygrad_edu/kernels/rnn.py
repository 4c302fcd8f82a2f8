"""The fast simple RNN: rnn_reference.py's arithmetic, regrouped for the CPU.

Most of the work is matrix products, and BLAS is fastest on big ones. Only
the h @ W_hh^T part is truly sequential; the input part of every step can be
done at once, before the loop:

    forward   x_proj = x @ W_ih^T + b_ih + b_hh          one GEMM, (T*N, I) x (I, H)
              per step: a = h @ W_hh^T                   a small GEMM, (N, H) x (H, H)
                        h = act(a + x_proj[t])           one Numba loop, in place
    backward  per step, reversed: dL/da = (dL/dh) * act'(a), then dL/dh_prev = dL/da @ W_hh
              then, for all steps at once:
              dW_ih = G^T x, dW_hh = G^T h_prev, db = sum(G), dx = G W_ih    (G: every dL/da)

lstm.py and gru.py use the same plan with more gates per step.
Read next: tinygrad_edu/kernels/activations.py: the fast tanh this file calls.
"""
import numpy as np
from numba import njit

from .activations import FAST, tanh

NONLINEARITIES = ("tanh", "relu")


@njit(**FAST)
def rnn_cell_forward(x_proj, hidden, use_relu):
    """hidden (N, H) holds h_prev @ W_hh^T on entry and the new state on exit."""
    N, H = hidden.shape
    if use_relu:
        for n in range(N):
            for j in range(H):
                a = hidden[n, j] + x_proj[n, j]
                hidden[n, j] = a if a > 0 else a - a  # "a - a" is a zero of a's own type
    else:
        for n in range(N):
            for j in range(H):
                hidden[n, j] = tanh(hidden[n, j] + x_proj[n, j])


@njit(**FAST)
def rnn_cell_backward(grad_output, grad_h, h, grad_a, use_relu):
    """grad_a (N, H) = (grad_output + grad_h) * act'(a), with act' written in terms of h."""
    N, H = h.shape
    if use_relu:
        for n in range(N):
            for j in range(H):
                dh = grad_output[n, j] + grad_h[n, j]
                grad_a[n, j] = dh if h[n, j] > 0 else dh - dh
    else:
        for n in range(N):
            for j in range(H):
                dh = grad_output[n, j] + grad_h[n, j]
                grad_a[n, j] = dh - dh * h[n, j] * h[n, j]


def rnn_forward(x, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, nonlinearity="tanh"):
    """Same contract as rnn_reference.rnn_forward: output (T, N, H), h_n, cache."""
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    use_relu = nonlinearity == "relu"
    T, N, I = x.shape
    H = h0.shape[1]
    x = np.ascontiguousarray(x)
    x_proj = (x.reshape(T * N, I) @ weight_ih.T).reshape(T, N, H)
    if bias_ih is not None:
        x_proj += bias_ih + bias_hh
    weight_hh_t = np.ascontiguousarray(weight_hh.T)
    hidden = np.empty((T + 1, N, H), dtype=x.dtype)
    hidden[0] = h0
    for t in range(T):
        np.matmul(hidden[t], weight_hh_t, out=hidden[t + 1])
        rnn_cell_forward(x_proj[t], hidden[t + 1], use_relu)
    cache = (x, hidden, weight_ih, weight_hh, bias_ih is not None, use_relu)
    return hidden[1:], hidden[T], cache


def rnn_backward(grad_output, grad_h_n, cache, need_grad_x=True):
    """Gradients for (x, h0, weight_ih, weight_hh, bias_ih, bias_hh); see rnn_reference."""
    x, hidden, weight_ih, weight_hh, has_bias, use_relu = cache
    T, N, H = hidden.shape[0] - 1, hidden.shape[1], hidden.shape[2]
    dtype = x.dtype
    grad_output = np.ascontiguousarray(grad_output, dtype=dtype)
    grad_h = np.zeros((N, H), dtype) if grad_h_n is None else np.array(grad_h_n, dtype=dtype)
    grad_a = np.empty((T, N, H), dtype=dtype)
    for t in range(T - 1, -1, -1):
        rnn_cell_backward(grad_output[t], grad_h, hidden[t + 1], grad_a[t], use_relu)
        np.matmul(grad_a[t], weight_hh, out=grad_h)
    grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh = sequence_weight_gradients(
        grad_a, x, hidden, weight_ih, has_bias, need_grad_x)
    return grad_x, grad_h, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh


def sequence_weight_gradients(grad_pre, x, hidden, weight_ih, has_bias, need_grad_x):
    """All steps at once, from dL/d(pre-activations) grad_pre (T, N, G*H), as big GEMMs:

        dW_ih = G^T x    dW_hh = G^T h_prev    db_ih = db_hh = sum(G)    dx = G W_ih

    (used by the RNN and the LSTM, whose pre-activations are W_ih x + b_ih + W_hh h + b_hh).
    """
    T, N = grad_pre.shape[:2]
    all_grad_pre = grad_pre.reshape(T * N, -1)
    grad_weight_ih = all_grad_pre.T @ x.reshape(T * N, -1)
    grad_weight_hh = all_grad_pre.T @ hidden[:T].reshape(T * N, hidden.shape[2])
    grad_x = (all_grad_pre @ weight_ih).reshape(x.shape) if need_grad_x else None
    grad_bias_ih = grad_bias_hh = None
    if has_bias:
        grad_bias_ih = all_grad_pre.sum(axis=0)
        grad_bias_hh = grad_bias_ih.copy()
    return grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh
