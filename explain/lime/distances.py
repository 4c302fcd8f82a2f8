"""How near is a sample to the input it explains? Distances, and the kernel that turns them into weights.

Every LIME sample is a binary row z (feature j on or off); the input itself is
the all-ones row. A sample that hides little of the input should count for more
in the surrogate fit than one that hides nearly everything. With k of the d
features on, the distance to the original has a closed form for each metric:

    cosine     D = 1 - sqrt(k / d)       (1 when k = 0, as in scikit-learn)
    euclidean  D = sqrt(d - k)
    manhattan  D = d - k
    hamming    D = (d - k) / d

and lime's exponential kernel maps it to a weight in (0, 1]:

    pi(D) = sqrt(exp(-D^2 / kernel_width^2))        pi(0) = 1 at the original

Read next: explain/lime/feature_selection.py (step 4: which columns of Z the line may use).
"""
import numpy as np

DISTANCE_METRICS = ("cosine", "euclidean", "l2", "manhattan", "cityblock", "l1", "hamming")


def exponential_kernel(distances, kernel_width):
    """lime's kernel: sqrt(exp(-d^2 / width^2)), 1 at the original, falling with distance."""
    return np.sqrt(np.exp(-(distances ** 2) / kernel_width ** 2))


def distances_to_original(samples, metric="cosine"):
    """Distance of each binary row of `samples` to the all-ones original (the closed forms above)."""
    samples = np.asarray(samples, dtype=np.float64)
    num_features = samples.shape[1]
    num_on = samples.sum(axis=1)
    if metric == "cosine":
        return 1.0 - np.sqrt(num_on / num_features)
    if metric in ("euclidean", "l2"):
        return np.sqrt(num_features - num_on)
    if metric in ("manhattan", "cityblock", "l1"):
        return num_features - num_on
    if metric == "hamming":
        return (num_features - num_on) / num_features
    raise ValueError(f"distance_metric must be one of {DISTANCE_METRICS}, got {metric!r}")
