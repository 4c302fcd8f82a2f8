"""Which pixels a decision rests on: gradient and perturbation attributions.

Every method answers for a score S = f(x)[t], the raw output (logit) of class t,
as captum does, so a captum user gets the same numbers on the same network:

    saliency     |dS/dx|                                   Simonyan et al. 2014
    smoothgrad   mean_k |dS/dx (x + e_k)|, e_k ~ N(0, s^2), s = noise * (max x - min x)
                                                           Smilkov et al. 2017
    integrated   (x - x') * int_0^1 dS/dx (x' + a (x - x')) da, the integral by a
    gradients    quadrature rule sum_k w_k g(a_k); completeness: the attributions
                 add up to S(x) - S(x') (the error is ``delta``)   Sundararajan et al. 2017
    grad_cam     on a layer's output A (N, K, h, w): w_k = mean_ij dS/dA_kij,
                 cam = ReLU(sum_k w_k A_k), upsampled bilinearly to (H, W)
                                                           Selvaraju et al. 2017
    occlusion    slide a window over x, set it to a baseline, and give each pixel
                 the mean drop S(x) - S(x occluded) over the windows covering it
                                                           Zeiler & Fergus 2014

The gradient methods need one backward pass per batch; occlusion needs only
forward passes, in batches of occluded copies. Each returns an ``Attribution``.

Read next: explain/learned/activations.py (inside a convnet: activations, filters, patterns).
"""
import numpy as np

import tinygrad_edu as tg
from tinygrad_edu.nn import Conv2d

from ..learned.activations import _frozen, as_batch, resolve_layer
from .result import Attribution
from ..lime.base import check_positive_int

IG_METHODS = ("riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid", "gausslegendre")


# --------------------------------------------------------------------------- shared checks

def _model_dtype(model):
    parameters = model.parameters()
    return parameters[0].data.dtype if parameters else np.float32


def _prepare(model, x):
    """x as an (N, C, H, W) array of the model's float dtype."""
    return as_batch(x).astype(_model_dtype(model), copy=False)


def _check_logits(output, n_rows):
    shape = tuple(np.shape(output.data if isinstance(output, tg.Tensor) else output))
    if len(shape) != 2 or shape[0] != n_rows:
        raise ValueError(f"the model must return scores of shape (N, classes) = ({n_rows}, classes), got {shape}")
    return shape[1]


def _targets(target, n_rows, n_classes):
    """One int class per row, each in 0..n_classes-1."""
    targets = np.asarray(target)
    if targets.dtype.kind not in "iu" and not (targets.dtype.kind == "f" and np.all(targets == np.round(targets))):
        raise TypeError(f"target must be an int or one int per row, got {target!r}")
    targets = np.broadcast_to(targets.astype(np.int64), (n_rows,)) if targets.ndim == 0 else targets.astype(np.int64)
    if targets.shape != (n_rows,):
        raise ValueError(f"target must be an int or one int per row ({n_rows} rows), got {targets.shape[0]} targets")
    if targets.min() < 0 or targets.max() >= n_classes:
        raise ValueError(f"target {int(targets.max() if targets.max() >= n_classes else targets.min())} is out "
                         f"of range for a model with {n_classes} classes (0..{n_classes - 1})")
    return targets


def _scores(model, batch, targets):
    """S_n = f(x_n)[t_n] for a batch (no gradients)."""
    with tg.no_grad():
        output = model(tg.Tensor(batch))
    _check_logits(output, len(batch))
    return output.data[np.arange(len(batch)), targets]


def _input_gradient(model, batch, targets):
    """(dS_n/dx_n for every row, S_n): one forward, one backward.

    Rows do not interact in eval mode, so the gradient of sum_n S_n with
    respect to x_n is dS_n/dx_n, the same as one backward per row.
    """
    x = tg.Tensor(batch, requires_grad=True)
    output = model(x)
    _check_logits(output, len(batch))
    scores = output[np.arange(len(batch)), targets]
    scores.sum().backward()
    return x.grad, scores.data


def _broadcast_baseline(baseline, batch, what="baseline"):
    try:
        return np.broadcast_to(np.asarray(baseline, dtype=batch.dtype), batch.shape)
    except ValueError:
        raise ValueError(f"{what} must be a number or an array that broadcasts to the input {batch.shape}, "
                         f"got shape {np.shape(baseline)}") from None


def _in_batches(function, inputs, targets, batch_size):
    """Apply function(inputs[i:j], targets[i:j]) in chunks and concatenate the results."""
    if batch_size is None:
        return function(inputs, targets)
    parts = [function(inputs[i:i + batch_size], targets[i:i + batch_size]) for i in range(0, len(inputs), batch_size)]
    return tuple(np.concatenate(column) for column in zip(*parts))


def _start(model, x, target):
    """The checks every method shares: the batch, one target per row (needs the class count)."""
    batch = _prepare(model, x)
    with tg.no_grad():
        n_classes = _check_logits(model(tg.Tensor(batch[:1])), 1)
    return batch, _targets(target, len(batch), n_classes)


