"""The report's pictures: the maps themselves, the confusion matrices, the randomisation curves.

Explanation rows: one row per image, the image first (the object outlined in
yellow when there is a mask), then each method's map over a grey copy of it.
Signed maps (LIME, occlusion) use a diverging colour map centred on 0, so red is
evidence for the class and blue against; mass maps (Grad-CAM, |IG|) run from 0
(dark) up. Each panel's title holds the class explained, its probability p and,
with masks, the panel's enrichment E, so the picture and its number sit together.
Confusion matrices count the images by true class (rows) and answer (columns).
The randomisation figure draws each method's Spearman rho against its original
map as the layers are re-initialised from the output down, with the pass threshold.
Every text is drawn as it is written (parse_math=False): a class named "$x^2$" or a
title with two dollar signs is shown, never typeset as mathtext or refused by it.
Read next: explain/report/build.py (the whole report, section by section).
"""
import matplotlib.pyplot as plt
import numpy as np

from .methods import SHORT_TITLES, SIGNED_DISPLAY
from .numbers import format_number

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
        axis.set_title(f"{truth}predicted {class_names[target]} (p={format_number(probability)})", fontsize=10,
                       parse_math=False)
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
                           f"p={format_number(probability)}{enrichment}", fontsize=10, parse_math=False)
    for axis in axes.ravel():
        axis.set_xticks([])
        axis.set_yticks([])
    if title:
        figure.suptitle(title, fontsize=13, parse_math=False)
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
        axis.set_xticks(range(len(class_names)), class_names, parse_math=False)
        axis.set_yticks(range(len(class_names)), class_names, parse_math=False)
        axis.set_xlabel("predicted class")
        axis.set_ylabel("true class")
        accuracy = np.trace(matrix) / max(matrix.sum(), 1)
        axis.set_title(f"{set_name}: accuracy {format_number(accuracy)}", fontsize=10, parse_math=False)
        figure.colorbar(image, ax=axis, fraction=0.046, pad=0.04, label="images")
    figure.suptitle(title, parse_math=False)
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
    axis.set_xticks(range(1, len(labels) + 1), [f"through\nlayer {layer}" for layer in labels], fontsize=8,
                    parse_math=False)
    axis.set_xlabel("layers re-initialised (cumulative, from the output down)")
    axis.set_ylabel("Spearman rho vs original map")
    axis.set_ylim(-0.2, 1.05)
    axis.grid(alpha=0.3)
    for text in axis.legend(fontsize=8).get_texts():   # a legend takes no parse_math of its own
        text.set_parse_math(False)
    axis.set_title(title, parse_math=False)
    figure.tight_layout()
    return figure
