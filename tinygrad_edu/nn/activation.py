"""Activation layers: the nonlinearity between two linear maps.

Without it, Linear(Linear(x)) is just another linear map; with it, a deep
network can approximate curved functions. ReLU(x) = max(x, 0) is the default
in the lecture; LeakyReLU keeps a small slope for x < 0 so negative units still
learn; Sigmoid and Tanh squash into (0, 1) and (-1, 1).

Read next: tinygrad_edu/nn/dropout.py.
"""
from .. import functional as F
from .module import Module


class ReLU(Module):
    """The rectified linear unit, element by element: ReLU(x) = max(x, 0).

    Its derivative is 1 where x > 0 and 0 elsewhere, so a unit that is on
    passes its gradient through unchanged (no vanishing, unlike Sigmoid), and a
    unit that is off passes none. PyTorch's ``inplace=`` is not offered: every
    operation here builds a new graph node.

    Shape:
        - Input: any shape.
        - Output: the same shape as the input.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> nn.ReLU()(Tensor(np.array([-1.0, 0.0, 2.0], np.float32)))
        Tensor([0. 0. 2.], dtype=float32)
    """

    def forward(self, x):
        return x.relu()


class LeakyReLU(Module):
    """A ReLU with a small slope for negative inputs, element by element.

        LeakyReLU(x) = max(x, 0) + negative_slope * min(x, 0)

    The derivative is negative_slope (not 0) for x < 0, so a unit that is off
    still learns and cannot "die".

    Args:
        negative_slope: the slope for x < 0. Default: 0.01.

    Shape:
        - Input: any shape.
        - Output: the same shape as the input.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> nn.LeakyReLU(0.1)(Tensor(np.array([-10.0, 0.0, 5.0], np.float32)))
        Tensor([-1.  0.  5.], dtype=float32)
    """

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    """The logistic function, element by element: Sigmoid(x) = 1 / (1 + e^-x), in (0, 1).

    Its derivative is s (1 - s) with s = Sigmoid(x): at most 1/4, and close
    to 0 for large |x|, which is why deep stacks of sigmoids learn slowly.
    Computed without overflow for large negative x.

    Shape:
        - Input: any shape.
        - Output: the same shape as the input.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> nn.Sigmoid()(Tensor(np.array([-1000.0, 0.0, 1000.0], np.float32)))
        Tensor([0.  0.5 1. ], dtype=float32)
    """

    def forward(self, x):
        return x.sigmoid()


class Tanh(Module):
    """The hyperbolic tangent, element by element: Tanh(x) = (e^x - e^-x) / (e^x + e^-x), in (-1, 1).

    Tanh(x) = 2 Sigmoid(2x) - 1: a sigmoid centred on 0. Its derivative is
    1 - Tanh(x)^2.

    Shape:
        - Input: any shape.
        - Output: the same shape as the input.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> nn.Tanh()(Tensor(np.array([0.0, 20.0], np.float32)))
        Tensor([0. 1.], dtype=float32)
    """

    def forward(self, x):
        return x.tanh()


class Softmax(Module):
    """Scores to probabilities along one axis: Softmax(x)_i = e^(x_i) / sum_j e^(x_j).

    Every output lies in (0, 1) and each slice along ``dim`` sums to 1. The
    maximum is subtracted first, so large scores do not overflow (softmax does
    not change when a constant is added to every score). For a loss, feed the
    raw scores to CrossEntropyLoss instead: it never forms log(softmax(x)).

    Args:
        dim: the axis that sums to 1. Default: -1, the last axis (PyTorch's
            default, dim=None, picks an axis by the input's rank and warns).

    Shape:
        - Input: any shape.
        - Output: the same shape as the input.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> scores = Tensor(np.array([[0.0, np.log(3.0)], [5.0, 5.0]], np.float32))
        >>> nn.Softmax(dim=1)(scores).numpy().round(4)
        array([[0.25, 0.75],
               [0.5 , 0.5 ]], dtype=float32)
    """

    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, axis=self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    """Log-probabilities along one axis: LogSoftmax(x)_i = x_i - log sum_j e^(x_j).

    Computed as (x_i - m) - log sum_j e^(x_j - m) with m = max_j x_j, never as
    log(softmax(x)), which would turn a tiny probability into log(0) = -inf.
    Pair it with NLLLoss; the two together are CrossEntropyLoss.

    Args:
        dim: the axis along which the probabilities sum to 1. Default: -1.

    Shape:
        - Input: any shape.
        - Output: the same shape as the input.

    Example:
        >>> import numpy as np
        >>> from tinygrad_edu import Tensor, nn
        >>> nn.LogSoftmax(dim=1)(Tensor(np.array([[0.0, 1000.0]], np.float32)))   # finite, no log(0)
        Tensor([[-1000.     0.]], dtype=float32)
    """

    def forward(self, x):
        return F.log_softmax(x, axis=self.dim)
