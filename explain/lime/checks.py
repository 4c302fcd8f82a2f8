"""What LIME needs from its caller, checked at the door.

The surrogate regresses the black box's answers on the samples, so its inputs
must be what the regression assumes, or the error appears deep inside numpy:

    classifier_fn(batch of b inputs)  ->  (b, K) finite probabilities in [0, 1],
                                          the same K for every batch
    labels                            ->  integers in 0..K-1
    kernel_width > 0,  feature_selection one of FEATURE_SELECTION_METHODS,
    counts (num_samples, batch_size, num_features) positive integers

Each check names what was expected and what came (e.g. values in [-3.2, 5.1]:
logits? apply a softmax first).
Read next: explain/lime/distances.py (step 3: the kernel that weighs each sample).
"""
import numpy as np

from .feature_selection import FEATURE_SELECTION_METHODS


def check_probabilities(output, num_rows, num_classes=None):
    """The classifier's answer for a batch of `num_rows` inputs, as a float (num_rows, K) array.

    LIME regresses on probabilities, so anything else is a bug in the caller's classifier_fn;
    we say what came back instead of failing later inside the regression.
    """
    try:
        probs = np.asarray(output, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"classifier_fn must return class probabilities of shape (N, K) as numbers; "
            f"for a batch of {num_rows} it returned {type(output).__name__} ({error})") from None
    if probs.ndim != 2:
        raise ValueError(
            f"classifier_fn must return class probabilities of shape (N, K); "
            f"for a batch of {num_rows} it returned shape {probs.shape}")
    if probs.shape[0] != num_rows:
        raise ValueError(
            f"classifier_fn was given {num_rows} inputs but returned {probs.shape[0]} rows "
            f"(shape {probs.shape})")
    if num_classes is not None and probs.shape[1] != num_classes:
        raise ValueError(
            f"classifier_fn returned {probs.shape[1]} classes for this batch but {num_classes} before")
    if not np.all(np.isfinite(probs)):
        bad_rows = np.flatnonzero(~np.isfinite(probs).all(axis=1))
        raise ValueError(
            f"classifier_fn returned NaN or inf in {len(bad_rows)} of {num_rows} rows "
            f"(first at row {bad_rows[0]}): {probs[bad_rows[0]]}")
    low, high = probs.min(), probs.max()
    if low < -1e-6 or high > 1 + 1e-6:
        raise ValueError(
            f"classifier_fn must return probabilities in [0, 1]; it returned values in "
            f"[{low:.4g}, {high:.4g}] (logits? apply a softmax first)")
    return probs


def check_labels(labels, num_classes):
    """Labels as a list of ints, each in 0..K-1."""
    labels = [int(label) for label in np.atleast_1d(np.asarray(labels))]
    for label in labels:
        if not 0 <= label < num_classes:
            raise ValueError(
                f"label {label} is out of range: classifier_fn returned {num_classes} classes, "
                f"so labels must be in 0..{num_classes - 1}")
    return labels


def check_explainer_settings(kernel_width, feature_selection):
    """The constructor arguments both explainers share."""
    if not kernel_width > 0:
        raise ValueError(f"kernel_width must be > 0, got {kernel_width!r}")
    if feature_selection not in FEATURE_SELECTION_METHODS:
        raise ValueError(
            f"feature_selection must be one of {FEATURE_SELECTION_METHODS}, got {feature_selection!r}")


def check_positive_int(value, name, minimum=1):
    """`value` as an int when it is an integer >= minimum (True is not a count)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)
