"""What excites a channel: the input that maximises it, found by gradient ascent (Chollet §5.4.2).

Which input makes channel k of layer l respond most? Start from grey noise x_0
and climb the channel's mean activation:

    g_t     = d mean(A_l[k](x_t)) / d x_t          (minus optional TV / L2 penalties)
    x_{t+1} = x_t + step_size * g_t / (sqrt(mean(g_t^2)) + 1e-5)

The normalised step keeps the ascent at a steady pace whatever the layer's
scale. The result is the filter's "pattern" (Erhan et al. 2009); a total
variation penalty (Mahendran & Vedaldi 2015) and small random shifts (jitter)
keep it from filling with high-frequency noise. The forward pass stops at
layer l, and the model is frozen throughout: only the input gets a gradient.
Read next: explain/trust/stability.py (how far to trust an explanation: does it survive a new seed?).
"""
from collections import namedtuple

import numpy as np

import tinygrad_edu as tg

from ..lime.checks import check_finite, check_index, check_memory
from ..model_adapter import first_conv, frozen, resolve_layer


class _Stop(Exception):
    """Raised by a hook to end the forward pass once the layer we need has run."""


FilterPattern = namedtuple("FilterPattern", ["image", "history"])
FilterPattern.__doc__ = ("image (C, H, W) after the ascent; history (steps + 1,): the mean activation "
                         "before each step and after the last.")


def _check_input_shape(input_shape):
    shape = tuple(int(s) for s in input_shape)
    if len(shape) == 4 and shape[0] == 1:
        shape = shape[1:]
    if len(shape) != 3 or min(shape) < 1:
        raise ValueError(f"input_shape must be (C, H, W) or (1, C, H, W), got {tuple(input_shape)}")
    return shape


def _channel_objective(model, module, x, channel):
    """Mean of `channel` of module's output on x, stopping the forward pass there."""
    captured = {}

    def hook(_module, _inputs, output):
        captured["output"] = output
        raise _Stop

    handle = module.register_forward_hook(hook)
    try:
        model(x)
    except _Stop:
        pass
    finally:
        handle.remove()
    output = captured["output"]
    if not 0 <= channel < output.shape[1]:
        raise ValueError(f"channel {channel} is out of range: the layer has {output.shape[1]} channels")
    return output[:, channel].mean()


def _total_variation(x):
    """Sum of squared differences between neighbouring pixels (smoothness penalty)."""
    down = x[:, :, 1:, :] - x[:, :, :-1, :]
    right = x[:, :, :, 1:] - x[:, :, :, :-1]
    return (down * down).sum() + (right * right).sum()


def maximize_activation(model, layer, channel, input_shape, steps=40, step_size=1.0, jitter=0,
                        tv_weight=0.0, l2_weight=0.0, seed=0):
    """Gradient ascent on the input for channel `channel` of `layer` (a name or a module).

    Starts from grey noise 0.5 + U(-0.05, 0.05); each step adds
    step_size * g / (RMS(g) + 1e-5) where g is the gradient of
    mean(A[channel]) - tv_weight * TV(x) - l2_weight * sum(x^2). With jitter > 0
    the image is rolled by up to that many pixels before each step (and back),
    which discourages high-frequency patterns (Erhan et al. 2009, "Visualizing
    higher-layer features of a deep network"; Chollet §5.4.2; TV as in Mahendran &
    Vedaldi 2015). Returns FilterPattern(image, history):
    history[t] is the mean activation before step t; history[-1] after the last step.
    The model is not changed (eval mode and parameter gradients restored).
    """
    _, module = resolve_layer(model, layer)
    shape = _check_input_shape(input_shape)
    # the image, its shifted copy and its gradient, in float64 and the model's dtype: 41 bytes a value, measured
    check_memory("maximize_activation", 48 * int(np.prod(shape)),
                 f"input_shape {shape} would hold images of {'x'.join(map(str, shape))} values and their gradients",
                 "use a smaller input_shape")
    steps, jitter, channel = _check_ascent(steps, step_size, jitter, tv_weight, l2_weight, channel)
    rng = np.random.default_rng(seed)
    dtype = model.dtype
    image = (0.5 + rng.uniform(-0.05, 0.05, size=(1,) + shape)).astype(np.float64)
    history = []
    with frozen(model):
        for _ in range(steps):
            shift = tuple(rng.integers(-jitter, jitter + 1, size=2)) if jitter else (0, 0)
            x = tg.Tensor(np.roll(image, shift, axis=(2, 3)).astype(dtype), requires_grad=True)
            activation = _channel_objective(model, module, x, channel)
            history.append(_finite_activation(activation, len(history)))
            objective = activation
            if tv_weight:
                objective = objective - tv_weight * _total_variation(x)
            if l2_weight:
                objective = objective - l2_weight * (x * x).sum()
            objective.backward()
            grad = np.roll(np.asarray(x.grad, dtype=np.float64), tuple(-s for s in shift), axis=(2, 3))
            image = image + step_size * grad / (np.sqrt(np.mean(grad ** 2)) + 1e-5)
        with tg.no_grad():
            last = _channel_objective(model, module, tg.Tensor(image.astype(dtype)), channel)
            history.append(_finite_activation(last, len(history)))
    return FilterPattern(image[0], np.array(history))


