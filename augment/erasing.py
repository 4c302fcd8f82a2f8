"""Random erasing (Cutout): hide one rectangle of every image.

A model that relies on one small region (a stroke, a mark in a corner) fails when
that region is hidden, so training on images with a random hole teaches it to
use more of the image (DeVries and Taylor 2017, Cutout; Zhong et al. 2017,
Random Erasing). Each sample draws its box:

    area   ~ U(area_fraction) * H * W
    ratio  ~ exp(U(log low, log high))          height / width, log-uniform in aspect_ratio
    height = floor(sqrt(area * ratio)),  width = floor(sqrt(area / ratio))
    top, left uniform over the positions where the box fits

and the box is set to `value` in every channel. A policy limits the erased area:
a hole large enough can remove what tells two classes apart.

Read next: augment/background.py (a transform that needs the object masks).
"""
import numpy as np

from .arguments import is_number
from .base import Transform


class RandomErasing(Transform):
    """Set one random rectangle per sample to `value` (Cutout / Random Erasing).

    Its area is a fraction ~ U(area_fraction) of the image, its height/width ratio
    log-uniform in aspect_ratio. Sides are rounded down, so the erased area never
    exceeds area_fraction[1]. Label maps are left untouched: the object is still there.
    """

    def __init__(self, area_fraction=(0.02, 0.2), aspect_ratio=(0.3, 3.3), value=0.0):
        try:
            low, high = (float(v) for v in area_fraction)
            ratio_low, ratio_high = (float(v) for v in aspect_ratio)
        except (TypeError, ValueError):
            raise ValueError("RandomErasing expected area_fraction and aspect_ratio as pairs "
                             f"(low, high), got {area_fraction!r} and {aspect_ratio!r}") from None
        if not 0 < low <= high <= 1:
            raise ValueError(f"RandomErasing expected 0 < low <= high <= 1 in area_fraction, got {area_fraction!r}")
        if not 0 < ratio_low <= ratio_high:
            raise ValueError(f"RandomErasing expected 0 < low <= high in aspect_ratio, got {aspect_ratio!r}")
        if not np.isfinite(ratio_high):
            raise ValueError(f"RandomErasing expected finite numbers in aspect_ratio, got {aspect_ratio!r}")
        if not is_number(value):
            raise ValueError(f"RandomErasing expected a number as value, got {value!r}")
        self.area_fraction = (low, high)
        self.aspect_ratio = (ratio_low, ratio_high)
        self.value = float(value)

    def sample(self, rng, shape):
        n, _, height, width = shape
        area = rng.uniform(*self.area_fraction, n) * height * width
        ratio = np.exp(rng.uniform(np.log(self.aspect_ratio[0]), np.log(self.aspect_ratio[1]), n))
        box_height = np.clip(np.floor(np.sqrt(area * ratio)), 1, height).astype(np.int64)
        box_width = np.clip(np.floor(np.sqrt(area / ratio)), 1, width).astype(np.int64)
        return {"top": rng.integers(0, height - box_height + 1),
                "left": rng.integers(0, width - box_width + 1),
                "height": box_height, "width": box_width}

    def apply(self, batch, params, spec, masks=None):
        if spec.value_range is not None and not spec.value_range[0] <= self.value <= spec.value_range[1]:
            raise ValueError(f"{self!r} erases with value={self.value:g}, outside the declared "
                             f"value_range [{spec.value_range[0]:g}, {spec.value_range[1]:g}]")
        _, _, height, width = batch.shape
        rows = np.arange(height)[None, :]
        cols = np.arange(width)[None, :]
        in_rows = (rows >= params["top"][:, None]) & (rows < (params["top"] + params["height"])[:, None])
        in_cols = (cols >= params["left"][:, None]) & (cols < (params["left"] + params["width"])[:, None])
        erased = in_rows[:, None, :, None] & in_cols[:, None, None, :]
        return np.where(erased, batch.dtype.type(self.value), batch), masks

    def extent(self, shape=None):
        return {"erase_fraction": self.area_fraction[1]}

    def drawn_extent(self, params, shape):
        return {"erase_fraction": params["height"] * params["width"] / (shape[2] * shape[3])}
