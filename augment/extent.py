"""Extents: how far a whole pipeline can move an image, not each transform alone.

A policy promises something about what happens to each IMAGE. Two
RandomRotation(15) in a row can turn a digit by 30 degrees, so a DIGITS policy
(|rotation| <= 15) must refuse them although each one alone is fine. The
extents of the transforms a sample passes through combine the way the
transforms themselves compose:

    rotation, shear       angles add            |a + b| <= |a| + |b|
    translation           shifts add            (fractions of the image size)
    elastic displacement  displacements add
    erased area           areas add             (the holes may overlap: an upper bound)
    scale                 factors multiply      [0.9, 1.1] twice is [0.81, 1.21]
    flips                 any flip counts       two flips cancel, but a policy that refuses
                                                flips refuses a pipeline that can draw one

Magnitudes are added, so +10 then -10 degrees counts as 20: an upper bound, but
the same arithmetic at build time and at call time, so a pipeline the policy
accepted is never refused for what it draws itself. A shift is measured as the
larger of |dx| / W and |dy| / H; what a later rotation or zoom does to the shift
vector is not added in.

Composites decide which transforms a sample passes through:

    Compose      all children, in order     worst case: all of them, combined
    OneOf        exactly one child          worst case: the worst child
    RandomApply  the child or nothing       worst case: the child (nothing is the identity)
    SomeOf       at most k_high children    worst case: the k_high worst, combined

The arithmetic runs twice: on the configured limits when a pipeline is built
(`Worst`, from each transform's `extent`), and on every sample's drawn
parameters when it runs (`Drawn`, from `drawn_extent`), so replayed or forged
parameters cannot slip through either.

Read next: augment/audit.py (measuring what an augmentation does to a trained model).
"""
from dataclasses import dataclass

import numpy as np

FLIP_KEYS = ("horizontal_flip", "vertical_flip")
SCALE_KEY = "scale"
ADDED_KEYS = ("rotation_degrees", "translate_fraction", "shear_degrees", "elastic_fraction", "erase_fraction")


@dataclass(frozen=True)
class Worst:
    """The most a pipeline can do under one key, and the transforms that add up to it."""
    value: object       # a number; (low, high) for scale; True/False for flips
    transforms: tuple   # the leaf transforms whose extents were combined


@dataclass(frozen=True)
class Drawn:
    """What one transform drew, per sample, under one key (the identity where it did not run)."""
    transform: object
    key: str
    values: np.ndarray  # (N,): |angle|, shift fraction, ...; the scale factor; a flip drawn


def identity_draw(key):
    """What one sample draws when it is left alone: 0 added, a factor of 1, no flip."""
    if key == SCALE_KEY:
        return 1.0
    return False if key in FLIP_KEYS else 0.0


def identity_value(key):
    """The extent of doing nothing; for scale, the range [1, 1]."""
    return (1.0, 1.0) if key == SCALE_KEY else identity_draw(key)


def _unique(transforms):
    """Drop repeats (the same transform object can reach both ends of a scale range)."""
    seen, kept = set(), []
    for transform in transforms:
        if id(transform) not in seen:
            seen.add(id(transform))
            kept.append(transform)
    return tuple(kept)


def _keys_in_order(worsts):
    """Every key of the worst cases, in the order first met (a set's order would change with PYTHONHASHSEED)."""
    return list(dict.fromkeys(key for worst in worsts for key in worst))


# ----------------------------------------------------------------------------
# Worst cases of the configured limits, at build time
# ----------------------------------------------------------------------------


def of_leaf(transform, shape):
    """A leaf's own extents as worst cases; keys where it does nothing are left out."""
    return {key: Worst(value, (transform,)) for key, value in transform.extent(shape).items()
            if value != identity_value(key)}


