"""Layouts and value ranges: turning whatever the user has into one batch.

Inside `augment/` every transform sees one kind of array, a float batch (N, C, H, W),
the engine's layout; the pipeline converts at the door and back on the way out:

    layout   shape          becomes (N, C, H, W) by
    NCHW     (N, C, H, W)   nothing
    NHWC     (N, H, W, C)   moving the channel axis forward
    NHW      (N, H, W)      adding C = 1
    CHW      (C, H, W)      adding N = 1
    HWC      (H, W, C)      moving channels forward, adding N = 1
    HW       (H, W)         adding N = 1 and C = 1

The layout is *declared*, never guessed (a (28, 28, 3) array could be HWC or 28
images three pixels wide), but it is checked: images have 1, 3 or 4 channels and no
more channels than rows or columns, so (8, 3, 28, 28) declared NHWC is refused, with
both readings side by side. Values are floats in a declared range, (0, 1) by default;
uint8, values outside the range and NaN are errors: silent rescaling hides data bugs.

Read next: augment/affine.py (geometric transforms as 3x3 matrices).
"""
import numpy as np

LAYOUTS = {
    "NCHW": "(N, C, H, W)",
    "NHWC": "(N, H, W, C)",
    "NHW": "(N, H, W)",
    "CHW": "(C, H, W)",
    "HWC": "(H, W, C)",
    "HW": "(H, W)",
}


PLAUSIBLE_CHANNELS = (1, 3, 4)
_SWAPPED = {"NCHW": "NHWC", "NHWC": "NCHW", "CHW": "HWC", "HWC": "CHW"}


def check_layout(layout):
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")


def check_value_range(value_range):
    """A declared range is (low, high) with low < high, or None for 'unbounded'."""
    if value_range is None:
        return None
    try:
        low, high = (float(v) for v in value_range)
    except (TypeError, ValueError):
        raise ValueError(f"value_range must be a pair (low, high) or None, got {value_range!r}") from None
    if not low < high:
        raise ValueError(f"value_range must have low < high, got {value_range!r}")
    return (low, high)


def _reading(shape, layout):
    """'N=8, H=3, W=28, C=28 channels': each axis of `shape` named by its letter in `layout`."""
    return ", ".join(f"{letter}={size}" + (f" channel{'s' * (size != 1)}" if letter == "C" else "")
                     for letter, size in zip(layout, shape))


def _implausible(shape, layout):
    sizes = dict(zip(layout, shape))
    return (sizes["C"] not in PLAUSIBLE_CHANNELS
            or sizes["C"] > sizes["H"] or sizes["C"] > sizes["W"])


def check_channels(shape, layout):
    """Refuse a shape that makes no sense as images in the declared layout, showing the other reading."""
    if layout not in _SWAPPED or not _implausible(shape, layout):
        return
    other = _SWAPPED[layout]
    verdict = ("implausible too" if _implausible(shape, other)
               else f"plausible: declare layout={other!r} if that is what you have")
    raise ValueError(
        f"images of shape {shape} declared {layout}: {_reading(shape, layout)}: implausible "
        f"(images have 1, 3 or 4 channels, and no more channels than rows or columns); "
        f"read as {other} it would be {_reading(shape, other)}, {verdict}")


def to_batch(images, layout):
    """View `images` (in the declared layout) as an (N, C, H, W) batch."""
    check_layout(layout)
    images = np.asarray(images)
    if images.ndim != len(layout):
        raise ValueError(
            f"layout {layout!r} expects a {len(layout)}-d array {LAYOUTS[layout]}, "
            f"got shape {images.shape}")
    check_channels(images.shape, layout)
    if layout == "NCHW":
        return images
    if layout == "NHWC":
        return images.transpose(0, 3, 1, 2)
    if layout == "NHW":
        return images[:, None]
    if layout == "CHW":
        return images[None]
    if layout == "HWC":
        return images.transpose(2, 0, 1)[None]
    return images[None, None]  # HW


def from_batch(batch, layout):
    """Undo `to_batch`: an (N, C, H, W) batch back in the declared layout."""
    if layout == "NCHW":
        return batch
    if layout == "NHWC":
        return np.ascontiguousarray(batch.transpose(0, 2, 3, 1))
    if layout == "NHW":
        return batch[:, 0]
    if layout == "CHW":
        return batch[0]
    if layout == "HWC":
        return np.ascontiguousarray(batch[0].transpose(1, 2, 0))
    return batch[0, 0]  # HW


def check_images(batch, value_range, what="images"):
    """Refuse anything that is not a float batch inside the declared range."""
    if batch.dtype not in (np.float32, np.float64):
        hint = ""
        if np.issubdtype(batch.dtype, np.integer) and value_range is not None:
            low, high = value_range
            hint = (f"; convert explicitly, e.g. x.astype(np.float32) / 255 for 8-bit "
                    f"images in [{low:g}, {high:g}]") if (low, high) == (0.0, 1.0) else \
                   "; convert explicitly with x.astype(np.float32)"
        raise TypeError(f"augment expected {what} as float32 or float64, got {batch.dtype}{hint}")
    if batch.size == 0:
        raise ValueError(f"augment expected a non-empty batch of {what}, got shape {batch.shape}")
    low_seen, high_seen = float(batch.min()), float(batch.max())
    if not (np.isfinite(low_seen) and np.isfinite(high_seen)):
        raise ValueError(f"augment expected finite {what}, got NaN or infinity")
    if value_range is not None:
        low, high = value_range
        if low_seen < low or high_seen > high:
            raise ValueError(
                f"augment expected {what} in the declared value_range [{low:g}, {high:g}], "
                f"got values in [{low_seen:g}, {high_seen:g}]; rescale them yourself or "
                f"declare value_range (nothing is clipped silently)")


def masks_to_batch(masks, batch_shape, layout):
    """Label maps travel with their images: (N, H, W) for batches, (H, W) for one image."""
    masks = np.asarray(masks)
    n, _, height, width = batch_shape
    single = layout in ("CHW", "HWC", "HW")
    expected = (height, width) if single else (n, height, width)
    if masks.shape != expected:
        raise ValueError(f"masks must have shape {expected} to match the images, got {masks.shape}")
    if not (np.issubdtype(masks.dtype, np.number) or masks.dtype == np.bool_):
        raise TypeError(f"masks must be a numeric label map, got dtype {masks.dtype}")
    return masks[None, None] if single else masks[:, None]


def masks_from_batch(mask_batch, layout):
    return mask_batch[0, 0] if layout in ("CHW", "HWC", "HW") else mask_batch[:, 0]
