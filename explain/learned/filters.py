"""What a convolutional layer learned: its filters, drawn as small images.

A Conv2d's weights W (out, in, kh, kw) are out small images of in channels:
filter k responds most where the image looks like W[k]. The first layer sees
pixels, so its filters are readable as they are (edges, colour blobs); deeper
filters mix channels that are no longer colours (patterns.py draws those).

    one tile per output channel: RGB when in = 3, scaled so that 0 is mid grey,
        w / (2 max|w|) + 0.5 per channel;
    else one tile per (output, input) pair on a diverging map: 0 white,
        positive red, negative blue, one colour bar for all.
Read next: explain/learned/patterns.py (the input a deeper channel responds to most).
"""
import numpy as np


def plot_filters(conv_layer, max_filters=16, max_inputs=8):
    """The layer's weights as a grid: one tile per output channel (RGB for 3 inputs, else one per input).

    Single-channel tiles use a diverging map centred on 0 (white) with a colour
    bar; RGB tiles map 0 to mid grey (w / (2 max|w|) + 0.5 per channel).
    """
    import matplotlib.pyplot as plt

    weight = getattr(conv_layer, "weight", None)
    if weight is None or np.ndim(weight.data) != 4:
        raise TypeError(f"plot_filters expected a Conv2d layer (weight (out, in, kh, kw)), "
                        f"got {type(conv_layer).__name__}")
    weights = np.asarray(weight.data, dtype=np.float64)[:max_filters]
    largest = float(np.abs(weights).max()) or 1.0
    if weights.shape[1] == 3:
        return _plot_rgb_filters(plt, weights, largest)
    inputs = min(weights.shape[1], max_inputs)
    columns = len(weights) if inputs == 1 else inputs
    rows = 1 if inputs == 1 else len(weights)
    if inputs == 1 and columns > 8:
        rows, columns = int(np.ceil(columns / 8)), 8
    figure, axes = plt.subplots(rows, columns, figsize=(1.1 * columns + 1.5, 1.1 * rows + 0.8), squeeze=False)
    for index, axis in enumerate(axes.ravel()):
        axis.set_xticks([])
        axis.set_yticks([])
        out, inp = (index, 0) if inputs == 1 else divmod(index, columns)
        if out >= len(weights):
            axis.axis("off")
            continue
        shown = axis.imshow(weights[out, inp], cmap="RdBu_r", vmin=-largest, vmax=largest)
        if inputs == 1:
            axis.set_xlabel(f"out {out}", fontsize=7, labelpad=1)
        elif inp == 0:
            axis.set_ylabel(f"out {out}", fontsize=7)
        if inputs > 1 and out == 0:
            axis.set_title(f"in {inp}", fontsize=7)
    cut = len(weights) < weight.shape[0] or inputs < weight.shape[1]
    shown_part = f" (first {len(weights)} outputs x {inputs} inputs)" if cut else ""
    figure.suptitle(f"{type(conv_layer).__name__} filters {tuple(weight.shape)}{shown_part}: "
                    "red > 0, blue < 0, white = 0", parse_math=False)
    figure.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.5, label="weight")
    return figure


def _plot_rgb_filters(plt, weights, largest):
    columns = min(8, len(weights))
    rows = int(np.ceil(len(weights) / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(1.1 * columns, 1.1 * rows + 0.6), squeeze=False)
    for index, axis in enumerate(axes.ravel()):
        axis.axis("off")
        if index < len(weights):
            axis.imshow(np.clip(np.moveaxis(weights[index], 0, -1) / (2 * largest) + 0.5, 0, 1))
            axis.set_title(f"out {index}", fontsize=7)
    figure.suptitle(f"RGB filters {weights.shape}: grey = 0, max |w| = {largest:.3g}")
    return figure
