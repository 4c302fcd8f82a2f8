"""Resampling, fast: warp_reference.py's interpolation as compiled loops.

Each output pixel (x, y) of a sample reads its value from the input position
its inverse map sends it to, interpolated bilinearly (images) or by nearest
neighbour (label maps: a class id must never be averaged); warp_reference.py
writes the formulas out and is the version to read first. Neighbours outside the
image read the constant `fill` (0 by default), the same rule as
skimage.transform.warp(order=1, mode="constant"). Elastic distortion is not
affine, so it gets the general form, `remap`: a coordinate field (rows, cols) per
sample saying where each output pixel reads from.

The kernels loop over samples (in parallel), rows, columns and channels; tests
hold them to the reference. They compile on first use (not at import), cache to
disk, and run as plain Python under NUMBA_DISABLE_JIT=1. The package selects
numba's "workqueue" threading layer, which does not spin between calls; calling
the kernels from several Python threads at once needs NUMBA_THREADING_LAYER=omp
or tbb (separate worker processes are fine).

Read next: augment/base.py (what every transform is: draw parameters, then apply them).
"""
import os

import numpy as np
from numba import njit, prange

from tinygrad_edu.runtime.numba_setup import configure_numba

from .warp_reference import remap_reference, warp_affine_reference  # noqa: F401  (re-exported)

# As in tinygrad_edu/kernels: the non-spinning workqueue threading layer, and a
# compile cache that can be written even when this folder cannot.
configure_numba(os.path.dirname(os.path.abspath(__file__)))

# ----------------------------------------------------------------------------
# Numba kernels: the same arithmetic as explicit loops
# ----------------------------------------------------------------------------


# inline="always": these helpers run once per pixel, and a real call (passing array
# structs each time) made the kernel three times slower than inlining them.
@njit(cache=True, inline="always")
def _read_pixel(batch, n, channel, row, col, fill):
    if row < 0 or row >= batch.shape[2] or col < 0 or col >= batch.shape[3]:
        return fill
    return batch[n, channel, row, col]


@njit(cache=True, inline="always")
def _sample_pixel(batch, n, y, x, row, col, fill, order, out):
    """Interpolate sample n at input (row, col) into out[n, :, y, x], for every channel."""
    # Indexing the whole batch (not a per-sample slice) avoids building an array view per pixel.
    if order == 0:
        row_i = int(np.floor(row + 0.5))
        col_i = int(np.floor(col + 0.5))
        for channel in range(batch.shape[1]):
            out[n, channel, y, x] = _read_pixel(batch, n, channel, row_i, col_i, fill)
        return
    row0_f = np.floor(row)
    col0_f = np.floor(col)
    d_row = row - row0_f
    d_col = col - col0_f
    row0 = int(row0_f)
    col0 = int(col0_f)
    inside = row0 >= 0 and col0 >= 0 and row0 + 1 < batch.shape[2] and col0 + 1 < batch.shape[3]
    for channel in range(batch.shape[1]):
        if inside:  # the common case: all four neighbours exist, skip the bounds checks
            top_left = batch[n, channel, row0, col0]
            top_right = batch[n, channel, row0, col0 + 1]
            bottom_left = batch[n, channel, row0 + 1, col0]
            bottom_right = batch[n, channel, row0 + 1, col0 + 1]
        else:
            top_left = _read_pixel(batch, n, channel, row0, col0, fill)
            top_right = _read_pixel(batch, n, channel, row0, col0 + 1, fill)
            bottom_left = _read_pixel(batch, n, channel, row0 + 1, col0, fill)
            bottom_right = _read_pixel(batch, n, channel, row0 + 1, col0 + 1, fill)
        top = (1.0 - d_col) * top_left + d_col * top_right
        bottom = (1.0 - d_col) * bottom_left + d_col * bottom_right
        out[n, channel, y, x] = (1.0 - d_row) * top + d_row * bottom


