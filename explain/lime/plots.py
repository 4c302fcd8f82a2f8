"""Pictures of an explanation: outlined superpixels, weight bars, highlighted words.

Each function returns a matplotlib Figure (or draws into `ax` if given), so a
report can save it and a notebook can show it.
    plot_image_explanation   the image, top-k superpixels outlined: green pushes the
                             label up, red pushes it down (skimage's mark_boundaries)
    plot_weights             a bar chart of the k largest weights, superpixels or words
    plot_text_explanation    the text itself, each word shaded by its weight
Colour convention everywhere: green = for the label, red = against it.
Words and labels are drawn as written (parse_math=False): "$5 or $10" is not mathtext.
Read next: explain/model_adapter.py (a tinygrad_edu model as the black box, and what the gradient methods share).
"""
import numpy as np
from skimage.segmentation import mark_boundaries

from .image import ImageExplanation
from .segmentation import as_unit_float_rgb

POSITIVE = (0.1, 0.7, 0.1)
NEGATIVE = (0.85, 0.1, 0.1)


def _axes(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    import matplotlib.pyplot as plt
    return plt.subplots(figsize=figsize)


def plot_image_explanation(explanation, label, num_features=5, ax=None, min_weight=0.0):
    """The image with its num_features strongest superpixels outlined by sign."""
    fig, ax = _axes(ax, (5, 5))
    image = explanation.image if explanation.image.ndim == 3 else explanation.image[..., None]
    image = as_unit_float_rgb(np.repeat(image, 3, axis=2) if image.shape[2] == 1 else image)
    strongest = [(f, w) for f, w in explanation.local_exp[label][:num_features] if abs(w) > min_weight]
    segments = explanation.segments
    for sign, colour in ((1, POSITIVE), (-1, NEGATIVE)):
        chosen = [f for f, w in strongest if np.sign(w) == sign]
        # each chosen superpixel keeps its own label so neighbours get separate outlines
        outlined = np.where(np.isin(segments, chosen), segments + 1, 0)
        image = mark_boundaries(image, outlined, color=colour, mode="inner")
    ax.imshow(image)
    ax.set_axis_off()
    ax.set_title(f"label {label}: top {len(strongest)} superpixels (green for, red against)", parse_math=False)
    return fig


def plot_weights(explanation, label, num_features=10, ax=None):
    """Horizontal bars of the num_features largest |weights|, largest at the top."""
    if isinstance(explanation, ImageExplanation):
        items = [(f"superpixel {f}", w) for f, w in explanation.local_exp[label]]
    else:
        items = explanation.as_list(label)
    items = items[:num_features][::-1]
    fig, ax = _axes(ax, (6, 0.4 * len(items) + 1.2))
    values = [w for _, w in items]
    ax.barh(np.arange(len(items)), values, color=[POSITIVE if w > 0 else NEGATIVE for w in values])
    ax.set_yticks(np.arange(len(items)), [name for name, _ in items], parse_math=False)
    ax.axvline(0.0, color="black", linewidth=0.8)
    ax.set_xlabel("weight (change in probability when the feature is present)")
    ax.set_title(f"Local explanation for label {label}", parse_math=False)
    fig.tight_layout()
    return fig


def plot_text_explanation(explanation, label, ax=None, line_width=70, fontsize=11):
    """The text, word by word, each word's background shaded by its weight."""
    indexed = explanation.indexed_string
    weights = explanation.weights(label)
    largest = np.abs(weights).max() or 1.0
    char_inches = 0.6 * fontsize / 72          # a monospace glyph advances 0.6 em
    estimated_lines = len(_wrap(indexed.tokens, line_width))
    fig, ax = _axes(ax, (line_width * char_inches / 0.96 + 0.1, 0.3 * estimated_lines + 0.6))
    if len(fig.axes) == 1:
        fig.subplots_adjust(left=0.02, right=0.98)
    # one x unit = one glyph, so a token of n characters is n units wide
    axes_inches = ax.get_position().width * fig.get_figwidth()
    glyphs_per_line = max(10, int(axes_inches / char_inches))
    lines = _wrap(indexed.tokens, min(line_width, glyphs_per_line))
    for row, line in enumerate(lines):
        column = 0
        for token_index in line:
            token = indexed.tokens[token_index].replace("\n", " ")
            feature = indexed.token_feature[token_index]
            box = None
            if feature >= 0 and weights[feature] != 0:
                box = {"facecolor": POSITIVE if weights[feature] > 0 else NEGATIVE,
                       "alpha": 0.15 + 0.75 * abs(weights[feature]) / largest, "edgecolor": "none", "pad": 1}
            ax.text(column, -row, token, family="monospace", fontsize=fontsize, va="center", bbox=box,
                    parse_math=False)
            column += len(token)
    ax.set_xlim(0, glyphs_per_line)
    ax.set_ylim(-len(lines) + 0.5, 0.5)
    ax.set_axis_off()
    ax.set_title(f"label {label}: green words push it up, red push it down", parse_math=False)
    return fig


def _wrap(tokens, line_width):
    """Token indices grouped into lines of at most about line_width characters."""
    lines, current, length = [], [], 0
    for index, token in enumerate(tokens):
        if current and length + len(token) > line_width:
            lines.append(current)
            current, length = [], 0
        current.append(index)
        length += len(token)
    return lines + [current] if current else lines or [[]]
