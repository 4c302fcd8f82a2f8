"""What every transform is: sample parameters, then apply them.

    params = transform.sample(rng, shape)         # draw one set of numbers PER SAMPLE
    batch  = transform.apply(batch, params, ...)  # deterministic given params

Splitting the two gives three things for free: each image in a batch gets its own
flip/angle/shift (params hold one row per sample); replay, bit for bit (augment an
image and its segmentation mask alike, or show a student exactly what happened);
and checks: a label Policy inspects what a transform can do (`extent`) and what it
drew (`drawn_extent`) before anything runs. Transforms with `affine = True` also
give one 3x3 matrix per sample (`matrices`), so a pipeline multiplies them and
resamples once (affine.py, warp.py, compose.py). A transform's repr is the call
that builds it again, RandomRotation(degrees=15), read back from the attributes
named like the constructor's arguments. Users call a transform in one of three ways:

    x_aug  = transform(x, rng)                                # the training-loop contract
    result = transform.augment(x, rng, masks=m, labels=y)     # images, masks, labels, params
    again  = transform.replay(x, result.params, masks=m, labels=y)

Read next: augment/arguments.py (how a transform checks what it is given).
"""
import inspect
from dataclasses import dataclass, replace

import numpy as np

from . import affine, layout as layouts
from .random import as_generator
from .warp import warp_affine

_UNSET = object()


@dataclass(frozen=True)
class DataSpec:
    """What the pipeline is told about its data (nothing is guessed)."""
    layout: str = "NCHW"
    value_range: tuple = (0.0, 1.0)  # None means unbounded (e.g. standardised data)
    fill: float = 0.0                # constant for pixels that come from outside the image
    mask_fill: int = 0               # label written where masks come from outside the image

    def __post_init__(self):
        layouts.check_layout(self.layout)
        object.__setattr__(self, "value_range", layouts.check_value_range(self.value_range))
        if self.value_range is not None:
            low, high = self.value_range
            if not low <= self.fill <= high:
                raise ValueError(f"fill={self.fill:g} lies outside the declared value_range "
                                 f"[{low:g}, {high:g}]")


@dataclass
class Augmented:
    """The result of `augment`/`replay`: everything needed to inspect or repeat it."""
    images: np.ndarray
    masks: object
    labels: object
    params: dict


def take(params, index):
    """The parameters of the samples in `index` (every leaf array has one row per sample)."""
    if isinstance(params, dict):
        return {key: take(value, index) for key, value in params.items()}
    if isinstance(params, list):
        return [take(value, index) for value in params]
    return params[index]


def batch_size_of(params):
    """How many samples `params` were drawn for (None if it holds no arrays)."""
    if isinstance(params, dict):
        values = params.values()
    elif isinstance(params, list):
        values = params
    else:
        return len(params)
    for value in values:
        size = batch_size_of(value)
        if size is not None:
            return size
    return None


def warp_batch(batch, masks, matrices, spec):
    """Resample images (bilinear) and label maps (nearest) through forward `matrices`."""
    inverse = affine.inverse(matrices)
    batch = warp_affine(batch, inverse, fill=spec.fill, order=1)
    if masks is not None:
        masks = warp_affine(masks, inverse, fill=spec.mask_fill, order=0)
    return batch, masks


def format_args(name, **args):
    """Name(key=value, ...) with numbers printed plainly: the repr that error messages quote."""
    def plain(value):
        if isinstance(value, float):
            return f"{value:g}"
        if isinstance(value, tuple):
            return "(" + ", ".join(plain(v) for v in value) + ")"
        return repr(value)
    return f"{name}(" + ", ".join(f"{key}={plain(value)}" for key, value in args.items()) + ")"


# ----------------------------------------------------------------------------
# Extents: what one transform can do, and what it drew (extent.py combines them)
# ----------------------------------------------------------------------------

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


# ----------------------------------------------------------------------------
# The transform
# ----------------------------------------------------------------------------


