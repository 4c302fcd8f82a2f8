"""The engine's random numbers: one numpy Generator, seeded like ``torch.manual_seed``.

Weight initialisation and dropout draw from it unless they are handed a
Generator of their own, so ``manual_seed(0)`` makes a whole run repeatable.
"""
import numpy as np

_state = {"generator": np.random.default_rng()}


def manual_seed(seed):
    """Reseed the default generator and return it."""
    _state["generator"] = np.random.default_rng(seed)
    return _state["generator"]


def default_generator():
    return _state["generator"]


class fork_rng:
    """Context manager: draw from a fresh Generator seeded with ``seed``, then restore the old one.

    Like ``torch.random.fork_rng``: code inside (e.g. re-initialising layers)
    is repeatable and leaves the caller's random stream exactly where it was.
    """

    def __init__(self, seed):
        self.seed = seed

    def __enter__(self):
        self.saved = _state["generator"]
        return manual_seed(self.seed)

    def __exit__(self, *exc_info):
        _state["generator"] = self.saved
