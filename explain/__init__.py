"""explain: LIME for images and text, with measures of how far to trust it.

LIME asks a black-box classifier about many perturbed copies of one input and
fits a weighted straight line to the answers; the line's weights say which
parts of the input the prediction rests on. The API is the lime package's, so
lime code runs unchanged; the internals are numpy and scikit-image only, and
nothing here needs tinygrad_edu: any function from a batch to probabilities works.

Reading order (one idea per file):
    lime_base.py     the weighted linear surrogate: kernel, distances, ridge, feature selection
    segmentation.py  superpixels as features, with size-scaled defaults, labelled 0..d-1
    fills.py         what a hidden superpixel looks like: mean, constant or blur
    perturb.py       all perturbed images at once, as one lookup
    lime_image.py    LimeImageExplainer and ImageExplanation
    lime_text.py     LimeTextExplainer and TextExplanation
    quality.py       stability across seeds, fidelity, deletion/insertion curves
    plots.py         outlined superpixels, weight bars, highlighted words
"""
from .lime_base import exponential_kernel, weighted_ridge
from .lime_image import ImageExplanation, LimeImageExplainer
from .lime_text import IndexedCharacters, IndexedString, LimeTextExplainer, TextExplanation
from .plots import plot_image_explanation, plot_text_explanation, plot_weights
from .quality import (
    Curve,
    StabilityReport,
    deletion_curve,
    explain_until_stable,
    fidelity,
    insertion_curve,
    jaccard_at_k,
    spearman,
    stability,
    stability_across_seeds,
)
from .segmentation import BaseWrapper, SegmentationAlgorithm, fixed_segmentation, segment

__all__ = [
    "LimeImageExplainer", "ImageExplanation", "LimeTextExplainer", "TextExplanation", "IndexedString",
    "IndexedCharacters", "BaseWrapper",
    "SegmentationAlgorithm", "segment", "fixed_segmentation",
    "exponential_kernel", "weighted_ridge",
    "stability", "stability_across_seeds", "explain_until_stable", "jaccard_at_k", "spearman",
    "StabilityReport", "fidelity", "deletion_curve", "insertion_curve", "Curve",
    "plot_image_explanation", "plot_weights", "plot_text_explanation",
]
