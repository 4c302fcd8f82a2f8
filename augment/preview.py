"""Preview: look before you train.

A pipeline that is wrong often looks wrong: digits pushed off the canvas,
colours inverted, masks out of step with their images. `preview` draws a grid,
one row per image: the original on the left, then `copies` augmented versions,
each with fresh parameters from the same Generator (so the figure itself is
reproducible).

It returns a matplotlib Figure built without pyplot, so it needs no display
and touches no global state: `preview(...).savefig("augment.png")`.

Read next: explain/lime/base.py (the explain package: why a model decides what it decides).
"""
import numpy as np
from matplotlib.figure import Figure

from . import layout as layouts
from .random import as_generator


def _displayable(image_chw, value_range):
    """(C, H, W) -> something imshow draws faithfully, plus its colour limits."""
    if value_range is None:
        low, high = float(image_chw.min()), float(image_chw.max())
        high = high if high > low else low + 1.0
    else:
        low, high = value_range
    if image_chw.shape[0] == 3:
        # RGB floats must lie in [0, 1] for imshow: rescale for display only.
        return np.clip((image_chw.transpose(1, 2, 0) - low) / (high - low), 0, 1), {}
    return image_chw[0], {"cmap": "gray", "vmin": low, "vmax": high}


def preview(pipeline, images, n=8, *, rng=0, copies=4, labels=None, cell_inches=1.3):
    """A Figure with n rows: each original image, then `copies` augmentations of it.

    Pass `labels` when the pipeline's policy relabels flipped classes (flip_label_map);
    the augmented copies are then titled with their labels after augmentation.
    """
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"preview expected n >= 1 images to show, got {n!r}")
    if not isinstance(copies, int) or copies < 1:
        raise ValueError(f"preview expected copies >= 1, got {copies!r}")
    spec = pipeline.spec
    batch = layouts.to_batch(images, spec.layout)
    shown = batch[:n]
    generator = as_generator(rng)
    shown_labels = None if labels is None else np.asarray(labels)[:n]
    results = [pipeline.augment(layouts.from_batch(shown, spec.layout), generator, labels=shown_labels)
               for _ in range(copies)]
    augmented = [layouts.to_batch(result.images, spec.layout) for result in results]

    rows, columns = len(shown), copies + 1
    figure = Figure(figsize=(columns * cell_inches, rows * cell_inches), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False)
    for row in range(rows):
        for column in range(columns):
            image = shown[row] if column == 0 else augmented[column - 1][row]
            pixels, style = _displayable(image, spec.value_range)
            axes[row, column].imshow(pixels, interpolation="nearest", **style)
            axes[row, column].set_xticks([])
            axes[row, column].set_yticks([])
            if shown_labels is not None:
                label = shown_labels[row] if column == 0 else results[column - 1].labels[row]
                axes[row, column].set_xlabel(f"label {label}", fontsize=7)
        if row == 0:
            axes[0, 0].set_title("original", fontsize=9)
            for column in range(1, columns):
                axes[0, column].set_title(f"augmented {column}", fontsize=9)
    figure.suptitle(repr(pipeline), fontsize=8, parse_math=False)
    return figure
