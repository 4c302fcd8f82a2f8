"""The engine's random numbers: one numpy Generator, seeded like ``torch.manual_seed``.

Weight initialisation and dropout draw from it unless they are handed a
Generator of their own, so ``manual_seed(0)`` makes a whole run repeatable.
Read next: tinygrad_edu/functional/activations.py.
"""
import numpy as np

_state = {"generator": np.random.default_rng()}


def manual_seed(seed):
    """Reseed the default generator and return it."""
    _state["generator"] = np.random.default_rng(seed)
    return _state["generator"]


def default_generator():
    return _state["generator"]
