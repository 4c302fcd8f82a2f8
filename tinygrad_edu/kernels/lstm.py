"""The fast LSTM: the arithmetic of lstm_reference.py, regrouped for the CPU.

Most of an LSTM's work is matrix products, and BLAS does those best when they
are large. So the loop is reorganised:

    forward   1. the input part of every gate for ALL steps at once:
                 gates = x @ W_ih^T                       one GEMM, (T*N, I) x (I, 4H)
              2. for each step t (this part is truly sequential):
                 recurrent = h @ W_hh^T                   a small GEMM, (N, H) x (H, 4H)
                 lstm_cell_forward                        one Numba kernel: adds recurrent
                                                          and the biases to gates[t], then
                                                          activates them and updates c, h
    backward  for each step t, in reverse:
                 lstm_cell_backward: dL/dgates, dL/dc     one fused Numba kernel
                 dL/dh_prev = dL/dgates @ W_hh            a small GEMM
              then ALL the weight gradients at once:
                 dW_ih = G^T x,  dW_hh = G^T h_prev,  db = sum(G),  dx = G W_ih

The fused kernels read each gate once, apply sigmoid/tanh (activations.py: a
vectorising rational tanh in float32, exact functions in float64) and write
everything backward needs. Nothing runs in parallel inside Numba, so the two
cores go to BLAS and results are bit-identical from run to run.
Read next: tinygrad_edu/kernels/gru_reference.py.
"""
import numpy as np
from numba import njit

from .activations import FAST, sigmoid, tanh
from .rnn import sequence_weight_gradients


# Why one short loop per gate, instead of one loop doing all four gates: LLVM
# turns a short loop over contiguous memory into SIMD code, but gives up on a
# long body touching many arrays (it must prove they do not overlap). Measured:
# the single-loop version ran 3-4x slower. And why "i - i * i" rather than
# "i * (1 - i)": an integer 1 would promote float32 arithmetic to float64.


@njit(**FAST)
def lstm_cell_forward(recurrent, bias, gates, c_prev, c_next, tanh_c, h_next):
    """One step for every batch row; bias (4H,) is b_ih + b_hh.

    On entry gates (N, 4H) holds this step's x_t @ W_ih^T and recurrent holds
    h_prev @ W_hh^T; on exit gates holds the activated i, f, g, o that
    backward needs.
    """
    N, H = c_prev.shape
    for n in range(N):
        for j in range(H):
            gates[n, j] = sigmoid(gates[n, j] + recurrent[n, j] + bias[j])
        for j in range(H):
            gates[n, H + j] = sigmoid(gates[n, H + j] + recurrent[n, H + j] + bias[H + j])
        for j in range(H):
            gates[n, 2 * H + j] = tanh(gates[n, 2 * H + j] + recurrent[n, 2 * H + j] + bias[2 * H + j])
        for j in range(H):
            gates[n, 3 * H + j] = sigmoid(gates[n, 3 * H + j] + recurrent[n, 3 * H + j] + bias[3 * H + j])
        for j in range(H):
            c_next[n, j] = gates[n, H + j] * c_prev[n, j] + gates[n, j] * gates[n, 2 * H + j]
        for j in range(H):
            tanh_c[n, j] = tanh(c_next[n, j])
        for j in range(H):
            h_next[n, j] = gates[n, 3 * H + j] * tanh_c[n, j]


