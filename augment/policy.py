"""Label policies: which perturbations keep a dataset's labels true.

"For handwritten digits, rotating by 180 degrees would be bad: it confuses 6's
and 9's." Whether an augmentation is safe depends on the data, not on the
augmentation, so the data gets a Policy that states its limits: mirror axes,
|rotation|, |shift|, zoom, |shear|, elastic displacement, erased area (see
`Policy`). Anything not granted is refused. The limits hold for what the whole
pipeline does to an image (extent.py adds it up), and are checked three times:
when a pipeline is built, when it is called (limits in pixels become fractions
once the image size is known), and on the parameters each sample actually drew
or replayed. Each refusal names the transforms, what they add up to, and the limit:

    RandomRotation(degrees=180) exceeds policy DIGITS: |rotation| <= 15 degrees
    RandomRotation(degrees=15) then RandomRotation(degrees=15) exceed policy DIGITS together:
        their composed worst case is |rotation| up to 30 degrees, but the policy allows
        |rotation| <= 15 degrees

Read next: augment/audit.py (measuring what an augmentation does to a trained model).
"""
import difflib
import numbers

import numpy as np

from . import extent as extents

FLIP_AXES = ("horizontal", "vertical")
_TOLERANCE = 1e-9  # limits computed from pixels carry rounding error


# Each limited key: the Policy attribute that limits it, and the words of the limit.
_LIMITS = {
    "rotation_degrees": ("max_rotation_degrees", "|rotation| {} degrees"),
    "translate_fraction": ("max_translate_fraction", "|translation| {} of the image size"),
    "shear_degrees": ("max_shear_degrees", "|shear| {} degrees"),
    "elastic_fraction": ("max_elastic_fraction", "elastic displacement {} of the image size"),
    "erase_fraction": ("max_erase_fraction", "erased area {} of the image"),
}
_KEYS = extents.FLIP_KEYS + tuple(_LIMITS) + (extents.SCALE_KEY,)  # the order refusals are looked for in


class PolicyError(ValueError):
    """A pipeline can do something its dataset's labels do not survive."""


_DEFAULTS = {
    "flips": (),
    "max_rotation_degrees": 0.0,
    "max_translate_fraction": 0.0,
    "scale_range": (1.0, 1.0),
    "max_shear_degrees": 0.0,
    "max_elastic_fraction": 0.0,
    "max_erase_fraction": 0.0,
    "flip_label_map": None,
}


def _non_negative(key, value):
    # "not value >= 0" rather than "value < 0": NaN compares False with everything.
    if not isinstance(value, numbers.Real) or isinstance(value, bool) or not value >= 0:
        raise ValueError(f"Policy expected {key} to be a number >= 0, got {value!r}")
    return float(value)


