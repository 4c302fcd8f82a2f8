"""How far to trust a LIME explanation: does it survive a new seed, and does its line fit?

LIME fits a line to random samples, so an explanation is itself an estimate.
Stability: run with several seeds. Does the top-k set stay the same?

    Jaccard@k  = |A & B| / |A | B|  for the top-k features A, B of two runs (1 = same set)
    Spearman   = Pearson correlation of the ranks of all weights (1 = same order)

and each feature's weight as mean +- sd over the runs. `explain_until_stable`
doubles num_samples until two runs agree on the top k.
Fidelity: does the line describe the model near the input?

    weighted R^2 = 1 - sum pi (y - g(z))^2 / sum pi (y - mean y)^2   on the samples,

and local_pred = g(all on) next to the model's own probability f(x).
Read next: explain/trust/curves.py (deletion and insertion: does the map point at what the model uses?).
"""
from dataclasses import dataclass
from itertools import combinations

import numpy as np

from ..lime.checks import check_positive_int
from ..lime.image import ImageExplanation, LimeImageExplainer


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
