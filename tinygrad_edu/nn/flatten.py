"""Flatten: (N, C, H, W) -> (N, C*H*W), the bridge from convolution to dense layers.

The layer form of Tensor.flatten (engine/shape.py), which it calls, keeping
the batch axis by default.

Read next: tinygrad_edu/nn/embedding.py (Embedding, the first layer of a text model).
"""
from .module import Module


class Flatten(Module):
    """Merges a run of axes into one, by default every axis but the batch axis.

        (N, C, H, W) -> (N, C*H*W)      with start_dim=1, end_dim=-1

    No numbers change, only the shape (a reshape, whose gradient is the reverse
    reshape): it is the bridge from convolution layers to Linear ones.

    Args:
        start_dim: the first axis to merge. Default: 1.
        end_dim: the last axis to merge (negative counts from the end). Default: -1.

    Shape:
        - Input: (*, S_start, ..., S_end, *), any rank.
        - Output: (*, S_start * ... * S_end, *).

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> x = Tensor(np.zeros((32, 1, 5, 5), np.float32))
        >>> nn.Flatten()(x).shape
        (32, 25)
        >>> nn.Flatten(0, 2)(x).shape
        (160, 5)
    """

    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, x):
        return x.flatten(self.start_dim, self.end_dim)

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
