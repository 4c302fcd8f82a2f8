"""Looking inside a convnet: activations, filters and what excites a filter (Chollet §5.4).

Three pictures of what a trained network has learned, one function each:

Activations: run one image through the net and keep every layer's output
    A_l (N, C, H, W) (forward hooks, one pass). Channel k of layer l is a map
    of "where in the image does filter k respond". Chollet's display makes
    every channel comparable: a' = clip((a - mean(a)) / std(a) * 64 + 128, 0, 255).
    A channel with std 0 (after ReLU: all zero) carries no information: "dead".
Filters: the first layer's weights W (out, in, kh, kw) are small images
    themselves; draw them with 0 as white, positive red and negative blue.
Maximal activation: which input excites channel k most? Gradient ascent on
    the input, starting from grey noise x_0:
        g_t = d mean(A_l[k](x_t)) / d x_t          (minus optional TV / L2 penalties)
        x_{t+1} = x_t + step_size * g_t / (sqrt(mean(g_t^2)) + 1e-5)
    The normalised step keeps the ascent at a steady pace whatever the
    layer's scale. The result is the filter's "pattern" (Erhan et al. 2009).

Read next: explain/trust/quality.py.
"""
from collections import OrderedDict, namedtuple

import numpy as np

import tinygrad_edu as tg
from tinygrad_edu.nn import Conv2d

CHOLLET_SCALE, CHOLLET_CENTRE = 64.0, 128.0


# --------------------------------------------------------------------------- finding layers

def named_layers(model):
    """{name: module} for every module below the root, names as in named_modules()."""
    return OrderedDict((name, module) for name, module in model.named_modules() if name)


def resolve_layer(model, layer):
    """(name, module) for a layer given by its name or as a module of the model."""
    layers = named_layers(model)
    if isinstance(layer, str):
        if layer not in layers:
            raise KeyError(f"layer '{layer}' is not in the model; available layers: {', '.join(layers)}")
        return layer, layers[layer]
    for name, module in layers.items():
        if module is layer:
            return name, module
    raise KeyError(f"layer {type(layer).__name__} is not a module of this model; "
                   f"available layers: {', '.join(layers)}")


def first_conv(model):
    """The first Conv2d in named_modules() order, or None."""
    return next((m for _, m in model.named_modules() if isinstance(m, Conv2d)), None)


def as_batch(x, what="x"):
    """x as a float ndarray (N, C, H, W), with a clear error for anything else."""
    array = np.asarray(x.data if isinstance(x, tg.Tensor) else x)
    if array.ndim != 4:
        raise ValueError(f"{what} must be a batch of images (N, C, H, W), got shape {array.shape}")
    if array.dtype.kind != "f":
        array = array.astype(np.float32)
    return array


class _Stop(Exception):
    """Raised by a hook to end the forward pass once the layer we need has run."""


# --------------------------------------------------------------------------- activations

def activations(model, x, layers=None):
    """{layer name: ndarray} of every layer's output (or only `layers`), from one forward pass.

    Names are those of ``model.named_modules()`` ("0", "3", "features.1", ...).
    The hooks are always removed, even if the forward pass fails. x is an
    (N, C, H, W) array or Tensor; the pass runs under no_grad. (Chollet,
    "Deep Learning with Python", 1st ed., §5.4.1: a model that returns every
    layer's output; here the hooks do that for any Module.)
    """
    batch = as_batch(x)
    chosen = named_layers(model) if layers is None else OrderedDict(
        resolve_layer(model, layer) for layer in ([layers] if isinstance(layers, str) else layers))
    recorded = OrderedDict((name, None) for name in chosen)
    handles = []

    def recorder(name):
        def hook(module, inputs, output):
            recorded[name] = np.array(output.data if isinstance(output, tg.Tensor) else output)
        return hook

    try:
        for name, module in chosen.items():
            handles.append(module.register_forward_hook(recorder(name)))
        with tg.no_grad():
            model(tg.Tensor(batch))
    finally:
        for handle in handles:
            handle.remove()
    # a module the forward never called (e.g. a container's unused branch) has nothing to show
    return OrderedDict((name, value) for name, value in recorded.items() if value is not None)


def chollet_display(channel):
    """(a - mean) / std * 64 + 128 clipped to [0, 255]; None for a dead channel (std 0)."""
    channel = np.asarray(channel, dtype=np.float64)
    std = channel.std()
    if std == 0 or not np.isfinite(std):
        return None
    return np.clip((channel - channel.mean()) / std * CHOLLET_SCALE + CHOLLET_CENTRE, 0, 255)


