"""Loss functions: one number that says how wrong the predictions are.

    cross_entropy(logits, y) = mean_n -log softmax(logits_n)[y_n]
        the negative log-probability of the right class; its gradient with
        respect to the logits is (softmax - one_hot(y)) / N.
    binary_cross_entropy_with_logits(z, t) = mean -[t log s(z) + (1-t) log(1-s(z))]
        with s the sigmoid, computed as max(z, 0) - z t + log(1 + e^-|z|),
        which never takes the log of 0; gradient (s(z) - t) / N.
    mse_loss(x, t) = mean (x - t)^2      l1_loss(x, t) = mean |x - t|
    binary_cross_entropy(p, t) = mean -[t log p + (1-t) log(1-p)] for probabilities p

cross_entropy and nll_loss take PyTorch's weight= (a per-class weight; 'mean'
then divides by the summed weights of the rows, not by N), ignore_index= (rows
with that label count for nothing) and label_smoothing=.
nn/loss.py wraps each function as a module (nn.CrossEntropyLoss() and friends).

Read next: tinygrad_edu/functional/dropout.py.
"""
import numpy as np

from ..engine.tensor import Tensor, as_tensor, stable_sigmoid
from .activations import log_softmax

_REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction, owner=None):
    """The one check of reduction=; ``owner`` is the loss module asking (nn/loss.py), named in the error."""
    if reduction in _REDUCTIONS:
        return reduction
    if owner is None:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got '{reduction}'")
    raise ValueError(f"{owner}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(losses, reduction):
    check_reduction(reduction)
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _class_labels(logits, target, op="cross_entropy", ignore_index=None):
    """Validate integer class labels for (N, C) logits and return them as an int array."""
    labels = target.data if isinstance(target, Tensor) else np.asarray(target)
    if logits.ndim != 2:
        raise ValueError(f"{op} expects logits of shape (N, C), got {logits.shape}")
    if labels.dtype.kind not in "iu":
        raise TypeError(f"{op} expects integer class labels, got dtype {labels.dtype}")
    if labels.shape != (logits.shape[0],):
        raise ValueError(f"{op}: labels of shape {labels.shape} do not match logits {logits.shape}; expected ({logits.shape[0]},)")
    n_classes = logits.shape[1]
    checked = labels if ignore_index is None else labels[labels != ignore_index]
    if checked.size and (checked.min() < 0 or checked.max() >= n_classes):
        raise ValueError(
            f"{op}: labels must lie in [0, {n_classes - 1}] for {n_classes} classes, "
            f"got values from {checked.min()} to {checked.max()}"
        )
    return labels


def _class_weights(weight, n_classes, dtype, op):
    if weight is None:
        return np.ones(n_classes, dtype=dtype)
    weight = np.asarray(weight.data if isinstance(weight, Tensor) else weight, dtype=dtype)
    if weight.shape != (n_classes,):
        raise ValueError(f"{op}: weight must have one entry per class, shape ({n_classes},), got {weight.shape}")
    return weight


def _weighted_class_loss(log_probs, target, weight, ignore_index, reduction, label_smoothing, op):
    """The loss for (N, C) log-probabilities as one constant coefficient matrix A:

        loss_n = -sum_c A[n, c] * log_probs[n, c]
        A[n, c] = kept_n * ((1 - eps) * w[y_n] * [c == y_n] + eps * w[c] / C)

    kept_n is 0 for rows whose label is ignore_index. 'mean' divides by
    sum_n kept_n * w[y_n] (PyTorch's weighted mean), not by N.
    """
    if isinstance(weight, str):  # the old positional call cross_entropy(logits, y, "sum")
        raise TypeError(f"{op}: the third argument is weight (as in PyTorch); pass reduction='{weight}'")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must lie in [0, 1], got {label_smoothing}")
    check_reduction(reduction)
    labels = _class_labels(log_probs, target, op, ignore_index)
    n_rows, n_classes = log_probs.shape
    weight = _class_weights(weight, n_classes, log_probs.dtype, op)
    kept = labels != ignore_index
    safe_labels = np.where(kept, labels, 0)
    picked_weight = weight[safe_labels] * kept
    coefficients = np.zeros((n_rows, n_classes), dtype=log_probs.dtype)
    coefficients[np.arange(n_rows), safe_labels] = (1 - label_smoothing) * picked_weight
    coefficients += label_smoothing * np.outer(kept, weight) / n_classes
    losses = -(log_probs * Tensor(coefficients)).sum(axis=1)
    if reduction == "mean":
        return losses.sum() / Tensor(np.asarray(picked_weight.sum(), dtype=log_probs.dtype))
    return _reduce(losses, reduction)


def nll_loss(log_probs, target, weight=None, ignore_index=-100, reduction="mean"):
    """-w[y_n] * log_probs[n, y_n], averaged: the loss for log-probabilities already computed."""
    return _weighted_class_loss(log_probs, target, weight, ignore_index, reduction, 0.0, "nll_loss")


def cross_entropy(logits, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """Softmax cross-entropy from raw scores (N, C) and integer labels (N,), as torch.nn.functional.

    With label_smoothing eps the target is (1 - eps) * one_hot(y) + eps / C.
    """
    return _weighted_class_loss(log_softmax(logits, axis=1), target, weight, ignore_index, reduction,
                                label_smoothing, "cross_entropy")


def binary_cross_entropy_with_logits(logits, target, weight=None, reduction="mean", pos_weight=None):
    """Sigmoid + binary cross-entropy in one stable step (targets in [0, 1]), as in PyTorch.

    With softplus(u) = log(1 + e^u) = max(u, 0) + log(1 + e^-|u|), never overflowing:
        loss = w * (pos_weight * t * softplus(-z) + (1 - t) * softplus(z))
    (-log sigmoid(z) = softplus(-z), -log(1 - sigmoid(z)) = softplus(z)); pos_weight and
    weight broadcast against the logits (pos_weight per class, on the last axis).
    """
    target = as_tensor(target, logits.dtype)
    if target.shape != logits.shape:
        raise ValueError(f"binary_cross_entropy_with_logits: target shape {target.shape} != logits shape {logits.shape}")
    z, t = logits.data, target.data
    w = 1.0 if weight is None else np.asarray(_data(weight), dtype=z.dtype)
    p = 1.0 if pos_weight is None else np.asarray(_data(pos_weight), dtype=z.dtype)
    softplus_neg, softplus_pos = _softplus(-z), _softplus(z)
    losses = np.broadcast_to(w * (p * t * softplus_neg + (1 - t) * softplus_pos), z.shape).astype(z.dtype)

    def backward(g):
        sig = stable_sigmoid(z)
        grad_logits = g * w * ((1 - t) * sig - p * t * (1 - sig))
        grad_target = g * w * (p * softplus_neg - softplus_pos)
        return grad_logits, grad_target

    return _reduce(Tensor._make(losses, (logits, target), backward, "bce_with_logits", saves=(logits, target)), reduction)


def _softplus(u):
    return np.maximum(u, 0) + np.log1p(np.exp(-np.abs(u)))


def _data(value):
    return value.data if isinstance(value, Tensor) else value


def mse_loss(input, target, reduction="mean"):
    target = as_tensor(target, input.dtype)
    if target.shape != input.shape:
        raise ValueError(f"mse_loss: target shape {target.shape} != input shape {input.shape}")
    diff = input - target
    return _reduce(diff * diff, reduction)


def l1_loss(input, target, reduction="mean"):
    """mean |x - t|; the gradient is sign(x - t) (0 where they are equal, as in PyTorch)."""
    target = as_tensor(target, input.dtype)
    if target.shape != input.shape:
        raise ValueError(f"l1_loss: target shape {target.shape} != input shape {input.shape}")
    return _reduce((input - target).abs(), reduction)


def binary_cross_entropy(probs, target, weight=None, reduction="mean"):
    """-[t log p + (1-t) log(1-p)] for probabilities p in [0, 1]; each log is clamped at -100 as in PyTorch.

    Prefer binary_cross_entropy_with_logits: it never forms log(0).
    """
    target = as_tensor(target, probs.dtype)
    if target.shape != probs.shape:
        raise ValueError(f"binary_cross_entropy: target shape {target.shape} != input shape {probs.shape}")
    p = probs.data
    if p.size and (np.nanmin(p) < 0 or np.nanmax(p) > 1):
        raise ValueError(
            f"binary_cross_entropy expects probabilities in [0, 1], got values from {np.min(p)} to {np.max(p)}; "
            "for raw scores use binary_cross_entropy_with_logits (nn.BCEWithLogitsLoss)"
        )
    losses = -(target * probs.log().clip(-100) + (1 - target) * (1 - probs).log().clip(-100))
    if weight is not None:
        losses = losses * as_tensor(weight, probs.dtype)
    return _reduce(losses, reduction)
