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

Read attributions.py next: the methods that make these.
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
