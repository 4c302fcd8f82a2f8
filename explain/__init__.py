"""explain: LIME for images and text, gradient attributions, and measures of how far to trust them.

LIME asks a black-box classifier about many perturbed copies of one input and
fits a weighted straight line to the answers; the line's weights say which
parts of the input the prediction rests on. The API is lime's, so lime code
runs unchanged, and LIME needs nothing of tinygrad_edu: any function from a
batch to probabilities works. The other methods look inside a tinygrad_edu model.

Chapters, in reading order (each folder's __init__ lists its files):
    lime/             LIME, one step of the algorithm per file, then the image and text explainers
    model_adapter.py  a tinygrad_edu model as LIME's black box (model_fn), and the helpers the rest share
    attributions/     saliency, SmoothGrad, Integrated Gradients, Grad-CAM, occlusion (captum's meanings)
    learned/          inside a convnet: activations, filters, maximal-activation patterns
    trust/            stability across seeds, fidelity, deletion/insertion curves, the randomisation check
    report/           object enrichment, and one self-contained HTML report per model (or models)
The command line is python -m explain report (report/cli.py).
"""
from .attributions.gradcam import grad_cam
from .attributions.gradients import integrated_gradients, saliency, smoothgrad
from .attributions.perturbation import occlusion
from .attributions.result import Attribution
from .learned.activations import activations, plot_activations
from .learned.filters import plot_filters
from .learned.patterns import maximize_activation, plot_filter_patterns
from .lime.distances import exponential_kernel
from .lime.image import ImageExplanation, LimeImageExplainer
from .lime.plots import plot_image_explanation, plot_text_explanation, plot_weights
from .lime.ridge import weighted_ridge
from .lime.segmentation import BaseWrapper, SegmentationAlgorithm, fixed_segmentation, segment
from .lime.text import IndexedCharacters, IndexedString, LimeTextExplainer, TextExplanation
from .model_adapter import model_fn
from .report import Report, explain_images, explanation_report, object_enrichment, quality_summary
from .trust.curves import Curve, deletion_curve, insertion_curve
from .trust.randomization import RandomizationResult, randomization_check
from .trust.stability import (StabilityReport, explain_until_stable, fidelity, jaccard_at_k, spearman, stability,
                              stability_across_seeds)

__all__ = [
    "LimeImageExplainer", "ImageExplanation", "LimeTextExplainer", "TextExplanation", "IndexedString",
    "IndexedCharacters", "BaseWrapper",
    "SegmentationAlgorithm", "segment", "fixed_segmentation",
    "exponential_kernel", "weighted_ridge",
    "stability", "stability_across_seeds", "explain_until_stable", "jaccard_at_k", "spearman",
    "StabilityReport", "fidelity", "deletion_curve", "insertion_curve", "Curve",
    "plot_image_explanation", "plot_weights", "plot_text_explanation",
    "model_fn",
    "Attribution", "saliency", "smoothgrad", "integrated_gradients", "grad_cam", "occlusion",
    "activations", "plot_activations", "plot_filters", "maximize_activation", "plot_filter_patterns",
    "randomization_check", "RandomizationResult",
    "Report", "object_enrichment", "explain_images", "quality_summary", "explanation_report",
]

from tinygrad_edu.runtime import old_paths  # noqa: E402

old_paths.bind_loaded()  # this package's old module names, now that its modules are loaded
