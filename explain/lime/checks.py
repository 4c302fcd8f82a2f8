"""What LIME needs from its caller, checked at the door (and what every later method checks alike).

The surrogate regresses the black box's answers on the samples, so its inputs
must be what the regression assumes, or the error appears deep inside numpy:

    classifier_fn(batch of b inputs)  ->  (b, K) finite probabilities in [0, 1],
                                          the same K for every batch
    labels                            ->  integers in 0..K-1
    kernel_width > 0,  feature_selection one of FEATURE_SELECTION_METHODS,
    counts (num_samples, batch_size, num_features) positive integers
    images, baselines, attributions   ->  finite numbers (NaN would spread silently)
    arrays held at once               ->  at most memory_budget() bytes: half the memory
                                          this process may use

Each check names what was expected and what came (e.g. values in [-3.2, 5.1]:
logits? apply a softmax first). The gradient methods, the curves and the report
use the same checks, so a mistake reads the same wherever it is made.
Read next: explain/lime/distances.py (step 3: the kernel that weighs each sample).
"""
import os

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
    """Labels as a list of ints, each in 0..K-1 (1.5 or True is no class index)."""
    labels = [check_index(label, "label") for label in np.atleast_1d(np.asarray(labels, dtype=object))]
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


def check_index(value, name):
    """`value` as an int when it is a whole number (2 or 2.0); 1.5, True or 'a' are refused by name."""
    if isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an integer index, got {value!r} (a bool)")
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and value == int(value):
        return int(value)
    raise TypeError(f"{name} must be an integer index, got {value!r}")


def check_finite(values, function, argument):
    """`values` unchanged when every entry is a finite number; else one line saying where the first NaN or inf is.

    A NaN pixel, baseline or attribution does not fail: it spreads through every
    sum it enters, so the map comes back partly NaN, or ranked as if it were a number.
    """
    array = np.asarray(values)
    if array.dtype.kind not in "fc":
        return values
    finite = np.isfinite(array)
    if finite.all():
        return values
    if array.ndim == 0:
        raise ValueError(f"{function}: {argument} is {array.item()!r}; expected a finite number")
    first = np.unravel_index(np.argmin(finite), array.shape)   # argmin of booleans: the first False
    raise ValueError(
        f"{function}: {argument} contains NaN or inf in {array.size - int(finite.sum())} of {array.size} values, "
        f"the first at {argument}[{', '.join(str(int(i)) for i in first)}] = {array[first].item()!r}; "
        "expected finite numbers")


# --------------------------------------------------------------------------- memory

MEMORY_SHARE = 0.5            # of the memory this process may use
FALLBACK_MEMORY = 4 * 2**30   # when the system does not say how much that is


def memory_budget():
    """The bytes one call may hold at once: half the memory this process may use.

    That is the machine's physical memory, or less when a cgroup (memory.max)
    or a limit on the address space (ulimit -v) says so.
    """
    limits = []
    try:
        limits.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        pass
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as cgroup:
            limits.append(int(cgroup.read().strip()))
    except (OSError, ValueError):   # no cgroup v2, or "max"
        pass
    try:
        import resource
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            limits.append(soft)
    except (ImportError, ValueError, OSError):
        pass
    return int(MEMORY_SHARE * min(limits, default=FALLBACK_MEMORY))


def format_bytes(size):
    """1536 -> '1.5 KiB': three significant digits in the largest binary unit that fits."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if size < 1024 or unit == "TiB":
            break
        size /= 1024
    return f"{int(size)} B" if unit == "B" else f"{size:.3g} {unit}" if size < 1000 else f"{size:.0f} {unit}"


def check_count_fits(function, argument, count, bytes_each, holds, minimum=1, power=1):
    """`count` when bytes_each * count**power fits in memory_budget(); else one line naming the memory it would take.

    `holds` says what the count's arrays are (e.g. "50 copies of the 1x3x64x64
    float32 batch ..."), so the message can say what would have filled the memory;
    power=2 for a count x count matrix.
    """
    budget = memory_budget()
    if bytes_each * count ** power <= budget:
        return count
    largest = int((budget / bytes_each) ** (1 / power))
    while bytes_each * (largest + 1) ** power <= budget:   # a float root may fall short by one
        largest += 1
    advice = (f"use {argument} <= {largest}" if largest >= minimum else
              f"even {argument}={minimum} would not fit; use fewer or smaller images")
    check_memory(function, bytes_each * count ** power, f"{argument}={count} would hold {holds}", advice)
    return count


def check_memory(function, needed, what, advice):
    """Nothing when `needed` bytes fit in memory_budget(); else one line: what would take them, and what to do."""
    budget = memory_budget()
    if needed > budget:
        raise ValueError(f"{function}: {what} at once ({format_bytes(needed)}), more than the budget of "
                         f"{format_bytes(budget)} (half the memory this process may use); {advice}")
