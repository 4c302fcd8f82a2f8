"""LIME, one step of the algorithm per file, in the order the algorithm runs (the lime package's API).

    base.py               the weighted linear surrogate, its five steps, and lime's LimeBase
    random_state.py       step 1: one Generator for every random draw
    checks.py             step 2: the classifier's answers (and the arguments), checked at the door
    distances.py          step 3: distances to the original, and the kernel that weighs them
    feature_selection.py  step 4: the k features the surrogate may use
    ridge.py              step 5: weighted ridge regression and its R^2
    segmentation.py       superpixels as features, labelled 0..d-1
    fills.py              what a hidden superpixel looks like: mean, constant or blur
    perturb_reference.py  all perturbed images: the loop, then one lookup (plain numpy)
    perturb.py            the same lookup compiled by Numba; sampling; batched predictions
    image.py              LimeImageExplainer and ImageExplanation
    text.py               LimeTextExplainer and TextExplanation
    text_page.py          the self-contained page that as_html writes
    plots.py              outlined superpixels, weight bars, highlighted words
The names below are those the old explain/lime_base.py offered, for code written against it.
"""
from .base import LabelExplanations, LimeBase, LocalModel, choose_labels, explain_labels, fit_local_model, record_on
from .checks import check_explainer_settings, check_labels, check_positive_int, check_probabilities
from .distances import DISTANCE_METRICS, distances_to_original, exponential_kernel
from .feature_selection import (FEATURE_SELECTION_METHODS, forward_selection, highest_weights, lasso_path,
                                select_features)
from .random_state import make_generator
from .ridge import weighted_r2, weighted_ridge
