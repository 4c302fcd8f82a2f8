"""im2col and col2im, fast: the same results as im2col_reference.py's loops.

Both are the reference's loops in the same order, compiled by Numba, with two changes:

  - no padded copy of the image. A window cell that falls on the padding is
    written as 0 by im2col and skipped by col2im; for each kernel tap (i, j)
    the output columns whose input column lies inside the image form one range,
    computed once per tap, so the innermost loop has no test in it;
  - the innermost loop walks one output row through slices (``dst[k] = src[k]``
    on two slices of the same length), which tells the compiler that every index
    is in range: no bounds or wrap-around checks, vector instructions.

col2im visits one image plane (n, c) at a time, so the plane it adds into stays
in the fastest cache. Both spread their outer loop over the cores (prange):
im2col one channel per task, col2im one image per task. Each task writes only
its own part of the result and adds in the loops' order, so results are
bit-identical from run to run and for any number of threads. Why threads pay
here: OpenBLAS's idle threads sleep between matrix products instead of spinning
on the second core (runtime/numba_setup.py). Timings: benchmarks/results/conv_*.json.
Read next: tinygrad_edu/conv/direct_reference.py.
"""
import numpy as np
from numba import njit, prange


def im2col(x, kernel_size, stride, padding, dilation, out_size):
    """Copy every window of x (N, C, H, W), zero-padded by ``padding``, into a column: (C*KH*KW, N*OH*OW)."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel_size, stride, dilation, out_size
    (top, _), (left, _) = padding
    cols = _im2col(np.ascontiguousarray(x), kh, kw, sh, sw, dh, dw, top, left, oh, ow)
    return cols.reshape(x.shape[1] * kh * kw, -1)  # (C*KH*KW, N*OH*OW); -1 also copes with N = 0


def col2im(cols, input_shape, kernel_size, stride, padding, dilation, out_size):
    """The adjoint of im2col: add every column entry back onto its pixel of an (N, C, H, W) image."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel_size, stride, dilation, out_size
    (top, _), (left, _) = padding
    n_batch, channels = input_shape[:2]
    windows = np.ascontiguousarray(cols).reshape(channels, kh, kw, n_batch, oh, ow)
    return _col2im(windows, tuple(input_shape), sh, sw, dh, dw, top, left)


@njit(cache=True)
def _inside(offset, step, size, count):
    """(first, stop): the outputs k < count whose input k*step + offset lies in [0, size)."""
    first = 0 if offset >= 0 else (-offset + step - 1) // step
    stop = 0 if offset >= size else min(count, (size - 1 - offset) // step + 1)
    return first, max(first, stop)


@njit(cache=True, parallel=True)
def _im2col(x, kh, kw, sh, sw, dh, dw, top, left, oh, ow):
    n_batch, channels, height, width = x.shape
    windows = np.empty((channels, kh, kw, n_batch, oh, ow), dtype=x.dtype)
    for c in prange(channels):  # each channel's rows of the matrix are written by one thread
        for i in range(kh):
            for j in range(kw):
                offset = j * dw - left  # input column of output column 0 for this tap
                first, stop = _inside(offset, sw, width, ow)
                for n in range(n_batch):
                    for y in range(oh):
                        dst = windows[c, i, j, n, y]
                        row = y * sh + i * dh - top
                        if row < 0 or row >= height:
                            dst[:] = 0
                            continue
                        dst[:first] = 0
                        dst[stop:] = 0
                        src = x[n, c, row]
                        if sw == 1:
                            inside, source = dst[first:stop], src[first + offset:stop + offset]
                            for k in range(stop - first):
                                inside[k] = source[k]
                        else:
                            for k in range(first, stop):
                                dst[k] = src[k * sw + offset]
    return windows


@njit(cache=True, parallel=True)
def _col2im(windows, input_shape, sh, sw, dh, dw, top, left):
    channels, kh, kw, n_batch, oh, ow = windows.shape
    height, width = input_shape[2], input_shape[3]
    image = np.empty((n_batch, channels, height, width), dtype=windows.dtype)
    for n in prange(n_batch):  # one thread adds up a whole image, always in the same order
        for c in range(channels):
            plane = image[n, c]
            plane[:] = 0
            for i in range(kh):
                for j in range(kw):
                    offset = j * dw - left
                    first, stop = _inside(offset, sw, width, ow)
                    for y in range(oh):
                        row = y * sh + i * dh - top
                        if row < 0 or row >= height:
                            continue  # this window row lay on the padding
                        src, dst = windows[c, i, j, n, y], plane[row]
                        if sw == 1:
                            inside, target = src[first:stop], dst[first + offset:stop + offset]
                            for k in range(stop - first):
                                target[k] += inside[k]
                        else:
                            for k in range(first, stop):
                                dst[k * sw + offset] += src[k]
    return image
