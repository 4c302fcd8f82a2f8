"""Gradient attributions: how a small change of each pixel moves the score S = f(x)[t].

    saliency     |dS/dx|                                   Simonyan et al. 2014
    smoothgrad   mean_k |dS/dx (x + e_k)|, e_k ~ N(0, s^2), s = noise * (max x - min x)
                                                           Smilkov et al. 2017
    integrated   (x - x') * int_0^1 dS/dx (x' + a (x - x')) da, the integral by a
    gradients    quadrature rule sum_k w_k g(a_k); completeness: the attributions
                 add up to S(x) - S(x') (the error is ``delta``)   Sundararajan et al. 2017

A gradient describes the score only near x, so saliency is noisy and blind to a
feature whose effect has saturated; SmoothGrad averages the noise away, and
Integrated Gradients follows a whole path from a baseline x' (black by default)
to x. Each needs backward passes only (scores.py) and returns an Attribution
with captum's meanings. SmoothGrad and Integrated Gradients hold all their
noisy copies or path points at once, so `samples` and `steps` are bounded by
the memory that takes (lime/checks.py's memory_budget).
Read next: explain/attributions/gradcam.py (the same gradient, taken at a layer instead of the input).
"""
import numpy as np

from ..lime.checks import check_count_fits, check_positive_int
from ..model_adapter import frozen
from .result import Attribution
from .scores import (batch_and_targets, broadcast_baseline, check_batch_size, in_batches, input_gradient,
                     target_scores)

IG_METHODS = ("riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid", "gausslegendre")


def saliency(model, x, target, abs=True):
    """|dS/dx| (captum ``Saliency``): how much a small change of each pixel moves the score."""
    with frozen(model):
        batch, targets = batch_and_targets(model, x, target, "saliency")
        grad, _ = input_gradient(model, batch, targets, "saliency")
    values = np.abs(grad) if abs else grad
    return Attribution(values, "saliency", targets, {"abs": abs}, signed=not abs)


def smoothgrad(model, x, target, samples=25, noise=0.15, seed=0, squared=False, batch_size=64):
    """Saliency averaged over `samples` noisy copies: mean_k |dS/dx (x + e_k)| (or of the squares).

    The noise is Gaussian with s = noise * (max - min) of each image, tf-keras-vis'
    convention; `batch_size` noisy copies go through the model at a time.
    """
    samples = check_positive_int(samples, "samples")
    batch_size = check_batch_size(batch_size)
    if np.ndim(noise) != 0 or np.asarray(noise).dtype.kind not in "iuf" or not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    with frozen(model):
        batch, targets = batch_and_targets(model, x, target, "smoothgrad")
        # float64 noise and its scaled copy while drawn, then the copies and their gradients (measured)
        check_count_fits("smoothgrad", "samples", samples, batch.size * max(16, 3 * batch.itemsize) + 16 * len(batch),
                         f"{samples} noisy copies of the {_shape(batch)} batch and their gradients")
        spread = batch.max(axis=(1, 2, 3), keepdims=True) - batch.min(axis=(1, 2, 3), keepdims=True)
        rng = np.random.default_rng(seed)
        noisy = batch[None] + (noise * spread)[None] * rng.standard_normal((samples,) + batch.shape)
        noisy = noisy.astype(batch.dtype).reshape((-1,) + batch.shape[1:])
        grads, _ = in_batches(_gradients(model, "smoothgrad"), batch_size,
                              noisy, np.tile(targets, samples), np.tile(np.arange(len(batch)), samples))
    grads = grads.reshape((samples,) + batch.shape)
    values = (grads ** 2 if squared else np.abs(grads)).mean(axis=0)
    settings = {"samples": samples, "noise": noise, "seed": seed, "squared": squared}
    return Attribution(values, "smoothgrad", targets, settings, signed=False)


