"""One seed, one stream of random numbers, the same explanation every time.

LIME is random twice over: the segmentation (slic, quickshift) and the on/off
samples. lime seeds only the second, so the same random_state can still give a
different explanation. Here one numpy Generator serves both: the explainer draws
the segmentation's seed from it, then the samples, and the fit that follows is
deterministic, so

    same random_state  ->  same segments, same samples, same weights (bit for bit).

random_state may be None (fresh entropy), an int seed, a Generator (used as is,
so several explainers can share one stream) or a legacy RandomState, as lime
users pass; from a RandomState we draw one int and seed a Generator with it.
Read next: explain/lime/checks.py (step 2: the model's answers, checked before any fit).
"""
import numpy as np


def make_generator(random_state):
    """One numpy Generator from None, an int seed, a Generator or a legacy RandomState."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if isinstance(random_state, np.random.RandomState):
        # lime users pass RandomState objects; derive our Generator from it deterministically
        return np.random.default_rng(random_state.randint(0, 2**31 - 1))
    if random_state is None or isinstance(random_state, (int, np.integer)):
        return np.random.default_rng(random_state)
    raise TypeError(
        f"random_state must be None, an int, a numpy Generator or RandomState; got {type(random_state).__name__}")
