"""Geometric transforms: one 3x3 matrix per sample, fused by Compose into one warp.

    RandomHorizontalFlip(p)          x -> (W-1) - x      with probability p
    RandomVerticalFlip(p)            y -> (H-1) - y      with probability p
    RandomRotation(degrees)          angle ~ U(-degrees, degrees), about the centre
    RandomShear(degrees)             x -> x + tan(angle) * y, about the centre
    RandomTranslate(translate_px | translate_fraction)   shift ~ U(-t, t) per axis
    RandomCrop(padding_px)           pad by p, crop back to H x W = integer shift in [-p, p]
    RandomScale(scale_range)         zoom ~ U(low, high), about the centre

Each one draws its numbers per sample (`sample`) and turns them into matrices with
affine.py (`matrices`); base.py's `apply` then resamples the batch once.
Transforms of one kind share their machinery: a flip (_Flip) draws a coin per
sample, an angle (_Angle) draws U(low, high), a shift (_Shift) is a translation
matrix, measured by a policy in fractions of the image. Each class adds only what
makes it itself: its arguments, its draw, its matrix.

Read next: augment/elastic.py (a change of geometry that no matrix describes).
"""
import numbers

import numpy as np

from . import affine
from .arguments import check_probability, pair, per_axis, symmetric_range
from .base import Transform


# ----------------------------------------------------------------------------
# Families: the machinery transforms of one kind share
# ----------------------------------------------------------------------------


class _Flip(Transform):
    """Mirror one axis (`axis`), each sample independently, with probability p."""
    affine = True
    axis = None  # "horizontal" or "vertical"

    def __init__(self, p=0.5):
        self.p = check_probability(p, type(self).__name__)

    def sample(self, rng, shape):
        return {"flip": rng.random(shape[0]) < self.p}

    def flips(self, params, n):
        flipped, kept = np.asarray(params["flip"], bool), np.zeros(n, bool)
        return (flipped, kept) if self.axis == "horizontal" else (kept, flipped)

    def extent(self, shape=None):
        return {f"{self.axis}_flip": self.p > 0}

    def drawn_extent(self, params, shape):
        return {f"{self.axis}_flip": np.asarray(params["flip"], bool)}


class _Angle(Transform):
    """One angle per sample, ~ U(-degrees, degrees) (or U(low, high) for a pair).

    `drawn_as` names the angle in the params, `limited_as` the policy key that
    limits |angle|; `below` is a bound |degrees| must stay under, if any.
    """
    affine = True
    drawn_as = limited_as = None
    below = None

    def __init__(self, degrees):
        self.degrees = degrees
        self.low, self.high = symmetric_range(degrees, "degrees", type(self).__name__, upper=self.below)

    def sample(self, rng, shape):
        return {self.drawn_as: rng.uniform(self.low, self.high, shape[0])}

    def extent(self, shape=None):
        return {self.limited_as: max(abs(self.low), abs(self.high))}

    def drawn_extent(self, params, shape):
        return {self.limited_as: np.abs(params[self.drawn_as])}


class _Shift(Transform):
    """Move each sample by (dx_px, dy_px); a policy sees the larger of |dx| / W and |dy| / H."""
    affine = True

    def matrices(self, params, shape):
        return affine.translation(params["dx_px"], params["dy_px"])

    def drawn_extent(self, params, shape):
        return {"translate_fraction": np.maximum(np.abs(params["dx_px"]) / shape[3],
                                                 np.abs(params["dy_px"]) / shape[2])}


# ----------------------------------------------------------------------------
# The transforms
# ----------------------------------------------------------------------------


class RandomHorizontalFlip(_Flip):
    """Mirror left <-> right, each sample independently, with probability p."""
    axis = "horizontal"

    def matrices(self, params, shape):
        return affine.horizontal_flip(params["flip"], shape[3])


class RandomVerticalFlip(_Flip):
    """Mirror top <-> bottom, each sample independently, with probability p."""
    axis = "vertical"

    def matrices(self, params, shape):
        return affine.vertical_flip(params["flip"], shape[2])


