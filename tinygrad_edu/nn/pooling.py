"""MaxPool1d and MaxPool2d: the pooling ops of ../functional/pooling.py as layers.

They have no parameters; a layer object only remembers its window settings so
it can sit in a Sequential. Arguments and defaults follow torch.nn (stride
defaults to kernel_size, so windows tile the input without overlap). Dilation,
ceil_mode and return_indices are accepted only at their defaults, with a clear
error otherwise. Read ../models.py next: the lecture's networks built from these layers.
"""
from ..functional.pooling import max_pool
from .module import Module


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
    """Input (N, C, L) -> (N, C, L_out)."""

    spatial_dims = 1


class MaxPool2d(_MaxPoolNd):
    """Input (N, C, H, W) -> (N, C, OH, OW)."""

    spatial_dims = 2