# --------------------------------------------------------------------------- gradients

def saliency(model, x, target, abs=True):
    """|dS/dx| (captum ``Saliency``): how much a small change of each pixel moves the score."""
    with _frozen(model):
        batch, targets = _start(model, x, target)
        grad, _ = _input_gradient(model, batch, targets)
    values = np.abs(grad) if abs else grad
    return Attribution(values, "saliency", targets, {"abs": abs}, signed=not abs)


def smoothgrad(model, x, target, samples=25, noise=0.15, seed=0, squared=False, batch_size=64):
    """Saliency averaged over `samples` noisy copies: mean_k |dS/dx (x + e_k)| (or of the squares).

    The noise is Gaussian with s = noise * (max - min) of each image, tf-keras-vis'
    convention; `batch_size` noisy copies go through the model at a time.
    """
    samples = check_positive_int(samples, "samples")
    if not np.isfinite(noise) or noise < 0:
        raise ValueError(f"noise must be a finite number >= 0, got {noise!r}")
    with _frozen(model):
        batch, targets = _start(model, x, target)
        spread = batch.max(axis=(1, 2, 3), keepdims=True) - batch.min(axis=(1, 2, 3), keepdims=True)
        rng = np.random.default_rng(seed)
        noisy = batch[None] + (noise * spread)[None] * rng.standard_normal((samples,) + batch.shape)
        noisy = noisy.astype(batch.dtype).reshape((-1,) + batch.shape[1:])
        grads, _ = _in_batches(lambda inputs, t: _input_gradient(model, inputs, t),
                               noisy, np.tile(targets, samples), batch_size)
    grads = grads.reshape((samples,) + batch.shape)
    values = (grads ** 2 if squared else np.abs(grads)).mean(axis=0)
    settings = {"samples": samples, "noise": noise, "seed": seed, "squared": squared}
    return Attribution(values, "smoothgrad", targets, settings, signed=False)


