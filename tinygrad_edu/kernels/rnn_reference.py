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
(lstm_reference.py). rnn.py is the fast version.
Read next: tinygrad_edu/kernels/rnn.py.
"""
import numpy as np


def activation_and_derivative(nonlinearity):
    """act(a) and act'(a) written in terms of h = act(a), which backward keeps."""
    if nonlinearity == "tanh":
        return np.tanh, lambda h: 1 - h * h
    if nonlinearity == "relu":
        return (lambda a: np.maximum(a, 0)), (lambda h: (h > 0).astype(h.dtype))
    raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")


def rnn_forward(x, h0, weight_ih, weight_hh, bias_ih=None, bias_hh=None, nonlinearity="tanh"):
    """Run the sequence; returns output (T, N, H), h_n and what backward needs."""
    activation, _ = activation_and_derivative(nonlinearity)
    state = h0
    outputs, saved = [], []
    for x_t in x:
        a = x_t @ weight_ih.T + state @ weight_hh.T
        if bias_ih is not None:
            a = a + bias_ih + bias_hh
        output = activation(a)
        saved.append((x_t, state, output))
        state = output
        outputs.append(output)
    cache = (saved, weight_ih, weight_hh, bias_ih is not None, nonlinearity)
    return np.stack(outputs), state, cache


def rnn_backward(grad_output, grad_h_n, cache):
    """Gradients for (x, h0, weight_ih, weight_hh, bias_ih, bias_hh)."""
    saved, weight_ih, weight_hh, has_bias, nonlinearity = cache
    _, derivative = activation_and_derivative(nonlinearity)
    grad_h = np.zeros_like(saved[0][1]) if grad_h_n is None else grad_h_n.copy()
    grad_weight_ih = np.zeros_like(weight_ih)
    grad_weight_hh = np.zeros_like(weight_hh)
    grad_bias = np.zeros(weight_ih.shape[0], dtype=weight_ih.dtype)
    grad_x = []
    for t in reversed(range(len(saved))):
        x_t, h_prev, h = saved[t]
        grad_a = (grad_h + grad_output[t]) * derivative(h)
        grad_weight_ih += grad_a.T @ x_t
        grad_weight_hh += grad_a.T @ h_prev
        grad_bias += grad_a.sum(axis=0)
        grad_x.append(grad_a @ weight_ih)
        grad_h = grad_a @ weight_hh
    grad_x = np.stack(grad_x[::-1])
    grad_bias_ih = grad_bias if has_bias else None
    grad_bias_hh = grad_bias.copy() if has_bias else None
    return grad_x, grad_h, grad_weight_ih, grad_weight_hh, grad_bias_ih, grad_bias_hh