def ig_alphas_and_weights(steps, method="gausslegendre"):
    """Points a_k in [0, 1] and weights w_k with int_0^1 g(a) da ~ sum_k w_k g(a_k), as captum's."""
    if method == "gausslegendre":
        # numpy finds the nodes as eigenvalues of a steps x steps matrix
        check_count_fits("integrated_gradients", "steps", steps, 8,
                         f"a {steps}x{steps} float64 matrix (Gauss-Legendre's nodes are its eigenvalues)", power=2)
        nodes, weights = np.polynomial.legendre.leggauss(steps)
        return 0.5 * (nodes + 1), 0.5 * weights
    if method == "riemann_trapezoid":
        if steps < 2:
            raise ValueError("riemann_trapezoid needs steps >= 2")
        # captum's rule, kept for equal numbers: spacing 1/(n-1) but weights 1/n,
        # so the weights add up to (n - 1)/n rather than 1.
        weights = np.full(steps, 1.0 / steps)
        weights[[0, -1]] /= 2
        return np.linspace(0, 1, steps), weights
    starts = {"riemann_left": 0.0, "riemann_right": 1.0, "riemann_middle": 0.5}
    if method not in starts:
        raise ValueError(f"method must be one of {', '.join(IG_METHODS)}, got {method!r}")
    return (np.arange(steps) + starts[method]) / steps, np.full(steps, 1.0 / steps)


def integrated_gradients(model, x, target, baseline=0.0, steps=50, method="gausslegendre",
                         internal_batch_size=64):
    """(x - x') * sum_k w_k dS/dx (x' + a_k (x - x')) (captum ``IntegratedGradients``).

    ``delta`` holds the completeness error sum(attributions) - (S(x) - S(x')) per
    row; it shrinks as `steps` grows. The N * steps points on the paths go
    through the model `internal_batch_size` rows at a time (None: all at once,
    captum's default). Rows do not interact, so this changes only the speed:
    smaller batches keep the activations in cache (benchmarks/results/attributions_*.json).
    """
    steps = check_positive_int(steps, "steps")
    internal_batch_size = check_batch_size(internal_batch_size, "internal_batch_size")
    alphas, weights = ig_alphas_and_weights(steps, method)
    with frozen(model):
        batch, targets = batch_and_targets(model, x, target, "integrated_gradients")
        base = broadcast_baseline(baseline, batch, "integrated_gradients")
        # the path, its gradients and their pieces (or the gradients' float64 copy in the quadrature): measured
        check_count_fits("integrated_gradients", "steps", steps,
                         batch.size * max(3 * batch.itemsize, 2 * batch.itemsize + 8) + 16 * len(batch),
                         f"{steps} copies of the {_shape(batch)} batch (the points on the path) and their gradients")
        difference = batch - base
        path = (base[None] + alphas.astype(batch.dtype)[:, None, None, None, None] * difference[None])
        path = path.reshape((-1,) + batch.shape[1:])
        grads, _ = in_batches(_gradients(model, "integrated_gradients"), internal_batch_size,
                              path, np.tile(targets, steps), np.tile(np.arange(len(batch)), steps))
        average_grad = np.tensordot(weights, grads.reshape((steps,) + batch.shape), axes=1)
        values = difference * average_grad
        score_gain = (target_scores(model, batch, targets, "integrated_gradients")
                      - target_scores(model, np.ascontiguousarray(base), targets, "integrated_gradients"))
        delta = values.sum(axis=(1, 2, 3)) - score_gain
    settings = {"baseline": baseline if np.ndim(baseline) == 0 else "array", "steps": steps, "method": method,
                "internal_batch_size": internal_batch_size}
    return Attribution(values.astype(batch.dtype), "integrated_gradients", targets, settings, delta=delta)


def _gradients(model, method):
    """(rows, their targets, the image each row comes from) -> input_gradient, for in_batches."""
    return lambda inputs, targets, images: input_gradient(model, inputs, targets, method, images)


def _shape(batch):
    """'2x3x64x64 float32': a batch's shape and dtype, as the memory messages name it."""
    return f"{'x'.join(str(n) for n in batch.shape)} {batch.dtype}"
