"""Explanation reports: does the model look at the object, and how far can we trust the answer?

A heat map is a picture, and pictures persuade. A report turns them into numbers.
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

Beside it, each method is checked: deletion / insertion AUC (does removing the
top pixels really change the prediction?), LIME's stability across seeds and its
weighted R^2, the randomisation check (does the map change when the weights are
scrambled? if not, it shows the image, not the model), and IG's completeness delta.

The HTML is one self-contained file: figures as base64 PNGs, inline CSS, no
script, every text escaped, written atomically; every number it shows is also in
`report.numbers`, a JSON-able dict.
Read next: explain/report/cli.py: the same report for any saved model and a folder of images.
"""
import base64
import html
import io
import math
import platform
import time
from functools import partial

import matplotlib.pyplot as plt
import numpy as np

from tinygrad_edu.io.atomic import atomic_write_text

DEFAULT_METHODS = ("lime", "gradcam", "ig", "occlusion")
METHOD_TITLES = {"lime": "LIME", "gradcam": "Grad-CAM", "ig": "Integrated Gradients",
                 "occlusion": "Occlusion", "saliency": "Saliency", "smoothgrad": "SmoothGrad"}
SHORT_TITLES = {**METHOD_TITLES, "ig": "IG"}
# How a method's values become the non-negative mass m of the enrichment (module docstring):
# maps whose sign means "for / against the class" keep their positive part (LIME, Grad-CAM
# after its ReLU); pixel attributions count their size, |a| summed over the channels.
MASS_RULE = {"lime": "positive", "gradcam": "positive"}
SIGNED_DISPLAY = {"lime", "occlusion"}   # drawn with a diverging colour map centred on 0
LIME_FILLS = {"grey": 0.5, "gray": 0.5, "black": 0.0, "mean": "mean", "blur": "blur"}


# --------------------------------------------------------------------------- the measure

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
    if not np.all(np.isfinite(heatmap)):
        raise ValueError("object_enrichment: the heat map contains NaN or inf")
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


# --------------------------------------------------------------------------- numbers as shown

