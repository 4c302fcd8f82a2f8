"""Superpixels: the interpretable features of an image.

A 224x224 image has 50,176 pixels; hiding pixels one at a time would need far
too many samples and would say little a person can read. LIME instead cuts the
image into d superpixels, patches of similar colour, and switches whole patches
on and off. So the explanation is "these patches matter", and d is tens, not
tens of thousands.

scikit-image gives three segmenters:
    slic          k-means on (colour, position): compact patches, count set directly (our default)
    quickshift    mode seeking on a Parzen density of (colour, position): follows edges (lime's default)
    felzenszwalb  graph merging of neighbouring pixels: irregular patches

Two things matter for LIME and are handled here:
  * Defaults scale with image size. lime's quickshift(kernel_size=4) gives 3
    superpixels on a 64x64 photo; we scale kernel_size (quickshift), n_segments
    (slic) and scale/min_size (felzenszwalb) so 64x64 gets tens.
  * Labels are 0..d-1. slic numbers from 1, and lime uses label j as column j,
    so one superpixel was never hidden. `relabel` fixes any labelling.
Read next: explain/lime/fills.py (what "hidden" means).
"""
import inspect

import numpy as np
from skimage.segmentation import felzenszwalb, quickshift, slic

ALGORITHMS = ("slic", "quickshift", "felzenszwalb")


def as_unit_float_rgb(image_rgb):
    """Colour values in [0, 1], which skimage's Lab conversion assumes.

    uint8 and other integers divide by their maximum; floats already in [0, 1]
    stay; other floats (say 0..255) are rescaled by their range.
    """
    image_rgb = np.asarray(image_rgb)
    if np.issubdtype(image_rgb.dtype, np.integer):
        return image_rgb / float(np.iinfo(image_rgb.dtype).max)
    image_rgb = image_rgb.astype(np.float64)
    low, high = image_rgb.min(), image_rgb.max()
    if low >= 0.0 and high <= 1.0:
        return image_rgb
    return (image_rgb - low) / (high - low) if high > low else np.zeros_like(image_rgb)


