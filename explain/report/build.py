"""The whole report: measure every model, then write the page section by section.

explanation_report(models, images, class_names, masks=...) first measures, per
model: its confusion matrices (with labels or test sets), every method's trust
numbers (trust.py) and the maps of a few chosen images (methods.py). Only then
does it write, in the order a reader needs:

    verdict          the numbers in words (verdict.py), always under the title
    explanations     the chosen images and every method's map (figures.py)
    trust            one table row per model and method, the randomisation curves
    confusion        per test set; training curves when histories are given
    settings         everything that shaped the numbers, versions and run time

Every number shown is also in `report.numbers`, a JSON-able dict:
{"models": {name: {"accuracy", "confusion", "quality", "images"}}, "settings": ...}.
Read next: explain/report/images.py (reading a folder of images and masks safely, for the command line).
"""
import platform
import time
from importlib.metadata import version

import matplotlib as mpl
import numba
import numpy as np
import skimage

import tinygrad_edu as tg

from .figures import confusion_figure, confusion_matrix, explanation_rows_figure, randomization_figure
from .methods import DEFAULT_METHODS, METHOD_TITLES, check_inputs, check_methods, class_probabilities, explain_images
from .numbers import mean_sd_text, shown
from .page import Report
from .trust import quality_summary
from .verdict import verdict_sentences

QUALITY_HEADER = ["model", "method", "enrichment mean ± sd (n)", "deletion AUC (low = faithful)",
                  "insertion AUC (high = faithful)", "randomisation check", "LIME Jaccard top-5",
                  "LIME Spearman rho", "LIME weighted R²", "IG |completeness delta|"]


def explanation_report(models, images, class_names, masks=None, labels=None, methods=DEFAULT_METHODS,
                       seed=0, lime_samples=300, lime_fill="grey", lime_segments=50, lime_images=20,
                       curve_images=8, stability_images=3, randomization_images=4, chosen=None,
                       test_sets=None, histories=None, title="Explanation report", object_name="object",
                       report=None, settings=None, image_names=None, curve_steps=25, stability_seeds=5):
    """The generic report for one model or a dict {name: model}; returns the Report.

    Sections: verdict, per-image explanations, quality table and randomisation curves,
    confusion matrices (for `test_sets` {name: (images, labels)}, or `images` with
    `labels`), history curves ({name: History}), settings. `image_names` (one per image,
    e.g. file names) title the per-image rows. `report.numbers` holds every
    number shown, JSON-able. Pass `report` to add these sections to one you started.
    `curve_steps` and `stability_seeds` go to quality_summary, and the page states what they were.
    """
    started = time.perf_counter()
    models = models if isinstance(models, dict) else {"model": models}
    images, masks = check_inputs(images, masks, class_names)
    methods = check_methods(methods)
    labels = _check_labels(labels, len(images))
    chosen = list(range(min(6, len(images)))) if chosen is None else [int(i) for i in chosen]
    report = Report(title) if report is None else report
    numbers = report.numbers.setdefault("models", {})
    common = dict(seed=seed, lime_samples=lime_samples, lime_fill=lime_fill, lime_segments=lime_segments)
    checks = dict(lime_images=lime_images, curve_images=curve_images, curve_steps=curve_steps,
                  stability_images=stability_images, stability_seeds=stability_seeds,
                  randomization_images=randomization_images)
    if test_sets is None and labels is not None:
        test_sets = {"these images": (images, labels)}

    per_image = {}
    for name, model in models.items():
        per_image[name] = _measure(model, numbers.setdefault(name, {}), images, class_names, masks, methods,
                                   chosen, test_sets, common, checks)

    for sentence in verdict_sentences(numbers, object_name):
        report.verdict(sentence)
    _explanations_section(report, models, images, masks, labels, chosen, per_image, methods, object_name,
                          None if image_names is None else [str(image_names[i]) for i in chosen])
    _quality_section(report, numbers, models, object_name, stability_seeds)
    if test_sets:
        _confusion_section(report, numbers, models, class_names)
    if histories:
        _training_section(report, histories)
    used = _used_settings(images, masks, methods, per_image, common, checks, settings, started)
    report.numbers["settings"] = _json_settings(used)
    report.section("Settings", "Everything that shaped the numbers above, to reproduce them.")
    report.settings(used)
    return report


def _check_labels(labels, count):
    if labels is not None:
        labels = np.asarray(labels, dtype=np.int64)
        if labels.shape != (count,):
            raise ValueError(f"labels must have shape ({count},), got {labels.shape}")
    return labels


