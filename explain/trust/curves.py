"""Deletion and insertion curves: does a map point at what the model uses? (Petsiuk et al. 2018, RISE)

For ANY attribution map (H, W) (an array, LIME's explanation.heatmap(label), or
a one-image Attribution), move the pixels from most to least important and
follow the model's probability p for the label:

    deletion   the pixels are replaced by a baseline (black by default)
    insertion  the pixels are put back onto a baseline (a blurred copy by default)

At step s the first round(s / steps * H * W) pixels of the ranking have moved.
A faithful map makes deletion fall fast (low AUC) and insertion rise fast (high
AUC), AUC being the trapezoid area under p over the fractions 0..1. The curves
ask only forward passes of the classifier, in batches, so any black box works.
Read next: explain/trust/randomization.py (does the map depend on the model at all?).
"""
from dataclasses import dataclass

import numpy as np

from ..attributions.result import Attribution
from ..lime.checks import check_finite, check_index, check_positive_int
from ..lime.fills import blur_fill, constant_fill, to_dtype
from ..lime.image import check_image
from ..lime.perturb import predict_in_batches


@dataclass
class Curve:
    fractions: np.ndarray      # share of pixels moved, 0..1
    scores: np.ndarray         # the model's probability for the label at each fraction
    auc: float


def _baseline(image_hwc, baseline, function):
    if isinstance(baseline, str):
        if baseline != "blur":
            raise ValueError(f"baseline must be 'blur', a colour value or an image; got {baseline!r}")
        return to_dtype(blur_fill(image_hwc), image_hwc.dtype)
    baseline = check_finite(np.asarray(baseline), function, "baseline")
    if baseline.ndim >= 2:
        if baseline.size != image_hwc.size:
            raise ValueError(f"baseline image has shape {baseline.shape}, image has {image_hwc.shape}")
        return to_dtype(baseline.reshape(image_hwc.shape), image_hwc.dtype)
    return to_dtype(constant_fill(image_hwc, baseline), image_hwc.dtype)


def _attribution_map(attribution, function):
    """An (H, W) map of finite numbers from an array or from an Attribution of one image (its heatmap())."""
    if isinstance(attribution, Attribution):
        if len(attribution) != 1:
            raise ValueError(f"deletion/insertion curves take one image's Attribution, got {len(attribution)} "
                             "rows; pass attribution.heatmap()[i] (or slice the batch) for image i")
        attribution = attribution.heatmap()[0]
    # a NaN sorts last, so a NaN map would rank its pixels as if it meant something
    return check_finite(np.asarray(attribution, dtype=np.float64), function, "attribution")


def _pixel_curve(image, classifier_fn, attribution, label, num_steps, batch_size, moving_to_baseline,
                 baseline, function):
    image, image_hwc = check_image(image, function)
    attribution = _attribution_map(attribution, function)
    if attribution.shape != image.shape[:2]:
        raise ValueError(f"attribution must have shape (H, W) = {image.shape[:2]}, got {attribution.shape}")
    label = check_index(label, "label")
    num_steps = check_positive_int(num_steps, "num_steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    baseline_hwc = _baseline(image_hwc, baseline, function)
    # rank 0 = most important pixel; at step s the first counts[s] ranks have moved
    order = np.argsort(-attribution.ravel(), kind="stable")
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    rank = rank.reshape(attribution.shape)
    fractions = np.linspace(0.0, 1.0, num_steps + 1)
    counts = np.round(fractions * rank.size).astype(np.int64)
    moved_from, moved_to = (image_hwc, baseline_hwc) if moving_to_baseline else (baseline_hwc, image_hwc)

    def make_batch(start, stop):
        moved = rank[None] < counts[start:stop, None, None]
        batch = np.where(moved[..., None], moved_to, moved_from)
        return batch.reshape((stop - start,) + image.shape)

    probs = predict_in_batches(make_batch, len(counts), classifier_fn, batch_size)
    if not 0 <= label < probs.shape[1]:
        raise ValueError(f"label {label} is out of range: classifier_fn returned {probs.shape[1]} classes")
    scores = probs[:, label]
    return Curve(fractions, scores, float(np.trapezoid(scores, fractions)))


def deletion_curve(image, classifier_fn, attribution, label, num_steps=50, baseline=0.0, batch_size=51):
    """Remove the most important pixels first (into `baseline`); a faithful map gives a low AUC."""
    return _pixel_curve(image, classifier_fn, attribution, label, num_steps, batch_size, True, baseline,
                        "deletion_curve")


def insertion_curve(image, classifier_fn, attribution, label, num_steps=50, baseline="blur", batch_size=51):
    """Insert the most important pixels first (onto `baseline`); a faithful map gives a high AUC."""
    return _pixel_curve(image, classifier_fn, attribution, label, num_steps, batch_size, False, baseline,
                        "insertion_curve")