class Policy:
    """The perturbations a dataset's labels survive, as limits on what a pipeline does to an image.

        flips                    which mirror axes keep the label ("horizontal", "vertical")
        max_rotation_degrees     |angle| allowed
        max_translate_fraction   |shift| as a fraction of the image width / height
        scale_range              (low, high) zoom allowed
        max_shear_degrees        |shear angle| allowed
        max_elastic_fraction     largest elastic displacement, as a fraction of the image side
        max_erase_fraction       largest erased area, as a fraction of the image
        flip_label_map           {"horizontal": {LEFT: RIGHT, RIGHT: LEFT}} for flips that swap classes

    Anything not granted is refused: Policy("MINE") allows no geometric change at
    all (float("inf") grants any amount). Photometric transforms (brightness,
    contrast, noise) are not limited.
    """

    def __init__(self, name, **limits):
        if not isinstance(name, str) or not name:
            raise ValueError(f"Policy expected a non-empty name, got {name!r}")
        unknown = [key for key in limits if key not in _DEFAULTS]
        if unknown:
            key = unknown[0]
            close = difflib.get_close_matches(key, _DEFAULTS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"Policy got unknown key {key!r}{hint}; known keys: {', '.join(_DEFAULTS)}")
        settings = {**_DEFAULTS, **limits}
        self.name = name
        self.flips = self._check_flips(settings["flips"])
        self.max_rotation_degrees = _non_negative("max_rotation_degrees", settings["max_rotation_degrees"])
        self.max_translate_fraction = _non_negative("max_translate_fraction", settings["max_translate_fraction"])
        self.scale_range = self._check_scale_range(settings["scale_range"])
        self.max_shear_degrees = _non_negative("max_shear_degrees", settings["max_shear_degrees"])
        self.max_elastic_fraction = _non_negative("max_elastic_fraction", settings["max_elastic_fraction"])
        self.max_erase_fraction = _non_negative("max_erase_fraction", settings["max_erase_fraction"])
        self.flip_label_map = self._check_label_map(settings["flip_label_map"])

    @staticmethod
    def _check_flips(flips):
        flips = (flips,) if isinstance(flips, str) else tuple(flips)
        for axis in flips:
            if axis not in FLIP_AXES:
                raise ValueError(f"Policy flips must be among {FLIP_AXES}, got {axis!r}")
        return tuple(axis for axis in FLIP_AXES if axis in flips)

    @staticmethod
    def _check_scale_range(scale_range):
        try:
            low, high = (float(v) for v in scale_range)
        except (TypeError, ValueError):
            raise ValueError(f"Policy expected scale_range as a pair (low, high), got {scale_range!r}") from None
        if not 0 < low <= 1 <= high:
            raise ValueError(f"Policy expected 0 < low <= 1 <= high in scale_range, got {scale_range!r}")
        return (low, high)

    def _check_label_map(self, label_map):
        if label_map is None:
            return {}
        if not isinstance(label_map, dict):
            raise ValueError(f"Policy expected flip_label_map as a dict such as "
                             f"{{'horizontal': {{3: 4, 4: 3}}}}, got {label_map!r}")
        checked = {}
        for axis, mapping in label_map.items():
            if axis not in FLIP_AXES:
                raise ValueError(f"flip_label_map keys must be among {FLIP_AXES}, got {axis!r}")
            if axis not in self.flips:
                raise ValueError(f"flip_label_map gives a map for {axis} flips, but policy "
                                 f"{self.name} does not allow {axis} flips")
            if not isinstance(mapping, dict) or not all(
                    isinstance(k, numbers.Integral) and isinstance(v, numbers.Integral)
                    for k, v in mapping.items()):
                raise ValueError(f"flip_label_map[{axis!r}] must map integer class to integer class, "
                                 f"got {mapping!r}")
            checked[axis] = {int(k): int(v) for k, v in mapping.items()}
        return checked

    def replace(self, **changes):
        """A copy with some limits changed: DIGITS.replace(name="MNIST", max_rotation_degrees=10)."""
        settings = {key: getattr(self, key) for key in _DEFAULTS}
        settings["flip_label_map"] = self.flip_label_map or None
        name = changes.pop("name", self.name)
        return Policy(name, **{**settings, **changes})

    def __repr__(self):
        settings = ", ".join(f"{key}={getattr(self, key)!r}" for key in _DEFAULTS
                             if getattr(self, key) not in (_DEFAULTS[key], {}))
        return f"Policy({self.name!r}{', ' + settings if settings else ''})"

    def __str__(self):
        flips = ", ".join(self.flips) if self.flips else "none"
        lines = [f"policy {self.name}:",
                 f"  flips allowed          {flips}",
                 f"  |rotation|          <= {self.max_rotation_degrees:g} degrees",
                 f"  |translation|       <= {self.max_translate_fraction:g} of the image size",
                 f"  scale within           [{self.scale_range[0]:g}, {self.scale_range[1]:g}]",
                 f"  |shear|             <= {self.max_shear_degrees:g} degrees",
                 f"  elastic displacement<= {self.max_elastic_fraction:g} of the image size",
                 f"  erased area         <= {self.max_erase_fraction:g} of the image"]
        for axis, mapping in self.flip_label_map.items():
            lines.append(f"  {axis} flip relabels   {mapping}")
        return "\n".join(lines)

    # --- the comparisons ------------------------------------------------------

    def _limit_exceeded(self, key, value):
        """The limit `value` breaks, in words, or None if it is within the policy."""
        if key in extents.FLIP_KEYS:
            axis = key.split("_")[0]
            if not value or axis in self.flips:
                return None
            return "no flips allowed" if not self.flips else f"only {' and '.join(self.flips)} flips allowed"
        if key == extents.SCALE_KEY:
            low, high = self.scale_range
            if value[0] < low - _TOLERANCE or value[1] > high + _TOLERANCE:
                return f"scale within [{low:g}, {high:g}]"
            return None
        attribute, words = _LIMITS[key]
        limit = getattr(self, attribute)
        return words.format(f"<= {limit:g}") if value > limit + _TOLERANCE else None

    @staticmethod
    def _reach(key, value):
        """What a pipeline can do at most, in the words of the limit: '|rotation| up to 30 degrees'."""
        if key in extents.FLIP_KEYS:
            return f"a {key.split('_')[0]} flip"
        if key == extents.SCALE_KEY:
            return f"scale within [{value[0]:.4g}, {value[1]:.4g}]"
        return _LIMITS[key][1].format(f"up to {value:.4g}")

    @staticmethod
    def _describe(key, value):
        if key in extents.FLIP_KEYS:
            return f"drew a {key.split('_')[0]} flip"
        if key == extents.SCALE_KEY:
            return f"drew scale = {value:.4g}"
        return f"drew {key.replace('_', ' ')} = {value:.4g}"

    def check(self, transform):
        """Refuse a pipeline whose configured limits exceed this policy; return it if fine."""
        self._check_each_transform(transform, None)
        self._check_worst_case(transform, None)
        return transform

    def check_call(self, transform, params, shape):
        """At call time: limits in pixels for this image size, then what each sample drew."""
        self._check_each_transform(transform, shape)
        self._check_worst_case(transform, shape)
        self._check_drawn(transform, params, shape)

    @staticmethod
    def _on_images(shape):
        return "" if shape is None else f" on {shape[2]}x{shape[3]} images"

    def _check_each_transform(self, transform, shape):
        # One transform alone already too strong: name just that one.
        for leaf in transform.leaves():
            for key, value in leaf.extent(shape).items():
                limit = self._limit_exceeded(key, value)
                if limit:
                    raise PolicyError(f"{leaf!r} exceeds policy {self.name}{self._on_images(shape)}: {limit}")

    def _check_worst_case(self, transform, shape):
        """The transforms a sample can pass through, combined (extent.py), against each limit."""
        worst_case = transform.worst_case(shape)
        for key in _KEYS:
            if key not in worst_case:
                continue
            worst = worst_case[key]
            limit = self._limit_exceeded(key, worst.value)
            if limit:
                names = " then ".join(repr(leaf) for leaf in worst.transforms)
                verb = "exceed" if len(worst.transforms) > 1 else "exceeds"
                together = " together" if len(worst.transforms) > 1 else ""
                raise PolicyError(f"{names} {verb} policy {self.name}{together}{self._on_images(shape)}: "
                                  f"their composed worst case is {self._reach(key, worst.value)}, "
                                  f"but the policy allows {limit}")

    def _check_drawn(self, transform, params, shape):
        """Every sample's draws, combined over the transforms it went through, against each limit."""
        drawn = transform.drawn(params, shape)
        for key in _KEYS:
            totals, parts = extents.per_sample(drawn, key, shape[0])
            if not parts:
                continue
            # The most extreme sample decides; for scale both ends can be extreme.
            candidates = (np.argmin(totals), np.argmax(totals)) if key == extents.SCALE_KEY else (np.argmax(totals),)
            for sample in candidates:
                value = totals[sample]
                limit = self._limit_exceeded(key, (value, value) if key == extents.SCALE_KEY else value)
                if limit:
                    raise PolicyError(self._drawn_refusal(key, value, limit, extents.contributors(parts, sample),
                                                          int(sample)))

    def _drawn_refusal(self, key, value, limit, leaves, sample):
        if len(leaves) == 1:
            return (f"parameters for {leaves[0]!r} exceed policy {self.name}: "
                    f"{self._describe(key, value)}, but {limit} (sample {sample} of the batch)")
        names = " then ".join(repr(leaf) for leaf in leaves)
        return (f"parameters for {names} exceed policy {self.name} together: sample {sample} "
                f"{self._describe(key, value)} in all, but {limit}")

    def relabel(self, transform, params, n, labels):
        """Swap the classes of flipped samples, as flip_label_map says (labels may be None)."""
        if not self.flip_label_map:
            return labels
        can_flip = {axis: any(leaf.extent(None).get(f"{axis}_flip") for leaf in transform.leaves())
                    for axis in FLIP_AXES}
        needs_labels = [axis for axis in self.flip_label_map if can_flip[axis]]
        if needs_labels and labels is None:
            raise PolicyError(f"policy {self.name} swaps class labels under {needs_labels[0]} flips, "
                              f"so the labels must travel with the images: "
                              f"result = pipeline.augment(x, rng, labels=y)")
        if labels is None:
            return None
        horizontal, vertical = transform.flips(params, n)
        flipped_by_axis = {"horizontal": horizontal, "vertical": vertical}
        for axis, mapping in self.flip_label_map.items():
            flipped = flipped_by_axis[axis]
            before = labels.copy()
            for old, new in mapping.items():
                labels[(before == old) & flipped] = new
        return labels


