"""Chapter 8, max pooling: the definition, the fast kernel, the Tensor op, the layer.

    reference.py   max pooling from its definition, and where each gradient goes
    fast.py        the same loops compiled by Numba
    op.py          max_pool1d / max_pool2d as Tensor operations
    layer.py       nn.MaxPool1d, nn.MaxPool2d
"""
from .. import runtime  # noqa: F401  (threads and a writable compile cache, before any kernel compiles)
