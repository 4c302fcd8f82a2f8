"""Every method on every image: one registry, one calling convention, one result per method.

A report compares methods, so each one is reduced to the same shape of answer:

    method(model, x (N, C, H, W), target (N,)) -> Attribution (N, C or 1, H, W)

Grad-CAM, Integrated Gradients, occlusion, saliency and SmoothGrad already have it
(explain/attributions/); LIME is wrapped: one explainer per image, its superpixel
weights spread over the pixels (N, 1, H, W). Each method explains the class the
model predicts (or given targets). From its values come the heat map as drawn
(signed for LIME and occlusion: red for the class, blue against), the mass m >= 0
(enrichment.py's MASS_RULE) and, with object masks, one enrichment E per image.
Read next: explain/report/trust.py (how far to trust each method).
"""
from functools import partial

import numpy as np

from ..attributions.gradcam import grad_cam
from ..attributions.gradients import integrated_gradients, saliency, smoothgrad
from ..attributions.perturbation import occlusion
from ..attributions.result import Attribution
from ..attributions.scores import check_targets
from ..lime.image import LimeImageExplainer
from ..lime.segmentation import SegmentationAlgorithm
from ..model_adapter import as_batch, model_fn
from .enrichment import attribution_mass, object_enrichment

DEFAULT_METHODS = ("lime", "gradcam", "ig", "occlusion")
METHOD_TITLES = {"lime": "LIME", "gradcam": "Grad-CAM", "ig": "Integrated Gradients",
                 "occlusion": "Occlusion", "saliency": "Saliency", "smoothgrad": "SmoothGrad"}
SHORT_TITLES = {**METHOD_TITLES, "ig": "IG"}
SIGNED_DISPLAY = {"lime", "occlusion"}   # drawn with a diverging colour map centred on 0
LIME_FILLS = {"grey": 0.5, "gray": 0.5, "black": 0.0, "mean": "mean", "blur": "blur"}


def class_probabilities(model, images_nchw):
    """Softmax of the model's logits for (N, C, H, W) images (explain.model_fn)."""
    return model_fn(model, layout="NCHW")(np.asarray(images_nchw, dtype=np.float32)).astype(np.float64)


def nhwc_classifier(model):
    """The model as LIME and the deletion / insertion curves call it: (N, H, W, C) -> probabilities."""
    return model_fn(model, layout="NHWC")


def lime_fill_value(fill):
    """'grey' -> 0.5, 'black' -> 0, 'mean', 'blur', or a number (images in [0, 1])."""
    if isinstance(fill, str):
        if fill not in LIME_FILLS:
            raise ValueError(f"lime_fill must be one of {sorted(LIME_FILLS)} or a number, got {fill!r}")
        return LIME_FILLS[fill]
    return float(fill)


def explain_lime(model, x, target, num_samples=300, fill="grey", segments=50, seed=0):
    """LIME for each row of x (N, C, H, W), as an Attribution (N, 1, H, W), and the explanations."""
    x = np.asarray(x, dtype=np.float64)
    targets = np.broadcast_to(np.asarray(target, dtype=np.int64), (len(x),))
    classifier = nhwc_classifier(model)
    maps, explanations = [], []
    for image, label in zip(x, targets):
        explainer = LimeImageExplainer(random_state=seed)
        explanation = explainer.explain_instance(
            image.transpose(1, 2, 0), classifier, labels=(int(label),), top_labels=None,
            hide_color=lime_fill_value(fill), num_samples=num_samples, batch_size=100,
            segmentation_fn=SegmentationAlgorithm("slic", random_seed=seed, n_segments=segments))
        maps.append(explanation.heatmap(int(label)))
        explanations.append(explanation)
    settings = {"num_samples": num_samples, "fill": fill, "segmentation": f"slic, n_segments={segments}",
                "seed": seed}
    attribution = Attribution(np.stack(maps)[:, None], "lime", targets.copy(), settings, signed=True)
    return attribution, explanations


def method_functions(lime_samples=300, lime_fill="grey", lime_segments=50, seed=0):
    """name -> callable (model, x, target) -> Attribution, for every method a report knows."""
    lime = partial(_lime_attribution, num_samples=lime_samples, fill=lime_fill, segments=lime_segments, seed=seed)
    return {"lime": lime, "gradcam": grad_cam, "ig": integrated_gradients, "occlusion": occlusion,
            "saliency": saliency, "smoothgrad": partial(smoothgrad, seed=seed)}


def _lime_attribution(model, x, target, **settings):
    return explain_lime(model, x, target, **settings)[0]


def check_methods(methods):
    """The method names, checked at the door: each one a method the report knows."""
    methods = tuple(methods)
    functions = method_functions()
    unknown = [m for m in methods if m not in functions]
    if unknown or not methods:
        raise ValueError(f"unknown method name(s) {unknown or '(none given)'}; choose from {', '.join(functions)}")
    return methods


def check_inputs(images, masks, class_names):
    """images (N >= 1, C, H, W) of finite numbers as float32, masks boolean (N, H, W) or None, >= 2 class names."""
    images = as_batch(images, "explain_images", "images", dtype=np.float32)   # the one batch check
    if masks is not None:
        masks = np.asarray(masks)
        if masks.shape != (images.shape[0],) + images.shape[2:] or masks.dtype != np.bool_:
            raise ValueError(f"masks must be boolean (N, H, W) = {(images.shape[0],) + images.shape[2:]}, "
                             f"got {masks.dtype} {masks.shape}")
    if len(class_names) < 2:
        raise ValueError(f"class_names needs at least 2 names, got {list(class_names)}")
    return images, masks


def explain_images(model, images, class_names, masks=None, methods=DEFAULT_METHODS, seed=0,
                   lime_samples=300, lime_fill="grey", lime_segments=50, targets=None):
    """Every method's heat map for every image, explaining the predicted class (or `targets`).

    Returns a plain dict: "targets" (N,), "probabilities" (N, K), "class_names", and
    "methods": {name: {"heatmap" (N, H, W) as drawn, "mass" (N, H, W) >= 0,
    "enrichment" (N,) or None, "attribution", "settings"}}; LIME adds "explanations".
    """
    images, masks = check_inputs(images, masks, class_names)
    methods = check_methods(methods)
    probabilities = class_probabilities(model, images)
    if probabilities.shape[1] != len(class_names):
        raise ValueError(f"the model gives {probabilities.shape[1]} classes, class_names has "
                         f"{len(class_names)}: {list(class_names)}")
    targets = (probabilities.argmax(axis=1) if targets is None
               else check_targets(targets, len(images), probabilities.shape[1]))   # 1.5 or True is no class
    functions = method_functions(lime_samples, lime_fill, lime_segments, seed)
    result = {"targets": np.asarray(targets), "probabilities": probabilities,
              "class_names": list(class_names), "methods": {}}
    for name in methods:
        if name == "lime":
            attribution, explanations = explain_lime(model, images, targets, lime_samples, lime_fill,
                                                     lime_segments, seed)
        else:
            attribution, explanations = functions[name](model, images, targets), None
        mass = attribution_mass(name, attribution.values)
        heatmap = attribution.heatmap() if name in SIGNED_DISPLAY else mass
        enrichment = None if masks is None else np.array([object_enrichment(m, k) for m, k in zip(mass, masks)])
        result["methods"][name] = {"heatmap": heatmap, "mass": mass, "enrichment": enrichment,
                                   "attribution": attribution, "settings": dict(attribution.settings),
                                   "explanations": explanations}
    return result
