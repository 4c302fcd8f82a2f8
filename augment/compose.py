"""Composition: pipelines built from transforms, still one warp per sample.

    Compose([a, b, c])      apply a, then b, then c
    OneOf([a, b], weights)  each sample gets exactly one of them
    RandomApply(a, p)       each sample gets `a` with probability p
    SomeOf([a, b, c], k)    each sample gets a random subset of k of them, in listed order

A composite's parameters are its own per-sample choices plus its children's: `replay`
reproduces a whole pipeline, and the choices say which transforms each sample met.

The fusion trick: if every child is affine, so is the composite. Its matrix for a
sample is the product of the children's (the identity where a child was not
chosen), and Compose resamples each consecutive run of affine transforms ONCE:

    Compose([flip, rotate, translate])  ->  M = T @ R @ F,  one bilinear warp

A non-affine transform (noise, erasing, elastic) ends the run: no matrix expresses
changed pixel values. Put the geometric transforms next to each other for one pass.

Read next: augment/policy.py (which perturbations keep a dataset's labels).
"""
import numbers

import numpy as np

from . import affine, extent as extents
from .arguments import check_probability
from .base import DataSpec, Transform, take, warp_batch


def _check_transforms(transforms, owner):
    if isinstance(transforms, Transform):
        raise TypeError(f"{owner} expected a list of transforms, got a single {transforms!r}; "
                        f"wrap it in a list")
    transforms = tuple(transforms)
    if not transforms:
        raise ValueError(f"{owner} expected at least one transform, got none")
    for index, item in enumerate(transforms):
        if isinstance(item, type) and issubclass(item, Transform):
            raise TypeError(f"{owner} item {index} is the class {item.__name__}, not a transform; "
                            f"did you forget the parentheses, {item.__name__}()?")
        if not isinstance(item, Transform):
            raise TypeError(f"{owner} item {index} is a {type(item).__name__}, expected a Transform")
    return transforms


def _apply_to_subset(child, batch, masks, params, selected, spec):
    """Apply `child` only to the samples where `selected` is True; the others pass through."""
    index = np.flatnonzero(selected)
    if index.size == 0:
        return batch, masks
    sub_masks = None if masks is None else masks[index]
    new_batch, new_masks = child.apply(batch[index], take(params, index), spec, sub_masks)
    batch = batch.copy()
    batch[index] = new_batch
    if masks is not None:
        masks = masks.copy()
        masks[index] = new_masks
    return batch, masks


def _select(choice_rows, per_child):
    """Per sample n, pick per_child[choice_rows[n]][n] from a list of (N, ...) arrays."""
    stacked = np.stack(per_child)
    return stacked[choice_rows, np.arange(len(choice_rows))]


