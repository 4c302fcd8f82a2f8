"""How far to trust an explanation: stability, fidelity, deletion and insertion.

LIME fits a line to random samples, so an explanation is itself an estimate.
Three questions, each a function here:

Stability: run with several seeds. Does the top-k set stay the same?
    Jaccard@k  = |A & B| / |A | B|  for the top-k features A, B of two runs (1 = same set)
    Spearman   = Pearson correlation of the ranks of all weights (1 = same order)
    and each feature's weight as mean +- sd over the runs.
  `explain_until_stable` doubles num_samples until two runs agree on the top k.
Fidelity: does the line describe the model near the input?
    weighted R^2 = 1 - sum pi (y - g(z))^2 / sum pi (y - mean y)^2 on the samples,
    and local_pred = g(all on) next to the model's own probability f(x).
Deletion / insertion (Petsiuk et al. 2018, RISE): for ANY attribution map (H, W)
  (an array, LIME's explanation.heatmap(label), or a one-image Attribution),
  remove pixels from most to least important (deletion: replaced by a baseline,
  black by default) or add them to a blurred image (insertion), and follow the
  class probability. A faithful map makes deletion fall fast (low AUC) and
  insertion rise fast (high AUC); AUC is the trapezoid area over fractions 0..1.
Read next: explain/trust/randomization.py.
"""
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from ..attributions.result import Attribution
from ..lime.fills import blur_fill, constant_fill, to_dtype
from ..lime.base import check_positive_int
from ..lime.image import ImageExplanation, LimeImageExplainer, check_image
from ..lime.perturb import predict_in_batches


# --------------------------------------------------------------------------- stability

def top_k(weights, k):
    """Indices of the k largest |weights| (ties: lower index first)."""
    return set(np.argsort(-np.abs(np.asarray(weights, dtype=np.float64)), kind="stable")[:k].tolist())


def jaccard_at_k(weights_a, weights_b, k):
    """|A & B| / |A | B| of the two top-k sets."""
    a, b = top_k(weights_a, k), top_k(weights_b, k)
    return len(a & b) / len(a | b)


def rank_with_ties(values):
    """Ranks 0..n-1, ties sharing their average rank (as Spearman's rho needs)."""
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(len(values))
    _, group, counts = np.unique(values, return_inverse=True, return_counts=True)
    group_rank_sum = np.bincount(group, weights=ranks)
    return (group_rank_sum / counts)[group]


def spearman(weights_a, weights_b):
    """Spearman's rank correlation of two weight vectors (0 if either is constant)."""
    ranks_a, ranks_b = rank_with_ties(weights_a), rank_with_ties(weights_b)
    ranks_a, ranks_b = ranks_a - ranks_a.mean(), ranks_b - ranks_b.mean()
    denominator = np.sqrt((ranks_a ** 2).sum() * (ranks_b ** 2).sum())
    return float((ranks_a * ranks_b).sum() / denominator) if denominator > 0 else 0.0


@dataclass
class StabilityReport:
    jaccard_at_k: float        # mean over all pairs of runs
    spearman: float            # mean over all pairs of runs
    weight_mean: np.ndarray    # (d,) each feature's mean weight over the runs
    weight_sd: np.ndarray      # (d,) and its standard deviation
    k: int
    num_runs: int


def stability(explanations, label, k=5):
    """Agreement between explanations of the same input (run with different seeds)."""
    explanations = list(explanations)
    if len(explanations) < 2:
        raise ValueError(f"stability needs at least 2 explanations, got {len(explanations)}")
    k = check_positive_int(k, "k")
    first = explanations[0]
    for other in explanations[1:]:
        if isinstance(first, ImageExplanation) and not np.array_equal(first.segments, other.segments):
            raise ValueError("explanations use different segmentations, so segment ids do not match; "
                             "pass the same random_seed or a fixed segmentation_fn")
    weights = np.stack([exp.weights(label) for exp in explanations])
    pairs = list(combinations(range(len(weights)), 2))
    return StabilityReport(
        jaccard_at_k=float(np.mean([jaccard_at_k(weights[i], weights[j], k) for i, j in pairs])),
        spearman=float(np.mean([spearman(weights[i], weights[j]) for i, j in pairs])),
        weight_mean=weights.mean(axis=0), weight_sd=weights.std(axis=0, ddof=1), k=k,
        num_runs=len(weights))


def _explain_kwargs(explainer, label, kwargs):
    """Explain `label` itself, and keep one segmentation across runs of an image explainer."""
    kwargs = dict(kwargs)
    kwargs.setdefault("labels", (label,))
    kwargs.setdefault("top_labels", None)
    if isinstance(explainer, LimeImageExplainer):
        kwargs.setdefault("random_seed", int(explainer.rng.integers(0, 2**31 - 1)))
    return kwargs