@njit(cache=True, parallel=True)
def _warp_affine_kernel(batch, inverse_matrices, fill, order, out):
    # Samples are spread over the CPU cores (prange). Each sample writes only its own
    # out[n]: nothing is shared or summed across threads, so the result is identical
    # to a serial loop, bit for bit, on any number of threads.
    for n in prange(batch.shape[0]):
        a = inverse_matrices[n]
        a00, a01, a02 = a[0, 0], a[0, 1], a[0, 2]  # read once per sample, not once per pixel
        a10, a11, a12 = a[1, 0], a[1, 1], a[1, 2]
        for y in range(batch.shape[2]):
            for x in range(batch.shape[3]):
                col = a00 * x + a01 * y + a02
                row = a10 * x + a11 * y + a12
                _sample_pixel(batch, n, y, x, row, col, fill, order, out)


@njit(cache=True, parallel=True)
def _remap_kernel(batch, rows, cols, fill, order, out):
    for n in prange(batch.shape[0]):  # one sample per task, as above: deterministic
        for y in range(batch.shape[2]):
            for x in range(batch.shape[3]):
                _sample_pixel(batch, n, y, x, rows[n, y, x], cols[n, y, x], fill, order, out)


# ----------------------------------------------------------------------------
# Public entry points: check the arguments, then call the kernel
# ----------------------------------------------------------------------------


def _check_batch(batch, name):
    if not isinstance(batch, np.ndarray) or batch.ndim != 4:
        shape = getattr(batch, "shape", None)
        raise ValueError(f"{name} expected a batch of shape (N, C, H, W), got {shape}")


def _check_order(order, name):
    if order not in (0, 1):
        raise ValueError(f"{name} expected order 0 (nearest) or 1 (bilinear), got {order!r}")


def _kernel_input(batch):
    # Numba compiles one version per dtype (each costs seconds once, then sits in the
    # disk cache). Images run as float32 or float64, converting float32 to float64 would
    # cost ~30% speed; label maps (ints, bools) are warped as float64 and converted back,
    # which keeps every class id exact.
    if batch.dtype in (np.float32, np.float64):
        return np.ascontiguousarray(batch)
    return np.ascontiguousarray(batch, dtype=np.float64)


def warp_affine(batch, inverse_matrices, fill=0.0, order=1):
    """Resample each sample of an (N, C, H, W) batch through its own 3x3 inverse map."""
    _check_batch(batch, "warp_affine")
    _check_order(order, "warp_affine")
    inverse_matrices = np.asarray(inverse_matrices, dtype=np.float64)
    if inverse_matrices.shape != (batch.shape[0], 3, 3):
        raise ValueError(
            f"warp_affine expected one 3x3 inverse matrix per sample, shape "
            f"({batch.shape[0]}, 3, 3), got {inverse_matrices.shape}")
    source = _kernel_input(batch)
    out = np.empty_like(source)
    _warp_affine_kernel(source, np.ascontiguousarray(inverse_matrices), float(fill), order, out)
    return out.astype(batch.dtype, copy=False)


def remap(batch, rows, cols, fill=0.0, order=1):
    """Resample each output pixel (n, y, x) from input position (rows[n, y, x], cols[n, y, x])."""
    _check_batch(batch, "remap")
    _check_order(order, "remap")
    expected = (batch.shape[0], batch.shape[2], batch.shape[3])
    rows = np.ascontiguousarray(rows, dtype=np.float64)
    cols = np.ascontiguousarray(cols, dtype=np.float64)
    if rows.shape != expected or cols.shape != expected:
        raise ValueError(f"remap expected rows and cols of shape (N, H, W) = {expected}, "
                         f"got {rows.shape} and {cols.shape}")
    source = _kernel_input(batch)
    out = np.empty_like(source)
    _remap_kernel(source, rows, cols, float(fill), order, out)
    return out.astype(batch.dtype, copy=False)
