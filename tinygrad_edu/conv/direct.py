"""The direct convolution compiled by Numba: direct_reference.py's loop over taps, regrouped for the CPU.

Same arguments, saved input x and three gradients as the reference; where its lines went:

    direct_reference.py                                here
    x_flat: the whole batch, padded and flattened      _pad_into: one image at a time, into a small buffer
    acc += weight[o, t] * x_flat[p + offset[t]]        _correlate_rows: per image and output channel, four
      for each tap t                                     taps per pass over acc (_add_four_taps)
    out[:, :, y] = acc[y*WP : y*WP + OW]               _correlate_rows' last loop
    grad_weight[:, t] = einsum(grad_row, shifted row)  _grad_weight_rows: four dot products per pass
    grad_bias = grad_out.sum(axis=(0, 2, 3))           _grad_weight_rows, in the same pass over grad_out
    grad_input: pad grad_out by the kernel's extent,   grad_input: pad by the extent minus the forward
      correlate, then crop the forward padding           padding (a negative amount crops), nothing after

Why: with few input channels (fast.DIRECT_MAX_TAPS) the im2col matrix is too thin
for BLAS, and copying the windows costs more than this arithmetic. One padded image
stays in cache; four taps per pass load and store acc once per four multiply-adds
(zero-weight taps fill the list to a multiple of four; one left-over tap gets a pass
of its own). Timings, shapes (a) and (c): benchmarks/results/conv_*.json.
Read next: tinygrad_edu/conv/fast.py.
"""
import numpy as np
from numba import njit

from .direct_reference import padded_shape, tap_offsets
from .reference import output_size

TAPS_PER_PASS = 4  # taps added per pass over the accumulator row (the kernels below write out four)


def conv2d_forward(x, weight, bias, padding, dilation):
    """Stride-1 convolution: x (N, C, H, W), weight (O, C, KH, KW), bias (O,) or None -> (out, saved x)."""
    x = np.ascontiguousarray(x)
    kh, kw = weight.shape[2:]
    oh = output_size(x.shape[2], kh, 1, padding[0], dilation[0])
    ow = output_size(x.shape[3], kw, 1, padding[1], dilation[1])
    bias = np.zeros(weight.shape[0], dtype=x.dtype) if bias is None else np.ascontiguousarray(bias)
    return _correlate(x, padding, weight, bias, dilation, (oh, ow)), x


def conv2d_backward(grad_out, x, weight, input_shape, padding, dilation, need_input_grad=True):
    """(grad_input or None, grad_weight, grad_bias) from grad_out (N, O, OH, OW) and the saved input x."""
    grad_weight, grad_bias = grad_weight_and_bias(grad_out, x, padding, weight.shape[2:], dilation)
    if not need_input_grad:
        return None, grad_weight, grad_bias
    return grad_input(grad_out, weight, input_shape, padding, dilation), grad_weight, grad_bias


def grad_input(grad_out, weight, input_shape, padding, dilation):
    """d(loss)/d(x): grad_out correlated with the flipped, channel-swapped kernel."""
    kh, kw = weight.shape[2:]
    extent = (dilation[0] * (kh - 1), dilation[1] * (kw - 1))
    # The reference pads by the kernel's extent and crops the forward padding at the end;
    # padding by the difference computes only the rows kept (a negative amount crops
    # grad_out rows whose windows saw only padding: their gradient would be thrown away).
    amounts = [(extent[axis] - before, extent[axis] - after) for axis, (before, after) in enumerate(padding)]
    crop = tuple(slice(max(-before, 0), size - max(-after, 0))
                 for (before, after), size in zip(amounts, grad_out.shape[2:]))
    grad_out = np.ascontiguousarray(grad_out[:, :, crop[0], crop[1]])
    grad_padding = [(max(before, 0), max(after, 0)) for before, after in amounts]
    flipped = np.ascontiguousarray(weight[:, :, ::-1, ::-1].transpose(1, 0, 2, 3))
    no_bias = np.zeros(flipped.shape[0], dtype=grad_out.dtype)
    return _correlate(grad_out, grad_padding, flipped, no_bias, dilation, tuple(input_shape[2:]))


def grad_weight_and_bias(grad_out, x, padding, kernel_size, dilation):
    """(d(loss)/d(weight) of shape (O, C, KH, KW), d(loss)/d(bias) of shape (O,)) from the saved input x."""
    channels, hp, wp = padded_shape(x.shape, padding)
    offsets = _tap_offsets(channels, hp, wp, kernel_size, dilation)
    grad_weight, grad_bias = _grad_weight_rows(x, padding[0][0], padding[1][0], hp, wp,
                                               np.ascontiguousarray(grad_out), offsets)
    out_channels = grad_out.shape[1]
    taps = channels * kernel_size[0] * kernel_size[1]
    return grad_weight[:, :taps].reshape(out_channels, channels, *kernel_size), grad_bias


def _tap_offsets(channels, hp, wp, kernel_size, dilation):
    """The reference's tap_offsets, padded with 0s to a multiple of TAPS_PER_PASS.

    A single left-over tap is not padded: it gets a pass of its own, which costs
    about half a four-tap pass (a 3x3 kernel on one channel: 9 taps = 4 + 4 + 1).
    """
    offsets = tap_offsets(channels, hp, wp, kernel_size, dilation)
    missing = -len(offsets) % TAPS_PER_PASS
    return np.concatenate([offsets, np.zeros(missing if missing < TAPS_PER_PASS - 1 else 0, dtype=offsets.dtype)])


