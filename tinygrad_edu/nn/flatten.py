"""Flatten: (N, C, H, W) -> (N, C*H*W), the bridge from convolution to dense layers.

Read dropout.py next.
"""
import numpy as np

from .module import Module


class Flatten(Module):
    def __init__(self, start_dim=1, end_dim=-1):
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, x):
        start = self.start_dim % x.ndim
        end = self.end_dim % x.ndim
        # the merged size is computed, not left to reshape's -1: an empty batch (0, C, H, W)
        # has 0 elements, and -1 could then be any size; (0, C*H*W) is what comes out, as in PyTorch
        merged = int(np.prod(x.shape[start:end + 1]))
        return x.reshape(x.shape[:start] + (merged,) + x.shape[end + 1:])

    def extra_repr(self):
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
