"""micrograd's import paths, so its notebook runs here with only the import lines changed.

    from micrograd.engine import Value          ->  from tinygrad_edu.micrograd.engine import Value
    from micrograd.nn import Neuron, Layer, MLP ->  from tinygrad_edu.micrograd.nn import Neuron, Layer, MLP

Nothing is re-implemented here: both modules point at value.py, where the
scalar engine and the tiny MLP live (read that file; it is the real one).
"""
from . import engine, nn
