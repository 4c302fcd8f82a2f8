"""Activation layers: the nonlinearity between two linear maps.

Without it, Linear(Linear(x)) is just another linear map; with it, a deep
network can approximate curved functions. ReLU(x) = max(x, 0) is the default
in the lecture; Sigmoid and Tanh squash into (0, 1) and (-1, 1).

Read flatten.py next.
"""
from .. import functional as F
from .module import Module


class ReLU(Module):
    def forward(self, x):
        return x.relu()


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