class Transform:
    affine = False      # True: one 3x3 matrix per sample describes it exactly
    children = ()       # the transforms a composite contains
    policy = None       # set by Compose(policy=...)
    spec = DataSpec()

    # --- how it prints ----------------------------------------------------------

    def __repr__(self):
        """The call that builds it again, e.g. RandomRotation(degrees=15): what error messages quote."""
        return format_args(type(self).__name__, **self.arguments())

    def arguments(self):
        """The constructor's arguments, read back from the attributes of the same name (None left out)."""
        parameters = inspect.signature(type(self).__init__).parameters.values()
        names = [p.name for p in parameters if p.name != "self"
                 and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
        values = {name: getattr(self, name) for name in names}
        return {name: value for name, value in values.items() if value is not None}

    # --- what subclasses implement -----------------------------------------

    def sample(self, rng, shape):
        """Draw parameters for a batch of `shape` (N, C, H, W): a dict of arrays, one row per sample."""
        raise NotImplementedError

    def apply(self, batch, params, spec, masks=None):
        """Apply drawn parameters to an (N, C, H, W) batch (and its (N, 1, H, W) masks)."""
        if not self.affine:
            raise NotImplementedError
        return warp_batch(batch, masks, self.matrices(params, batch.shape), spec)

    def matrices(self, params, shape):
        """Forward 3x3 matrices, (N, 3, 3), for affine transforms."""
        raise NotImplementedError(f"{self!r} is not an affine transform")

    def flips(self, params, n):
        """Per-sample (horizontal, vertical) flip parity: which samples ended up mirrored."""
        return np.zeros(n, bool), np.zeros(n, bool)

    def extent(self, shape=None):
        """The most this transform can do, for Policy checks: {"rotation_degrees": 15, ...}.

        Limits given in pixels can only be compared with a policy (fractions of the
        image size) once the image size `shape` is known; without it they are left out.
        """
        return {}

    def drawn_extent(self, params, shape):
        """What these drawn parameters do to each sample: same keys as `extent`, (N,) arrays."""
        return {}

    def worst_case(self, shape=None):
        """The most a sample can go through, {key: Worst}; composites combine their children's (extent.py).

        A leaf's is its own extent; keys where it does nothing are left out.
        """
        return {key: Worst(value, (self,)) for key, value in self.extent(shape).items()
                if value != identity_value(key)}

    def drawn(self, params, shape):
        """Every transform's per-sample draws, [Drawn], set to the identity where a sample skipped it."""
        return [Drawn(self, key, np.asarray(values)) for key, values in self.drawn_extent(params, shape).items()]

    def leaves(self):
        if not self.children:
            yield self
        for child in self.children:
            yield from child.leaves()

    # --- how users call it ----------------------------------------------------

    def __call__(self, images, rng, *, masks=None, layout=None, value_range=_UNSET, fill=None):
        """x_aug = transform(x, rng): same shape and dtype as x (masks, if given, guide it: see background.py)."""
        return self.augment(images, rng, masks=masks, layout=layout, value_range=value_range, fill=fill).images

    def augment(self, images, rng, *, masks=None, labels=None, layout=None,
                value_range=_UNSET, fill=None):
        """Draw fresh parameters from `rng` (Generator or seed) and apply them."""
        spec = self._spec(layout, value_range, fill)
        batch = self._enter(images, spec)
        params = self.sample(as_generator(rng), batch.shape)
        return self._run(batch, params, spec, masks, labels)

    def replay(self, images, params, *, masks=None, labels=None, layout=None,
               value_range=_UNSET, fill=None):
        """Apply previously drawn `params` again: identical output for identical input."""
        spec = self._spec(layout, value_range, fill)
        batch = self._enter(images, spec)
        drawn_for = batch_size_of(params)
        if drawn_for is not None and drawn_for != batch.shape[0]:
            raise ValueError(f"params were drawn for {drawn_for} samples, "
                             f"got a batch of {batch.shape[0]}")
        return self._run(batch, params, spec, masks, labels)

    def sample_for(self, images, rng, *, layout=None):
        """Just draw the parameters for these images, without applying them."""
        spec = self._spec(layout, _UNSET, None)
        return self.sample(as_generator(rng), layouts.to_batch(images, spec.layout).shape)

    # --- plumbing ---------------------------------------------------------------

    def _spec(self, layout, value_range, fill):
        changes = {}
        if layout is not None:
            changes["layout"] = layout
        if value_range is not _UNSET:
            changes["value_range"] = value_range
        if fill is not None:
            changes["fill"] = fill
        return replace(self.spec, **changes) if changes else self.spec

    def _enter(self, images, spec):
        batch = layouts.to_batch(images, spec.layout)
        layouts.check_images(batch, spec.value_range)
        return batch

    def _run(self, batch, params, spec, masks, labels):
        if self.policy is not None:
            self.policy.check_call(self, params, batch.shape)
        mask_batch = None if masks is None else layouts.masks_to_batch(masks, batch.shape, spec.layout)
        out, mask_out = self.apply(batch, params, spec, mask_batch)
        if np.may_share_memory(out, batch):
            out = out.copy()  # e.g. RandomApply(p=0) changed nothing: still never hand back x itself
        if labels is not None:
            labels = np.array(labels, copy=True)
            if labels.shape != (batch.shape[0],):
                raise ValueError(f"labels must have shape ({batch.shape[0]},), one per image, "
                                 f"got {labels.shape}")
        if self.policy is not None:
            labels = self.policy.relabel(self, params, batch.shape[0], labels)
        images = layouts.from_batch(out, spec.layout)
        if mask_out is not None:
            mask_out = layouts.masks_from_batch(mask_out.astype(np.asarray(masks).dtype), spec.layout)
        return Augmented(images=images, masks=mask_out, labels=labels, params=params)
