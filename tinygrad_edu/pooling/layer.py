"""MaxPool1d and MaxPool2d: the pooling ops of op.py as layers.

They have no parameters; a layer object only remembers its window settings so
it can sit in a Sequential. Arguments and defaults follow torch.nn (stride
defaults to kernel_size, so windows tile the input without overlap). Dilation,
ceil_mode and return_indices are accepted only at their defaults, with a clear
error otherwise.
Read next: tinygrad_edu/recurrent/rnn_reference.py.
"""
from .op import max_pool
from ..nn.module import Module


class _MaxPoolNd(Module):
    spatial_dims = None  # 1 or 2, set by the subclasses

    def __init__(self, kernel_size, stride=None, padding=0, dilation=1, return_indices=False,
                 ceil_mode=False):
        super().__init__()
        name = type(self).__name__
        if dilation != 1 or return_indices or ceil_mode:
            raise NotImplementedError(
                f"{name}: only dilation=1, return_indices=False and ceil_mode=False are implemented, got "
                f"dilation={dilation!r}, return_indices={return_indices!r}, ceil_mode={ceil_mode!r}")
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding, self.dilation = padding, dilation
        self.return_indices, self.ceil_mode = return_indices, ceil_mode

    def forward(self, input):
        return max_pool(input, self.kernel_size, self.stride, self.padding, self.spatial_dims,
                        type(self).__name__)

    def extra_repr(self):
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}, "
                f"dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """1-D max pooling: the largest value of each window, channel by channel.

        out[n, c, t] = max over k < kernel_size of x_pad[n, c, t*stride + k]

    No weights. The gradient goes to the input that won each window (the
    first one on a tie, as in PyTorch).

    Args:
        kernel_size: the window, an int or a tuple of 1 ints.
        stride: the step between windows. Default: None, meaning kernel_size
            (windows tile the input without overlap).
        padding: -infinity added on every side (a padded cell never wins). Default: 0.
        dilation: only 1 is implemented. Default: 1.
        return_indices: only False is implemented. Default: False.
        ceil_mode: only False is implemented (a partial window at the edge is
            dropped). Default: False.

    Shape:
        - Input: (N, C, L_in).
        - Output: (N, C, L_out) with L_out = (L_in + 2*padding - kernel_size) // stride + 1.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> nn.MaxPool1d(2)(Tensor(np.array([[[1.0, 3.0, 2.0, 0.0, 5.0]]], np.float32)))
        Tensor([[[3. 2.]]], dtype=float32)
    """

    spatial_dims = 1


class MaxPool2d(_MaxPoolNd):
    """2-D max pooling: the largest value of each KH x KW window, channel by channel.

        out[n, c, y, x] = max over i < KH, j < KW of x_pad[n, c, y*sh + i, x*sw + j]

    No weights. It halves an image with the default 2 x 2 window, lets the next
    layer see a wider area for the same cost, and makes the network indifferent
    to small shifts. The gradient goes to the input that won each window.

    Args:
        kernel_size: the window, an int or a tuple of 2 ints.
        stride: the step between windows. Default: None, meaning kernel_size
            (windows tile the input without overlap).
        padding: -infinity added on every side (a padded cell never wins). Default: 0.
        dilation: only 1 is implemented. Default: 1.
        return_indices: only False is implemented. Default: False.
        ceil_mode: only False is implemented (a partial window at the edge is
            dropped). Default: False.

    Shape:
        - Input: (N, C, H_in, W_in).
        - Output: (N, C, H_out, W_out) with
          H_out = (H_in + 2*padding - KH) // stride + 1, and W_out likewise.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> image = Tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4))
        >>> nn.MaxPool2d(2)(image)
        Tensor([[[[ 5.  7.]
           [13. 15.]]]], dtype=float32)
        >>> nn.MaxPool2d(3, stride=1, padding=1)(image).shape   # overlapping windows, same size
        (1, 1, 4, 4)
    """

    spatial_dims = 2