def default_params(algorithm, height, width):
    """Parameters scaled to the image so that 64x64 and 224x224 both get tens of superpixels."""
    if algorithm == "slic":
        # about one superpixel per 64 pixels, between 16 and 100 of them
        return {"n_segments": int(np.clip(height * width // 64, 16, 100)), "compactness": 10.0}
    if algorithm == "quickshift":
        # lime's kernel_size=4 suits 224x224; keep the same size relative to the image
        return {"kernel_size": max(1.0, 4.0 * min(height, width) / 224), "max_dist": 200, "ratio": 0.2}
    if algorithm == "felzenszwalb":
        return {"scale": 100.0 * max(height, width) / 224, "min_size": max(4, height * width // 100)}
    raise ValueError(f"segmentation algorithm must be one of {ALGORITHMS}, got {algorithm!r}")


def segment(image_rgb, algorithm="slic", seed=0, **params):
    """Superpixel labels 0..d-1, shape (H, W), for an (H, W, 3) image of any value range.

    `params` override the scaled defaults. `seed` reaches quickshift (the only one
    of the three that draws random numbers, to break ties between equal densities).
    """
    height, width = image_rgb.shape[:2]
    settings = {**default_params(algorithm, height, width), **params}
    unit_image = as_unit_float_rgb(image_rgb)
    if algorithm == "slic":
        settings.setdefault("start_label", 0)  # a user's start_label passes through; relabel() renumbers anyway
        labels = slic(unit_image, **settings)
        if "compactness" not in params and len(np.unique(labels)) < settings["n_segments"] // 4:
            # no colour edges (noise, flat images): slic's connectivity pass merges the
            # fragments into a few blobs; weighting position 10x more gives a near-grid
            labels = slic(unit_image, **{**settings, "compactness": 100.0})
    elif algorithm == "quickshift":
        labels = quickshift(unit_image, rng=int(seed), **settings)
    else:
        labels = felzenszwalb(unit_image, **settings)
    return relabel(labels)


def relabel(labels):
    """Renumber any integer labelling to 0..d-1, keeping the order of the old labels."""
    _, dense = np.unique(labels, return_inverse=True)
    return dense.reshape(np.shape(labels)).astype(np.int64)


class BaseWrapper:
    """lime's wrapper around a function and its keyword parameters (lime.wrappers.scikit_image.BaseWrapper)."""

    def __init__(self, target_fn=None, **target_params):
        self.target_fn = target_fn
        self.target_params = target_params

    def _check_params(self, parameters):
        """Every parameter name must be an argument of target_fn (or of __call__ without one)."""
        if isinstance(parameters, str) or not hasattr(parameters, "__iter__"):
            raise TypeError(f"invalid argument: list or dictionary of parameter names expected, got {parameters!r}")
        function = self.target_fn if self.target_fn is not None else self.__call__
        if not callable(function):
            raise TypeError("invalid argument: tested object is not callable, please provide a valid target_fn")
        accepted = inspect.signature(function).parameters
        for name in parameters:
            if name not in accepted:
                raise ValueError(f"{name} is not a valid parameter of {getattr(function, '__name__', function)}; "
                                 f"it takes {sorted(accepted)}")

    def set_params(self, **params):
        self._check_params(params)
        self.target_params = params

    def filter_params(self, fn, override=None):
        """The stored parameters that ``fn`` accepts, updated by ``override``."""
        accepted = inspect.signature(fn).parameters
        result = {name: value for name, value in self.target_params.items() if name in accepted}
        result.update(override or {})
        return result


_SEGMENTERS = {"slic": slic, "quickshift": quickshift, "felzenszwalb": felzenszwalb}


class SegmentationAlgorithm(BaseWrapper):
    """lime's wrapper, same name and call: SegmentationAlgorithm('quickshift', kernel_size=4)(image).

    Parameters go through to scikit-image (so 'slic' with start_label=1 works);
    a name the segmenter does not take is refused here, not at the first call.
    Unlike lime's, unspecified parameters take our size-scaled defaults,
    `random_seed` really reaches quickshift, and the labels come back as 0..d-1
    (LIME uses label j as feature j).
    """

    def __init__(self, algo_type, random_seed=0, **target_params):
        default_params(algo_type, 64, 64)   # validates the name now, not at the first call
        super().__init__(_SEGMENTERS[algo_type], **target_params)
        self._check_params(target_params)
        self.algo_type = algo_type
        self.random_seed = random_seed

    def __call__(self, image_rgb):
        return segment(image_rgb, self.algo_type, seed=self.random_seed, **self.target_params)


def fixed_segmentation(segments):
    """A segmentation_fn that always returns these labels: compare explanations across seeds."""
    segments = np.asarray(segments)

    def segmentation_fn(image_rgb):
        if image_rgb.shape[:2] != segments.shape:
            raise ValueError(
                f"fixed segmentation has shape {segments.shape}, image has shape {image_rgb.shape[:2]}")
        return segments
    return segmentation_fn


def check_segments(segments, image_shape):
    """A user segmentation_fn's output, checked and relabelled to 0..d-1."""
    segments = np.asarray(segments)
    if segments.shape != tuple(image_shape[:2]):
        raise ValueError(
            f"segmentation_fn must return an (H, W) label array matching the image {tuple(image_shape[:2])}; "
            f"it returned shape {segments.shape}")
    if not (np.issubdtype(segments.dtype, np.integer) or np.issubdtype(segments.dtype, np.bool_)):
        if not (np.issubdtype(segments.dtype, np.floating) and np.all(segments == np.round(segments))):
            raise ValueError(
                f"segmentation_fn must return integer labels; it returned dtype {segments.dtype}")
    return relabel(segments)
