"""Fast convolution: im2col, then one matrix product for all taps (the reference is reference.py).

Same arguments, same saved windows (windows[c, i, j, n, y, x] = x_pad[n, c, y*sh + i*dh,
x*sw + j*dw]) and the same gradients in the same order as reference.py. With W = weight
as (O, C*KH*KW), cols = the windows as (C*KH*KW, N*OH*OW) and grad_rows = grad_out laid
out like out_rows, side by side:

    reference (loop over taps i, j)                  here (one BLAS call for all taps)
    windows[:, i, j] = x_pad[:, :, rows, columns]    cols = im2col(x, ...)
    out += einsum("oc,cnyx->noyx", weight_ij, ...)   out_rows = W @ cols          (O, N*OH*OW)
    out += bias                                      layout change + bias, one pass
    grad_weight_ij = einsum("noyx,cnyx->oc", ...)    grad_weight = grad_rows @ cols^T
    grad_bias = grad_out.sum(axis=(0, 2, 3))         grad_bias = grad_rows.sum(axis=1)
    grad_x_pad[.., rows, columns] += einsum(...)     grad_cols = W^T @ grad_rows, then col2im
    crop the padding                                 (col2im skips the padding)

Why: the reference's KH*KW small einsums become one large BLAS call per product, for the
whole batch. The price is memory (cols holds KH*KW copies of the input); with few input
channels at stride 1 (DIRECT_MAX_TAPS) direct.py runs instead. Timings: benchmarks/results/conv_*.json.
Read next: tinygrad_edu/conv/op.py.
"""
import numpy as np

from . import direct
from .reference import conv1d_from_conv2d, output_size
from .im2col import col2im, im2col
from ..runtime.memory import Scratch

# Direct loops beat im2col + BLAS up to about this many taps per output value:
# 9 taps (MNIST) and 27 (RGB) run faster direct, 288 (the convnet's second layer)
# faster through BLAS.
DIRECT_MAX_TAPS = 32


def uses_direct_path(weight_shape, stride):
    """Does a convolution with this weight (O, C, KH, KW) and stride run in direct.py?"""
    _, channels, kh, kw = weight_shape
    return tuple(stride) == (1, 1) and channels * kh * kw <= DIRECT_MAX_TAPS


# Buffers reused from call to call, for the matrices that never leave one (runtime/memory.py).
_scratch = Scratch()


def conv2d_forward(x, weight, bias, stride, padding, dilation):
    """x (N, C, H, W), weight (O, C, KH, KW), bias (O,) or None -> (out, saved for backward).

    ``stride`` and ``dilation`` are pairs, ``padding`` is ((top, bottom), (left, right)).
    Saved: the windows (C, KH, KW, N, OH, OW), exactly reference.py's; or, on the
    direct path, the input itself, from which its backward loops read the windows.
    """
    if uses_direct_path(weight.shape, stride):
        return direct.conv2d_forward(x, weight, bias, padding, dilation)
    n_batch, channels = x.shape[:2]
    out_channels, _, kh, kw = weight.shape
    oh = output_size(x.shape[2], kh, stride[0], padding[0], dilation[0])
    ow = output_size(x.shape[3], kw, stride[1], padding[1], dilation[1])
    cols = im2col(x, (kh, kw), stride, padding, dilation, (oh, ow))  # the windows as one matrix
    out_rows = _scratch.array("out_rows", (out_channels, cols.shape[1]), cols.dtype)
    np.matmul(weight.reshape(out_channels, -1), cols, out=out_rows)
    # (O, N, OH, OW) -> (N, O, OH, OW): the layout change and the bias share one pass.
    by_image = out_rows.reshape(out_channels, n_batch, oh, ow).transpose(1, 0, 2, 3)
    out = np.empty((n_batch, out_channels, oh, ow), dtype=out_rows.dtype)
    if bias is None:
        np.copyto(out, by_image)
    else:
        np.add(by_image, bias.reshape(1, out_channels, 1, 1), out=out)
    return out, cols.reshape(channels, kh, kw, n_batch, oh, ow)


def conv2d_backward(grad_out, saved, weight, input_shape, stride, padding, dilation, need_input_grad=True):
    """Gradients (grad_input, grad_weight, grad_bias) from grad_out (N, O, OH, OW) and the saved windows.

    grad_input is None when ``need_input_grad`` is False (e.g. for the network's first layer).
    """
    if uses_direct_path(weight.shape, stride):
        return direct.conv2d_backward(grad_out, saved, weight, input_shape, padding, dilation, need_input_grad)
    windows = saved
    out_channels, _, kh, kw = weight.shape
    n_batch, _, oh, ow = grad_out.shape
    cols = windows.reshape(windows.shape[0] * kh * kw, -1)  # (C*KH*KW, N*OH*OW), also for N = 0
    grad_rows = _scratch.array("grad_rows", (out_channels, n_batch, oh, ow), grad_out.dtype)
    np.copyto(grad_rows, grad_out.transpose(1, 0, 2, 3))  # grad_out laid out like out_rows
    grad_rows = grad_rows.reshape(out_channels, -1)
    grad_weight = (grad_rows @ cols.T).reshape(weight.shape)
    grad_bias = grad_rows.sum(axis=1)
    if not need_input_grad:
        return None, grad_weight, grad_bias
    grad_cols = _scratch.array("grad_cols", cols.shape, grad_rows.dtype)
    np.matmul(weight.reshape(out_channels, -1).T, grad_rows, out=grad_cols)
    grad_input = col2im(grad_cols, input_shape, (kh, kw), stride, padding, dilation, (oh, ow))
    return grad_input, grad_weight, grad_bias


# conv1d is conv2d on an image of height 1 (see reference.conv1d_from_conv2d)
conv1d_forward, conv1d_backward = conv1d_from_conv2d(conv2d_forward, conv2d_backward)
