"""Attribution: the one result type every gradient and perturbation method returns.

An attribution method answers "how much did each input pixel matter for the
score of class t?" with an array of the input's shape, (N, C, H, W): one number
per pixel and channel (Grad-CAM answers per pixel only, so its C is 1). To draw
it over the image the channels are collapsed into one heat map per image,

    heatmap[n, h, w] = sum_c values[n, c, h, w]

as captum's ``visualize_image_attr`` does for a signed map (saliency's values
are already absolute, so the sum is its "absolute_value" view too).

The result also remembers how it was made (``settings``: every argument that
shaped it, including the seed), so a report can print the recipe beside the
picture. LIME's ``ImageExplanation.heatmap(label)`` gives the same (H, W) kind
of map, so every method feeds the same plots, curves and reports.

Read next: explain/attributions/scores.py (the score S = f(x)[t] that every method explains).
"""
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Attribution:
    """``values`` (N, C, H, W) for ``target`` (one class per row), made by ``method``."""

    values: np.ndarray
    method: str
    target: np.ndarray
    settings: dict = field(default_factory=dict)
    signed: bool = True
    delta: np.ndarray = None  # Integrated Gradients' completeness error per row, else None

    def __post_init__(self):
        self.values = np.asarray(self.values)
        if self.values.ndim != 4:
            raise ValueError(f"Attribution values must be (N, C, H, W), got shape {self.values.shape}")
        self.target = np.asarray(self.target)

    def heatmap(self):
        """(N, H, W): the channels summed, one map per image."""
        return self.values.sum(axis=1)

    def __len__(self):
        return self.values.shape[0]

    def plot(self, image=None, index=0, ax=None, alpha=0.6, cmap=None, title=None):
        """Row `index`'s heat map blended over its image, with a colour bar.

        `image` is that row's picture as (C, H, W) with C = 1 or 3, (H, W, C) with
        C = 1 or 3, or (H, W) grey; (C, H, W) is tried first, so a 3 x 3 RGB image
        is read channels-first. Its values are stretched to [0, 1] for display.

        Signed maps use a diverging colour map centred on 0 (red: raises the
        score, blue: lowers it); unsigned maps run from dark (0) to bright.
        """
        import matplotlib.pyplot as plt

        heat = self.heatmap()[index]
        own_figure = ax is None
        if own_figure:
            _, ax = plt.subplots(figsize=(5, 4))
        if image is not None:
            ax.imshow(_displayable(image, heat.shape), cmap="gray", vmin=0, vmax=1)
        limit = float(np.abs(heat).max()) or 1.0
        colours = cmap or ("bwr" if self.signed else "inferno")
        low = -limit if self.signed else 0.0
        shown = ax.imshow(heat, cmap=colours, vmin=low, vmax=limit, alpha=alpha if image is not None else 1.0)
        ax.figure.colorbar(shown, ax=ax, fraction=0.046, pad=0.04, label=f"{self.method} attribution")
        target = self.target[index] if self.target.ndim else self.target
        ax.set_title(title or f"{self.method} (target class {int(target)})", parse_math=False)  # a title is text, never mathtext
        ax.set_xlabel("x (pixels)")
        ax.set_ylabel("y (pixels)")
        if own_figure:
            ax.figure.tight_layout()
        return ax


def _displayable(image, size):
    """An image as (H, W) grey or (H, W, 3) RGB in [0, 1] for imshow."""
    array = np.asarray(image, dtype=np.float64)
    if array.ndim == 3 and array.shape[0] in (1, 3) and array.shape[1:] == tuple(size):
        array = array[0] if array.shape[0] == 1 else array.transpose(1, 2, 0)
    elif array.ndim == 3 and array.shape[2] in (1, 3) and array.shape[:2] == tuple(size):
        array = array[..., 0] if array.shape[2] == 1 else array
    if array.ndim not in (2, 3) or array.shape[:2] != tuple(size):
        raise ValueError(f"image must be (C, H, W), (H, W, C) with C in (1, 3), or (H, W), with (H, W) = "
                         f"{tuple(size)}, got shape {np.shape(image)}")
    low, high = array.min(), array.max()
    return (array - low) / (high - low) if high > low else np.zeros_like(array)
