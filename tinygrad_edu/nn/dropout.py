"""Dropout layer: active in ``train()`` mode, the identity in ``eval()`` mode.

See functional/dropout.py for the idea.

Read next: tinygrad_edu/nn/loss.py.
"""
from .. import functional as F
from ..functional.dropout import check_probability
from .module import Module


class Dropout(Module):
    """During training, zeroes each element with probability p and scales the rest by 1 / (1 - p).

        Dropout(x) = x * mask / (1 - p),   mask ~ Bernoulli(1 - p) per element    (train mode)
        Dropout(x) = x                                                            (eval mode)

    The scaling keeps every unit's expected value unchanged, so nothing needs
    rescaling at test time. ``model.train()`` and ``model.eval()`` switch the mode.
    The mask comes from the engine's generator (``tinygrad_edu.manual_seed``).

    Args:
        p: the probability of zeroing an element, in [0, 1]. Default: 0.5.

    Shape:
        - Input: any shape.
        - Output: the same shape as the input.

    Example:
        >>> import numpy as np
        >>> import tinygrad_edu as tg
        >>> from tinygrad_edu import Tensor, nn
        >>> generator = tg.manual_seed(0)            # the same masks on every run
        >>> layer = nn.Dropout(p=0.5)
        >>> out = layer(Tensor(np.ones(10000, np.float32)))
        >>> sorted(set(out.numpy().tolist()))       # dropped, or kept and doubled
        [0.0, 2.0]
        >>> bool(abs(out.numpy().mean() - 1) < 0.05)  # the mean survives
        True
        >>> layer.eval()(Tensor(np.ones(3, np.float32)))
        Tensor([1. 1. 1.], dtype=float32)
    """

    def __init__(self, p=0.5):
        super().__init__()
        self.p = check_probability(p)

    def forward(self, x):
        return F.dropout(x, self.p, training=self.training)

    def extra_repr(self):
        return f"p={self.p}"