def stability_across_seeds(make_explainer, instance, classifier_fn, seeds, label, k=5, **explain_kwargs):
    """Explain `instance` with make_explainer(seed) for each seed and report the stability.

    For images the segmentation seed stays fixed (random_seed, default 0) so the
    segment ids line up; what varies is the sampling.
    """
    explain_kwargs.setdefault("labels", (label,))
    explain_kwargs.setdefault("top_labels", None)
    explanations = []
    for seed in seeds:
        explainer = make_explainer(seed)
        if isinstance(explainer, LimeImageExplainer):
            explain_kwargs.setdefault("random_seed", 0)
        explanations.append(explainer.explain_instance(instance, classifier_fn, **explain_kwargs))
    return stability(explanations, label, k)


def explain_until_stable(explainer, instance, classifier_fn, label, k=5, start_samples=250,
                         max_samples=8000, min_jaccard=1.0, **explain_kwargs):
    """Double num_samples until two runs agree on the top-k set (Jaccard@k >= min_jaccard).

    Returns (explanation, history): the last explanation, and one dict per level with
    num_samples, jaccard and whether it was stable. Stops at max_samples either way.
    """
    start_samples = check_positive_int(start_samples, "start_samples", minimum=2)
    kwargs = _explain_kwargs(explainer, label, explain_kwargs)
    history = []
    num_samples = start_samples
    while True:
        first = explainer.explain_instance(instance, classifier_fn, num_samples=num_samples, **kwargs)
        second = explainer.explain_instance(instance, classifier_fn, num_samples=num_samples, **kwargs)
        agreement = jaccard_at_k(first.weights(label), second.weights(label), k)
        history.append({"num_samples": num_samples, "jaccard": agreement, "stable": agreement >= min_jaccard})
        if agreement >= min_jaccard or num_samples * 2 > max_samples:
            return second, history
        num_samples *= 2


# --------------------------------------------------------------------------- fidelity

def fidelity(explanation, label):
    """Weighted R^2 of the surrogate on its own samples, and local_pred against the model."""
    weights = explanation.weights(label)
    samples = explanation.samples.astype(np.float64)
    targets = explanation.sample_predictions[:, label]
    kernel = explanation.sample_weights
    fitted = samples @ weights + explanation.intercept[label]
    total = targets - kernel @ targets / kernel.sum()
    ss_tot = float(kernel @ total ** 2)
    ss_res = float(kernel @ (targets - fitted) ** 2)
    r2 = (1.0 if ss_res == 0 else 0.0) if ss_tot == 0 else 1.0 - ss_res / ss_tot
    model_pred = float(explanation.sample_predictions[0, label])
    local_pred = float(fitted[0])
    return {"weighted_r2": r2, "local_pred": local_pred, "model_pred": model_pred,
            "abs_error": abs(local_pred - model_pred)}


# --------------------------------------------------------------------------- deletion and insertion

@dataclass
class Curve:
    fractions: np.ndarray      # share of pixels moved, 0..1
    scores: np.ndarray         # the model's probability for the label at each fraction
    auc: float


def _baseline(image_hwc, baseline):
    if isinstance(baseline, str):
        if baseline != "blur":
            raise ValueError(f"baseline must be 'blur', a colour value or an image; got {baseline!r}")
        return to_dtype(blur_fill(image_hwc), image_hwc.dtype)
    baseline = np.asarray(baseline)
    if baseline.ndim >= 2:
        if baseline.size != image_hwc.size:
            raise ValueError(f"baseline image has shape {baseline.shape}, image has {image_hwc.shape}")
        return to_dtype(baseline.reshape(image_hwc.shape), image_hwc.dtype)
    return to_dtype(constant_fill(image_hwc, baseline), image_hwc.dtype)


def _attribution_map(attribution):
    """An (H, W) map from an array or from an Attribution of one image (its heatmap())."""
    if isinstance(attribution, Attribution):
        if len(attribution) != 1:
            raise ValueError(f"deletion/insertion curves take one image's Attribution, got {len(attribution)} "
                             "rows; pass attribution.heatmap()[i] (or slice the batch) for image i")
        return np.asarray(attribution.heatmap()[0], dtype=np.float64)
    return np.asarray(attribution, dtype=np.float64)


def _pixel_curve(image, classifier_fn, attribution, label, num_steps, batch_size, moving_to_baseline,
                 baseline):
    image, image_hwc = check_image(image)
    attribution = _attribution_map(attribution)
    if attribution.shape != image.shape[:2]:
        raise ValueError(f"attribution must have shape (H, W) = {image.shape[:2]}, got {attribution.shape}")
    num_steps = check_positive_int(num_steps, "num_steps")
    batch_size = check_positive_int(batch_size, "batch_size")
    baseline_hwc = _baseline(image_hwc, baseline)
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
    return _pixel_curve(image, classifier_fn, attribution, label, num_steps, batch_size, True, baseline)


def insertion_curve(image, classifier_fn, attribution, label, num_steps=50, baseline="blur", batch_size=51):
    """Insert the most important pixels first (onto `baseline`); a faithful map gives a high AUC."""
    return _pixel_curve(image, classifier_fn, attribution, label, num_steps, batch_size, False, baseline)
