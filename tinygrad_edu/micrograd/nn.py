"""micrograd.nn's names for the scalar MLP; the code is in tinygrad_edu/engine/value.py."""
from ..engine.value import MLP, Layer, Module, Neuron

__all__ = ["Module", "Neuron", "Layer", "MLP"]
