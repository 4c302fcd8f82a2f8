"""Resampling, the reference: the formulas of warp.py, vectorised over one sample's pixels.

Given the inverse map A = inv(M) of a sample, output pixel (x, y) takes its
value from input position (u, v, 1) = A @ (x, y, 1). That position is rarely a
pixel centre, so we interpolate:

    bilinear (images):     r0 = floor(v), c0 = floor(u), dr = v - r0, dc = u - c0
        value = (1-dr)(1-dc) I[r0, c0]   + (1-dr) dc I[r0, c0+1]
              +    dr (1-dc) I[r0+1, c0] +    dr  dc I[r0+1, c0+1]
    nearest (label maps):  value = I[floor(v + 0.5), floor(u + 0.5)]

Neighbours outside the image read the constant ``fill``. ``warp_affine_reference``
turns each inverse matrix into a coordinate field (rows, cols) and hands it to
``remap_reference``, which samples every pixel at once with numpy. Slow (it builds
four gathered copies of each image) but a line-for-line picture of the math; the
tests hold warp.py's Numba kernels to it.
Read next: augment/warp.py (the same arithmetic as compiled loops, and the entry points).
"""
import numpy as np


def _read(image, rows, cols, fill):
    """image[:, rows, cols], with `fill` wherever (rows, cols) is outside the image."""
    _, height, width = image.shape
    inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
    values = image[:, np.clip(rows, 0, height - 1), np.clip(cols, 0, width - 1)]
    return np.where(inside, values, fill)


def _bilinear_reference(image, rows, cols, fill):
    row0, col0 = np.floor(rows), np.floor(cols)
    d_row, d_col = rows - row0, cols - col0
    row0, col0 = row0.astype(np.int64), col0.astype(np.int64)
    top = (1 - d_col) * _read(image, row0, col0, fill) + d_col * _read(image, row0, col0 + 1, fill)
    bottom = (1 - d_col) * _read(image, row0 + 1, col0, fill) + d_col * _read(image, row0 + 1, col0 + 1, fill)
    return (1 - d_row) * top + d_row * bottom


def _nearest_reference(image, rows, cols, fill):
    row, col = np.floor(rows + 0.5).astype(np.int64), np.floor(cols + 0.5).astype(np.int64)
    return _read(image, row, col, fill)


def _source_coordinates(inverse_matrix, height, width):
    """Where every output pixel reads from: (rows, cols), each (H, W)."""
    out_rows, out_cols = np.mgrid[0:height, 0:width].astype(np.float64)
    a = inverse_matrix
    cols = a[0, 0] * out_cols + a[0, 1] * out_rows + a[0, 2]
    rows = a[1, 0] * out_cols + a[1, 1] * out_rows + a[1, 2]
    return rows, cols


def remap_reference(batch, rows, cols, fill=0.0, order=1):
    """Reference remap: out[n, :, y, x] = interpolate(batch[n], rows[n, y, x], cols[n, y, x])."""
    sample = _bilinear_reference if order == 1 else _nearest_reference
    out = np.empty_like(batch)
    for n in range(batch.shape[0]):
        out[n] = sample(batch[n].astype(np.float64), rows[n], cols[n], fill)
    return out


def warp_affine_reference(batch, inverse_matrices, fill=0.0, order=1):
    """Reference affine warp: the inverse map of each sample turned into a coordinate field."""
    n, _, height, width = batch.shape
    rows = np.empty((n, height, width))
    cols = np.empty((n, height, width))
    for i in range(n):
        rows[i], cols[i] = _source_coordinates(inverse_matrices[i], height, width)
    return remap_reference(batch, rows, cols, fill, order)
