"""Chapter 7, convolution: the definition, two fast kernels, the Tensor op, the layer.

    reference.py          convolution from its definition, a loop over the kernel's taps
    im2col_reference.py   the window matrix that turns convolution into one matrix product
    im2col.py             the same copies compiled by Numba
    direct_reference.py   stride 1 as a loop over taps on a flattened image, for small first layers
    direct.py             the same loop compiled by Numba (no window matrix)
    fast.py               the forward and backward the Tensor op calls, and which path runs
    op.py                 conv1d / conv2d as Tensor operations
    layer.py              nn.Conv1d, nn.Conv2d
"""
from .. import runtime  # noqa: F401  (threads and a writable compile cache, before any kernel compiles)