@njit(**FAST)
def lstm_cell_backward(grad_output, grad_h, grad_c, gates, c_prev, tanh_c, grad_gates):
    """One step back: fills grad_gates (N, 4H) with dL/d(gate pre-activations).

    On entry grad_h is dL/dh arriving from the next step (through W_hh) and
    grad_c is dL/dc from the next step; grad_output adds this step's share of
    the loss. On exit grad_c holds dL/dc_prev; grad_h is left as scratch.
    """
    N, H = c_prev.shape
    for n in range(N):
        for j in range(H):
            grad_h[n, j] += grad_output[n, j]
        for j in range(H):
            o_dh = gates[n, 3 * H + j] * grad_h[n, j]
            grad_c[n, j] += o_dh - o_dh * tanh_c[n, j] * tanh_c[n, j]
        for j in range(H):
            o = gates[n, 3 * H + j]
            grad_gates[n, 3 * H + j] = grad_h[n, j] * tanh_c[n, j] * (o - o * o)
        for j in range(H):
            i = gates[n, j]
            grad_gates[n, j] = grad_c[n, j] * gates[n, 2 * H + j] * (i - i * i)
        for j in range(H):
            f = gates[n, H + j]
            grad_gates[n, H + j] = grad_c[n, j] * c_prev[n, j] * (f - f * f)
        for j in range(H):
            g = gates[n, 2 * H + j]
            dc_i = grad_c[n, j] * gates[n, j]
            grad_gates[n, 2 * H + j] = dc_i - dc_i * g * g
        for j in range(H):
            grad_c[n, j] *= gates[n, H + j]


def lstm_forward(x, h0, c0, weight_ih, weight_hh, bias_ih=None, bias_hh=None):
    """Same contract as lstm_reference.lstm_forward: output (T, N, H), h_n, c_n, cache."""
    T, N, I = x.shape
    H = h0.shape[1]
    dtype = x.dtype
    x = np.ascontiguousarray(x)
    # The input part of every gate at every step, written straight into the
    # array that will hold the activated gates (one big array fewer to fill).
    gates = np.empty((T, N, 4 * H), dtype=dtype)
    np.matmul(x.reshape(T * N, I), weight_ih.T, out=gates.reshape(T * N, 4 * H))
    # The biases are added inside the cell kernel, saving another pass.
    bias = np.zeros(4 * H, dtype) if bias_ih is None else (bias_ih + bias_hh).astype(dtype)
    weight_hh_t = np.ascontiguousarray(weight_hh.T)
    # hidden[t] is the state before step t, so hidden[1:] is the output.
    hidden = np.empty((T + 1, N, H), dtype=dtype)
    cells = np.empty((T + 1, N, H), dtype=dtype)
    hidden[0] = h0
    cells[0] = c0
    tanh_cells = np.empty((T, N, H), dtype=dtype)
    recurrent = np.empty((N, 4 * H), dtype=dtype)
    for t in range(T):
        np.matmul(hidden[t], weight_hh_t, out=recurrent)
        lstm_cell_forward(recurrent, bias, gates[t], cells[t], cells[t + 1], tanh_cells[t], hidden[t + 1])
    cache = (x, hidden, cells, gates, tanh_cells, weight_ih, weight_hh, bias_ih is not None)
    return hidden[1:], hidden[T], cells[T], cache


def lstm_backward(grad_output, grad_h_n, grad_c_n, cache, need_grad_x=True):
    """Gradients for (x, h0, c0, weight_ih, weight_hh, bias_ih, bias_hh); see lstm_reference."""
    x, hidden, cells, gates, tanh_cells, weight_ih, weight_hh, has_bias = cache
    T, N, H = tanh_cells.shape
    dtype = x.dtype
    grad_output = np.ascontiguousarray(grad_output, dtype=dtype)
    grad_h = np.zeros((N, H), dtype) if grad_h_n is None else np.array(grad_h_n, dtype=dtype)
    grad_c = np.zeros((N, H), dtype) if grad_c_n is None else np.array(grad_c_n, dtype=dtype)
    grad_gates = np.empty((T, N, 4 * H), dtype=dtype)
    for t in range(T - 1, -1, -1):
        lstm_cell_backward(grad_output[t], grad_h, grad_c, gates[t], cells[t], tanh_cells[t], grad_gates[t])
        np.matmul(grad_gates[t], weight_hh, out=grad_h)
    grad_x, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh = sequence_weight_gradients(
        grad_gates, x, hidden, weight_ih, has_bias, need_grad_x)
    return grad_x, grad_h, grad_c, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh
