"""Activation layers: the nonlinearity between two linear maps.

Without it, Linear(Linear(x)) is just another linear map; with it, a deep
network can approximate curved functions. ReLU(x) = max(x, 0) is the default
in the lecture; LeakyReLU keeps a small slope for x < 0 so negative units still
learn; Sigmoid and Tanh squash into (0, 1) and (-1, 1).

Read flatten.py next.
"""
from .. import functional as F
from .module import Module


class ReLU(Module):
    def forward(self, x):
        return x.relu()


class LeakyReLU(Module):
    """max(x, 0) + negative_slope * min(x, 0), as torch.nn.LeakyReLU(negative_slope=0.01)."""

    def __init__(self, negative_slope=0.01):
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x):
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self):
        return f"negative_slope={self.negative_slope}"


class Sigmoid(Module):
    def forward(self, x):
        return x.sigmoid()


class Tanh(Module):
    def forward(self, x):
        return x.tanh()


class Softmax(Module):
    def __init__(self, dim=-1):
        super().__init__()
        self.dim = dim

    def forward(self, x):
        return F.softmax(x, axis=self.dim)

    def extra_repr(self):
        return f"dim={self.dim}"


class LogSoftmax(Softmax):
    def forward(self, x):
        return F.log_softmax(x, axis=self.dim)