def _layer_maps(values):
    """The first image's maps as (C, H, W): conv maps as they are, a vector as a 1-row strip."""
    first = np.asarray(values)[0]
    if first.ndim == 3:
        return first
    return first.reshape(1, 1, -1)


def plot_activations(acts, image=None, max_channels=16, columns=8):
    """One grid per layer of the first image's channels, in Chollet's display (§5.4.1).

    Tile k shows clip((a_k - mean(a_k)) / std(a_k) * 64 + 128, 0, 255), so every
    channel uses the whole colour range whatever its scale.

    ``acts`` is what ``activations`` returns. Dead channels (std 0) are drawn
    grey and labelled "dead". Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt

    if not acts:
        raise ValueError("plot_activations needs at least one layer's activations, got none")
    if int(max_channels) < 1:
        raise ValueError(f"max_channels must be at least 1, got {max_channels}")
    layers = list(acts.items())
    rows_per_layer = [int(np.ceil(min(len(_layer_maps(v)), max_channels) / columns)) for _, v in layers]
    extra = 1 if image is not None else 0
    figure = plt.figure(figsize=(1.3 * columns + 1.2, 1.5 * (sum(rows_per_layer) + extra) + 0.4 * len(layers)))
    parts = figure.subfigures(len(layers) + extra, 1, height_ratios=[1.3] * extra + [r + 0.35 for r in rows_per_layer])
    parts = np.atleast_1d(parts)
    if image is not None:
        _show_input(parts[0], image)
    for part, (name, values), rows in zip(parts[extra:], layers, rows_per_layer):
        _plot_layer_grid(part, name, _layer_maps(values), max_channels, columns, rows)
    return figure


def _show_input(part, image):
    image = np.asarray(image)
    if image.ndim == 3 and image.shape[0] in (1, 3):   # (C, H, W) -> (H, W, C)
        image = np.moveaxis(image, 0, -1)
    axis = part.subplots(1, 1)
    axis.imshow(image.squeeze(), cmap="gray")
    axis.set_title("input image")
    axis.axis("off")


def _plot_layer_grid(part, name, maps, max_channels, columns, rows):
    count = min(len(maps), max_channels)
    axes = np.atleast_1d(part.subplots(rows, columns, squeeze=False)).ravel()
    part.suptitle(f"layer '{name}': {count} of {len(maps)} channels, {maps.shape[1]}x{maps.shape[2]}",
                  fontsize=10)
    shown = None
    aspect = "auto" if maps.shape[1] == 1 else "equal"   # a dense layer's vector is a long strip
    for index, axis in enumerate(axes):
        axis.set_xticks([])
        axis.set_yticks([])
        if index >= count:
            axis.axis("off")
            continue
        display = chollet_display(maps[index])
        if display is None:
            axis.imshow(np.full(maps[index].shape, 0.5), cmap="gray", vmin=0, vmax=1, aspect=aspect)
            axis.text(0.5, 0.5, "dead", color="red", ha="center", va="center", transform=axis.transAxes)
        else:
            shown = axis.imshow(display, cmap="viridis", vmin=0, vmax=255, aspect=aspect)
        axis.set_xlabel(f"ch {index}", fontsize=7, labelpad=1)
    if shown is not None:
        part.colorbar(shown, ax=list(axes), shrink=0.9, pad=0.01, label="(a-mean)/std*64+128")


# --------------------------------------------------------------------------- filters

def plot_filters(conv_layer, max_filters=16, max_inputs=8):
    """The layer's weights as a grid: one tile per output channel (RGB for 3 inputs, else one per input).

    Single-channel tiles use a diverging map centred on 0 (white) with a colour
    bar; RGB tiles map 0 to mid grey (w / (2 max|w|) + 0.5 per channel).
    """
    import matplotlib.pyplot as plt

    weight = getattr(conv_layer, "weight", None)
    if weight is None or np.ndim(weight.data) != 4:
        raise TypeError(f"plot_filters expected a Conv2d layer (weight (out, in, kh, kw)), "
                        f"got {type(conv_layer).__name__}")
    weights = np.asarray(weight.data, dtype=np.float64)[:max_filters]
    largest = float(np.abs(weights).max()) or 1.0
    if weights.shape[1] == 3:
        return _plot_rgb_filters(plt, weights, largest)
    inputs = min(weights.shape[1], max_inputs)
    columns = len(weights) if inputs == 1 else inputs
    rows = 1 if inputs == 1 else len(weights)
    if inputs == 1 and columns > 8:
        rows, columns = int(np.ceil(columns / 8)), 8
    figure, axes = plt.subplots(rows, columns, figsize=(1.1 * columns + 1.5, 1.1 * rows + 0.8), squeeze=False)
    for index, axis in enumerate(axes.ravel()):
        axis.set_xticks([])
        axis.set_yticks([])
        out, inp = (index, 0) if inputs == 1 else divmod(index, columns)
        if out >= len(weights):
            axis.axis("off")
            continue
        shown = axis.imshow(weights[out, inp], cmap="RdBu_r", vmin=-largest, vmax=largest)
        if inputs == 1:
            axis.set_xlabel(f"out {out}", fontsize=7, labelpad=1)
        elif inp == 0:
            axis.set_ylabel(f"out {out}", fontsize=7)
        if inputs > 1 and out == 0:
            axis.set_title(f"in {inp}", fontsize=7)
    cut = len(weights) < weight.shape[0] or inputs < weight.shape[1]
    shown_part = f" (first {len(weights)} outputs x {inputs} inputs)" if cut else ""
    figure.suptitle(f"{type(conv_layer).__name__} filters {tuple(weight.shape)}{shown_part}: "
                    "red > 0, blue < 0, white = 0")
    figure.colorbar(shown, ax=axes.ravel().tolist(), shrink=0.5, label="weight")
    return figure


def _plot_rgb_filters(plt, weights, largest):
    columns = min(8, len(weights))
    rows = int(np.ceil(len(weights) / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(1.1 * columns, 1.1 * rows + 0.6), squeeze=False)
    for index, axis in enumerate(axes.ravel()):
        axis.axis("off")
        if index < len(weights):
            axis.imshow(np.clip(np.moveaxis(weights[index], 0, -1) / (2 * largest) + 0.5, 0, 1))
            axis.set_title(f"out {index}", fontsize=7)
    figure.suptitle(f"RGB filters {weights.shape}: grey = 0, max |w| = {largest:.3g}")
    return figure


# --------------------------------------------------------------------------- maximal activation

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


class _frozen:
    """Evaluate mode and no parameter gradients for the duration; every flag restored after."""

    def __init__(self, model):
        self.model = model

    def __enter__(self):
        self.modes = [(m, m.training) for m in self.model.modules()]
        self.flags = [(p, p.requires_grad, p.grad) for p in self.model.parameters()]
        self.model.eval()
        self.model.requires_grad_(False)

    def __exit__(self, *exc_info):
        for module, mode in self.modes:
            object.__setattr__(module, "training", mode)
        for parameter, flag, grad in self.flags:
            parameter.requires_grad_(flag)
            parameter.grad = grad


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
    if int(steps) < 1:
        raise ValueError(f"steps must be at least 1, got {steps}")
    if int(jitter) < 0:
        raise ValueError(f"jitter must be >= 0 pixels, got {jitter}")
    channel = int(channel)
    rng = np.random.default_rng(seed)
    dtype = model.parameters()[0].data.dtype if model.parameters() else np.float32
    image = (0.5 + rng.uniform(-0.05, 0.05, size=(1,) + shape)).astype(np.float64)
    history = []
    with _frozen(model):
        for _ in range(int(steps)):
            shift = tuple(rng.integers(-jitter, jitter + 1, size=2)) if jitter else (0, 0)
            x = tg.Tensor(np.roll(image, shift, axis=(2, 3)).astype(dtype), requires_grad=True)
            activation = _channel_objective(model, module, x, channel)
            history.append(float(activation.data))
            objective = activation
            if tv_weight:
                objective = objective - tv_weight * _total_variation(x)
            if l2_weight:
                objective = objective - l2_weight * (x * x).sum()
            objective.backward()
            grad = np.roll(np.asarray(x.grad, dtype=np.float64), tuple(-s for s in shift), axis=(2, 3))
            image = image + step_size * grad / (np.sqrt(np.mean(grad ** 2)) + 1e-5)
        with tg.no_grad():
            history.append(float(_channel_objective(model, module, tg.Tensor(image.astype(dtype)), channel).data))
    return FilterPattern(image[0], np.array(history))


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
                    fontsize=9)
    return figure
