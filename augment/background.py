"""Background randomisation: keep the object, replace everything else.

A classifier can be right for the wrong reason: if every wolf in the training set
stands in snow, "snow" predicts "wolf" as well as the wolf does, and is easier to
see. Flips and rotations move the snow with the wolf; given the object's mask, we can:

    x_aug = m * x + (1 - m) * b        m = object mask (1 on the object), b ~ the background bank

Each sample draws one background from a bank (snow, grass, gravel, noise, ...),
so the background no longer tells the classes apart and the only cue left is the
object, whose pixels are copied unchanged. The mask decides what counts as object:

    result = RandomBackground(bank).augment(x, rng, masks=object_masks)
    tg.fit(model, ..., augment=RandomBackground(bank), masks=object_masks)

The parameter is each sample's background index, so `replay` pastes the same ones
again. No pixel of the object moves, so label policies have nothing to refuse. In a
pipeline, put geometric transforms after this one: object and background move together.

Read next: augment/extent.py (how far a whole pipeline can move an image).
"""
import numpy as np

from .base import Transform


def _check_bank(backgrounds):
    bank = np.asarray(backgrounds)
    if bank.ndim != 4:
        raise ValueError(f"RandomBackground expected backgrounds as a (B, C, H, W) array, got shape {bank.shape}")
    if bank.dtype not in (np.float32, np.float64):
        raise TypeError(f"RandomBackground expected float32 or float64 backgrounds, got {bank.dtype}")
    if len(bank) == 0:
        raise ValueError("RandomBackground expected at least one background, got none")
    if not np.all(np.isfinite(bank)):
        raise ValueError("RandomBackground expected finite backgrounds, got NaN or infinity")
    return bank


class RandomBackground(Transform):
    """Paste each sample's object (mask != 0) onto a background drawn uniformly from `backgrounds`.

    backgrounds: (B, C, H, W) array, in the pipeline's value range and the
    images' channel count and size (always NCHW, whatever the images' layout).
    """

    def __init__(self, backgrounds):
        self.backgrounds = _check_bank(backgrounds)

    def arguments(self):
        return {"backgrounds": self.backgrounds.shape}  # the shape, not thousands of pixel values

    def sample(self, rng, shape):
        return {"background": rng.integers(0, len(self.backgrounds), shape[0])}

    def apply(self, batch, params, spec, masks=None):
        if masks is None:
            raise ValueError(f"{self!r} needs the object masks to know what to keep: "
                             f"call .augment(x, rng, masks=m) or fit(..., augment=..., masks=m)")
        self._check_against(batch, spec)
        chosen = self.backgrounds[params["background"]].astype(batch.dtype, copy=False)
        return paste(batch, masks != 0, chosen), masks

    def _check_against(self, batch, spec):
        if self.backgrounds.shape[1:] != batch.shape[1:]:
            raise ValueError(f"RandomBackground has backgrounds of shape (C, H, W) = {self.backgrounds.shape[1:]}, "
                             f"but the images are {batch.shape[1:]}")
        if spec.value_range is not None:
            low, high = spec.value_range
            seen_low, seen_high = float(self.backgrounds.min()), float(self.backgrounds.max())
            if seen_low < low or seen_high > high:
                raise ValueError(f"RandomBackground has backgrounds in [{seen_low:.4g}, {seen_high:.4g}], "
                                 f"outside the declared value_range [{low:g}, {high:g}]")


def paste(images, keep, backgrounds):
    """images where keep is True, backgrounds elsewhere; keep (N, 1, H, W) broadcasts over channels."""
    return np.where(keep, images, backgrounds)