def _correlate(x, padding, weight, bias, dilation, out_size):
    """Valid stride-1 correlation of x (N, C, H, W), zero-padded by ``padding``, with weight (O, C, KH, KW)."""
    channels, hp, wp = padded_shape(x.shape, padding)
    out_channels = weight.shape[0]
    offsets = _tap_offsets(channels, hp, wp, weight.shape[2:], dilation)
    weights = np.zeros((out_channels, len(offsets)), dtype=x.dtype)  # zero weights for the padding taps
    weights[:, :weight[0].size] = weight.reshape(out_channels, -1)
    return _correlate_rows(x, padding[0][0], padding[1][0], hp, wp, weights, offsets, bias,
                           out_size[0], out_size[1])


@njit(cache=True)
def _pad_into(image, x, top, left, hp, wp):
    """Copy x (C, H, W) into the flat zero-padded image (C*HP*WP); its zero frame is never written."""
    channels, height, width = x.shape
    for c in range(channels):
        for y in range(height):
            start = (c * hp + top + y) * wp + left
            dst, src = image[start:start + width], x[c, y]
            for column in range(width):
                dst[column] = src[column]


@njit(cache=True, fastmath={"contract"})
def _correlate_rows(x, top, left, hp, wp, weights, offsets, bias, oh, ow):
    n_batch, channels = x.shape[:2]
    out_channels, n_taps = weights.shape
    length = (oh - 1) * wp + ow  # the full-width output row, up to the last real pixel
    out = np.empty((n_batch, out_channels, oh, ow), dtype=x.dtype)
    # One padded image at a time: it stays in cache, unlike a padded copy of the whole batch.
    # Serial on purpose: one image per prange task measured no faster in a training step.
    image = np.zeros(channels * hp * wp, dtype=x.dtype)
    acc = np.empty(length, dtype=x.dtype)
    for n in range(n_batch):
        _pad_into(image, x[n], top, left, hp, wp)
        for o in range(out_channels):
            start = bias[o]
            for p in range(length):
                acc[p] = start
            for t in range(0, n_taps - 3, 4):
                # Slices tell the compiler every index is in range: no checks, vector code.
                _add_four_taps(acc, image[offsets[t]:offsets[t] + length],
                               image[offsets[t + 1]:offsets[t + 1] + length],
                               image[offsets[t + 2]:offsets[t + 2] + length],
                               image[offsets[t + 3]:offsets[t + 3] + length],
                               weights[o, t], weights[o, t + 1], weights[o, t + 2], weights[o, t + 3])
            for t in range(n_taps - n_taps % 4, n_taps):  # the single left-over tap, if any
                _add_one_tap(acc, image[offsets[t]:offsets[t] + length], weights[o, t])
            # Element loops, not slice assignments: a slice copy of a short row has a
            # fixed cost that measured larger than the copy itself.
            for y in range(oh):
                out_row, full_row = out[n, o, y], acc[y * wp:y * wp + ow]  # skip the WP - OW throw-away columns
                for column in range(ow):
                    out_row[column] = full_row[column]
    return out


@njit(cache=True, fastmath={"contract"})
def _add_four_taps(acc, s0, s1, s2, s3, w0, w1, w2, w3):
    for p in range(acc.shape[0]):
        acc[p] += w0 * s0[p] + w1 * s1[p] + w2 * s2[p] + w3 * s3[p]


@njit(cache=True, fastmath={"contract"})
def _add_one_tap(acc, s0, w0):
    for p in range(acc.shape[0]):
        acc[p] += w0 * s0[p]


@njit(cache=True, fastmath={"contract", "reassoc"})
def _grad_weight_rows(x, top, left, hp, wp, grad_out, offsets):
    n_batch, out_channels, oh, ow = grad_out.shape
    n_taps = offsets.shape[0]
    length = (oh - 1) * wp + ow
    grad_weight = np.zeros((out_channels, n_taps), dtype=x.dtype)
    grad_bias = np.zeros(out_channels, dtype=x.dtype)
    image = np.zeros(x.shape[1] * hp * wp, dtype=x.dtype)
    row = np.zeros(length, dtype=x.dtype)  # grad_out full-width; the throw-away columns stay 0
    for n in range(n_batch):
        _pad_into(image, x[n], top, left, hp, wp)
        for o in range(out_channels):
            bias_sum = grad_bias[o]
            for y in range(oh):
                grad_row, full_row = grad_out[n, o, y], row[y * wp:y * wp + ow]
                for column in range(ow):
                    full_row[column] = grad_row[column]
                    bias_sum += grad_row[column]
            grad_bias[o] = bias_sum
            for t in range(0, n_taps - 3, 4):
                s0 = image[offsets[t]:offsets[t] + length]
                s1 = image[offsets[t + 1]:offsets[t + 1] + length]
                s2 = image[offsets[t + 2]:offsets[t + 2] + length]
                s3 = image[offsets[t + 3]:offsets[t + 3] + length]
                # Start from the running totals, not from 0.0: a Python float would turn
                # float32 sums into float64 ones, and those do not vectorise as well.
                d0, d1, d2, d3 = grad_weight[o, t], grad_weight[o, t + 1], grad_weight[o, t + 2], grad_weight[o, t + 3]
                for p in range(length):
                    d0 += row[p] * s0[p]
                    d1 += row[p] * s1[p]
                    d2 += row[p] * s2[p]
                    d3 += row[p] * s3[p]
                grad_weight[o, t], grad_weight[o, t + 1], grad_weight[o, t + 2], grad_weight[o, t + 3] = d0, d1, d2, d3
            for t in range(n_taps - n_taps % 4, n_taps):  # the single left-over tap, if any
                s0 = image[offsets[t]:offsets[t] + length]
                d0 = grad_weight[o, t]
                for p in range(length):
                    d0 += row[p] * s0[p]
                grad_weight[o, t] = d0
    return grad_weight, grad_bias