DIGITS = Policy(
    "DIGITS",
    flips=(),                       # a mirrored 2 is not a digit; 6 <-> 9 under 180 degrees
    max_rotation_degrees=15,        # handwriting slants about this much
    max_translate_fraction=0.15,
    scale_range=(0.9, 1.1),
    max_shear_degrees=15,
    max_elastic_fraction=0.1,       # elastic wobble is the classic MNIST augmentation
    max_erase_fraction=0.1,         # a larger hole can erase the stroke that tells 7 from 1
)

LETTERS = Policy(
    "LETTERS",
    flips=(),                       # b/d and p/q are mirror images of each other
    max_rotation_degrees=10,        # n/u and M/W are rotations of each other
    max_translate_fraction=0.15,
    scale_range=(0.9, 1.1),
    max_shear_degrees=10,
    max_elastic_fraction=0.08,
    max_erase_fraction=0.1,
)

NATURAL_IMAGES = Policy(
    "NATURAL_IMAGES",
    flips=("horizontal",),          # a mirrored cat is a cat; an upside-down scene is unusual
    max_rotation_degrees=30,
    max_translate_fraction=0.25,
    scale_range=(0.75, 1.33),
    max_shear_degrees=15,
    max_elastic_fraction=0.05,
    max_erase_fraction=0.4,
)
