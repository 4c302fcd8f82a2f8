"""explain: LIME for images and text, with measures of how far to trust it.

LIME asks a black-box classifier about many perturbed copies of one input and
fits a weighted straight line to the answers; the line's weights say which
parts of the input the prediction rests on. The API is the lime package's, so
lime code runs unchanged; the internals are numpy and scikit-image only, and
LIME needs nothing of tinygrad_edu: any function from a batch to probabilities
works. The gradient tools (attributions, activations, sanity) need a tinygrad_edu model.

Reading order (one idea per file):
    lime_base.py     the weighted linear surrogate, step by step, and lime's LimeBase; its parts:
      distances.py          distances to the original and the kernel that weighs them
      ridge.py              weighted ridge regression and its R^2
      feature_selection.py  the k features the surrogate may use
      lime_checks.py        the classifier's answers and the arguments, checked at the door
      random_state.py       one Generator for every random draw
    segmentation.py  superpixels as features, with size-scaled defaults, labelled 0..d-1
    fills.py         what a hidden superpixel looks like: mean, constant or blur
    perturb_reference.py  all perturbed images: the loop, then one lookup (plain numpy)
    perturb.py       the same lookup compiled by Numba; sampling; batched predictions
    lime_image.py    LimeImageExplainer and ImageExplanation
    lime_text.py     LimeTextExplainer and TextExplanation
    html_report.py   the self-contained page that as_html writes
    quality.py       stability across seeds, fidelity, deletion/insertion curves
    plots.py         outlined superpixels, weight bars, highlighted words
    attribution.py   Attribution: the result type of the gradient and perturbation methods
    attributions.py  saliency, SmoothGrad, Integrated Gradients, Grad-CAM, occlusion (captum's meanings)
    activations.py   inside a convnet: activations, filters, maximal-activation patterns
    sanity.py        does a map depend on the model? randomisation check; model_fn adapter
    report.py        object enrichment, and one self-contained HTML report per model (or models)
    __main__.py      python -m explain report: that report for a saved model and a folder of images
"""
from .learned.activations import activations, maximize_activation, plot_activations, plot_filter_patterns, plot_filters
from .attributions.result import Attribution
from .attributions.gradients import grad_cam, integrated_gradients, occlusion, saliency, smoothgrad
from .lime.base import exponential_kernel, weighted_ridge
from .lime.image import ImageExplanation, LimeImageExplainer
from .lime.text import IndexedCharacters, IndexedString, LimeTextExplainer, TextExplanation
from .lime.plots import plot_image_explanation, plot_text_explanation, plot_weights
from .trust.quality import Curve, StabilityReport, deletion_curve, explain_until_stable, fidelity, insertion_curve, jaccard_at_k, spearman, stability, stability_across_seeds
from .report import Report, explain_images, explanation_report, object_enrichment, quality_summary
from .trust.randomization import RandomizationResult, model_fn, randomization_check
from .lime.segmentation import BaseWrapper, SegmentationAlgorithm, fixed_segmentation, segment

__all__ = [
    "LimeImageExplainer", "ImageExplanation", "LimeTextExplainer", "TextExplanation", "IndexedString",
    "IndexedCharacters", "BaseWrapper",
    "SegmentationAlgorithm", "segment", "fixed_segmentation",
    "exponential_kernel", "weighted_ridge",
    "stability", "stability_across_seeds", "explain_until_stable", "jaccard_at_k", "spearman",
    "StabilityReport", "fidelity", "deletion_curve", "insertion_curve", "Curve",
    "plot_image_explanation", "plot_weights", "plot_text_explanation",
    "Attribution", "saliency", "smoothgrad", "integrated_gradients", "grad_cam", "occlusion", "activations", "plot_activations", "plot_filters", "maximize_activation", "plot_filter_patterns",
    "randomization_check", "RandomizationResult", "model_fn",
    "Report", "object_enrichment", "explain_images", "quality_summary", "explanation_report",
]
