"""Perturbed images, fast: perturb_reference.py's lookup compiled by Numba, and the sampling around it.

For a batch of on/off rows Z (b, d), the segment map S (H, W), the image x and
the fill F, every output pixel is one lookup (perturb_reference.py):

    out[i, y, x_, c] = x[y, x_, c]  if Z[i, S[y, x_]] else  F[y, x_, c]

`_perturbed_images_numba` runs that lookup in compiled code, a run of
same-segment pixels at a time (one decision and one slice copy per run),
several times faster than numpy's where() over a 3-long last axis; it is what
runs unless Numba's JIT is disabled (NUMBA_DISABLE_JIT=1), when the numpy
lookup does.

Sampling follows lime: every superpixel is on with probability 1/2, and row 0
is the original (all on), so the surrogate always sees the input it explains.
The classifier is then asked about the perturbed inputs a batch at a time, and
each batch's answer is checked (checks.py) before it is kept.
Read next: explain/lime/image.py (the explainer that puts the pieces together).
"""
import os

import numba
import numpy as np
from numba import njit

from tinygrad_edu.runtime.numba_setup import configure_numba

from .checks import check_probabilities
from .perturb_reference import perturbed_images_lookup, perturbed_images_loop

# the references stay importable from here, as before the split
__all__ = ["sample_on_off", "perturbed_images", "perturbed_images_lookup", "perturbed_images_loop",
           "predict_in_batches"]


configure_numba(os.path.dirname(os.path.abspath(__file__)))  # a writable compile cache, as for every kernel


def sample_on_off(rng, num_samples, num_features):
    """(num_samples, num_features) of 0/1; row 0 is all ones (the original)."""
    samples = rng.integers(0, 2, size=(num_samples, num_features), dtype=np.int8)
    samples[0] = 1
    return samples


def perturbed_images(image_hwc, fill_hwc, segments, samples):
    """All perturbed images for the rows of `samples`: (b, H, W, C) in the image's dtype."""
    if numba.config.DISABLE_JIT:
        return perturbed_images_lookup(image_hwc, fill_hwc, segments, samples)
    fill_hwc = np.ascontiguousarray(fill_hwc, dtype=image_hwc.dtype)
    return _perturbed_images_numba(np.ascontiguousarray(image_hwc), fill_hwc,
                                   np.ascontiguousarray(segments, dtype=np.int64),
                                   np.ascontiguousarray(samples, dtype=np.int8))


@njit(cache=True)
def _segment_runs(segments_flat):
    """Runs of equal segment id along the flattened pixels: run r is [starts[r], starts[r + 1])."""
    pixels = segments_flat.shape[0]
    starts = np.empty(pixels + 1, np.int64)
    run_segment = np.empty(pixels, np.int64)
    count = 0
    for p in range(pixels):
        if p == 0 or segments_flat[p] != segments_flat[p - 1]:
            starts[count] = p
            run_segment[count] = segments_flat[p]
            count += 1
    starts[count] = pixels
    return starts[:count + 1], run_segment[:count]


@njit(cache=True)
def _perturbed_images_numba(image_hwc, fill_hwc, segments, samples):
    """The reference's lookup, one run of same-segment pixels at a time.

    A superpixel covers whole stretches of each image row, so every pixel of a
    run takes the same branch: deciding once per run and copying the run as
    one slice (a memcpy) beats deciding per pixel and copying 3 bytes at a
    time, measured 1.5 against 2.1-2.7 ms per batch of 10 images of 224x224x3.
    """
    num_samples = samples.shape[0]
    height, width, channels = image_hwc.shape
    pixels = height * width
    image_flat = image_hwc.reshape(pixels * channels)
    fill_flat = fill_hwc.reshape(pixels * channels)
    starts, run_segment = _segment_runs(segments.reshape(pixels))
    out = np.empty((num_samples, pixels * channels), dtype=image_hwc.dtype)
    for i in range(num_samples):
        row = out[i]
        for r in range(run_segment.shape[0]):
            first, stop = starts[r] * channels, starts[r + 1] * channels
            source = image_flat if samples[i, run_segment[r]] else fill_flat
            row[first:stop] = source[first:stop]
    return out.reshape(num_samples, height, width, channels)


def predict_in_batches(make_inputs, num_inputs, classifier_fn, batch_size):
    """Call classifier_fn on inputs [start, stop) in batches; check and stack the probabilities.

    `make_inputs(start, stop)` builds one batch, so at most one batch of images exists at a time.
    """
    chunks = []
    num_classes = None
    for start in range(0, num_inputs, batch_size):
        stop = min(start + batch_size, num_inputs)
        probs = check_probabilities(classifier_fn(make_inputs(start, stop)), stop - start, num_classes)
        num_classes = probs.shape[1]
        chunks.append(probs)
    return np.concatenate(chunks)
