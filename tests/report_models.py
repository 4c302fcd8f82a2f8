"""Tiny model factories for the report tests, importable as tests.report_models:FACTORY (the CLI's --arch)."""
from tinygrad_edu import nn


def tiny_convnet():
    """16x16 RGB -> 2 classes: two 3x3 convs, 2x2 then 8x8 pooling, a linear head."""
    return nn.Sequential(nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(4, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(8),
                         nn.Flatten(), nn.Linear(4, 2))


def not_a_model():
    """A factory that builds something other than a Module (the CLI must refuse it)."""
    return {"weights": [1, 2, 3]}


def wider_convnet():
    """Same layers as tiny_convnet but 6 channels: a tiny_convnet checkpoint does not fit it."""
    return nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(6, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(8),
                         nn.Flatten(), nn.Linear(4, 2))