class RandomRotation(_Angle):
    """Rotate about the centre by an angle ~ U(-degrees, degrees) (or U(low, high) for a pair)."""
    drawn_as, limited_as = "degrees", "rotation_degrees"

    def __init__(self, degrees=15.0):
        super().__init__(degrees)

    def matrices(self, params, shape):
        return affine.rotation(params["degrees"], shape[2], shape[3])


class RandomShear(_Angle):
    """Horizontal shear about the centre by an angle ~ U(-degrees, degrees)."""
    drawn_as = limited_as = "shear_degrees"
    below = 90  # tan(90 degrees) is infinite

    def __init__(self, degrees=10.0):
        super().__init__(degrees)

    def matrices(self, params, shape):
        return affine.shear(params["shear_degrees"], shape[2], shape[3])


class RandomTranslate(_Shift):
    """Shift by dx ~ U(-tx, tx) columns and dy ~ U(-ty, ty) rows (sub-pixel, bilinear).

    Give the limit either in pixels (translate_px) or as a fraction of the image
    width/height (translate_fraction), as one number or an (x, y) pair.
    """

    def __init__(self, translate_px=None, translate_fraction=None):
        if (translate_px is None) == (translate_fraction is None):
            raise ValueError("RandomTranslate expected exactly one of translate_px or "
                             f"translate_fraction, got translate_px={translate_px!r}, "
                             f"translate_fraction={translate_fraction!r}")
        self.translate_px = translate_px
        self.translate_fraction = translate_fraction
        if translate_px is not None:
            self.limit = per_axis(translate_px, "translate_px", "RandomTranslate")
        else:
            self.limit = per_axis(translate_fraction, "translate_fraction", "RandomTranslate")

    def _limit_px(self, shape):
        if self.translate_px is not None:
            return self.limit
        return self.limit[0] * shape[3], self.limit[1] * shape[2]

    def sample(self, rng, shape):
        limit_x, limit_y = self._limit_px(shape)
        return {"dx_px": rng.uniform(-limit_x, limit_x, shape[0]),
                "dy_px": rng.uniform(-limit_y, limit_y, shape[0])}

    def extent(self, shape=None):
        if self.translate_fraction is not None:
            return {"translate_fraction": max(self.limit)}
        if shape is None:
            return {}
        return {"translate_fraction": max(self.limit[0] / shape[3], self.limit[1] / shape[2])}


class RandomCrop(_Shift):
    """Pad by padding_px (with the fill value), then crop a random H x W window.

    Cropping the padded image back to its own size is exactly an integer shift
    in [-padding_px, padding_px] per axis, so it is affine and joins the single warp.
    """

    def __init__(self, padding_px=4):
        if not isinstance(padding_px, numbers.Integral) or isinstance(padding_px, bool) or padding_px < 0:
            raise ValueError(f"RandomCrop expected an integer padding_px >= 0, got {padding_px!r}")
        self.padding_px = int(padding_px)

    def sample(self, rng, shape):
        p = self.padding_px
        return {"dx_px": rng.integers(-p, p + 1, shape[0]).astype(float),
                "dy_px": rng.integers(-p, p + 1, shape[0]).astype(float)}

    def extent(self, shape=None):
        if shape is None:
            return {}
        return {"translate_fraction": self.padding_px / min(shape[2], shape[3])}


class RandomScale(Transform):
    """Zoom about the centre by a factor ~ U(low, high); > 1 enlarges the content."""
    affine = True

    def __init__(self, scale_range=(0.9, 1.1)):
        low, high = pair(scale_range, "scale_range", "RandomScale")
        if not 0 < low <= high:
            raise ValueError(f"RandomScale expected 0 < low <= high in scale_range, got {scale_range!r}")
        if not np.isfinite(high):
            raise ValueError(f"RandomScale expected finite numbers in scale_range, got {scale_range!r}")
        self.scale_range = (low, high)

    def sample(self, rng, shape):
        return {"scale": rng.uniform(*self.scale_range, shape[0])}

    def matrices(self, params, shape):
        return affine.scaling(params["scale"], shape[2], shape[3])

    def extent(self, shape=None):
        return {"scale": self.scale_range}

    def drawn_extent(self, params, shape):
        return {"scale": np.asarray(params["scale"], float)}
