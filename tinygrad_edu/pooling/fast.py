"""Max pooling compiled by Numba: the fast half of reference.py.

One pass over the output: for each output cell, scan its window, keep the
largest value and the flat index of where it was (strictly larger wins, so on a
tie the first maximum in reading order keeps the gradient, as in PyTorch; the
first NaN wins, so NaNs propagate as in PyTorch). Cells outside the image are
skipped rather than padded with -infinity, which saves a padded copy.

The backward pass adds each output gradient at its recorded index. Images are
visited one after another in a fixed order, so overlapping windows add up in
the same order every run and the result is bit-identical.

Read next: tinygrad_edu/pooling/op.py.
"""
import numpy as np
from numba import njit

from ..conv.reference import output_size


def max_pool2d_forward(x, kernel_size, stride, padding):
    """x (N, C, H, W) -> (out (N, C, OH, OW), argmax: each winner's flat index in its H*W plane, int32)."""
    (kh, kw), (sh, sw), (ph, pw) = kernel_size, stride, padding
    oh, ow = output_size(x.shape[2], kh, sh, (ph, ph), 1), output_size(x.shape[3], kw, sw, (pw, pw), 1)
    x = np.ascontiguousarray(x)
    if (kh, kw, sh, sw, ph, pw) == (2, 2, 2, 2, 0, 0):
        return _max_pool2x2_forward(x, oh, ow)
    return _max_pool2d_forward(x, kh, kw, sh, sw, ph, pw, oh, ow)


def max_pool2d_backward(grad_out, argmax, input_shape):
    """Send each output's gradient to its window's winner; overlapping windows add up."""
    n_batch, channels, height, width = input_shape
    grad_input = _max_pool2d_backward(np.ascontiguousarray(grad_out), argmax, height * width)
    return grad_input.reshape(input_shape)


@njit(cache=True)
def _wins(candidate, best):
    """Does ``candidate`` replace ``best``? If larger, or NaN while best is not (the first NaN stays)."""
    # "not <=" is also true for a NaN candidate; "best == best" is false once best is NaN.
    return (not (candidate <= best)) & (best == best)


@njit(cache=True)
def _max_pool2d_forward(x, kh, kw, sh, sw, ph, pw, oh, ow):
    n_batch, channels, height, width = x.shape
    out = np.empty((n_batch, channels, oh, ow), dtype=x.dtype)
    argmax = np.empty((n_batch, channels, oh, ow), dtype=np.int32)  # half of int64's memory traffic
    for n in range(n_batch):
        for c in range(channels):
            plane = x[n, c]
            for y in range(oh):
                row_start = max(y * sh - ph, 0)
                row_stop = min(y * sh - ph + kh, height)
                for x_out in range(ow):
                    column_start = max(x_out * sw - pw, 0)
                    column_stop = min(x_out * sw - pw + kw, width)
                    best = plane[row_start, column_start]
                    best_index = row_start * width + column_start
                    for row in range(row_start, row_stop):
                        for column in range(column_start, column_stop):
                            value = plane[row, column]
                            if _wins(value, best):
                                best = value
                                best_index = row * width + column
                    out[n, c, y, x_out] = best
                    argmax[n, c, y, x_out] = best_index
    return out, argmax


@njit(cache=True, error_model="numpy")
def _max_pool2x2_forward(x, oh, ow):
    """The lecture's MaxPool2d(2) (2x2 windows, stride 2, no padding): the same scan, written out.

    Three things make the compiler emit vector code for it: the four taps are
    written out and picked with selects, not branches (loops over a window of
    run-time size are too short to unroll); the stride is the constant 2, so
    the loads are regular (with the stride as an argument the same loop
    measured no faster than the general kernel); and the rows are slices, so
    every index is known to be in range. Timings: benchmarks/results/conv_*.json.
    """
    n_batch, channels, height, width = x.shape
    out = np.empty((n_batch, channels, oh, ow), dtype=x.dtype)
    argmax = np.empty((n_batch, channels, oh, ow), dtype=np.int32)  # half of int64's memory traffic
    one, row_step = np.int32(1), np.int32(width)
    for n in range(n_batch):
        for c in range(channels):
            for y in range(oh):
                top, bottom = x[n, c, 2 * y, :2 * ow], x[n, c, 2 * y + 1, :2 * ow]
                out_row, index_row = out[n, c, y], argmax[n, c, y]
                row_start = np.int32(2 * y * width)
                for x_out in range(ow):
                    left = 2 * x_out
                    best, offset = top[left], np.int32(0)  # reading order: top-left, top-right, bottom-left, bottom-right
                    wins = _wins(top[left + 1], best)
                    best, offset = (top[left + 1], one) if wins else (best, offset)
                    wins = _wins(bottom[left], best)
                    best, offset = (bottom[left], row_step) if wins else (best, offset)
                    wins = _wins(bottom[left + 1], best)
                    best, offset = (bottom[left + 1], row_step + one) if wins else (best, offset)
                    out_row[x_out] = best
                    index_row[x_out] = row_start + np.int32(left) + offset
    return out, argmax


@njit(cache=True)
def _max_pool2d_backward(grad_out, argmax, plane_size):
    n_batch, channels, oh, ow = grad_out.shape
    grad_input = np.zeros((n_batch, channels, plane_size), dtype=grad_out.dtype)
    for n in range(n_batch):
        for c in range(channels):
            for y in range(oh):
                for x_out in range(ow):
                    grad_input[n, c, argmax[n, c, y, x_out]] += grad_out[n, c, y, x_out]
    return grad_input


def max_pool1d_forward(x, kernel_size, stride, padding):
    """x (N, C, L): the 2-D max pool of an image of height 1."""
    out, argmax = max_pool2d_forward(x[:, :, None, :], (1, kernel_size), (1, stride), (0, padding))
    return out[:, :, 0, :], argmax[:, :, 0, :]


def max_pool1d_backward(grad_out, argmax, input_shape):
    grad_input = max_pool2d_backward(grad_out[:, :, None, :], argmax[:, :, None, :],
                                     input_shape[:2] + (1, input_shape[2]))
    return grad_input.reshape(input_shape)
