"""Elastic distortion: a change of geometry that no 3x3 matrix describes.

Handwriting wobbles: strokes bend here and there, not the whole image at once.
Simard et al. (2003) imitate that with a smooth random displacement field per sample:

    d = gaussian_smooth(U(-1, 1) noise, smoothness_px), one field per axis
    d = d * max_displacement_px / max |d|    (the largest move is exactly max_displacement_px)
    out[y, x] = in[y + d_rows[y, x], x + d_cols[y, x]]   (bilinear; nearest for masks)

A Gaussian blur of std sigma averages the noise over about sigma pixels, so
neighbouring pixels move together and strokes bend instead of tearing. Not being
affine, the distortion cannot join Compose's single warp: it resamples in a pass
of its own, through warp.py's general `remap` (a source position per output pixel).

Read next: augment/photometric.py (changing pixel values instead of positions).
"""
import numpy as np

from .arguments import is_number
from .base import Transform
from .warp import remap


def gaussian_smooth(fields, sigma):
    """Blur (N, H, W) fields with a Gaussian of std `sigma` pixels, one axis at a time.

    A 2-D Gaussian is the product of two 1-D ones, so blurring rows then columns
    costs 2k instead of k^2 multiplications per pixel.
    """
    radius = max(1, int(np.ceil(3 * sigma)))
    offsets = np.arange(-radius, radius + 1)
    kernel = np.exp(-offsets ** 2 / (2.0 * sigma ** 2))
    kernel /= kernel.sum()
    for axis in (1, 2):
        size = fields.shape[axis]
        pad = [(0, 0)] * 3
        pad[axis] = (radius, radius)
        padded = np.pad(fields, pad, mode="edge")
        smoothed = np.zeros_like(fields)
        for k, weight in enumerate(kernel):
            smoothed += weight * np.take(padded, np.arange(k, k + size), axis=axis)
        fields = smoothed
    return fields


class ElasticDistortion(Transform):
    """Move every pixel along a smooth random displacement field (handwriting-like wobble).

    The field is Gaussian-smoothed noise, rescaled so that the largest move is exactly
    max_displacement_px; images are resampled bilinearly, label maps by nearest neighbour.
    """

    def __init__(self, max_displacement_px=2.0, smoothness_px=3.0):
        if not is_number(max_displacement_px) or max_displacement_px < 0:
            raise ValueError(f"ElasticDistortion expected max_displacement_px >= 0, got {max_displacement_px!r}")
        if not is_number(smoothness_px) or smoothness_px <= 0:
            raise ValueError(f"ElasticDistortion expected smoothness_px > 0, got {smoothness_px!r}")
        self.max_displacement_px = float(max_displacement_px)
        self.smoothness_px = float(smoothness_px)

    def sample(self, rng, shape):
        n, _, height, width = shape
        d_rows = gaussian_smooth(rng.uniform(-1, 1, (n, height, width)), self.smoothness_px)
        d_cols = gaussian_smooth(rng.uniform(-1, 1, (n, height, width)), self.smoothness_px)
        length = np.sqrt(d_rows ** 2 + d_cols ** 2).max(axis=(1, 2))
        scale = self.max_displacement_px / np.maximum(length, 1e-12)
        return {"d_rows": d_rows * scale[:, None, None], "d_cols": d_cols * scale[:, None, None]}

    def apply(self, batch, params, spec, masks=None):
        n, _, height, width = batch.shape
        grid_rows, grid_cols = np.mgrid[0:height, 0:width].astype(np.float64)
        rows = grid_rows + params["d_rows"]
        cols = grid_cols + params["d_cols"]
        batch = remap(batch, rows, cols, fill=spec.fill, order=1)
        if masks is not None:
            masks = remap(masks, rows, cols, fill=spec.mask_fill, order=0)
        return batch, masks

    def extent(self, shape=None):
        if shape is None:
            return {}
        return {"elastic_fraction": self.max_displacement_px / min(shape[2], shape[3])}

    def drawn_extent(self, params, shape):
        length = np.sqrt(params["d_rows"] ** 2 + params["d_cols"] ** 2)
        return {"elastic_fraction": length.max(axis=(1, 2)) / min(shape[2], shape[3])}