class Compose(Transform):
    """Apply transforms in order. The top-level pipeline declares the data and the policy.

    layout, value_range, fill and mask_fill describe the data (see layout.py);
    policy (e.g. DIGITS) is checked now, at construction, and on every call.
    """

    def __init__(self, transforms, *, policy=None, layout="NCHW", value_range=(0.0, 1.0),
                 fill=0.0, mask_fill=0):
        self.children = _check_transforms(transforms, "Compose")
        self.affine = all(child.affine for child in self.children)
        self.spec = DataSpec(layout=layout, value_range=value_range, fill=fill, mask_fill=mask_fill)
        self.policy = policy
        if policy is not None:
            policy.check(self)

    def __repr__(self):
        inner = ", ".join(repr(child) for child in self.children)
        suffix = f", policy={self.policy.name}" if self.policy is not None else ""
        return f"Compose([{inner}]{suffix})"

    def sample(self, rng, shape):
        return {"children": [child.sample(rng, shape) for child in self.children]}

    def matrices(self, params, shape):
        combined = affine.identity(shape[0])
        for child, child_params in zip(self.children, params["children"]):
            combined = affine.then(combined, child.matrices(child_params, shape))
        return combined

    def apply(self, batch, params, spec, masks=None):
        run = []  # consecutive affine children, waiting to be fused into one warp
        for child, child_params in zip(self.children, params["children"]):
            if child.affine:
                run.append((child, child_params))
                continue
            batch, masks = self._warp_run(run, batch, spec, masks)
            run = []
            batch, masks = child.apply(batch, child_params, spec, masks)
        return self._warp_run(run, batch, spec, masks)

    def _warp_run(self, run, batch, spec, masks):
        if not run:
            return batch, masks
        combined = affine.identity(batch.shape[0])
        for child, child_params in run:
            combined = affine.then(combined, child.matrices(child_params, batch.shape))
        return warp_batch(batch, masks, combined, spec)

    def flips(self, params, n):
        horizontal, vertical = np.zeros(n, bool), np.zeros(n, bool)
        for child, child_params in zip(self.children, params["children"]):
            child_h, child_v = child.flips(child_params, n)
            horizontal ^= child_h  # flipping twice is no flip
            vertical ^= child_v
        return horizontal, vertical

    def worst_case(self, shape=None):
        return extents.in_sequence([child.worst_case(shape) for child in self.children])

    def drawn(self, params, shape):
        return [part for child, child_params in zip(self.children, params["children"])
                for part in child.drawn(child_params, shape)]


class OneOf(Transform):
    """Each sample gets exactly one of the transforms, chosen with the given weights."""

    def __init__(self, transforms, weights=None):
        self.children = _check_transforms(transforms, "OneOf")
        self.affine = all(child.affine for child in self.children)
        if weights is None:
            weights = [1.0] * len(self.children)
        weights = np.asarray(weights, dtype=float)
        if (weights.shape != (len(self.children),) or not np.all(np.isfinite(weights))
                or np.any(weights < 0) or weights.sum() <= 0):
            raise ValueError(f"OneOf expected {len(self.children)} non-negative weights with a "
                             f"positive sum, got {weights.tolist()}")
        self.weights = weights / weights.sum()

    def __repr__(self):
        return "OneOf([" + ", ".join(repr(child) for child in self.children) + "])"

    def sample(self, rng, shape):
        choice = rng.choice(len(self.children), size=shape[0], p=self.weights)
        return {"choice": choice, "children": [child.sample(rng, shape) for child in self.children]}

    def matrices(self, params, shape):
        per_child = [child.matrices(p, shape) for child, p in zip(self.children, params["children"])]
        return _select(params["choice"], per_child)

    def apply(self, batch, params, spec, masks=None):
        if self.affine:
            return Transform.apply(self, batch, params, spec, masks)
        original = batch  # every sample's transform must see the untouched input
        out, out_masks = batch.copy(), None if masks is None else masks.copy()
        for k, (child, child_params) in enumerate(zip(self.children, params["children"])):
            index = np.flatnonzero(params["choice"] == k)
            if index.size == 0:
                continue
            sub_masks = None if masks is None else masks[index]
            new_batch, new_masks = child.apply(original[index], take(child_params, index), spec, sub_masks)
            out[index] = new_batch
            if masks is not None:
                out_masks[index] = new_masks
        return out, out_masks

    def flips(self, params, n):
        per_child = [child.flips(p, n) for child, p in zip(self.children, params["children"])]
        return (_select(params["choice"], [h for h, _ in per_child]),
                _select(params["choice"], [v for _, v in per_child]))

    def worst_case(self, shape=None):
        return extents.either([child.worst_case(shape) for child in self.children])

    def drawn(self, params, shape):
        return [part for k, (child, child_params) in enumerate(zip(self.children, params["children"]))
                for part in extents.only_for(params["choice"] == k, child.drawn(child_params, shape))]


