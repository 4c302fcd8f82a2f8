"""Conv1d and Conv2d: convolution layers that own their weights, as in torch.nn.

A layer is the functional op (op.py) plus the Parameters it
learns. Conv2d(in_channels, out_channels, kernel_size) holds

    weight  (out_channels, in_channels, KH, KW)   one KH x KW filter per (output, input) channel pair
    bias    (out_channels,)                       unless bias=False

both drawn from U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = in_channels*KH*KW,
PyTorch's default (init.default_layer_init_). Names, shapes, defaults and
state_dict keys are PyTorch's, so weights copy across in either direction.
Only zero padding is implemented (padding_mode='zeros') and groups=1.
Read next: tinygrad_edu/pooling/reference.py.
"""
import numpy as np

from .op import as_tuple, convolution, resolve_padding
from ..nn import init
from ..nn.module import Module, Parameter


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
        self.kernel_size = as_tuple(kernel_size, self.spatial_dims, "kernel_size", name)
        self.stride = as_tuple(stride, self.spatial_dims, "stride", name)
        self.dilation = as_tuple(dilation, self.spatial_dims, "dilation", name)
        resolve_padding(padding, self.kernel_size, self.stride, self.dilation, name)  # the op's checks, at once
        if not isinstance(padding, str):
            padding = as_tuple(padding, self.spatial_dims, "padding", name, minimum=0)
        self.padding = padding  # as given ('same', 'valid' or one int per axis), as PyTorch keeps it
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
    """A 1-D convolution over a sequence of channels (strictly, a cross-correlation, as in PyTorch).

        out[n, o, t] = bias[o] + sum over c, k of weight[o, c, k] * x_pad[n, c, t*stride + k*dilation]

    The same K weights per channel pair slide along the sequence, so a pattern
    learned at one position is found at every position.

    Args:
        in_channels: C_in, the channels of the input.
        out_channels: C_out, the channels of the output (one filter each).
        kernel_size: the window, an int or a tuple of 1 ints.
        stride: the step between windows, an int or a tuple. Default: 1.
        padding: zeros added on every side, an int or a tuple; 'valid' (none) or
            'same' (output as large as the input, stride 1 only; an even kernel
            gets its extra zeros at the end, as in PyTorch). Default: 0.
        dilation: the gap between kernel taps, an int or a tuple. Default: 1.
        groups: only 1 is implemented (every output channel sees every input
            channel). Default: 1.
        bias: if False, the layer learns no bias. Default: True.
        padding_mode: only 'zeros' is implemented. Default: 'zeros'.

    Shape:
        - Input: (N, C_in, L_in).
        - Output: (N, C_out, L_out) with
          L_out = (L_in + 2*padding - dilation*(kernel_size - 1) - 1) // stride + 1.

    Attributes:
        weight: (C_out, C_in, kernel_size), U(-k, k) with k = 1 / sqrt(C_in * kernel_size).
        bias: (C_out,), U(-k, k); None if bias=False.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> layer = nn.Conv1d(16, 33, 3, stride=2)
        >>> layer(Tensor(np.zeros((4, 16, 50), np.float32))).shape   # (50 - 2 - 1) // 2 + 1 = 24
        (4, 33, 24)
        >>> layer.weight.shape
        (33, 16, 3)
    """

    spatial_dims = 1


class Conv2d(_ConvNd):
    """A 2-D convolution over an image of channels (strictly, a cross-correlation, as in PyTorch).

        out[n, o, y, x] = bias[o] + sum over c, i, j of
                          weight[o, c, i, j] * x_pad[n, c, y*sh + i*dh, x*sw + j*dw]

    with (sh, sw) the stride and (dh, dw) the dilation. One KH x KW filter per
    (output, input) channel pair slides over the image (weight sharing), so an
    edge detector learned in one corner works in every corner.

    Args:
        in_channels: C_in, the channels of the input.
        out_channels: C_out, the channels of the output (one filter each).
        kernel_size: the window, an int or a tuple of 2 ints.
        stride: the step between windows, an int or a tuple. Default: 1.
        padding: zeros added on every side, an int or a tuple; 'valid' (none) or
            'same' (output as large as the input, stride 1 only; an even kernel
            gets its extra zeros at the end, as in PyTorch). Default: 0.
        dilation: the gap between kernel taps, an int or a tuple. Default: 1.
        groups: only 1 is implemented (every output channel sees every input
            channel). Default: 1.
        bias: if False, the layer learns no bias. Default: True.
        padding_mode: only 'zeros' is implemented. Default: 'zeros'.

    Shape:
        - Input: (N, C_in, H_in, W_in).
        - Output: (N, C_out, H_out, W_out) with
          H_out = (H_in + 2*padding[0] - dilation[0]*(kernel_size[0] - 1) - 1) // stride[0] + 1,
          and W_out likewise with the second entries.

    Attributes:
        weight: (C_out, C_in, KH, KW), U(-k, k) with k = 1 / sqrt(C_in * KH * KW).
        bias: (C_out,), U(-k, k); None if bias=False.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> images = Tensor(np.zeros((2, 3, 28, 28), np.float32))
        >>> nn.Conv2d(3, 8, kernel_size=3, padding=1)(images).shape   # padding 1 keeps 28 x 28
        (2, 8, 28, 28)
        >>> nn.Conv2d(3, 8, kernel_size=3, stride=2)(images).shape    # (28 - 2 - 1) // 2 + 1 = 13
        (2, 8, 13, 13)
        >>> nn.Conv2d(3, 8, (3, 5)).weight.shape
        (8, 3, 3, 5)
    """

    spatial_dims = 2
