"""Loss functions: one number that says how wrong the predictions are.

    cross_entropy(logits, y) = mean_n -log softmax(logits_n)[y_n]
        the negative log-probability of the right class; its gradient with
        respect to the logits is (softmax - one_hot(y)) / N.
    binary_cross_entropy_with_logits(z, t) = mean -[t log s(z) + (1-t) log(1-s(z))]
        with s the sigmoid, computed as max(z, 0) - z t + log(1 + e^-|z|),
        which never takes the log of 0; gradient (s(z) - t) / N.
    mse_loss(x, t) = mean (x - t)^2

Read dropout.py next.
"""
import numpy as np

from ..tensor import Tensor, stable_sigmoid
from .activations import log_softmax

_REDUCTIONS = ("mean", "sum", "none")


def _reduce(losses, reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got '{reduction}'")
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    return losses


def _class_labels(logits, target):
    """Validate integer class labels for (N, C) logits and return them as an int array."""
    labels = target.data if isinstance(target, Tensor) else np.asarray(target)
    if logits.ndim != 2:
        raise ValueError(f"cross_entropy expects logits of shape (N, C), got {logits.shape}")
    if labels.dtype.kind not in "iu":
        raise TypeError(f"cross_entropy expects integer class labels, got dtype {labels.dtype}")
    if labels.shape != (logits.shape[0],):
        raise ValueError(f"cross_entropy: labels of shape {labels.shape} do not match logits {logits.shape}; expected ({logits.shape[0]},)")
    n_classes = logits.shape[1]
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"cross_entropy: labels must lie in [0, {n_classes - 1}] for {n_classes} classes, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return labels


def nll_loss(log_probs, target, reduction="mean"):
    """-log_probs[n, y_n], averaged: the loss for log-probabilities that are already computed."""
    labels = _class_labels(log_probs, target)
    picked = log_probs[np.arange(len(labels)), labels]
    return _reduce(-picked, reduction)


def cross_entropy(logits, target, reduction="mean"):
    """Softmax cross-entropy from raw scores (N, C) and integer labels (N,)."""
    return nll_loss(log_softmax(logits, axis=1), target, reduction)


def binary_cross_entropy_with_logits(logits, target, reduction="mean"):
    """Sigmoid + binary cross-entropy in one stable step (targets in [0, 1])."""
    target = target if isinstance(target, Tensor) else Tensor(np.asarray(target, dtype=logits.dtype))
    if target.shape != logits.shape:
        raise ValueError(f"binary_cross_entropy_with_logits: target shape {target.shape} != logits shape {logits.shape}")
    z, t = logits.data, target.data
    losses = np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))

    def backward(g):
        sig = stable_sigmoid(z)
        return g * (sig - t), g * -z

    return _reduce(Tensor._make(losses, (logits, target), backward, "bce_with_logits"), reduction)


def mse_loss(input, target, reduction="mean"):
    target = target if isinstance(target, Tensor) else Tensor(np.asarray(target, dtype=input.dtype))
    if target.shape != input.shape:
        raise ValueError(f"mse_loss: target shape {target.shape} != input shape {input.shape}")
    diff = input - target
    return _reduce(diff * diff, reduction)