def _then(key, first, second):
    if key == SCALE_KEY:
        value = (first.value[0] * second.value[0], first.value[1] * second.value[1])
    elif key in FLIP_KEYS:
        value = first.value or second.value
    else:
        value = first.value + second.value
    return Worst(value, first.transforms + second.transforms)


def in_sequence(worsts):
    """Every sample passes through all of them, one after the other (Compose)."""
    combined = {}
    for worst in worsts:
        for key, part in worst.items():
            combined[key] = _then(key, combined[key], part) if key in combined else part
    return combined


def _scale_hull(parts):
    """[lowest low, highest high] over the alternatives; an alternative without a scale is 1."""
    identity = Worst((1.0, 1.0), ())
    parts = [identity if part is None else part for part in parts]
    lowest = min(parts, key=lambda part: part.value[0])
    highest = max(parts, key=lambda part: part.value[1])
    return Worst((lowest.value[0], highest.value[1]), _unique(lowest.transforms + highest.transforms))


def either(worsts):
    """Every sample passes through exactly one of them (OneOf); {} stands for 'nothing' (RandomApply)."""
    keys = _keys_in_order(worsts)
    combined = {}
    for key in keys:
        parts = [worst.get(key) for worst in worsts]
        if key == SCALE_KEY:
            combined[key] = _scale_hull(parts)
            continue
        present = [part for part in parts if part is not None]
        combined[key] = max(present, key=lambda part: part.value)  # True > False for flips
    return combined


def _worst_k(parts, k, extremeness):
    """The k most extreme parts, kept in their listed order (SomeOf applies them in that order)."""
    ranked = sorted(range(len(parts)), key=lambda index: extremeness(parts[index]), reverse=True)
    return [parts[index] for index in sorted(ranked[:k])]


def at_most(worsts, k):
    """Every sample passes through at most k of them, in listed order (SomeOf)."""
    keys = _keys_in_order(worsts)
    combined = {}
    for key in keys:
        parts = [worst[key] for worst in worsts if key in worst]
        if key != SCALE_KEY:
            worst_k = in_sequence([{key: part} for part in _worst_k(parts, k, lambda p: p.value)])
        else:
            # Only factors below 1 push the low end down, only factors above 1 push the high end up.
            shrinking = [Worst((part.value[0], 1.0), part.transforms) for part in parts if part.value[0] < 1]
            growing = [Worst((1.0, part.value[1]), part.transforms) for part in parts if part.value[1] > 1]
            low = in_sequence([{key: part} for part in _worst_k(shrinking, k, lambda p: -p.value[0])])
            high = in_sequence([{key: part} for part in _worst_k(growing, k, lambda p: p.value[1])])
            worst_k = {key: _scale_hull([low.get(key), high.get(key)])}
        if key in worst_k and worst_k[key].value != identity_value(key):
            combined[key] = worst_k[key]
    return combined


# ----------------------------------------------------------------------------
# What each sample actually drew, at call time
# ----------------------------------------------------------------------------


def of_leaf_drawn(transform, params, shape):
    return [Drawn(transform, key, np.asarray(values))
            for key, values in transform.drawn_extent(params, shape).items()]


def only_for(selected, drawn):
    """Keep what was drawn for the selected samples; the others did not run it (identity)."""
    return [Drawn(part.transform, part.key, np.where(selected, part.values, identity_draw(part.key)))
            for part in drawn]


def per_sample(drawn, key, n):
    """Combine every sample's draws under `key`: (N,) totals, and the parts that went into them."""
    parts = [part for part in drawn if part.key == key]
    values = [part.values for part in parts] or [np.full(n, identity_draw(key))]
    if key == SCALE_KEY:
        return np.prod(values, axis=0), parts
    if key in FLIP_KEYS:
        return np.any(values, axis=0), parts
    return np.sum(values, axis=0), parts


def contributors(parts, sample):
    """The transforms that did something to `sample` under this key."""
    return _unique(part.transform for part in parts if part.values[sample] != identity_draw(part.key))
