"""Conv1d and Conv2d: convolution layers that own their weights, as in torch.nn.

A layer is the functional op (../functional/conv.py) plus the Parameters it
learns. Conv2d(in_channels, out_channels, kernel_size) holds

    weight  (out_channels, in_channels, KH, KW)   one KH x KW filter per (output, input) channel pair
    bias    (out_channels,)                       unless bias=False

both drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels*KH*KW,
PyTorch's default (init.default_layer_init_). Names, shapes, defaults and
state_dict keys are PyTorch's, so weights copy across in either direction.
Only zero padding is implemented (padding_mode='zeros') and groups=1.
Read pooling.py next.
"""
import numpy as np

from ..functional.conv import _as_tuple, convolution
from . import init
from .module import Module, Parameter


class _ConvNd(Module):
    spatial_dims = None  # 1 or 2, set by the subclasses

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros"):
        super().__init__()
        name = type(self).__name__
        if padding_mode != "zeros":
            raise NotImplementedError(f"{name}: only padding_mode='zeros' is implemented, got '{padding_mode}'")
        if groups != 1:
            raise NotImplementedError(f"{name}: only groups=1 is implemented, got groups={groups}")
        for what, value in (("in_channels", in_channels), ("out_channels", out_channels)):
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name}: {what} must be a positive int, got {value!r}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = _as_tuple(kernel_size, self.spatial_dims, "kernel_size", name)
        self.stride = _as_tuple(stride, self.spatial_dims, "stride", name)
        self.dilation = _as_tuple(dilation, self.spatial_dims, "dilation", name)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: padding must be an int, a tuple, 'valid' or 'same', got '{padding}'")
            if padding == "same" and any(step != 1 for step in self.stride):
                raise ValueError(f"{name}: padding='same' needs stride 1 (as in PyTorch), got stride {self.stride}")
            self.padding = padding
        else:
            self.padding = _as_tuple(padding, self.spatial_dims, "padding", name, minimum=0)
        self.groups, self.padding_mode = groups, padding_mode
        shape = (self.out_channels, self.in_channels) + self.kernel_size
        self.weight = Parameter(np.empty(shape, dtype=np.float32))
        if bias:
            self.bias = Parameter(np.empty(self.out_channels, dtype=np.float32))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, input):
        return convolution(input, self.weight, self.bias, self.stride, self.padding, self.dilation,
                           self.spatial_dims, type(self).__name__)

    def extra_repr(self):
        text = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}")
        if self.padding != (0,) * self.spatial_dims:
            text += f", padding={self.padding}"
        if self.dilation != (1,) * self.spatial_dims:
            text += f", dilation={self.dilation}"
        if self.bias is None:
            text += ", bias=False"
        return text


class Conv1d(_ConvNd):
    """Input (N, in_channels, L) -> output (N, out_channels, L_out); weight (out, in, K)."""

    spatial_dims = 1


class Conv2d(_ConvNd):
    """Input (N, in_channels, H, W) -> output (N, out_channels, OH, OW); weight (out, in, KH, KW)."""

    spatial_dims = 2
