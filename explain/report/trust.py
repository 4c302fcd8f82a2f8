"""How far to trust each method: the checks of explain/trust/, gathered per method.

A map can look convincing and still be wrong, so each method gets its checks:
  - deletion / insertion AUC: remove the most important pixels first (to black),
    or add them first (onto a blurred copy); a faithful map makes the class
    probability fall fast (low deletion AUC) or rise fast (high insertion AUC);
  - the randomisation check: re-initialise the layers from the output down; a map
    that does not change explains the image, not the model;
  - LIME: agreement of its top 5 superpixels (Jaccard) and of its weight ranks
    (Spearman) across seeds, and its weighted R^2 (does the line fit the model
    near the image?);
  - IG: the completeness delta |sum of a - (F(x) - F(baseline))|, 0 for an exact integral.
Every value is averaged over images as mean ± sd (n) and rounded as shown.
Read next: explain/report/verdict.py (the numbers, in words).
"""
import numpy as np

from ..lime.image import LimeImageExplainer
from ..lime.segmentation import SegmentationAlgorithm
from ..trust.curves import deletion_curve, insertion_curve
from ..trust.randomization import randomization_check
from ..trust.stability import fidelity, stability_across_seeds
from .methods import (DEFAULT_METHODS, check_inputs, check_methods, class_probabilities, explain_images,
                      lime_fill_value, method_functions, nhwc_classifier)
from .numbers import mean_sd, shown

def quality_summary(model, images, class_names, masks=None, methods=DEFAULT_METHODS, seed=0,
                    lime_samples=300, lime_fill="grey", lime_segments=50, lime_images=20,
                    curve_images=8, curve_steps=25, stability_images=3, stability_seeds=5,
                    randomization_images=4, explained=None):
    """Per method, a JSON-able dict of how much to trust it (every number rounded as shown).

    enrichment {mean, sd, n} (with masks; LIME on the first `lime_images` images),
    deletion_auc / insertion_auc {mean, sd, n} over `curve_images` images (mass map,
    black / blur baselines), randomization {passed, threshold, layers, correlations},
    IG's ig_delta {mean_abs, max_abs, n}, LIME's stability {jaccard_top5, spearman} over
    `stability_seeds` seeds and fidelity {weighted_r2}.
    """
    images, masks = check_inputs(images, masks, class_names)
    methods = check_methods(methods)
    if explained is None:
        explained = _explain_for_quality(model, images, class_names, masks, methods, seed, lime_samples,
                                         lime_fill, lime_segments, lime_images)
    functions = method_functions(lime_samples, lime_fill, lime_segments, seed)
    summary = {}
    for name in methods:
        entry = explained["methods"][name]
        rows = len(entry["mass"])
        quality = {"enrichment": None if entry["enrichment"] is None else mean_sd(entry["enrichment"])}
        quality.update(_curves(model, images[:rows], entry["mass"], explained["targets"][:rows],
                               curve_images, curve_steps))
        quality["randomization"] = _randomization(model, images[:randomization_images],
                                                  explained["targets"][:randomization_images],
                                                  functions[name], seed)
        if entry["attribution"].delta is not None:
            delta = np.abs(np.asarray(entry["attribution"].delta, dtype=np.float64))
            quality["ig_delta"] = {"mean_abs": shown(delta.mean()), "max_abs": shown(delta.max()),
                                   "n": int(delta.size)}
        if name == "lime":
            quality.update(_lime_quality(model, images, explained, stability_images, stability_seeds,
                                         lime_samples, lime_fill, lime_segments))
        summary[name] = quality
    return summary


def _explain_for_quality(model, images, class_names, masks, methods, seed, lime_samples, lime_fill,
                         lime_segments, lime_images):
    """LIME is the costly one: it runs on the first `lime_images` images only."""
    common = dict(seed=seed, lime_samples=lime_samples, lime_fill=lime_fill, lime_segments=lime_segments)
    others = [m for m in methods if m != "lime"]
    explained = explain_images(model, images, class_names, masks, methods=others, **common) if others else None
    if "lime" in methods:
        n = min(lime_images, len(images))
        lime = explain_images(model, images[:n], class_names, None if masks is None else masks[:n],
                              methods=("lime",), **common)
        if explained is None:
            explained = lime
            explained["targets"] = class_probabilities(model, images).argmax(axis=1)
        else:
            explained["methods"]["lime"] = lime["methods"]["lime"]
    return explained


def _curves(model, images, masses, targets, curve_images, curve_steps):
    classifier = nhwc_classifier(model)
    deletion, insertion = [], []
    for image, mass, target in list(zip(images, masses, targets))[:curve_images]:
        image_hwc = image.transpose(1, 2, 0)
        deletion.append(deletion_curve(image_hwc, classifier, mass, int(target), num_steps=curve_steps).auc)
        insertion.append(insertion_curve(image_hwc, classifier, mass, int(target), num_steps=curve_steps).auc)
    return {"deletion_auc": mean_sd(deletion), "insertion_auc": mean_sd(insertion)}


def _randomization(model, images, targets, method, seed):
    if len(images) == 0:
        return None
    result = randomization_check(model, images, targets, method, seed=seed)
    return {"passed": bool(result.passed), "threshold": shown(result.threshold),
            "layers": [str(layer) for layer in result.layers],
            "correlations": [shown(c) for c in result.correlations]}


def _lime_quality(model, images, explained, stability_images, stability_seeds, lime_samples, lime_fill,
                  lime_segments):
    entry = explained["methods"]["lime"]
    fidelities = [fidelity(e, int(t))["weighted_r2"] for e, t in zip(entry["explanations"], explained["targets"])]
    jaccards, spearmans = [], []
    classifier = nhwc_classifier(model)
    for image, target in list(zip(images, explained["targets"]))[:stability_images]:
        report = stability_across_seeds(
            lambda s: LimeImageExplainer(random_state=s), image.transpose(1, 2, 0).astype(np.float64),
            classifier, seeds=range(stability_seeds), label=int(target), k=5,
            hide_color=lime_fill_value(lime_fill), num_samples=lime_samples, batch_size=100,
            segmentation_fn=SegmentationAlgorithm("slic", random_seed=0, n_segments=lime_segments))
        jaccards.append(report.jaccard_at_k)
        spearmans.append(report.spearman)
    return {"stability": {"jaccard_top5": mean_sd(jaccards), "spearman": mean_sd(spearmans),
                          "seeds": int(stability_seeds)},
            "fidelity": {"weighted_r2": mean_sd(fidelities)}}
