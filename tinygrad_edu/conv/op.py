"""Convolution as a Tensor operation: conv1d and conv2d with PyTorch's signatures.

A convolution layer applies one small set of weights at every position of an
image (weight sharing), so a 3x3 edge detector learned in one corner works in
every corner. For input (N, C, H, W) and weight (O, C, KH, KW):

    out[n, o, y, x] = bias[o] + sum over c, i, j of
                      weight[o, c, i, j] * x_pad[n, c, y*stride + i*dilation, x*stride + j*dilation]

    OH = (H + pad_top + pad_bottom - dilation*(KH - 1) - 1) // stride + 1

``padding`` is an int (the same on every side), a pair (rows, columns),
'valid' (no padding) or 'same' (output as large as the input; stride 1 only,
and for an even kernel the extra row/column of zeros goes at the end, as in
PyTorch). The arithmetic lives in fast.py; this file checks the arguments,
calls the forward kernel, and hands autograd a backward closure that calls the
backward kernel.
Read next: tinygrad_edu/conv/layer.py.
"""
import numpy as np

from . import fast as conv_kernels
from ..engine.tensor import Tensor, as_tensor

_LAYOUTS = {1: "(N, {c}, L)", 2: "(N, {c}, H, W)"}


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    """1-D convolution: input (N, C, L), weight (O, C, K), bias (O,) -> (N, O, L_out)."""
    return convolution(input, weight, bias, stride, padding, dilation, spatial_dims=1, name="conv1d")


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1):
    """2-D convolution: input (N, C, H, W), weight (O, C, KH, KW), bias (O,) -> (N, O, OH, OW)."""
    return convolution(input, weight, bias, stride, padding, dilation, spatial_dims=2, name="conv2d")


def convolution(input, weight, bias, stride, padding, dilation, spatial_dims, name):
    """The shared body of conv1d/conv2d; ``name`` is the op or layer named in error messages."""
    input, weight = as_tensor(input), as_tensor(weight)
    bias = None if bias is None else as_tensor(bias)
    _check_shapes(input, weight, bias, spatial_dims, name)
    kernel = weight.shape[2:]
    stride = as_tuple(stride, spatial_dims, "stride", name)
    dilation = as_tuple(dilation, spatial_dims, "dilation", name)
    padding = resolve_padding(padding, kernel, stride, dilation, name)
    _check_kernel_fits(input.shape[2:], kernel, padding, dilation, name)

    bias_data = None if bias is None else bias.data
    if spatial_dims == 1:
        forward, backward_kernel = conv_kernels.conv1d_forward, conv_kernels.conv1d_backward
        stride, padding, dilation = stride[0], padding[0], dilation[0]
    else:
        forward, backward_kernel = conv_kernels.conv2d_forward, conv_kernels.conv2d_backward
    weight_data, input_shape = weight.data, input.shape
    need_input_grad, has_bias = input.requires_grad, bias is not None
    out, saved = forward(input.data, weight_data, bias_data, stride, padding, dilation)

    def backward(grad_out):
        grad_input, grad_weight, grad_bias = backward_kernel(
            grad_out, saved, weight_data, input_shape, stride, padding, dilation, need_input_grad)
        return (grad_input, grad_weight, grad_bias) if has_bias else (grad_input, grad_weight)

    parents = (input, weight) if bias is None else (input, weight, bias)
    return Tensor._make(out, parents, backward, name, saves=(input, weight))  # the direct path reads the input


def resolve_padding(padding, kernel, stride, dilation, name):
    """Turn 'same', 'valid', an int or a tuple into ((before, after), ...) per spatial axis.

    The one place padding is checked: the layers call it too, when they are built.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return tuple((0, 0) for _ in kernel)
        if padding != "same":
            raise ValueError(f"{name}: padding must be an int, a tuple, 'valid' or 'same', got '{padding}'")
        if any(step != 1 for step in stride):
            raise ValueError(f"{name}: padding='same' needs stride 1 (as in PyTorch), got stride {stride}")
        pairs = []
        for size, gap in zip(kernel, dilation):
            total = gap * (size - 1)
            pairs.append((total // 2, total - total // 2))  # odd total: the extra zero goes after
        return tuple(pairs)
    amounts = as_tuple(padding, len(kernel), "padding", name, minimum=0)
    return tuple((amount, amount) for amount in amounts)


def as_tuple(value, length, what, name, minimum=1):
    """An int or a sequence of ``length`` ints, each >= minimum, as a tuple (also for the layers and pooling)."""
    values = (value,) * length if isinstance(value, (int, np.integer)) else tuple(value)
    if len(values) != length or not all(isinstance(v, (int, np.integer)) and v >= minimum for v in values):
        raise ValueError(
            f"{name}: {what} must be an int >= {minimum} or {length} such ints, got {value!r}")
    return tuple(int(v) for v in values)


def _check_shapes(input, weight, bias, spatial_dims, name):
    dims = spatial_dims + 2
    layout = _LAYOUTS[spatial_dims]
    if input.ndim != dims:
        raise ValueError(
            f"{name} expected a {dims}-D input {layout.format(c='C')}, got shape {input.shape}")
    if weight.ndim != dims:
        raise ValueError(
            f"{name} expected a {dims}-D weight (out_channels, in_channels, kernel...), got shape {weight.shape}")
    channels = weight.shape[1]
    if input.shape[1] != channels:
        raise ValueError(
            f"{name} expected input with {channels} channels {layout.format(c=channels)}, got {input.shape}")
    if input.dtype.kind != "f" or input.dtype != weight.dtype:
        raise TypeError(
            f"{name} expected input and weight of the same floating dtype, got input {input.dtype} and "
            f"weight {weight.dtype}; convert with .float() or .double()")
    if bias is not None and (bias.shape != (weight.shape[0],) or bias.dtype != weight.dtype):
        raise ValueError(
            f"{name} expected bias of shape ({weight.shape[0]},) and dtype {weight.dtype}, "
            f"got shape {bias.shape} and dtype {bias.dtype}")


def _check_kernel_fits(spatial_shape, kernel, padding, dilation, name):
    padded = tuple(size + before + after for size, (before, after) in zip(spatial_shape, padding))
    dilated = tuple(gap * (size - 1) + 1 for size, gap in zip(kernel, dilation))
    if any(k > p for k, p in zip(dilated, padded)):
        raise ValueError(
            f"{name}: kernel size {dilated} (after dilation) is larger than the padded input "
            f"{padded} (input {tuple(spatial_shape)} plus padding)")
