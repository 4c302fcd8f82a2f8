"""Extents: how far a whole pipeline can move an image, not each transform alone.

Two RandomRotation(15) in a row can turn a digit by 30 degrees, so DIGITS
(|rotation| <= 15) must refuse them together, though each alone is fine. The
extents of the transforms a sample passes through combine as the transforms do:

    rotation, shear, translation, elastic, erased area   add        (holes may overlap: an upper bound)
    scale                                                multiply   ([0.9, 1.1] twice is [0.81, 1.21])
    flips                                                any flip counts, even two that cancel

Magnitudes add (+10 then -10 degrees counts 20): an upper bound, but the same at
build and at call time, so a pipeline a policy accepted is never refused for what
it draws itself. A shift is the larger of |dx| / W and |dy| / H (what a later
rotation or zoom does to it is not added in). The composites (compose.py) decide
what a sample passes through: Compose all children, OneOf one (the worst counts),
RandomApply the child or nothing, SomeOf at most k_high (the k_high worst). The
sums run on the configured limits when a pipeline is built (`Worst`, base.py) and
on every sample's draws when it runs (`Drawn`): forged parameters cannot slip through.

Read next: augment/compose.py (the composites, which add up their children's extents here).
"""
import numpy as np

from .base import FLIP_KEYS, SCALE_KEY, Drawn, Worst, identity_draw, identity_value


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
    combined = {}
    for key in _keys_in_order(worsts):
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
    combined = {}
    for key in _keys_in_order(worsts):
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