def _measure(model, entry, images, class_names, masks, methods, chosen, test_sets, common, checks):
    """One model's numbers into `entry` (confusion, accuracy, quality, images); returns its chosen maps."""
    if test_sets:
        matrices = {s: confusion_matrix(y, class_probabilities(model, x).argmax(axis=1), len(class_names))
                    for s, (x, y) in test_sets.items()}
        entry["confusion"] = {s: m.tolist() for s, m in matrices.items()}
        entry.setdefault("accuracy", {}).update(
            {s: shown(np.trace(m) / max(m.sum(), 1)) for s, m in matrices.items()})
    entry["quality"] = quality_summary(model, images, class_names, masks, methods, **checks, **common)
    explained = explain_images(model, images[chosen], class_names, None if masks is None else masks[chosen],
                               methods, **common)
    entry["images"] = _image_numbers(explained, chosen, methods)
    return explained


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


def quality_rows(name, quality):
    """One row of QUALITY_HEADER per method of quality_summary's dict, for the model called `name`."""
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


def _quality_section(report, numbers, models, object_name, stability_seeds):
    report.section("How far to trust each explanation",
                   f"Enrichment: mass on the {object_name} over its share of the image (1 = random, below 1 = "
                   "looks away). Deletion / insertion AUC: the class probability as the most important pixels "
                   "are removed (to black) / added (onto a blurred copy); lower / higher is more faithful. "
                   "Randomisation check: a map that survives scrambling the weights explains the image, not the "
                   "model. LIME: agreement of its top 5 superpixels (Jaccard) and of its weight ranks (Spearman) "
                   f"across {stability_seeds} seeds, and its weighted R² (does the line fit the model near the "
                   "image?). IG: |sum of attributions - (F(x) - F(baseline))|, 0 for an exact integral.")
    rows = []
    for name in models:
        rows.extend(quality_rows(name, numbers[name]["quality"]))
    report.table(QUALITY_HEADER, rows, caption="Quality of the explanations, per model and method")
    for name in models:
        figure = randomization_figure(numbers[name]["quality"], f"Randomisation check, model \u201c{name}\u201d")
        if figure is not None:
            report.figure(figure, f"Randomisation check of \u201c{name}\u201d: each curve should fall below "
                                  "the threshold once the weights are scrambled.")


def _confusion_section(report, numbers, models, class_names):
    report.section("Confusion matrices", "Rows: the true class; columns: what the model answered.")
    for name in models:
        report.figure(confusion_figure(numbers[name]["confusion"], class_names, f"model \u201c{name}\u201d"),
                      f"Confusion matrices of \u201c{name}\u201d.")


def _training_section(report, histories):
    report.section("Training", "Loss and accuracy per epoch, on the training and validation data.")
    for name, history in histories.items():
        report.figure(tg.plot_history(history), f"Training history of \u201c{name}\u201d.")


def package_versions():
    """The versions behind the numbers (scikit-learn's from its metadata: the report never imports it)."""
    return {"python": platform.python_version(), "numpy": np.__version__, "numba": numba.__version__,
            "matplotlib": mpl.__version__, "scikit-image": skimage.__version__,
            "scikit-learn": version("scikit-learn")}


def _used_settings(images, masks, methods, per_image, common, checks, settings, started):
    """Everything that shaped the numbers, in the order the Settings table lists it."""
    used = {"seed": common["seed"], "methods": ", ".join(methods), "lime": {
        "num_samples": common["lime_samples"], "fill": str(common["lime_fill"]),
        "segmentation": f"slic, n_segments={common['lime_segments']}",
        "images": min(checks["lime_images"], len(images)),
        "stability_images": min(checks["stability_images"], len(images)),
        "stability_seeds": checks["stability_seeds"]},
        "deletion_insertion": {"images": min(checks["curve_images"], len(images)), "steps": checks["curve_steps"],
                               "deletion_baseline": "black (0)", "insertion_baseline": "blur"},
        "randomization_images": min(checks["randomization_images"], len(images)),
        "images": f"{len(images)} of {images.shape[1]}x{images.shape[2]}x{images.shape[3]}",
        "masks": masks is not None, **(settings or {}), "versions": package_versions(),
        "runtime_s": shown(time.perf_counter() - started)}
    first = next(iter(per_image.values()))
    for name in methods:
        method_settings = first["methods"][name]["settings"]
        used.setdefault("method_settings", {})[name] = ", ".join(
            f"{k}={v}" for k, v in method_settings.items() if not isinstance(v, np.ndarray))
    return used


def _json_settings(settings):
    return {k: _json_settings(v) if isinstance(v, dict) else
            (v if isinstance(v, (int, float, bool, str)) or v is None else str(v)) for k, v in settings.items()}
