"""Object enrichment: does the explanation look at the object, or at the background?

A heat map is a picture, and pictures persuade; the report turns them into numbers.
The main one is object enrichment. For one image, one method and a mask of the
object (the animal, not the snow), with m >= 0 the method's attribution mass
(Grad-CAM's map, LIME's positive weights spread over their superpixels, |a| for
Integrated Gradients and occlusion):

    E = (sum_object m / sum_all m) / (object pixels / all pixels)

E = 1: the method puts no more mass on the object than a random map would.
E < 1: it looks away from the object (a model that learned the snow).
E = 1 / share (its largest value): all the mass is on the object.
The raw share "mass on the object" is no measure on its own: the background is
most of the image, so any map puts most of its mass there.
Read next: explain/report/numbers.py (how every number is shown).
"""
import numpy as np

from ..lime.checks import check_finite

# How a method's values become the non-negative mass m of the enrichment (module docstring):
# maps whose sign means "for / against the class" keep their positive part (LIME, Grad-CAM
# after its ReLU); pixel attributions count their size, |a| summed over the channels.
MASS_RULE = {"lime": "positive", "gradcam": "positive"}


def object_enrichment(heatmap, mask):
    """E = (mass on the mask / all mass) / (mask pixels / all pixels); heatmap (H, W) >= 0, mask (H, W) bool.

    Returns nan when the map is zero everywhere (no mass: E is undefined).
    """
    heatmap = np.asarray(heatmap, dtype=np.float64)
    mask = np.asarray(mask)
    if heatmap.ndim != 2:
        raise ValueError(f"object_enrichment expected a heat map of shape (H, W), got {heatmap.shape}")
    if mask.shape != heatmap.shape:
        raise ValueError(f"object_enrichment: mask has shape {mask.shape}, heat map has {heatmap.shape}")
    if mask.dtype != np.bool_:
        raise ValueError(f"object_enrichment expected a boolean mask (True = object), got dtype {mask.dtype}")
    check_finite(heatmap, "object_enrichment", "heatmap")
    if heatmap.min() < 0:
        raise ValueError(f"object_enrichment needs a non-negative map (smallest value {heatmap.min():.3g}); "
                         "pass the positive part or the absolute value")
    if not mask.any():
        raise ValueError("object_enrichment: the mask is empty (no object pixel), so its share is 0")
    total = heatmap.sum()
    if total == 0:
        return float("nan")
    return float((heatmap[mask].sum() / total) / mask.mean())


def attribution_mass(method, values):
    """(N, H, W) non-negative mass of an attribution's values (N, C, H, W), by MASS_RULE."""
    values = np.asarray(values, dtype=np.float64)
    if MASS_RULE.get(method) == "positive":
        return np.clip(values.sum(axis=1), 0, None)
    return np.abs(values).sum(axis=1)
