"""The transforms: what each one draws per sample, and what it does with it.

Geometric (affine: one 3x3 matrix per sample, fused by Compose into one warp)
    RandomHorizontalFlip(p)          x -> (W-1) - x      with probability p
    RandomVerticalFlip(p)            y -> (H-1) - y      with probability p
    RandomRotation(degrees)          angle ~ U(-degrees, degrees), about the centre
    RandomTranslate(translate_px | translate_fraction)   shift ~ U(-t, t) per axis
    RandomScale(scale_range)         zoom ~ U(low, high), about the centre
    RandomShear(degrees)             x -> x + tan(angle) * y, about the centre
    RandomCrop(padding_px)           pad by p, crop back to H x W = integer shift in [-p, p]
Geometric, not affine (its own resampling pass)
    ElasticDistortion(max_displacement_px, smoothness_px)
        a random displacement field, smoothed by a Gaussian (Simard et al. 2003)
Photometric (pixel values; label maps untouched)
    RandomBrightness(delta)          x + b,             b ~ U(-delta, delta)
    RandomContrast(factor_range)     m + f (x - m),     f ~ U(low, high), m = image mean
    GaussianNoise(std)               x + std * z,       z ~ N(0, 1) per pixel
    RandomErasing(area_fraction, aspect_ratio, value)   one rectangle set to `value` ("cutout")

Transforms of one kind share their machinery: a flip (_Flip) draws a coin per
sample, an angle (_Angle) draws U(low, high), a shift (_Shift) is a translation
matrix measured in fractions of the image. Each class below adds only what makes
it itself: its arguments, its draw, its matrix or its pixel change. Its repr
comes from base.py, built from the class name and the constructor arguments.

Range edges: a photometric result outside the declared value_range RAISES by
default, naming the transform and the values it produced. Pass clip=True to
clip, explicitly; nothing is clipped behind your back.

Each transform keeps its arguments with their units in the name (degrees, _px,
_fraction), and its repr prints them, so error messages can quote it.

Read next: augment/background.py (a transform that needs the object masks).
"""
import numbers

import numpy as np

from . import affine
from .base import Transform, check_probability
from .warp import remap


def _is_number(value):
    """A finite real number: NaN compares False with everything, so a NaN range would pass every check."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and bool(np.isfinite(value))


def _symmetric_range(value, name, owner, upper=None):
    """A scalar d means (-d, d); a pair (low, high) is taken as given."""
    if _is_number(value):
        if value < 0:
            raise ValueError(f"{owner} expected {name} >= 0, got {value!r}")
        low, high = -float(value), float(value)
    else:
        try:
            low, high = (float(v) for v in value)
            if not (np.isfinite(low) and np.isfinite(high)):
                raise ValueError
        except (TypeError, ValueError):
            raise ValueError(f"{owner} expected {name} as a number or a pair (low, high), "
                             f"got {value!r}") from None
        if low > high:
            raise ValueError(f"{owner} expected {name} with low <= high, got {value!r}")
    if upper is not None and max(abs(low), abs(high)) >= upper:
        raise ValueError(f"{owner} expected |{name}| < {upper:g}, got {value!r}")
    return low, high


def _per_axis(value, name, owner):
    """translate_px=3 means 3 in both axes; (3, 1) means 3 columns, 1 row."""
    values = (value, value) if isinstance(value, numbers.Real) else tuple(value)
    if len(values) != 2 or not all(_is_number(v) and v >= 0 for v in values):
        raise ValueError(f"{owner} expected {name} as a number >= 0 or a pair (x, y), got {value!r}")
    return float(values[0]), float(values[1])


def _pair(value, name, owner):
    """(low, high) as two floats; the order and sign rules are the caller's."""
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{owner} expected {name} as a pair (low, high), got {value!r}") from None
    return low, high


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
        self.low, self.high = _symmetric_range(degrees, "degrees", type(self).__name__, upper=self.below)

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
# Affine transforms
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
            self.limit = _per_axis(translate_px, "translate_px", "RandomTranslate")
        else:
            self.limit = _per_axis(translate_fraction, "translate_fraction", "RandomTranslate")

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
        low, high = _pair(scale_range, "scale_range", "RandomScale")
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


# ----------------------------------------------------------------------------
# Elastic distortion
# ----------------------------------------------------------------------------


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

        d = gaussian_smooth(U(-1, 1) noise, smoothness_px), one field per axis
        d = d * max_displacement_px / max |d|    (the largest move is exactly max_displacement_px)
        out[y, x] = in[y + d_rows[y, x], x + d_cols[y, x]]   (bilinear; nearest for masks)
    """

    def __init__(self, max_displacement_px=2.0, smoothness_px=3.0):
        if not _is_number(max_displacement_px) or max_displacement_px < 0:
            raise ValueError(f"ElasticDistortion expected max_displacement_px >= 0, got {max_displacement_px!r}")
        if not _is_number(smoothness_px) or smoothness_px <= 0:
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


# ----------------------------------------------------------------------------
# Photometric transforms
# ----------------------------------------------------------------------------


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
        if not _is_number(delta) or delta < 0:
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
        low, high = _pair(factor_range, "factor_range", "RandomContrast")
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
        if not _is_number(std) or std < 0:
            raise ValueError(f"GaussianNoise expected std >= 0, got {std!r}")
        self.std, self.clip = float(std), bool(clip)

    def sample(self, rng, shape):
        return {"noise": self.std * rng.standard_normal(shape)}

    def apply(self, batch, params, spec, masks=None):
        return self._finish(batch + params["noise"], batch.dtype, spec), masks


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
        if not _is_number(value):
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
