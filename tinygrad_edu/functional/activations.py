"""Activations and the softmax family.

softmax turns scores into probabilities: p_i = e^{x_i} / sum_j e^{x_j}.
Computed naively, e^{1000} overflows; but softmax does not change when a
constant is subtracted from every score, so we subtract max_j x_j first and the
largest exponent is e^0 = 1. For the same reason

    log_softmax(x)_i = (x_i - m) - log sum_j e^{x_j - m},   m = max_j x_j

is the stable way to get log-probabilities (never log(softmax(x)), which
turns a tiny probability into log(0) = -inf). Its gradient is
g - softmax(x) * sum(g).

Read next: tinygrad_edu/functional/losses.py.
"""
import numpy as np

from ..engine.tensor import Tensor
from ..engine.reductions import _reduction_axes  # after tensor.py, which imports reductions.py itself


def relu(x):
    return x.relu()


def sigmoid(x):
    return x.sigmoid()


def tanh(x):
    return x.tanh()


def leaky_relu(x, negative_slope=0.01):
    """x where x > 0, else negative_slope * x (PyTorch's default slope 0.01).

    Unlike ReLU, a negative input still passes a small gradient (negative_slope),
    so a unit that has gone negative can recover; GAN discriminators use it.
    """
    if not isinstance(negative_slope, (int, float)) or isinstance(negative_slope, bool):
        raise TypeError(f"leaky_relu: negative_slope must be a number, got {type(negative_slope).__name__}")
    data = x.data
    slope = np.where(data > 0, 1.0, negative_slope).astype(data.dtype)
    return Tensor._make(data * slope, (x,), lambda g: (g * slope,), "leaky_relu")


def _softmax_axis(name, x, axis, dim):
    """PyTorch's dim= or numpy's axis= (not both, as for the reductions); the last axis by default."""
    axis, _ = _reduction_axes(name, axis, None, dim, None)
    axis = -1 if axis is None else axis
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"{name}: axis {axis} is out of range for a tensor of shape {x.shape}")
    return axis


def softmax(x, axis=None, *, dim=None):
    """exp(x - max) / sum(exp(x - max)) along ``axis``; backward: p * (g - sum(g * p))."""
    axis = _softmax_axis("softmax", x, axis, dim)
    shifted = x.data - np.max(x.data, axis=axis, keepdims=True)
    exps = np.exp(shifted)
    probs = exps / np.sum(exps, axis=axis, keepdims=True)

    def backward(g):
        return (probs * (g - np.sum(g * probs, axis=axis, keepdims=True)),)

    return Tensor._make(probs, (x,), backward, "softmax", saves_output=True)


def log_softmax(x, axis=None, *, dim=None):
    """(x - m) - log(sum(exp(x - m))) along ``axis``; backward: g - softmax(x) * sum(g)."""
    axis = _softmax_axis("log_softmax", x, axis, dim)
    shifted = x.data - np.max(x.data, axis=axis, keepdims=True)
    log_norm = np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
    out = shifted - log_norm

    def backward(g):
        probs = np.exp(out)
        return (g - probs * np.sum(g, axis=axis, keepdims=True),)

    return Tensor._make(out, (x,), backward, "log_softmax", saves_output=True)