class RandomApply(Transform):
    """Each sample gets the transform with probability p (and is left alone otherwise)."""

    def __init__(self, transform, p=0.5):
        self.children = _check_transforms([transform], "RandomApply")
        self.affine = transform.affine
        self.p = check_probability(p, "RandomApply")

    def __repr__(self):
        return f"RandomApply({self.children[0]!r}, p={self.p:g})"

    def sample(self, rng, shape):
        return {"applied": rng.random(shape[0]) < self.p,
                "child": self.children[0].sample(rng, shape)}

    def matrices(self, params, shape):
        child_matrices = self.children[0].matrices(params["child"], shape)
        return np.where(params["applied"][:, None, None], child_matrices, affine.identity(shape[0]))

    def apply(self, batch, params, spec, masks=None):
        if self.affine:
            return Transform.apply(self, batch, params, spec, masks)
        return _apply_to_subset(self.children[0], batch, masks, params["child"], params["applied"], spec)

    def flips(self, params, n):
        horizontal, vertical = self.children[0].flips(params["child"], n)
        return horizontal & params["applied"], vertical & params["applied"]

    def worst_case(self, shape=None):
        return extents.either([self.children[0].worst_case(shape), {}])  # {}: not applied

    def drawn(self, params, shape):
        return extents.only_for(params["applied"], self.children[0].drawn(params["child"], shape))


class SomeOf(Transform):
    """Each sample gets a random subset of k transforms (k ~ U{k_low..k_high}), in listed order."""

    def __init__(self, transforms, k=(1, 2)):
        self.children = _check_transforms(transforms, "SomeOf")
        self.affine = all(child.affine for child in self.children)
        if isinstance(k, numbers.Integral):
            k = (k, k)
        try:
            low, high = (int(v) for v in k)
        except (TypeError, ValueError):
            raise ValueError(f"SomeOf expected k as an integer or a pair (low, high), got {k!r}") from None
        if not 0 <= low <= high <= len(self.children):
            raise ValueError(f"SomeOf expected 0 <= k_low <= k_high <= {len(self.children)} "
                             f"(the number of transforms), got k={k!r}")
        self.k = (low, high)

    def __repr__(self):
        return "SomeOf([" + ", ".join(repr(c) for c in self.children) + f"], k={self.k})"

    def sample(self, rng, shape):
        n, count = shape[0], len(self.children)
        how_many = rng.integers(self.k[0], self.k[1] + 1, n)
        # A uniformly random subset of size m: rank random keys, keep the m smallest.
        ranks = np.argsort(np.argsort(rng.random((n, count)), axis=1), axis=1)
        chosen = ranks < how_many[:, None]
        return {"chosen": chosen, "children": [child.sample(rng, shape) for child in self.children]}

    def matrices(self, params, shape):
        combined = affine.identity(shape[0])
        for k, (child, child_params) in enumerate(zip(self.children, params["children"])):
            step = np.where(params["chosen"][:, k, None, None], child.matrices(child_params, shape),
                            affine.identity(shape[0]))
            combined = affine.then(combined, step)
        return combined

    def apply(self, batch, params, spec, masks=None):
        if self.affine:
            return Transform.apply(self, batch, params, spec, masks)
        for k, (child, child_params) in enumerate(zip(self.children, params["children"])):
            batch, masks = _apply_to_subset(child, batch, masks, child_params, params["chosen"][:, k], spec)
        return batch, masks

    def flips(self, params, n):
        horizontal, vertical = np.zeros(n, bool), np.zeros(n, bool)
        for k, (child, child_params) in enumerate(zip(self.children, params["children"])):
            child_h, child_v = child.flips(child_params, n)
            horizontal ^= child_h & params["chosen"][:, k]
            vertical ^= child_v & params["chosen"][:, k]
        return horizontal, vertical

    def worst_case(self, shape=None):
        return extents.at_most([child.worst_case(shape) for child in self.children], self.k[1])

    def drawn(self, params, shape):
        return [part for k, (child, child_params) in enumerate(zip(self.children, params["children"]))
                for part in extents.only_for(params["chosen"][:, k], child.drawn(child_params, shape))]
