"""Categorical: a differentiable distribution over K choices, like torch.distributions.Categorical.

A policy network outputs scores (logits) z_1..z_K for K actions; the action
probabilities are p = softmax(z). Sampling an action is not differentiable,
but its log-probability is, and that is all the policy-gradient theorem needs:

    grad E[R] = E[ R * grad log p(a) ]        (REINFORCE, Williams 1992)

so an agent samples a ~ p, observes the return R, and minimises
-R * log p(a). Sampling uses the inverse CDF: draw u ~ U(0, 1) and take the
first k whose cumulative probability p_1 + ... + p_k exceeds u.

    dist = Categorical(logits=scores)        scores: Tensor (..., K)
    action = dist.sample(rng)                numpy ints of shape (...)
    loss = -(returns * dist.log_prob(action)).mean()

``entropy()`` = -sum_k p_k log p_k is differentiable too (a bonus that keeps
exploring).
Read next: tinygrad_edu/nn/module.py.
"""
import numpy as np

from .activations import log_softmax
from ..engine.rng import default_generator
from ..engine.tensor import Tensor, as_tensor


class Categorical:
    def __init__(self, probs=None, logits=None):
        if (probs is None) == (logits is None):
            raise ValueError("Categorical needs exactly one of probs= or logits=, got "
                             f"{'both' if probs is not None else 'neither'}")
        if logits is None:
            probs = as_tensor(probs)
            _check_last_axis(probs, "probs")
            if np.any(probs.data < 0) or not np.allclose(probs.data.sum(axis=-1), 1.0, atol=1e-5):
                raise ValueError("Categorical: probs must be non-negative and sum to 1 along the last axis, "
                                 f"got sums {np.round(probs.data.sum(axis=-1), 4).ravel()[:5]}")
            with np.errstate(divide="ignore"):  # p = 0 gives logit -inf: that category is never drawn
                logits = probs.log()  # log p is a valid set of logits: softmax(log p) = p
        logits = as_tensor(logits)
        _check_last_axis(logits, "logits")
        self.logits = log_softmax(logits, axis=-1)  # normalised: log p_k
        self.num_categories = logits.shape[-1]

    @property
    def probs(self):
        return np.exp(self.logits.data)

    def sample(self, generator=None):
        """One category per row (shape logits.shape[:-1]), by the inverse CDF of a uniform draw."""
        generator = default_generator() if generator is None else generator
        cumulative = np.cumsum(self.probs, axis=-1)
        uniform = generator.random(cumulative.shape[:-1] + (1,))
        # rounding can leave cumulative[-1] a hair below 1; clamp so the answer is always a category
        return np.minimum((cumulative <= uniform).sum(axis=-1), self.num_categories - 1)

    def log_prob(self, value):
        """log p(value), differentiable with respect to the logits; value: ints of shape logits.shape[:-1]."""
        value = np.asarray(value.data if isinstance(value, Tensor) else value)
        batch_shape = self.logits.shape[:-1]
        if value.dtype.kind not in "iu":
            raise TypeError(f"Categorical.log_prob expects integer categories, got dtype {value.dtype}")
        if value.shape != batch_shape:
            raise ValueError(f"Categorical.log_prob expects values of shape {batch_shape}, got {value.shape}")
        if value.size and (value.min() < 0 or value.max() >= self.num_categories):
            raise ValueError(f"Categorical.log_prob: categories must lie in [0, {self.num_categories - 1}], "
                             f"got values from {value.min()} to {value.max()}")
        rows = np.indices(batch_shape)
        return self.logits[tuple(rows) + (value,)]

    def entropy(self):
        """-sum_k p_k log p_k along the last axis (0 for a certain choice, log K for a uniform one)."""
        log_p = self.logits
        return -(log_p.exp() * log_p).sum(axis=-1)


def _check_last_axis(tensor, name):
    if tensor.ndim < 1 or tensor.shape[-1] < 1:
        raise ValueError(f"Categorical expects {name} of shape (..., K) with K >= 1 categories, got {tensor.shape}")
