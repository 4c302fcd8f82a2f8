"""Stride-1 convolution as one loop over taps on a flattened image: the reference for direct.py.

reference.py's definition at stride 1, walked in another order. Zero-pad an image
to (C, HP, WP) and flatten it to one row x_flat. Output pixel (y, x) sits at
p = y*WP + x of a "full-width" row, and tap t = (c, i, j) of the kernel reads
x_flat[p + offset[t]], offset[t] = c*HP*WP + i*dh*WP + j*dw: every tap is the same row, shifted.

    acc[o, p] = bias[o] + sum over t of weight[o, t] * x_flat[p + offset[t]]
    out[o, y, x] = acc[o, y*WP + x]     (the WP - OW columns past the right edge are thrown away)

Backward, with grad_row the full-width grad_out (zeros in the thrown-away columns):

    grad_weight[o, t] = sum over n, p of grad_row[n, o, p] * x_flat[n, p + offset[t]]
    grad_bias[o]      = sum over n, y, x of grad_out[n, o, y, x]
    grad_x_pad        = the same loop run on grad_out padded by the kernel's extent, with the
                        kernel flipped and its channels swapped (the lecture's "full convolution");
    grad_input        = grad_x_pad without the forward padding

Saved for backward: the input x itself (every window is a shift of it).
Read next: tinygrad_edu/conv/direct.py.
"""
import numpy as np

from .reference import output_size, pad_image


def conv2d_forward(x, weight, bias, padding, dilation):
    """Stride-1 convolution: x (N, C, H, W), weight (O, C, KH, KW), bias (O,) or None -> (out, saved x)."""
    return correlate(x, weight, bias, padding, dilation), x


def conv2d_backward(grad_out, x, weight, input_shape, padding, dilation, need_input_grad=True):
    """(grad_input or None, grad_weight, grad_bias) from grad_out (N, O, OH, OW) and the saved input x."""
    grad_weight, grad_bias = grad_weight_and_bias(grad_out, x, padding, weight.shape[2:], dilation)
    if not need_input_grad:
        return None, grad_weight, grad_bias
    return grad_input(grad_out, weight, input_shape, padding, dilation), grad_weight, grad_bias


def grad_input(grad_out, weight, input_shape, padding, dilation):
    """d(loss)/d(x): grad_out, padded by the kernel's extent, correlated with the flipped, channel-swapped kernel."""
    kh, kw = weight.shape[2:]
    extent = ((dilation[0] * (kh - 1),) * 2, (dilation[1] * (kw - 1),) * 2)
    flipped = weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3)  # (C, O, KH, KW)
    grad_x_pad = correlate(grad_out, flipped, None, extent, dilation)  # (N, C, HP, WP)
    (top, _), (left, _) = padding
    height, width = input_shape[2:]
    return grad_x_pad[:, :, top:top + height, left:left + width]  # the padding's share is dropped


def grad_weight_and_bias(grad_out, x, padding, kernel_size, dilation):
    """(d(loss)/d(weight) of shape (O, C, KH, KW), d(loss)/d(bias) of shape (O,)) from the saved input x."""
    x_flat, (channels, hp, wp) = flat_padded(x, padding)
    offsets = tap_offsets(channels, hp, wp, kernel_size, dilation)
    grad_row = full_width(grad_out, wp)  # (N, O, length)
    length = grad_row.shape[2]
    grad_weight = np.empty((grad_out.shape[1], len(offsets)), dtype=grad_out.dtype)
    for t, offset in enumerate(offsets):
        grad_weight[:, t] = np.einsum("nop,np->o", grad_row, x_flat[:, offset:offset + length])
    grad_bias = grad_out.sum(axis=(0, 2, 3))
    return grad_weight.reshape(grad_out.shape[1], channels, *kernel_size), grad_bias


def correlate(x, weight, bias, padding, dilation):
    """acc[n, o, p] = bias[o] + sum over t of weight[o, t] * x_flat[n, p + offset[t]], as (N, O, OH, OW)."""
    x_flat, (channels, hp, wp) = flat_padded(x, padding)
    out_channels, _, kh, kw = weight.shape
    oh = output_size(x.shape[2], kh, 1, padding[0], dilation[0])
    ow = output_size(x.shape[3], kw, 1, padding[1], dilation[1])
    length = (oh - 1) * wp + ow  # the full-width row, up to the last real pixel
    weight_rows = weight.reshape(out_channels, -1)  # weight[o, t], taps in the order (c, i, j)
    acc = np.zeros((x.shape[0], out_channels, length), dtype=x.dtype)
    if bias is not None:
        acc += bias[None, :, None]
    for t, offset in enumerate(tap_offsets(channels, hp, wp, (kh, kw), dilation)):
        acc += weight_rows[None, :, t, None] * x_flat[:, None, offset:offset + length]
    out = np.empty((x.shape[0], out_channels, oh, ow), dtype=x.dtype)
    for y in range(oh):
        out[:, :, y] = acc[:, :, y * wp:y * wp + ow]  # skip the throw-away columns
    return out


def tap_offsets(channels, hp, wp, kernel_size, dilation):
    """offset[t] = c*HP*WP + i*dh*WP + j*dw for the taps t = (c, i, j), in weight's order."""
    kh, kw = kernel_size
    return np.array([c * hp * wp + i * dilation[0] * wp + j * dilation[1]
                     for c in range(channels) for i in range(kh) for j in range(kw)], dtype=np.int64)


def padded_shape(shape, padding):
    """(C, HP, WP) of one zero-padded image of a batch of this (N, C, H, W) shape."""
    (top, bottom), (left, right) = padding
    return shape[1], shape[2] + top + bottom, shape[3] + left + right


def flat_padded(x, padding):
    """(x_flat (N, C*HP*WP): each image zero-padded and flattened to one row, (C, HP, WP))."""
    channels, hp, wp = padded_shape(x.shape, padding)
    return pad_image(x, padding).reshape(x.shape[0], channels * hp * wp), (channels, hp, wp)


def full_width(images, wp):
    """(N, O, OH, OW) -> the full-width rows (N, O, (OH - 1)*WP + OW), zeros in the throw-away columns."""
    n_batch, channels, oh, ow = images.shape
    rows = np.zeros((n_batch, channels, (oh - 1) * wp + ow), dtype=images.dtype)
    for y in range(oh):
        rows[:, :, y * wp:y * wp + ow] = images[:, :, y]
    return rows
