"""augment: label-safe, seeded, batched data augmentation.

When data is scarce, train on perturbed copies of it: mirrored, rotated, shifted,
noisier. Two things make this go wrong in practice, and this package is built around both:

1. A perturbation can change the label. A 6 rotated by 180 degrees is a 9; a
   mirrored "b" is a "d". So every pipeline can be bound to a Policy of the
   dataset (DIGITS, LETTERS, NATURAL_IMAGES, or your own) that refuses what the
   labels do not survive, and `audit` measures the damage on a trained model.
2. Randomness hides bugs. Every call takes an explicit Generator or seed, each
   image in a batch draws its own parameters, and any result can be replayed.

    pipeline = Compose([RandomRotation(degrees=15), RandomTranslate(translate_px=3)], policy=DIGITS)
    x_aug = pipeline(x_batch, rng)        # (N, C, H, W) float in [0, 1], same shape and dtype

A pipeline's geometric transforms become ONE 3x3 matrix per image, resampled ONCE by Numba.

Reading order: random.py, layout.py, affine.py, warp_reference.py, warp.py, base.py,
arguments.py, geometric.py, elastic.py, photometric.py, erasing.py, background.py,
extent.py, compose.py, policy.py, audit.py, preview.py.
"""
from .audit import AuditReport, audit
from .background import RandomBackground
from .base import Augmented, DataSpec, Transform
from .compose import Compose, OneOf, RandomApply, SomeOf
from .elastic import ElasticDistortion
from .erasing import RandomErasing
from .geometric import (RandomCrop, RandomHorizontalFlip, RandomRotation, RandomScale, RandomShear, RandomTranslate,
                        RandomVerticalFlip)
from .photometric import GaussianNoise, RandomBrightness, RandomContrast
from .policy import DIGITS, LETTERS, NATURAL_IMAGES, Policy, PolicyError
from .preview import preview
from .random import as_generator, stream, worker_streams

__all__ = [
    "Transform", "DataSpec", "Augmented",
    "RandomHorizontalFlip", "RandomVerticalFlip", "RandomRotation", "RandomTranslate", "RandomScale",
    "RandomShear", "RandomCrop", "ElasticDistortion", "RandomBrightness", "RandomContrast",
    "GaussianNoise", "RandomErasing", "RandomBackground",
    "Compose", "OneOf", "RandomApply", "SomeOf",
    "Policy", "PolicyError", "DIGITS", "LETTERS", "NATURAL_IMAGES",
    "audit", "AuditReport", "preview",
    "as_generator", "stream", "worker_streams",
]

from tinygrad_edu.runtime import old_paths  # noqa: E402

old_paths.bind_loaded()  # this package's old module names, now that its modules are loaded