def ig_alphas_and_weights(steps, method="gausslegendre"):
    """Points a_k in [0, 1] and weights w_k with int_0^1 g(a) da ~ sum_k w_k g(a_k), as captum's."""
    if method == "gausslegendre":
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
    captum's default). Rows do not interact, so this changes only the speed: 64
    rows kept a 64x64 convnet's activations in cache and ran 16 images x 50 steps
    in about half the time of one 800-row batch on a 2-core machine.
    """
    steps = check_positive_int(steps, "steps")
    alphas, weights = ig_alphas_and_weights(steps, method)
    with _frozen(model):
        batch, targets = _start(model, x, target)
        base = _broadcast_baseline(baseline, batch)
        difference = batch - base
        path = (base[None] + alphas.astype(batch.dtype)[:, None, None, None, None] * difference[None])
        path = path.reshape((-1,) + batch.shape[1:])
        grads, _ = _in_batches(lambda inputs, t: _input_gradient(model, inputs, t),
                               path, np.tile(targets, steps), internal_batch_size)
        average_grad = np.tensordot(weights, grads.reshape((steps,) + batch.shape), axes=1)
        values = difference * average_grad
        delta = values.sum(axis=(1, 2, 3)) - (_scores(model, batch, targets) - _scores(model, np.ascontiguousarray(base), targets))
    settings = {"baseline": baseline if np.ndim(baseline) == 0 else "array", "steps": steps, "method": method,
                "internal_batch_size": internal_batch_size}
    return Attribution(values.astype(batch.dtype), "integrated_gradients", targets, settings, delta=delta)


# --------------------------------------------------------------------------- Grad-CAM

def last_conv_name(model):
    names = [name for name, module in model.named_modules() if isinstance(module, Conv2d)]
    if not names:
        raise ValueError("grad_cam needs a Conv2d in the model (or an explicit layer=); this model has none")
    return names[-1]


def bilinear_matrix(size_in, size_out):
    """R (size_out, size_in) with R @ v = v resized bilinearly, PyTorch's align_corners=False.

    Output pixel i samples the input at s = (i + 0.5) * size_in / size_out - 0.5
    (clamped at 0), mixing its two neighbours floor(s), floor(s) + 1 linearly.
    """
    source = np.maximum((np.arange(size_out) + 0.5) * size_in / size_out - 0.5, 0.0)
    lower = np.minimum(np.floor(source).astype(int), size_in - 1)
    upper = np.minimum(lower + 1, size_in - 1)
    share_upper = source - lower
    resize = np.zeros((size_out, size_in))
    np.add.at(resize, (np.arange(size_out), lower), 1 - share_upper)
    np.add.at(resize, (np.arange(size_out), upper), share_upper)
    return resize


def upsample_bilinear(maps, size):
    """(N, C, h, w) -> (N, C, H, W), as torch.nn.functional.interpolate(mode="bilinear")."""
    rows = bilinear_matrix(maps.shape[2], size[0])
    columns = bilinear_matrix(maps.shape[3], size[1])
    # Two matrix products (rows, then columns): far cheaper than one three-way einsum.
    return (rows.astype(maps.dtype) @ maps @ columns.T.astype(maps.dtype)).astype(maps.dtype, copy=False)


def grad_cam(model, x, target, layer=None, relu=True):
    """ReLU(sum_k w_k A_k), w_k = spatial mean of dS/dA_k (captum ``LayerGradCam``), upsampled.

    A is the output of `layer` (a name from named_modules() or the module
    itself; by default the last Conv2d). The map at the layer's resolution is
    kept in ``settings["layer_map"]``; ``values`` is it resized bilinearly to
    the input, as captum's ``LayerAttribution.interpolate`` does.
    """
    name, module = resolve_layer(model, last_conv_name(model) if layer is None else layer)
    captured = {}

    def cut_here(_module, _inputs, output):
        # A fresh leaf in place of the layer's output: the backward stops here
        # and leaves dS/dA in its .grad.
        captured["A"] = tg.Tensor(output.data, requires_grad=True)
        return captured["A"]

    with _frozen(model):
        batch, targets = _start(model, x, target)
        handle = module.register_forward_hook(cut_here)
        try:
            output = model(tg.Tensor(batch))
        finally:
            handle.remove()
        _check_logits(output, len(batch))
        if "A" not in captured:
            raise ValueError(f"layer '{name}' did not run in the model's forward pass")
        activation = captured["A"]
        if activation.ndim != 4:
            raise ValueError(f"grad_cam needs a layer with (N, C, h, w) output; '{name}' gives {activation.shape}")
        output[np.arange(len(batch)), targets].sum().backward()
    weights = activation.grad.mean(axis=(2, 3), keepdims=True)
    layer_map = (weights * activation.data).sum(axis=1, keepdims=True)
    if relu:
        layer_map = np.maximum(layer_map, 0)
    values = upsample_bilinear(layer_map, batch.shape[2:])
    settings = {"layer": name, "relu": relu, "layer_map": layer_map}
    return Attribution(values, "grad_cam", targets, settings, signed=not relu)


# --------------------------------------------------------------------------- occlusion

def _window_starts(size, window, stride):
    """Window starts 0, stride, ... as captum: ceil((size - window) / stride) + 1 of them.

    The last window may run past the edge; it is cut there.
    """
    return np.arange(int(np.ceil((size - window) / stride)) + 1) * stride


def _pair(value, name):
    pair = (value, value) if np.ndim(value) == 0 else tuple(value)
    if len(pair) != 2:
        raise ValueError(f"{name} must be an int or a pair (height, width), got {value!r}")
    return tuple(check_positive_int(v, name) for v in pair)


def occlusion(model, x, target, window=(8, 8), stride=(4, 4), baseline=0.0, batch_size=64):
    """Mean over covering windows of S(x) - S(x with the window set to baseline) (captum ``Occlusion``).

    The window spans every channel (captum's ``sliding_window_shapes=(C, *window)``);
    `batch_size` occluded copies go through the model at a time.
    """
    window, stride = _pair(window, "window"), _pair(stride, "stride")
    batch_size = check_positive_int(batch_size, "batch_size")
    with _frozen(model):
        batch, targets = _start(model, x, target)
        height, width = batch.shape[2:]
        if window[0] > height or window[1] > width:
            raise ValueError(f"window {window} is larger than the image ({height}, {width})")
        if stride[0] > window[0] or stride[1] > window[1]:
            # a stride past the window would leave pixels no window covers (0/0)
            raise ValueError(f"stride {stride} must not exceed the window {window}")
        base = _broadcast_baseline(baseline, batch)
        corners = [(r, c) for r in _window_starts(height, window[0], stride[0])
                   for c in _window_starts(width, window[1], stride[1])]
        masks = np.zeros((len(corners), height, width), dtype=bool)
        for k, (r, c) in enumerate(corners):
            masks[k, r:r + window[0], c:c + window[1]] = True
        values = np.stack([_occlude_one(model, batch[n], base[n], targets[n], masks, batch_size)
                           for n in range(len(batch))])
    settings = {"window": window, "stride": stride, "baseline": baseline if np.ndim(baseline) == 0 else "array",
                "batch_size": batch_size}
    return Attribution(values, "occlusion", targets, settings)


def _occlude_one(model, image, base, target, masks, batch_size):
    original = _scores(model, image[None], np.array([target]))[0]
    drops = np.empty(len(masks))
    for start in range(0, len(masks), batch_size):
        chunk = masks[start:start + batch_size, None]
        occluded = np.where(chunk, base[None], image[None])
        drops[start:start + len(chunk)] = original - _scores(model, occluded, np.full(len(chunk), target))
    total = np.tensordot(drops, masks.astype(np.float64), axes=1)
    covered = masks.sum(axis=0)
    per_pixel = total / covered
    return np.broadcast_to(per_pixel, image.shape).astype(image.dtype)
