"""Arguments: how a transform reads what it is given, and refuses the rest.

Every transform checks its arguments when it is built, so a mistake fails on the
line that made it, not in the middle of a training run. They share a few rules:

    degrees=15          a number d means the range (-d, d)
    degrees=(-5, 30)    a pair (low, high) is taken as given, low <= high
    translate_px=3      the same limit per axis; (3, 1) means 3 columns, 1 row
    p=0.5               a probability, in [0, 1]

Numbers must be finite: NaN compares False with everything, so a NaN limit would
pass every "<" check and then draw NaN angles. Each argument keeps its unit in
its name (degrees, _px, _fraction), the transform's repr prints it, and every
refusal names the transform, the argument and the value it got:

    RandomRotation expected degrees >= 0, got -1

Read next: augment/geometric.py (flips, rotations, shifts, zooms and shears as 3x3 matrices).
"""
import numbers

import numpy as np


def is_number(value):
    """A finite real number: NaN compares False with everything, so a NaN range would pass every check."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and bool(np.isfinite(value))


def check_probability(p, owner):
    if not isinstance(p, (int, float, np.floating, np.integer)) or isinstance(p, bool) or not 0.0 <= p <= 1.0:
        raise ValueError(f"{owner} expected a probability p in [0, 1], got {p!r}")
    return float(p)


def symmetric_range(value, name, owner, upper=None):
    """A scalar d means (-d, d); a pair (low, high) is taken as given."""
    if is_number(value):
        if value < 0:
            raise ValueError(f"{owner} expected {name} >= 0, got {value!r}")
        low, high = -float(value), float(value)
    else:
        try:
            low, high = (float(v) for v in value)
            if not (np.isfinite(low) and np.isfinite(high)):
                raise ValueError
        except (TypeError, ValueError):
            raise ValueError(f"{owner} expected {name} as a number or a pair (low, high), "
                             f"got {value!r}") from None
        if low > high:
            raise ValueError(f"{owner} expected {name} with low <= high, got {value!r}")
    if upper is not None and max(abs(low), abs(high)) >= upper:
        raise ValueError(f"{owner} expected |{name}| < {upper:g}, got {value!r}")
    return low, high


def per_axis(value, name, owner):
    """translate_px=3 means 3 in both axes; (3, 1) means 3 columns, 1 row."""
    values = (value, value) if isinstance(value, numbers.Real) else tuple(value)
    if len(values) != 2 or not all(is_number(v) and v >= 0 for v in values):
        raise ValueError(f"{owner} expected {name} as a number >= 0 or a pair (x, y), got {value!r}")
    return float(values[0]), float(values[1])


def pair(value, name, owner):
    """(low, high) as two floats; the order and sign rules are the caller's."""
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{owner} expected {name} as a pair (low, high), got {value!r}") from None
    return low, high
