"""Photometric transforms: change pixel values, leave positions (and label maps) alone.

    RandomBrightness(delta)          x + b,             b ~ U(-delta, delta)
    RandomContrast(factor_range)     m + f (x - m),     f ~ U(low, high), m = image mean
    GaussianNoise(std)               x + std * z,       z ~ N(0, 1) per pixel

Each draws its numbers per sample, like every transform; for noise the whole
noise image is the parameter, so `replay` adds the same noise again. No pixel
moves, so a label policy has nothing to limit here.

Range edges: a result outside the declared value_range RAISES by default, naming
the transform and the values it produced. Pass clip=True to clip, explicitly;
nothing is clipped behind your back.

Read next: augment/erasing.py (hiding part of the image).
"""
import numpy as np

from .arguments import is_number, pair
from .base import Transform


class _Photometric(Transform):
    """Shared range-edge rule: raise if a result leaves value_range, unless clip=True."""

    def _finish(self, values, dtype, spec):
        values = values.astype(dtype, copy=False)
        if spec.value_range is None:
            if self.clip:
                raise ValueError(f"{self!r} was asked to clip, but no value_range is declared")
            return values
        low, high = spec.value_range
        if self.clip:
            return np.clip(values, low, high, out=values)
        seen_low, seen_high = float(values.min()), float(values.max())
        if seen_low < low or seen_high > high:
            raise ValueError(
                f"{self!r} produced values in [{seen_low:.4g}, {seen_high:.4g}], outside the "
                f"declared value_range [{low:g}, {high:g}]; pass clip=True to clip explicitly, "
                f"or make the transform weaker")
        return values


class RandomBrightness(_Photometric):
    """Add one offset b ~ U(-delta, delta) to every pixel of a sample."""

    def __init__(self, delta=0.1, clip=False):
        if not is_number(delta) or delta < 0:
            raise ValueError(f"RandomBrightness expected delta >= 0, got {delta!r}")
        self.delta, self.clip = float(delta), bool(clip)

    def sample(self, rng, shape):
        return {"offset": rng.uniform(-self.delta, self.delta, shape[0])}

    def apply(self, batch, params, spec, masks=None):
        values = batch + params["offset"][:, None, None, None]
        return self._finish(values, batch.dtype, spec), masks


class RandomContrast(_Photometric):
    """Stretch about the image mean m: m + f (x - m), with f ~ U(low, high)."""

    def __init__(self, factor_range=(0.8, 1.2), clip=False):
        low, high = pair(factor_range, "factor_range", "RandomContrast")
        if not 0 <= low <= high:
            raise ValueError(f"RandomContrast expected 0 <= low <= high in factor_range, got {factor_range!r}")
        if not np.isfinite(high):
            raise ValueError(f"RandomContrast expected finite numbers in factor_range, got {factor_range!r}")
        self.factor_range, self.clip = (low, high), bool(clip)

    def sample(self, rng, shape):
        return {"factor": rng.uniform(*self.factor_range, shape[0])}

    def apply(self, batch, params, spec, masks=None):
        mean = batch.mean(axis=(1, 2, 3), keepdims=True, dtype=np.float64)
        values = mean + params["factor"][:, None, None, None] * (batch - mean)
        return self._finish(values, batch.dtype, spec), masks


class GaussianNoise(_Photometric):
    """Add independent N(0, std^2) noise to every pixel. The noise itself is the parameter."""

    def __init__(self, std=0.05, clip=False):
        if not is_number(std) or std < 0:
            raise ValueError(f"GaussianNoise expected std >= 0, got {std!r}")
        self.std, self.clip = float(std), bool(clip)

    def sample(self, rng, shape):
        return {"noise": self.std * rng.standard_normal(shape)}

    def apply(self, batch, params, spec, masks=None):
        return self._finish(batch + params["noise"], batch.dtype, spec), masks
