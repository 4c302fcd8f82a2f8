"""What it means to hide a superpixel: the fill image.

LIME never deletes pixels; it replaces a hidden superpixel by the same region
of a fill image F, so a perturbed image is, pixel by pixel,
    perturbed = image  where the pixel's superpixel is on,   F  where it is off.
The choice of F decides which questions the explanation can answer:
    mean      F = each superpixel's own mean colour (lime's default). Keeps colour:
              a "snow" model that keys on white still sees white, so the snow
              shortcut stays hidden.
    constant  F = one colour everywhere (e.g. black). Removes colour as well as
              texture, so a colour shortcut shows up as large weights.
    blur      F = a Gaussian blur of the image. Removes detail, keeps the layout.
The explanation records which fill it used (`explanation.fill`), because weights
computed under different fills answer different questions.
Read next: explain/lime/perturb_reference.py (building many perturbed images at once).
"""
import numpy as np
from skimage.filters import gaussian

FILLS = ("mean", "constant", "blur")


def mean_fill(image_hwc, segments):
    """Each superpixel painted with its own mean colour, channel by channel (np.bincount)."""
    num_segments = segments.max() + 1
    flat_segments = segments.ravel()
    pixel_count = np.bincount(flat_segments, minlength=num_segments)
    fill = np.empty(image_hwc.shape, dtype=np.float64)
    for channel in range(image_hwc.shape[2]):
        total = np.bincount(flat_segments, weights=image_hwc[..., channel].ravel().astype(np.float64),
                            minlength=num_segments)
        fill[..., channel] = (total / np.maximum(pixel_count, 1))[segments]
    return fill


def constant_fill(image_hwc, value):
    """One colour everywhere: a scalar, or one value per channel."""
    value = np.asarray(value, dtype=np.float64)
    channels = image_hwc.shape[2]
    if value.ndim > 1 or (value.ndim == 1 and value.shape[0] not in (1, channels)):
        raise ValueError(
            f"hide_color must be a number or {channels} per-channel values for an image with "
            f"{channels} channels; got shape {value.shape}")
    return np.broadcast_to(value.reshape(-1) if value.ndim else value, image_hwc.shape).astype(np.float64)


def blur_fill(image_hwc, sigma=None):
    """A Gaussian blur; by default sigma is 1/16 of the larger side."""
    if sigma is None:
        sigma = max(image_hwc.shape[:2]) / 16.0
    return gaussian(image_hwc.astype(np.float64), sigma=sigma, channel_axis=-1, preserve_range=True)


def make_fill(image_hwc, segments, hide_color=None):
    """The fill image in the image's dtype, and its name.

    hide_color: None or 'mean' -> mean fill (lime's default); 'blur' -> blur fill;
    a number or per-channel sequence -> constant fill (lime's meaning of hide_color).
    """
    if hide_color is None or (isinstance(hide_color, str) and hide_color == "mean"):
        fill, name = mean_fill(image_hwc, segments), "mean"
    elif isinstance(hide_color, str) and hide_color == "blur":
        fill, name = blur_fill(image_hwc), "blur"
    elif isinstance(hide_color, str):
        raise ValueError(f"hide_color must be None, 'mean', 'blur' or a colour value, got {hide_color!r}")
    else:
        fill, name = constant_fill(image_hwc, hide_color), "constant"
    return to_dtype(fill, image_hwc.dtype), name


def to_dtype(values, dtype):
    """Round and clip into an integer dtype's range; floats pass through."""
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return np.clip(np.round(values), info.min, info.max).astype(dtype)
    return np.asarray(values, dtype=dtype)