def format_number(value):
    """The one way a number is printed in a report: 3 significant digits, ints as they are."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    value = float(value)
    return f"{value:.0f}" if abs(value) >= 1000 else f"{value:.3g}"


def shown(value):
    """The number as the report prints it, JSON-able (nan -> None), so HTML and JSON agree."""
    if value is None:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return None if math.isnan(value) else float(format_number(value))


def mean_sd(values):
    """{"mean", "sd", "n"} over the finite values (sd with ddof=1; n/a below 2 values)."""
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    n = int(values.size)
    return {"mean": shown(values.mean()) if n else None,
            "sd": shown(values.std(ddof=1)) if n > 1 else None, "n": n}


def mean_sd_text(stats):
    if stats is None or not stats["n"]:
        return "n/a"
    sd = f" ± {format_number(stats['sd'])}" if stats["sd"] is not None else ""
    return f"{format_number(stats['mean'])}{sd} (n={stats['n']})"


# --------------------------------------------------------------------------- the HTML builder

CSS = """
body{font-family:Georgia,'DejaVu Serif',serif;color:#1d1d1d;background:#fff;margin:0;line-height:1.5}
main{max-width:1240px;margin:0 auto;padding:24px 28px 60px}
h1{font-size:2em;margin:.2em 0 .4em}
h2{font-size:1.45em;border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.8em}
.verdict{background:#fff6df;border-left:8px solid #e0a100;padding:14px 20px;font-size:1.2em;margin:1em 0}
.verdict p{margin:.4em 0}
.intro{color:#333;max-width:60em}
figure{margin:1.2em 0}
figure img{max-width:100%;height:auto;border:1px solid #e4e4e4}
figcaption{color:#444;font-size:.95em;max-width:60em}
table{border-collapse:collapse;margin:1em 0;font-size:1em}
caption{caption-side:top;text-align:left;font-weight:bold;padding:.3em 0}
th,td{border:1px solid #cfcfcf;padding:5px 10px;text-align:left;vertical-align:top}
th{background:#f1f1f1}
td.num{text-align:right;font-variant-numeric:tabular-nums;font-family:'DejaVu Sans Mono',monospace}
td.pass{background:#e3f4e1}td.fail{background:#fbe2e0}
nav{font-size:.95em;color:#555}nav a{color:#1f4e9c}
"""


def figure_png(figure, dpi=100):
    """PNG bytes of a matplotlib figure (which is then closed)."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


class Report:
    """One self-contained HTML page, built in order: sections, text, tables, figures, settings.

    The verdict paragraphs always come first, under the title, whenever they were added.
    `numbers` is the JSON-able dict of every number the page shows (filled by the
    functions below; add your own beside them).
    """

    def __init__(self, title):
        self.title = str(title)
        self.verdicts = []
        self.verdict_texts = []     # the same, as plain text (for a terminal)
        self.blocks = []
        self.sections = []
        self.numbers = {}

    def verdict(self, text):
        self.verdicts.append(f"<p>{html.escape(str(text))}</p>")
        self.verdict_texts.append(str(text))
        return self

    def section(self, title, intro=None):
        anchor = f"s{len(self.sections) + 1}"
        self.sections.append((anchor, str(title)))
        self.blocks.append(f'<h2 id="{anchor}">{html.escape(str(title))}</h2>')
        if intro:
            self.blocks.append(f'<p class="intro">{html.escape(str(intro))}</p>')
        return self

    def text(self, paragraph):
        self.blocks.append(f"<p>{html.escape(str(paragraph))}</p>")
        return self

    def figure(self, figure_or_png, caption):
        """A matplotlib figure (rendered and closed) or PNG bytes, with its caption."""
        png = figure_or_png if isinstance(figure_or_png, (bytes, bytearray)) else figure_png(figure_or_png)
        if not bytes(png[:8]) == b"\x89PNG\r\n\x1a\n":
            raise ValueError("Report.figure expected a matplotlib figure or PNG bytes")
        data = base64.b64encode(bytes(png)).decode("ascii")
        caption = html.escape(str(caption))
        self.blocks.append(f'<figure><img src="data:image/png;base64,{data}" alt="{caption}">'
                           f"<figcaption>{caption}</figcaption></figure>")
        return self

    def table(self, header, rows, caption=None):
        """Cells may be numbers (printed by format_number, right-aligned) or text."""
        parts = ["<table>"]
        if caption:
            parts.append(f"<caption>{html.escape(str(caption))}</caption>")
        parts.append("<thead><tr>" + "".join(f"<th>{html.escape(str(h))}</th>" for h in header) + "</tr></thead>")
        parts.append("<tbody>")
        for row in rows:
            if len(row) != len(header):
                raise ValueError(f"Report.table: a row has {len(row)} cells, the header {len(header)}")
            parts.append("<tr>" + "".join(_cell(value) for value in row) + "</tr>")
        parts.append("</tbody></table>")
        self.blocks.append("".join(parts))
        return self

    def settings(self, settings):
        """A two-column table of the (possibly nested) settings dict, keys joined by dots."""
        rows = [(key, value if isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
                 else str(value)) for key, value in _flatten(settings)]
        return self.table(["setting", "value"], rows)

    def to_html(self):
        contents = " · ".join(f'<a href="#{a}">{html.escape(t)}</a>' for a, t in self.sections)
        verdict = f'<div class="verdict">{"".join(self.verdicts)}</div>' if self.verdicts else ""
        return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                f"<title>{html.escape(self.title)}</title><style>{CSS}</style></head><body><main>"
                f"<h1>{html.escape(self.title)}</h1>{verdict}"
                + (f"<nav>Contents: {contents}</nav>" if contents else "")
                + "\n".join(self.blocks) + "</main></body></html>\n")

    def write(self, path):
        """Write the page atomically (temp file + fsync + rename): all of it or nothing."""
        atomic_write_text(path, self.to_html())
        return path


def _cell(value):
    if isinstance(value, (bool, np.bool_)):
        word = "pass" if value else "fail"
        return f'<td class="{word}">{word}</td>'
    if isinstance(value, (int, float, np.number)) or value is None:
        return f'<td class="num">{html.escape(format_number(value))}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def _flatten(settings, prefix=""):
    for key, value in settings.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, name + ".")
        else:
            yield name, value


# --------------------------------------------------------------------------- running the methods

def _probabilities(model, images_nchw):
    """Softmax of the model's logits for (N, C, H, W) images (explain.model_fn)."""
    from ..trust.randomization import model_fn
    return model_fn(model, layout="NCHW")(np.asarray(images_nchw, dtype=np.float32)).astype(np.float64)


def _nhwc_classifier(model):
    from ..trust.randomization import model_fn
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
    from ..attributions.result import Attribution
    from ..lime.image import LimeImageExplainer
    from ..lime.segmentation import SegmentationAlgorithm
    x = np.asarray(x, dtype=np.float64)
    targets = np.broadcast_to(np.asarray(target, dtype=np.int64), (len(x),))
    classifier = _nhwc_classifier(model)
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
    import explain

    def needs(name):
        function = getattr(explain, name, None)
        if function is None:
            raise ValueError(f"explain.{name} is not available in this installation of explain")
        return function

    lime = partial(_lime_attribution, num_samples=lime_samples, fill=lime_fill, segments=lime_segments, seed=seed)
    return {"lime": lambda: lime, "gradcam": lambda: needs("grad_cam"),
            "ig": lambda: needs("integrated_gradients"), "occlusion": lambda: needs("occlusion"),
            "saliency": lambda: needs("saliency"), "smoothgrad": lambda: partial(needs("smoothgrad"), seed=seed)}


def _lime_attribution(model, x, target, **settings):
    return explain_lime(model, x, target, **settings)[0]


def check_methods(methods):
    """The method names, checked at the door: known, and available in this installation."""
    methods = tuple(methods)
    functions = method_functions()
    unknown = [m for m in methods if m not in functions]
    if unknown or not methods:
        raise ValueError(f"unknown method name(s) {unknown or '(none given)'}; choose from {', '.join(functions)}")
    for name in methods:
        functions[name]()       # raises if explain lacks it
    return methods


def _check_inputs(images, masks, class_names):
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(f"images must be (N, C, H, W), got shape {images.shape}")
    if masks is not None:
        masks = np.asarray(masks)
        if masks.shape != (images.shape[0],) + images.shape[2:] or masks.dtype != np.bool_:
            raise ValueError(f"masks must be boolean (N, H, W) = {(images.shape[0],) + images.shape[2:]}, "
                             f"got {masks.dtype} {masks.shape}")
    if len(class_names) < 2:
        raise ValueError(f"class_names needs at least 2 names, got {list(class_names)}")
    return images.astype(np.float32), masks


def explain_images(model, images, class_names, masks=None, methods=DEFAULT_METHODS, seed=0,
                   lime_samples=300, lime_fill="grey", lime_segments=50, targets=None):
    """Every method's heat map for every image, explaining the predicted class (or `targets`).

    Returns a plain dict: "targets" (N,), "probabilities" (N, K), "class_names", and
    "methods": {name: {"heatmap" (N, H, W) as drawn, "mass" (N, H, W) >= 0,
    "enrichment" (N,) or None, "attribution", "settings"}}; LIME adds "explanations".
    """
    images, masks = _check_inputs(images, masks, class_names)
    methods = check_methods(methods)
    probabilities = _probabilities(model, images)
    if probabilities.shape[1] != len(class_names):
        raise ValueError(f"the model gives {probabilities.shape[1]} classes, class_names has "
                         f"{len(class_names)}: {list(class_names)}")
    targets = probabilities.argmax(axis=1) if targets is None else np.broadcast_to(targets, (len(images),))
    functions = method_functions(lime_samples, lime_fill, lime_segments, seed)
    result = {"targets": np.asarray(targets), "probabilities": probabilities,
              "class_names": list(class_names), "methods": {}}
    for name in methods:
        if name == "lime":
            attribution, explanations = explain_lime(model, images, targets, lime_samples, lime_fill,
                                                     lime_segments, seed)
        else:
            attribution, explanations = functions[name]()(model, images, targets), None
        mass = attribution_mass(name, attribution.values)
        heatmap = attribution.heatmap() if name in SIGNED_DISPLAY else mass
        enrichment = None if masks is None else np.array([object_enrichment(m, k) for m, k in zip(mass, masks)])
        result["methods"][name] = {"heatmap": heatmap, "mass": mass, "enrichment": enrichment,
                                   "attribution": attribution, "settings": dict(attribution.settings),
                                   "explanations": explanations}
    return result


# --------------------------------------------------------------------------- quality

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
    images, masks = _check_inputs(images, masks, class_names)
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
                                                  functions[name](), seed)
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
            explained["targets"] = _probabilities(model, images).argmax(axis=1)
        else:
            explained["methods"]["lime"] = lime["methods"]["lime"]
    return explained


def _curves(model, images, masses, targets, curve_images, curve_steps):
    from ..trust.quality import deletion_curve, insertion_curve
    classifier = _nhwc_classifier(model)
    deletion, insertion = [], []
    for image, mass, target in list(zip(images, masses, targets))[:curve_images]:
        image_hwc = image.transpose(1, 2, 0)
        deletion.append(deletion_curve(image_hwc, classifier, mass, int(target), num_steps=curve_steps).auc)
        insertion.append(insertion_curve(image_hwc, classifier, mass, int(target), num_steps=curve_steps).auc)
    return {"deletion_auc": mean_sd(deletion), "insertion_auc": mean_sd(insertion)}


def _randomization(model, images, targets, method, seed):
    from ..trust.randomization import randomization_check
    if len(images) == 0:
        return None
    result = randomization_check(model, images, targets, method, seed=seed)
    return {"passed": bool(result.passed), "threshold": shown(result.threshold),
            "layers": [str(layer) for layer in result.layers],
            "correlations": [shown(c) for c in result.correlations]}


def _lime_quality(model, images, explained, stability_images, stability_seeds, lime_samples, lime_fill,
                  lime_segments):
    from ..lime.image import LimeImageExplainer
    from ..trust.quality import fidelity, stability_across_seeds
    from ..lime.segmentation import SegmentationAlgorithm
    entry = explained["methods"]["lime"]
    fidelities = [fidelity(e, int(t))["weighted_r2"] for e, t in zip(entry["explanations"], explained["targets"])]
    jaccards, spearmans = [], []
    classifier = _nhwc_classifier(model)
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


# --------------------------------------------------------------------------- the verdict, in words

def enrichment_words(value, object_name):
    """What one enrichment number says, for a reader who has not read the docstring."""
    if value < 1:
        return f"below 1: it looks away from the {object_name}"
    if value < 1.5:
        return f"close to 1: it looks at the {object_name} hardly more than at random"
    return f"above 1: it concentrates on the {object_name}"


def verdict_sentences(models_numbers, object_name="object"):
    """One sentence per model from its numbers, then how the lead method moved across models."""
    sentences, lead_values = [], []
    for name, numbers in models_numbers.items():
        parts = []
        accuracy = numbers.get("accuracy")
        quality = numbers.get("quality", {})
        enrichment = {m: q["enrichment"]["mean"] for m, q in quality.items()
                      if q.get("enrichment") and q["enrichment"]["mean"] is not None}
        if enrichment:
            lead = "lime" if "lime" in enrichment else next(iter(enrichment))
            values = sorted(enrichment.values())
            middle = float(np.median(values))
            if values[0] < 1 <= 1.5 <= values[-1]:
                claim = "gets contradictory explanations (some methods below 1, some above 1.5)"
            elif middle < 1:
                claim = "relies on the background"
            elif middle < 1.5:
                claim = f"looks at the {object_name} hardly more than at the background"
            else:
                claim = f"looks at the {object_name}"
            others = ", ".join(f"{SHORT_TITLES.get(m, m)} {format_number(v)}" for m, v in enrichment.items() if m != lead)
            parts.append(f"The model \u201c{name}\u201d {claim}: {SHORT_TITLES.get(lead, lead)} enrichment "
                         f"{format_number(enrichment[lead])} ({enrichment_words(enrichment[lead], object_name)})"
                         + (f"; {others}" if others else "") + ".")
            lead_values.append((name, lead, enrichment[lead]))
        else:
            parts.append(f"The model \u201c{name}\u201d: no object masks, so where it looks is not measured.")
        if accuracy:
            parts.append("Accuracy " + ", ".join(f"{format_number(v)} on {k}" for k, v in accuracy.items()) + ".")
        checks = {m: q["randomization"]["passed"] for m, q in quality.items() if q.get("randomization")}
        failed = [SHORT_TITLES.get(m, m) for m, passed in checks.items() if not passed]
        if checks:
            parts.append("Randomisation check: " + (
                "every method passes (its maps change when the weights are scrambled)." if not failed else
                f"{', '.join(failed)} fail{'s' if len(failed) == 1 else ''} (the maps barely change when the "
                "weights are scrambled, so they show the image more than the model)."))
        sentences.append(" ".join(parts))
    if len(lead_values) > 1 and len({lead for _, lead, _ in lead_values}) == 1:
        lead = lead_values[0][1]
        path = " \u2192 ".join(f"{format_number(v)} ({name})" for name, _, v in lead_values)
        sentences.append(f"{SHORT_TITLES.get(lead, lead)} enrichment across the models: {path}; 1 means no "
                         f"more mass on the {object_name} than a random map.")
    return sentences


# --------------------------------------------------------------------------- figures

def _grey(image_chw):
    image = np.asarray(image_chw, dtype=np.float64)
    return image.mean(axis=0)


def _rgb(image_chw):
    image = np.asarray(image_chw, dtype=np.float64).transpose(1, 2, 0)
    image = np.repeat(image, 3, axis=2) if image.shape[2] == 1 else image
    return np.clip(image, 0, 1)


def explanation_rows_figure(images, explained, methods, masks=None, labels=None, title=None, names=None):
    """Rows of images: the original (object outlined), then each method's map over it, with colour bars."""
    n, columns = len(images), 1 + len(methods)
    figure, axes = plt.subplots(n, columns, figsize=(3.0 * columns, 2.9 * n), squeeze=False)
    class_names = explained["class_names"]
    for row in range(n):
        target = int(explained["targets"][row])
        probability = explained["probabilities"][row, target]
        axis = axes[row, 0]
        axis.imshow(_rgb(images[row]), interpolation="nearest")
        if masks is not None:
            axis.contour(masks[row], levels=[0.5], colors="yellow", linewidths=1.2)
        truth = f"true {class_names[labels[row]]}\n" if labels is not None else ""
        truth = (f"{names[row]}\n" if names is not None else "") + truth
        axis.set_title(f"{truth}predicted {class_names[target]} (p={format_number(probability)})", fontsize=10)
        for column, name in enumerate(methods, start=1):
            entry = explained["methods"][name]
            heatmap = entry["heatmap"][row]
            axis = axes[row, column]
            axis.imshow(_grey(images[row]), cmap="gray", interpolation="nearest", vmin=0, vmax=1)
            if name in SIGNED_DISPLAY:
                limit = max(float(np.abs(heatmap).max()), 1e-12)
                shown_map = axis.imshow(heatmap, cmap="RdBu_r", vmin=-limit, vmax=limit, alpha=0.7,
                                        interpolation="nearest")
            else:
                shown_map = axis.imshow(heatmap, cmap="inferno", vmin=0, alpha=0.7, interpolation="nearest")
            if masks is not None:
                axis.contour(masks[row], levels=[0.5], colors="lime", linewidths=0.8)
            figure.colorbar(shown_map, ax=axis, fraction=0.046, pad=0.03)
            enrichment = "" if entry["enrichment"] is None else f", E={format_number(entry['enrichment'][row])}"
            axis.set_title(f"{SHORT_TITLES.get(name, name)} for {class_names[target]}\n"
                           f"p={format_number(probability)}{enrichment}", fontsize=10)
    for axis in axes.ravel():
        axis.set_xticks([])
        axis.set_yticks([])
    if title:
        figure.suptitle(title, fontsize=13)
    figure.tight_layout()
    return figure


def confusion_matrix(labels, predictions, classes):
    matrix = np.zeros((classes, classes), dtype=np.int64)
    np.add.at(matrix, (np.asarray(labels), np.asarray(predictions)), 1)
    return matrix


def confusion_figure(matrices, class_names, title):
    """One panel per test set: counts, true class down, predicted class across."""
    figure, axes = plt.subplots(1, len(matrices), figsize=(3.8 * len(matrices), 3.4), squeeze=False)
    for axis, (set_name, matrix) in zip(axes[0], matrices.items()):
        matrix = np.asarray(matrix)
        image = axis.imshow(matrix, cmap="Blues", vmin=0)
        for (i, j), count in np.ndenumerate(matrix):
            axis.text(j, i, str(count), ha="center", va="center", fontsize=12,
                      color="white" if count > matrix.max() / 2 else "black")
        axis.set_xticks(range(len(class_names)), class_names)
        axis.set_yticks(range(len(class_names)), class_names)
        axis.set_xlabel("predicted class")
        axis.set_ylabel("true class")
        accuracy = np.trace(matrix) / max(matrix.sum(), 1)
        axis.set_title(f"{set_name}: accuracy {format_number(accuracy)}", fontsize=10)
        figure.colorbar(image, ax=axis, fraction=0.046, pad=0.04, label="images")
    figure.suptitle(title)
    figure.tight_layout()
    return figure


def randomization_figure(quality, title):
    """Spearman of each method's map against the original as layers are re-initialised."""
    figure, axis = plt.subplots(figsize=(7, 3.8))
    threshold = None
    markers = iter("osD^vP*X" * 4)   # distinct markers: curves that coincide stay visible
    for name, q in quality.items():
        check = q.get("randomization")
        if not check:
            continue
        steps = range(1, len(check["correlations"]) + 1)
        verdict = "pass" if check["passed"] else "fail"
        axis.plot(steps, check["correlations"], marker=next(markers), markerfacecolor="none", markersize=8,
                  label=f"{SHORT_TITLES.get(name, name)} ({verdict})")
        threshold = check["threshold"]
        labels = check["layers"]
    if threshold is None:
        plt.close(figure)
        return None
    axis.axhline(threshold, color="grey", linestyle="--", label=f"pass threshold {format_number(threshold)}")
    axis.set_xticks(range(1, len(labels) + 1), [f"through\nlayer {layer}" for layer in labels], fontsize=8)
    axis.set_xlabel("layers re-initialised (cumulative, from the output down)")
    axis.set_ylabel("Spearman rho vs original map")
    axis.set_ylim(-0.2, 1.05)
    axis.grid(alpha=0.3)
    axis.legend(fontsize=8)
    axis.set_title(title)
    figure.tight_layout()
    return figure


# --------------------------------------------------------------------------- the generic report

def package_versions():
    import matplotlib as mpl
    import numba
    import skimage
    import sklearn
    return {"python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__,
            "matplotlib": mpl.__version__, "scikit-image": skimage.__version__,
            "scikit-learn": sklearn.__version__}


def quality_rows(name, quality):
    rows = []
    for method, q in quality.items():
        stability = q.get("stability")
        fidelity = q.get("fidelity")
        check = q.get("randomization")
        delta = q.get("ig_delta")
        rows.append([name, METHOD_TITLES.get(method, method), mean_sd_text(q["enrichment"]),
                     q["deletion_auc"]["mean"], q["insertion_auc"]["mean"],
                     check["passed"] if check else "not run",
                     stability["jaccard_top5"]["mean"] if stability else "—",
                     stability["spearman"]["mean"] if stability else "—",
                     fidelity["weighted_r2"]["mean"] if fidelity else "—",
                     delta["mean_abs"] if delta else "—"])
    return rows


QUALITY_HEADER = ["model", "method", "enrichment mean ± sd (n)", "deletion AUC (low = faithful)",
                  "insertion AUC (high = faithful)", "randomisation check", "LIME Jaccard top-5",
                  "LIME Spearman rho", "LIME weighted R²", "IG |completeness delta|"]


def explanation_report(models, images, class_names, masks=None, labels=None, methods=DEFAULT_METHODS,
                       seed=0, lime_samples=300, lime_fill="grey", lime_segments=50, lime_images=20,
                       curve_images=8, stability_images=3, randomization_images=4, chosen=None,
                       test_sets=None, histories=None, title="Explanation report", object_name="object",
                       report=None, settings=None, image_names=None):
    """The generic report for one model or a dict {name: model}; returns the Report.

    Sections: verdict, per-image explanations, quality table and randomisation curves,
    confusion matrices (for `test_sets` {name: (images, labels)}, or `images` with
    `labels`), history curves ({name: History}), settings. `image_names` (one per image,
    e.g. file names) title the per-image rows. `report.numbers` holds every
    number shown, JSON-able. Pass `report` to add these sections to one you started.
    """
    started = time.perf_counter()
    models = models if isinstance(models, dict) else {"model": models}
    images, masks = _check_inputs(images, masks, class_names)
    methods = check_methods(methods)
    if labels is not None:
        labels = np.asarray(labels, dtype=np.int64)
        if labels.shape != (len(images),):
            raise ValueError(f"labels must have shape ({len(images)},), got {labels.shape}")
    chosen = list(range(min(6, len(images)))) if chosen is None else [int(i) for i in chosen]
    report = Report(title) if report is None else report
    numbers = report.numbers.setdefault("models", {})
    common = dict(seed=seed, lime_samples=lime_samples, lime_fill=lime_fill, lime_segments=lime_segments)
    if test_sets is None and labels is not None:
        test_sets = {"these images": (images, labels)}

    per_image = {}
    for name, model in models.items():
        entry = numbers.setdefault(name, {})
        if test_sets:
            matrices = {s: confusion_matrix(y, _probabilities(model, x).argmax(axis=1), len(class_names))
                        for s, (x, y) in test_sets.items()}
            entry["confusion"] = {s: m.tolist() for s, m in matrices.items()}
            entry.setdefault("accuracy", {}).update(
                {s: shown(np.trace(m) / max(m.sum(), 1)) for s, m in matrices.items()})
        entry["quality"] = quality_summary(model, images, class_names, masks, methods, lime_images=lime_images,
                                           curve_images=curve_images, stability_images=stability_images,
                                           randomization_images=randomization_images, **common)
        per_image[name] = explain_images(model, images[chosen], class_names,
                                         None if masks is None else masks[chosen], methods, **common)
        entry["images"] = _image_numbers(per_image[name], chosen, methods)

    for sentence in verdict_sentences(numbers, object_name):
        report.verdict(sentence)
    _explanations_section(report, models, images, masks, labels, chosen, per_image, methods, object_name,
                          None if image_names is None else [str(image_names[i]) for i in chosen])
    _quality_section(report, numbers, models, object_name)
    if test_sets:
        report.section("Confusion matrices", "Rows: the true class; columns: what the model answered.")
        for name in models:
            report.figure(confusion_figure(numbers[name]["confusion"], class_names, f"model \u201c{name}\u201d"),
                          f"Confusion matrices of \u201c{name}\u201d.")
    if histories:
        import tinygrad_edu as tg
        report.section("Training", "Loss and accuracy per epoch, on the training and validation data.")
        for name, history in histories.items():
            report.figure(tg.plot_history(history), f"Training history of \u201c{name}\u201d.")
    used = {"seed": seed, "methods": ", ".join(methods), "lime": {
        "num_samples": lime_samples, "fill": str(lime_fill), "segmentation": f"slic, n_segments={lime_segments}",
        "images": min(lime_images, len(images)), "stability_images": min(stability_images, len(images)),
        "stability_seeds": 5},
        "deletion_insertion": {"images": min(curve_images, len(images)), "steps": 25,
                               "deletion_baseline": "black (0)", "insertion_baseline": "blur"},
        "randomization_images": min(randomization_images, len(images)),
        "images": f"{len(images)} of {images.shape[1]}x{images.shape[2]}x{images.shape[3]}",
        "masks": masks is not None, **(settings or {}), "versions": package_versions(),
        "runtime_s": shown(time.perf_counter() - started)}
    for name in methods:
        method_settings = per_image[next(iter(models))]["methods"][name]["settings"]
        used.setdefault("method_settings", {})[name] = ", ".join(
            f"{k}={v}" for k, v in method_settings.items() if not isinstance(v, np.ndarray))
    report.numbers["settings"] = _json_settings(used)
    report.section("Settings", "Everything that shaped the numbers above, to reproduce them.")
    report.settings(used)
    return report


def _json_settings(settings):
    return {k: _json_settings(v) if isinstance(v, dict) else
            (v if isinstance(v, (int, float, bool, str)) or v is None else str(v)) for k, v in settings.items()}


def _image_numbers(explained, chosen, methods):
    rows = []
    for row, index in enumerate(chosen):
        target = int(explained["targets"][row])
        record = {"index": index, "target": target,
                  "probability": shown(explained["probabilities"][row, target])}
        for name in methods:
            enrichment = explained["methods"][name]["enrichment"]
            if enrichment is not None:
                record.setdefault("enrichment", {})[name] = shown(enrichment[row])
        rows.append(record)
    return rows


def _explanations_section(report, models, images, masks, labels, chosen, per_image, methods, object_name,
                          names):
    outline = f" The {object_name} is outlined (mask)." if masks is not None else ""
    report.section("Per-image explanations",
                   "Each row: the image, then each method's heat map over a grey copy of it, explaining the "
                   "predicted class (its probability p above each panel). Red / bright = evidence for that "
                   "class; blue = against (LIME and occlusion are signed)." + outline +
                   (" E is the panel's object enrichment." if masks is not None else ""))
    for name in models:
        figure = explanation_rows_figure(images[chosen], per_image[name], methods,
                                         None if masks is None else masks[chosen],
                                         None if labels is None else labels[chosen],
                                         title=f"model \u201c{name}\u201d", names=names)
        report.figure(figure, f"Explanations of model \u201c{name}\u201d for images {chosen}.")


def _quality_section(report, numbers, models, object_name):
    report.section("How far to trust each explanation",
                   f"Enrichment: mass on the {object_name} over its share of the image (1 = random, below 1 = "
                   "looks away). Deletion / insertion AUC: the class probability as the most important pixels "
                   "are removed (to black) / added (onto a blurred copy); lower / higher is more faithful. "
                   "Randomisation check: a map that survives scrambling the weights explains the image, not the "
                   "model. LIME: agreement of its top 5 superpixels (Jaccard) and of its weight ranks (Spearman) "
                   "across 5 seeds, and its weighted R² (does the line fit the model near the image?). "
                   "IG: |sum of attributions - (F(x) - F(baseline))|, 0 for an exact integral.")
    rows = []
    for name in models:
        rows.extend(quality_rows(name, numbers[name]["quality"]))
    report.table(QUALITY_HEADER, rows, caption="Quality of the explanations, per model and method")
    for name in models:
        figure = randomization_figure(numbers[name]["quality"], f"Randomisation check, model \u201c{name}\u201d")
        if figure is not None:
            report.figure(figure, f"Randomisation check of \u201c{name}\u201d: each curve should fall below "
                                  "the threshold once the weights are scrambled.")
