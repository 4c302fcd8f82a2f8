"""Convolution straight from its definition: the reference for the fast kernels (fast.py).

A 2-D convolution (strictly, a cross-correlation, as in every deep-learning library) computes

    out[n, o, y, x] = bias[o] + sum over c, i, j of
                      weight[o, c, i, j] * x_pad[n, c, y*sh + i*dh, x*sw + j*dw]

with x_pad the input with zeros around it, (sh, sw) the stride and (dh, dw) the
dilation; OH = (H_pad - dh*(KH-1) - 1) // sh + 1. We loop over the taps (i, j): one
tap's pixels for all (y, x) are a strided slice, its "window" (C, N, OH, OW), and the
sum over c is a small matrix product with weight[:, :, i, j]. Forward keeps every
window, windows[c, i, j, n, y, x]; the chain rule on the line above gives backward:

    grad_weight[o, c, i, j] = sum over n, y, x of grad_out[n, o, y, x] * windows[c, i, j, n, y, x]
    grad_bias[o]            = sum over n, y, x of grad_out[n, o, y, x]
    grad_window[n, c, y, x] = sum over o of weight[o, c, i, j] * grad_out[n, o, y, x]

each grad_window added back where its window came from (a pixel in several windows
collects several). 1-D convolution is the 2-D one on an image of height 1.
Read next: tinygrad_edu/conv/im2col_reference.py: the trick that makes this fast.
"""
import numpy as np


def output_size(size, kernel, stride, padding, dilation):
    """Output length along one axis; ``padding`` is the pair (before, after)."""
    return (size + padding[0] + padding[1] - dilation * (kernel - 1) - 1) // stride + 1


def pad_image(x, padding):
    """Zero-pad the last two axes; ``padding`` is ((top, bottom), (left, right))."""
    (top, bottom), (left, right) = padding
    if top == bottom == left == right == 0:
        return np.ascontiguousarray(x)
    n_batch, channels, height, width = x.shape
    padded = np.zeros((n_batch, channels, height + top + bottom, width + left + right), dtype=x.dtype)
    padded[:, :, top:top + height, left:left + width] = x
    return padded


def _patch_slices(offset, dilation, stride, out_size):
    """The slice of the padded image that kernel tap number ``offset`` sees along one axis."""
    start = offset * dilation
    return slice(start, start + stride * (out_size - 1) + 1, stride)


def conv2d_forward(x, weight, bias, stride, padding, dilation):
    """x (N, C, H, W), weight (O, C, KH, KW), bias (O,) or None -> (out, windows saved for backward).

    ``stride`` and ``dilation`` are pairs, ``padding`` is ((top, bottom), (left, right)).
    """
    x_pad = pad_image(x, padding)
    n_batch, channels = x.shape[:2]
    out_channels, _, kh, kw = weight.shape
    oh = output_size(x.shape[2], kh, stride[0], padding[0], dilation[0])
    ow = output_size(x.shape[3], kw, stride[1], padding[1], dilation[1])
    windows = np.empty((channels, kh, kw, n_batch, oh, ow), dtype=x.dtype)
    out = np.zeros((n_batch, out_channels, oh, ow), dtype=x.dtype)
    for i in range(kh):
        for j in range(kw):
            rows = _patch_slices(i, dilation[0], stride[0], oh)
            columns = _patch_slices(j, dilation[1], stride[1], ow)
            windows[:, i, j] = x_pad[:, :, rows, columns].transpose(1, 0, 2, 3)  # (C, N, OH, OW)
            out += np.einsum("oc,cnyx->noyx", weight[:, :, i, j], windows[:, i, j])
    if bias is not None:
        out += bias[None, :, None, None]
    return out, windows


def conv2d_backward(grad_out, saved, weight, input_shape, stride, padding, dilation, need_input_grad=True):
    """Gradients (grad_input, grad_weight, grad_bias) from grad_out (N, O, OH, OW) and the saved windows.

    grad_input is None when ``need_input_grad`` is False (e.g. for the network's first layer).
    """
    windows = saved
    _, _, kh, kw = weight.shape
    oh, ow = grad_out.shape[2:]
    grad_weight = np.zeros_like(weight)
    for i in range(kh):
        for j in range(kw):
            grad_weight[:, :, i, j] = np.einsum("noyx,cnyx->oc", grad_out, windows[:, i, j])
    grad_bias = grad_out.sum(axis=(0, 2, 3))
    if not need_input_grad:
        return None, grad_weight, grad_bias
    (top, bottom), (left, right) = padding
    n_batch, channels, height, width = input_shape
    grad_x_pad = np.zeros((n_batch, channels, height + top + bottom, width + left + right), dtype=grad_out.dtype)
    for i in range(kh):
        for j in range(kw):
            rows = _patch_slices(i, dilation[0], stride[0], oh)
            columns = _patch_slices(j, dilation[1], stride[1], ow)
            grad_x_pad[:, :, rows, columns] += np.einsum("oc,noyx->ncyx", weight[:, :, i, j], grad_out)
    grad_input = grad_x_pad[:, :, top:top + height, left:left + width]  # the padding's share is dropped
    return grad_input, grad_weight, grad_bias


def conv1d_from_conv2d(conv2d_forward, conv2d_backward):
    """conv1d forward/backward from a conv2d pair: a signal (N, C, L) is an image of height 1.

    Both this file and fast.py build their conv1d this way, from their own conv2d.
    """
    def conv1d_forward(x, weight, bias, stride, padding, dilation):
        """x (N, C, L), weight (O, C, K): the 2-D convolution of an image of height 1."""
        out, saved = conv2d_forward(x[:, :, None, :], weight[:, :, None, :], bias,
                                    (1, stride), ((0, 0), padding), (1, dilation))
        return out[:, :, 0, :], saved

    def conv1d_backward(grad_out, saved, weight, input_shape, stride, padding, dilation, need_input_grad=True):
        grad_input, grad_weight, grad_bias = conv2d_backward(
            grad_out[:, :, None, :], saved, weight[:, :, None, :], input_shape[:2] + (1,) + input_shape[2:],
            (1, stride), ((0, 0), padding), (1, dilation), need_input_grad)
        grad_input = None if grad_input is None else grad_input[:, :, 0, :]
        return grad_input, grad_weight[:, :, 0, :], grad_bias

    return conv1d_forward, conv1d_backward


conv1d_forward, conv1d_backward = conv1d_from_conv2d(conv2d_forward, conv2d_backward)
