"""Initialisation: where learning starts, chosen so signals neither vanish nor explode.

A layer computes y = W x with fan_in inputs per output. If each weight has
variance s^2 and the inputs are independent with unit variance, then
Var(y) = fan_in * s^2; keeping it near 1 needs s ~ 1 / sqrt(fan_in).

PyTorch's default for Linear and Conv is ``kaiming_uniform_(w, a=sqrt(5))``,
which works out to U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and the same bound for
the bias. Recurrent layers use U(-1/sqrt(hidden), 1/sqrt(hidden)) everywhere,
and Embedding uses N(0, 1). Every function fills ``tensor.data`` in place.

Read next: tinygrad_edu/nn/linear.py (the first real layer).
"""
import math

import numpy as np

from ..engine.rng import default_generator


def calculate_fan_in_and_fan_out(tensor):
    """For a weight of shape (out, in, *kernel): fan_in = in * prod(kernel), fan_out = out * prod(kernel)."""
    shape = tensor.shape
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out need a tensor with at least 2 dimensions, got shape {shape}")
    receptive_field = int(np.prod(shape[2:])) if len(shape) > 2 else 1
    return shape[1] * receptive_field, shape[0] * receptive_field


def _fill(tensor, values):
    tensor.data = np.asarray(values, dtype=tensor.data.dtype).reshape(tensor.shape)
    return tensor


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with U(a, b), from ``generator`` or the engine's default one."""
    generator = generator or default_generator()
    return _fill(tensor, generator.uniform(a, b, size=tensor.shape))


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with N(mean, std^2), from ``generator`` or the engine's default one."""
    generator = generator or default_generator()
    return _fill(tensor, generator.normal(mean, std, size=tensor.shape))


def zeros_(tensor):
    """Fill with 0."""
    return _fill(tensor, np.zeros(tensor.shape))


def ones_(tensor):
    """Fill with 1."""
    return _fill(tensor, np.ones(tensor.shape))


def calculate_gain(nonlinearity, param=None):
    """The factor that keeps Var(activation(y)) near Var(y), as torch.nn.init.calculate_gain: relu sqrt(2), tanh 5/3."""
    if nonlinearity in ("linear", "sigmoid", "conv1d", "conv2d"):
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        return math.sqrt(2.0 / (1 + slope ** 2))
    raise ValueError(f"unknown nonlinearity '{nonlinearity}'")


def kaiming_uniform_(tensor, a=0.0, nonlinearity="leaky_relu", generator=None):
    """U(-bound, bound) with bound = gain * sqrt(3 / fan_in) (He et al. 2015)."""
    fan_in, _ = calculate_fan_in_and_fan_out(tensor)
    bound = calculate_gain(nonlinearity, a) * math.sqrt(3.0 / fan_in)
    return uniform_(tensor, -bound, bound, generator)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """U(-bound, bound) with bound = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010)."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    bound = gain * math.sqrt(6.0 / (fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def default_layer_init_(weight, bias):
    """PyTorch's reset_parameters for Linear and ConvNd: kaiming_uniform_(a=sqrt(5)) and U(+-1/sqrt(fan_in))."""
    kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        uniform_(bias, -bound, bound)