def _check_ascent(steps, step_size, jitter, tv_weight, l2_weight, channel):
    """(steps, jitter, channel) as ints, each named when it is not what the ascent needs."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise ValueError(f"steps must be a whole number of ascent steps, got {steps!r}")
    if steps < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    if isinstance(jitter, bool) or not isinstance(jitter, (int, np.integer)) or jitter < 0:
        raise ValueError(f"jitter must be a whole number of pixels >= 0, got {jitter!r}")
    for name, value in (("step_size", step_size), ("tv_weight", tv_weight), ("l2_weight", l2_weight)):
        if np.ndim(value) != 0 or np.asarray(value).dtype.kind not in "iuf":
            raise ValueError(f"maximize_activation: {name} must be a number, got {value!r}")
        check_finite(value, "maximize_activation", name)
    return int(steps), int(jitter), check_index(channel, "channel")


def _finite_activation(activation, step):
    value = float(activation.data)
    if not np.isfinite(value):
        raise ValueError(f"maximize_activation: the channel's mean activation is {value} at step {step} "
                         "(do the model's weights hold NaN, or is step_size too large?)")
    return value


def deprocess(image):
    """Chollet's display of a pattern: standardise, * 0.1 + 0.5, clip to [0, 1]; (C, H, W) -> (H, W[, 3])."""
    image = np.asarray(image, dtype=np.float64)
    image = (image - image.mean()) / (image.std() + 1e-5) * 0.1 + 0.5
    image = np.clip(image, 0, 1)
    return image[0] if image.shape[0] == 1 else np.moveaxis(image, 0, -1)


def plot_filter_patterns(model, layer, channels, input_shape=None, columns=8, **ascent):
    """Grid of maximize_activation patterns, one tile per channel (Chollet's display).

    input_shape defaults to (the first Conv2d's in_channels, 32, 32): the
    ascent stops at `layer`, so a convolutional layer accepts any image size.
    Extra keywords (steps, step_size, jitter, ...) go to maximize_activation.
    """
    import matplotlib.pyplot as plt

    name, _ = resolve_layer(model, layer)
    if input_shape is None:
        conv = first_conv(model)
        if conv is None:
            raise ValueError("plot_filter_patterns could not guess input_shape (no Conv2d); pass input_shape=(C, H, W)")
        input_shape = (conv.in_channels, 32, 32)
    channels = list(channels)
    if not channels:
        raise ValueError("plot_filter_patterns needs at least one channel")
    columns = min(columns, len(channels))
    rows = int(np.ceil(len(channels) / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(1.5 * columns, 1.6 * rows + 0.6), squeeze=False)
    for axis in axes.ravel():
        axis.axis("off")
    for axis, channel in zip(axes.ravel(), channels):
        pattern = maximize_activation(model, layer, channel, input_shape, **ascent)
        axis.imshow(deprocess(pattern.image), cmap="gray", vmin=0, vmax=1)
        if np.all(pattern.history == 0):   # ReLU off everywhere on grey noise: no gradient, nothing learned
            axis.set_title(f"ch {channel}\nno gradient (dead)", fontsize=7, color="red")
        else:
            axis.set_title(f"ch {channel}\n{pattern.history[0]:.2g} -> {pattern.history[-1]:.2g}", fontsize=7)
    figure.suptitle(f"inputs that maximise each channel of layer '{name}' (mean activation: start -> end)",
                    fontsize=9, parse_math=False)
    return figure
