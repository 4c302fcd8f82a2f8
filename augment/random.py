"""Randomness: every random draw comes from a Generator the caller hands in.

Augmentation is only reproducible when its randomness is explicit. So nothing in
`augment/` touches numpy's global RNG: every call takes either a
`numpy.random.Generator` or an integer seed, and the same seed gives the same
output, bit for bit.

Training needs many *independent* streams: one per epoch, and inside an epoch
one per data-loader worker. Seeding them with seed+epoch or seed+worker gives
overlapping, correlated streams. numpy's `SeedSequence` solves this: from one
root seed it derives child seeds by hashing a "spawn key", here (epoch, worker),
so every (seed, epoch, worker) gets its own statistically independent stream:

    SeedSequence(seed, spawn_key=(epoch, worker))
      == SeedSequence(seed).spawn(epoch + 1)[epoch].spawn(worker + 1)[worker]

Read next: augment/layout.py (how images of any layout become one (N, C, H, W) batch).
"""
import numbers

import numpy as np


def as_generator(rng):
    """Return a numpy Generator from a Generator, an integer seed or a SeedSequence."""
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        if rng < 0:
            raise ValueError(f"a seed must be a non-negative integer, got {rng}")
        return np.random.default_rng(int(rng))
    if isinstance(rng, np.random.SeedSequence):
        return np.random.default_rng(rng)
    if rng is None:
        raise TypeError(
            "augment needs explicit randomness: pass a numpy.random.Generator "
            "(np.random.default_rng(seed)) or an integer seed, got None")
    if isinstance(rng, np.random.RandomState):
        raise TypeError(
            "augment takes a numpy.random.Generator or an integer seed, got the legacy "
            "numpy.random.RandomState; use np.random.default_rng(seed) instead")
    raise TypeError(
        "augment takes a numpy.random.Generator or an integer seed, "
        f"got {type(rng).__name__}")


def stream(seed, epoch, worker=0):
    """The Generator for one (epoch, worker) of a training run started from `seed`.

    Streams for different epochs or workers are independent; asking again for the
    same (seed, epoch, worker) gives the same stream, so a crashed worker can be
    restarted exactly.
    """
    for name, value in (("seed", seed), ("epoch", epoch), ("worker", worker)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 0:
            raise ValueError(f"stream expected a non-negative integer {name}, got {value!r}")
    sequence = np.random.SeedSequence(int(seed), spawn_key=(int(epoch), int(worker)))
    return np.random.default_rng(sequence)


def worker_streams(seed, epoch, n_workers):
    """One independent Generator per data-loader worker for this epoch."""
    if not isinstance(n_workers, numbers.Integral) or n_workers < 1:
        raise ValueError(f"worker_streams expected n_workers >= 1, got {n_workers!r}")
    return [stream(seed, epoch, worker) for worker in range(n_workers)]
