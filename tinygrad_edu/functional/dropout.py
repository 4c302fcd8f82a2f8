"""Dropout: during training, zero each activation with probability p.

The survivors are scaled by 1 / (1 - p), so the expected value of every unit is
unchanged and nothing needs rescaling at test time (``training=False`` returns
the input untouched). The network cannot rely on any single unit, which acts
as a regulariser. Backward multiplies by the same mask.

Read next: tinygrad_edu/functional/embedding.py.
"""
import numpy as np

from ..engine.rng import default_generator
from ..engine.tensor import Tensor


def check_probability(p):
    """The one check of dropout's p (nn.Dropout asks it when built, dropout() when called)."""
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1], got {p}")
    return p


def dropout(x, p=0.5, training=True, generator=None):
    check_probability(p)
    if not training or p == 0.0:
        return x
    if p == 1.0:
        return x * 0.0
    generator = generator or default_generator()
    keep = generator.random(x.shape) >= p
    mask = (keep / (1.0 - p)).astype(x.dtype)
    return Tensor._make(x.data * mask, (x,), lambda g: (g * mask,), "dropout")
