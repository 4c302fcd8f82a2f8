"""Linear: y = x W^T + b, the layer of the lecture's ``np.dot(W, input) + b``.

Weight has shape (out_features, in_features), as in PyTorch, so row j of W
holds the input weights of output unit j. Both weight and bias start
uniform in +-1/sqrt(in_features) (init.default_layer_init_).

Read next: tinygrad_edu/nn/activation.py.
"""
import numpy as np

from ..engine.tensor import Tensor
from . import init
from .module import Module, Parameter


class Linear(Module):
    """An affine map of the last axis: y = x W^T + b.

        y[..., j] = sum_i x[..., i] * W[j, i] + b[j]

    Row j of W holds the input weights of output unit j (PyTorch's layout), so
    the lecture's np.dot(W, input) + b is the same map for one column vector.
    The gradients are grad_W = grad_y^T x and grad_x = grad_y W, summed over
    the leading axes.

    Args:
        in_features: the size of the last axis of the input.
        out_features: the size of the last axis of the output.
        bias: if False, the layer learns no b. Default: True.

    Shape:
        - Input: (*, in_features), where * is any number of leading axes.
        - Output: (*, out_features).

    Attributes:
        weight: (out_features, in_features), U(-k, k) with k = 1 / sqrt(in_features).
        bias: (out_features,), U(-k, k); None if bias=False.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> layer = nn.Linear(20, 30)
        >>> layer(Tensor(np.zeros((128, 20), np.float32))).shape
        (128, 30)
        >>> layer.weight.shape, layer.bias.shape
        ((30, 20), (30,))
    """

    def __init__(self, in_features, out_features, bias=True):
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
                raise ValueError(f"Linear expected {name} to be an integer >= 0, got {value!r}")
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(np.empty((out_features, in_features), dtype=np.float32))
        self.register_parameter("bias", Parameter(np.empty(out_features, dtype=np.float32)) if bias else None)
        init.default_layer_init_(self.weight, self.bias)

    def forward(self, x):
        if not isinstance(x, Tensor):
            raise TypeError(f"Linear expected a Tensor of shape (..., {self.in_features}), got {type(x).__name__}; "
                            "wrap the data: Tensor(np.asarray(data, dtype=np.float32))")
        if x.dtype.kind != "f":
            raise TypeError(f"Linear expected a floating-point Tensor, got dtype {x.dtype}")
        if x.ndim == 0 or x.shape[-1] != self.in_features:
            raise ValueError(
                f"Linear expected input with {self.in_features} features in its last axis "
                f"(..., {self.in_features}), got shape {x.shape}"
            )
        if x.dtype != self.weight.dtype:  # the same rule as Conv2d and LSTM (and PyTorch)
            raise TypeError(
                f"Linear has {self.weight.dtype} weights but got {x.dtype} input; convert one to match "
                "(x.float() or model.double())"
            )
        out = x @ self.weight.T
        return out + self.bias if self.bias is not None else out

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
